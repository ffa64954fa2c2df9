package dev.attribution.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attribution.api.CallStatus;
import dev.attribution.api.UsageRecord;
import dev.attribution.contract.Loopback;
import dev.attribution.core.internal.provider.Providers;
import dev.attribution.core.routing.Route;
import dev.attribution.core.routing.RoutingRule;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Through the JDK wrapper, a call the engine pinned to an origin (sent over a route, or carrying
 * the engine's credential) follows redirects within that origin exactly as the wrapped JDK client
 * would, and hands a redirect to any other origin to the application as it came: the route's key
 * and the prompt never reach the host it names, whether the wrapped client follows redirects {@code
 * NORMAL}ly or {@code ALWAYS}. Calls the engine did not re-aim keep the client's own behaviour.
 * Every case runs with {@code send} and {@code sendAsync}.
 */
class JdkRedirectPinningTest {

  private static final String ROUTE_KEY = "sk-ant-route-key-pinned-0123456789";
  private static final String BODY =
      "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":5,\"messages\":[]}";
  private static final String STREAM_BODY =
      "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":5,\"stream\":true,\"messages\":[]}";

  private final MockWebServer target = new MockWebServer();
  private final MockWebServer elsewhere = new MockWebServer();

  @BeforeEach
  void start() throws IOException {
    target.start();
    // Another host. It answers anything it gets (a leak then fails the test instead of hanging it).
    elsewhere.setDispatcher(
        new okhttp3.mockwebserver.Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            return message();
          }
        });
    elsewhere.start(InetAddress.getByName("127.0.0.2"), 0);
  }

  @AfterEach
  void stop() throws IOException {
    target.shutdown();
    elsewhere.shutdown();
  }

  /** How the application sends. */
  enum Mode {
    SEND,
    SEND_ASYNC
  }

  /** What the application saw: the status and the body it read. */
  record Seen(int code, String body) {}

  private Loopback routed() {
    Route alt =
        Route.builder("alt")
            .baseUrl(target.url("/v1").toString())
            .provider(Providers.ANTHROPIC)
            .apiKey(ROUTE_KEY)
            .build();
    return new Loopback(
        Providers.ANTHROPIC,
        b -> b.route(alt).routingRule(RoutingRule.builder("all").route("alt").build()));
  }

  private static HttpRequest messages(Loopback h, String body) {
    return HttpRequest.newBuilder(h.server.url("/v1/messages").uri())
        .header("content-type", "application/json")
        .header("anthropic-version", "2023-06-01")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private static MockResponse redirect(int code, String location) {
    return new MockResponse().setResponseCode(code).setHeader("Location", location);
  }

  private static MockResponse message() {
    return new MockResponse()
        .setHeader("content-type", "application/json")
        .setBody(Loopback.fixture("anthropic-messages.json"));
  }

  private static MockResponse stream() {
    return new MockResponse()
        .setHeader("content-type", "text/event-stream")
        .setChunkedBody(Loopback.fixture("anthropic-messages-stream.sse"), 97);
  }

  private static HttpClient client(Loopback h, HttpClient.Redirect redirect) {
    return AttributionHttpClient.wrap(
        HttpClient.newBuilder().followRedirects(redirect).build(), h.engine);
  }

  /** Sends {@code request} and reads the whole body as a stream, as a streaming app does. */
  private static Seen seen(HttpClient client, HttpRequest request, Mode mode) throws Exception {
    HttpResponse<InputStream> r;
    if (mode == Mode.SEND) {
      r = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } else {
      r =
          client
              .sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
              .get(10, TimeUnit.SECONDS);
    }
    try (InputStream in = r.body()) {
      return new Seen(r.statusCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void aRedirectWithinTheRoutesOriginIsFollowedWithTheRoutesKeyAndTheBody() throws Exception {
    for (HttpClient.Redirect policy : new HttpClient.Redirect[] {NORMAL, ALWAYS}) {
      for (Mode mode : Mode.values()) {
        for (int code : new int[] {307, 308}) {
          for (boolean streaming : new boolean[] {false, true}) {
            String as = policy + " " + mode + " " + code + (streaming ? " stream" : "");
            try (Loopback h = routed()) {
              target.enqueue(redirect(code, target.url("/v2/messages").toString()));
              target.enqueue(streaming ? stream() : message());
              Seen seen =
                  seen(client(h, policy), messages(h, streaming ? STREAM_BODY : BODY), mode);
              assertThat(seen)
                  .as(as)
                  .isEqualTo(
                      new Seen(
                          200,
                          Loopback.fixture(
                              streaming
                                  ? "anthropic-messages-stream.sse"
                                  : "anthropic-messages.json")));
              RecordedRequest first = target.takeRequest();
              RecordedRequest second = target.takeRequest();
              assertThat(first.getPath()).isEqualTo("/v1/messages");
              assertThat(second.getPath()).as(as).isEqualTo("/v2/messages");
              // 307 and 308 keep the method and the body, byte for byte, as the JDK does.
              assertThat(second.getMethod()).isEqualTo("POST");
              assertThat(second.getBody().readUtf8()).isEqualTo(streaming ? STREAM_BODY : BODY);
              assertThat(second.getHeader("x-api-key")).isEqualTo(ROUTE_KEY);
              UsageRecord r = h.onlyRecord();
              assertThat(r.status()).as(as).isEqualTo(CallStatus.OK);
              assertThat(r.httpStatus()).isEqualTo(200);
              assertThat(r.streaming()).isEqualTo(streaming);
              assertThat(r.usage().inputTokens()).isPositive();
              assertThat(r.cost()).isNotNull();
            }
          }
        }
      }
    }
  }

  private static final HttpClient.Redirect NORMAL = HttpClient.Redirect.NORMAL;
  private static final HttpClient.Redirect ALWAYS = HttpClient.Redirect.ALWAYS;

  @Test
  void aRelativeLocationResolvesAgainstTheRoutesOrigin() throws Exception {
    for (Mode mode : Mode.values()) {
      try (Loopback h = routed()) {
        target.enqueue(redirect(307, "/v1/messages-moved"));
        target.enqueue(message());
        assertThat(seen(client(h, NORMAL), messages(h, BODY), mode).code()).isEqualTo(200);
        target.takeRequest();
        RecordedRequest moved = target.takeRequest();
        assertThat(moved.getPath()).isEqualTo("/v1/messages-moved");
        assertThat(moved.getHeader("x-api-key")).isEqualTo(ROUTE_KEY);
      }
    }
  }

  /**
   * 301, 302 and 303 within the origin: the follow-up is what the JDK itself sends (a POST becomes
   * a GET without the body), read off the plain client against the same server.
   */
  @Test
  void movedFoundAndSeeOtherChangeTheMethodAsTheJdkDoes() throws Exception {
    for (int code : new int[] {301, 302, 303}) {
      // The JDK alone, no wrapper, same server.
      target.enqueue(redirect(code, "/v1/result"));
      target.enqueue(message());
      HttpRequest direct =
          HttpRequest.newBuilder(target.url("/v1/messages").uri())
              .header("content-type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(BODY))
              .build();
      HttpResponse<String> plain =
          HttpClient.newBuilder()
              .followRedirects(NORMAL)
              .build()
              .send(direct, HttpResponse.BodyHandlers.ofString());
      assertThat(plain.statusCode()).isEqualTo(200);
      target.takeRequest();
      RecordedRequest jdk = target.takeRequest();
      for (Mode mode : Mode.values()) {
        try (Loopback h = routed()) {
          target.enqueue(redirect(code, "/v1/result"));
          target.enqueue(message());
          assertThat(seen(client(h, NORMAL), messages(h, BODY), mode).code()).isEqualTo(200);
          target.takeRequest();
          RecordedRequest ours = target.takeRequest();
          assertThat(ours.getMethod()).as("%s %s", code, mode).isEqualTo(jdk.getMethod());
          assertThat(ours.getMethod()).isEqualTo("GET");
          assertThat(ours.getBodySize()).isEqualTo(jdk.getBodySize()).isZero();
          assertThat(ours.getHeader("content-type")).isEqualTo(jdk.getHeader("content-type"));
          assertThat(ours.getHeader("x-api-key")).isEqualTo(ROUTE_KEY);
        }
      }
    }
  }

  @Test
  void noRedirectToAnotherHostIsFollowedWhateverItsCode() throws Exception {
    for (HttpClient.Redirect policy : new HttpClient.Redirect[] {NORMAL, ALWAYS}) {
      for (Mode mode : Mode.values()) {
        for (int code : new int[] {301, 302, 303, 307, 308}) {
          for (boolean streaming : new boolean[] {false, true}) {
            String as = policy + " " + mode + " " + code + (streaming ? " stream" : "");
            try (Loopback h = routed()) {
              target.enqueue(
                  redirect(code, elsewhere.url("/v1/messages").toString())
                      .setBody("moved")
                      .setHeader("content-type", "text/plain"));
              Seen seen =
                  seen(client(h, policy), messages(h, streaming ? STREAM_BODY : BODY), mode);
              assertThat(seen).as(as).isEqualTo(new Seen(code, "moved"));
              assertThat(target.takeRequest().getHeader("x-api-key")).isEqualTo(ROUTE_KEY);
              UsageRecord r = h.onlyRecord();
              // Not a model run: nothing charged, and the record says what came back.
              assertThat(r.httpStatus()).as(as).isEqualTo(code);
              assertThat(r.status()).as(as).isEqualTo(CallStatus.UPSTREAM_ERROR);
              assertThat(r.errorType()).isEqualTo("http_" + code);
              assertThat(r.cost() == null || r.cost().total().signum() == 0).as(as).isTrue();
            }
          }
        }
      }
    }
    assertThat(elsewhere.getRequestCount()).isZero();
  }

  @Test
  void aRedirectToTheSameHostOnAnotherPortIsAnotherOrigin() throws Exception {
    try (MockWebServer otherPort = new MockWebServer()) {
      otherPort.enqueue(message());
      otherPort.start(InetAddress.getByName(target.getHostName()), 0);
      for (Mode mode : Mode.values()) {
        try (Loopback h = routed()) {
          target.enqueue(redirect(307, otherPort.url("/v1/messages").toString()));
          assertThat(seen(client(h, ALWAYS), messages(h, BODY), mode).code()).isEqualTo(307);
        }
      }
      assertThat(otherPort.getRequestCount()).isZero();
    }
  }

  @Test
  void aKeyFromTheCredentialResolverIsPinnedToTheApplicationsOwnHost() throws Exception {
    for (Mode mode : Mode.values()) {
      try (Loopback h =
          new Loopback(Providers.ANTHROPIC, b -> b.credentials((ctx, p, route) -> ROUTE_KEY))) {
        h.server.enqueue(redirect(302, elsewhere.url("/v1/messages").toString()));
        assertThat(seen(client(h, NORMAL), messages(h, BODY), mode).code()).isEqualTo(302);
        assertThat(h.server.takeRequest().getHeader("x-api-key")).isEqualTo(ROUTE_KEY);
      }
    }
    assertThat(elsewhere.getRequestCount()).isZero();
  }

  /** A redirect loop within the origin ends where the JDK ends it: on the same redirect. */
  @Test
  void aRedirectLoopWithinTheOriginEndsAsTheJdkEndsIt() throws Exception {
    target.setDispatcher(
        new okhttp3.mockwebserver.Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            return redirect(307, "/v1/messages");
          }
        });
    HttpRequest direct =
        HttpRequest.newBuilder(target.url("/v1/messages").uri())
            .POST(HttpRequest.BodyPublishers.ofString(BODY))
            .build();
    int plainCode =
        HttpClient.newBuilder()
            .followRedirects(NORMAL)
            .build()
            .send(direct, HttpResponse.BodyHandlers.discarding())
            .statusCode();
    int plainRequests = target.getRequestCount();
    assertThat(plainRequests).isGreaterThan(1);
    for (Mode mode : Mode.values()) {
      try (Loopback h = routed()) {
        int before = target.getRequestCount();
        assertThat(seen(client(h, NORMAL), messages(h, BODY), mode).code()).isEqualTo(plainCode);
        assertThat(target.getRequestCount() - before).isEqualTo(plainRequests);
        assertThat(h.onlyRecord().status()).isEqualTo(CallStatus.UPSTREAM_ERROR);
      }
    }
  }

  @Test
  void aRedirectWithoutLocationFailsAsTheJdkFailsIt() throws Exception {
    target.enqueue(new MockResponse().setResponseCode(307));
    HttpRequest direct =
        HttpRequest.newBuilder(target.url("/v1/messages").uri())
            .POST(HttpRequest.BodyPublishers.ofString(BODY))
            .build();
    HttpClient plain = HttpClient.newBuilder().followRedirects(NORMAL).build();
    Throwable jdk = null;
    try {
      plain.send(direct, HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      jdk = e;
    }
    assertThat(jdk).isInstanceOf(IOException.class).hasMessageContaining("Invalid redirection");
    for (Mode mode : Mode.values()) {
      try (Loopback h = routed()) {
        target.enqueue(new MockResponse().setResponseCode(307));
        HttpClient ours = client(h, NORMAL);
        if (mode == Mode.SEND) {
          assertThatThrownBy(
                  () -> ours.send(messages(h, BODY), HttpResponse.BodyHandlers.discarding()))
              .isInstanceOf(IOException.class)
              .hasMessageContaining("Invalid redirection");
        } else {
          assertThatThrownBy(
                  () ->
                      ours.sendAsync(messages(h, BODY), HttpResponse.BodyHandlers.discarding())
                          .get(10, TimeUnit.SECONDS))
              .isInstanceOf(ExecutionException.class)
              .cause()
              .isInstanceOf(IOException.class)
              .hasMessageContaining("Invalid redirection");
        }
        assertThat(h.onlyRecord().status()).isEqualTo(CallStatus.FAILED);
      }
    }
  }

  @Test
  void aClientThatDoesNotFollowRedirectsHandsBackEveryRedirect() throws Exception {
    for (Mode mode : Mode.values()) {
      try (Loopback h = routed()) {
        int before = target.getRequestCount();
        target.enqueue(redirect(307, target.url("/v2/messages").toString()));
        HttpClient never = client(h, HttpClient.Redirect.NEVER);
        assertThat(seen(never, messages(h, BODY), mode).code()).isEqualTo(307);
        assertThat(target.getRequestCount() - before).isEqualTo(1);
      }
    }
  }

  @Test
  void aCallTheEngineDidNotReAimKeepsTheJdksOwnRedirects() throws Exception {
    for (Mode mode : Mode.values()) {
      try (Loopback h = new Loopback(Providers.ANTHROPIC, b -> {})) {
        h.server.enqueue(redirect(307, elsewhere.url("/v1/messages").toString()));
        HttpRequest own =
            HttpRequest.newBuilder(messages(h, BODY), (n, v) -> true)
                .header("x-api-key", "the-apps-own-key")
                .build();
        assertThat(seen(client(h, NORMAL), own, mode).code()).isEqualTo(200);
        // Exactly what the JDK does without the wrapper: the application's choice, not ours.
        assertThat(elsewhere.takeRequest().getHeader("x-api-key")).isEqualTo("the-apps-own-key");
      }
    }
  }

  @Test
  void theClientPinnedCallsGoThroughKeepsTheWrappedClientsSettings() throws Exception {
    java.net.CookieManager cookies = new java.net.CookieManager();
    java.util.concurrent.ExecutorService executor =
        java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      HttpClient original =
          HttpClient.newBuilder()
              .followRedirects(NORMAL)
              .connectTimeout(java.time.Duration.ofSeconds(7))
              .proxy(java.net.ProxySelector.of(null))
              .cookieHandler(cookies)
              .executor(executor)
              .version(HttpClient.Version.HTTP_1_1)
              .build();
      HttpClient derived = PinnedRedirects.derive(original);
      assertThat(derived).isNotNull();
      assertThat(derived.followRedirects()).isEqualTo(HttpClient.Redirect.NEVER);
      assertThat(derived.connectTimeout()).isEqualTo(original.connectTimeout());
      assertThat(derived.proxy()).isEqualTo(original.proxy());
      assertThat(derived.cookieHandler()).containsSame(cookies);
      assertThat(derived.executor()).containsSame(executor);
      assertThat(derived.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
      assertThat(derived.sslContext()).isSameAs(original.sslContext());
      assertThat(derived.sslParameters().getProtocols())
          .isEqualTo(original.sslParameters().getProtocols());
    } finally {
      executor.shutdownNow();
    }
  }
}
