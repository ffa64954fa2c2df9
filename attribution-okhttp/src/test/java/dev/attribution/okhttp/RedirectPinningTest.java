package dev.attribution.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attribution.api.CallStatus;
import dev.attribution.api.UsageRecord;
import dev.attribution.core.internal.provider.Providers;
import dev.attribution.core.routing.Route;
import dev.attribution.core.routing.RoutingRule;
import dev.attribution.okhttp.HostileResponsesTest.Seen;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ProtocolException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A call the engine pinned to an origin (sent over a route, or carrying the engine's credential)
 * follows redirects within that origin exactly as OkHttp would, and hands a redirect to any other
 * origin to the application as it came: the route's key and the prompt never reach the host it
 * names. Calls the engine did not re-aim keep OkHttp's own redirect behaviour.
 */
class RedirectPinningTest {

  private static final String ROUTE_KEY = "sk-ant-route-key-pinned-0123456789";
  private static final String BODY =
      "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":5,\"messages\":[]}";

  private final MockWebServer target = new MockWebServer();
  private final MockWebServer elsewhere = new MockWebServer();

  @BeforeEach
  void start() throws IOException {
    target.start();
    // Another host: OkHttp would drop Authorization here, and only Authorization.
    elsewhere.start(InetAddress.getByName("127.0.0.2"), 0);
  }

  @AfterEach
  void stop() throws IOException {
    target.shutdown();
    elsewhere.shutdown();
  }

  private Harness routed() {
    Route alt =
        Route.builder("alt")
            .baseUrl(target.url("/v1").toString())
            .provider(Providers.ANTHROPIC)
            .apiKey(ROUTE_KEY)
            .build();
    return new Harness(
        Providers.ANTHROPIC,
        b -> b.route(alt).routingRule(RoutingRule.builder("all").route("alt").build()));
  }

  private static Request messages(Harness h) {
    return new Request.Builder()
        .url(h.server.url("/v1/messages"))
        .post(RequestBody.create(BODY, MediaType.get("application/json")))
        .build();
  }

  private static MockResponse redirect(int code, String location) {
    return new MockResponse().setResponseCode(code).setHeader("Location", location);
  }

  private static MockResponse message() {
    return new MockResponse()
        .setHeader("content-type", "application/json")
        .setBody(new okio.Buffer().write(Harness.fixture("anthropic-messages.json")));
  }

  private static OkHttpClient client(Harness h) {
    return Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
  }

  @Test
  void aRedirectWithinTheRoutesOriginIsFollowedWithTheRoutesKeyAndTheBody() throws Exception {
    for (int code : new int[] {307, 308}) {
      try (Harness h = routed()) {
        target.enqueue(redirect(code, target.url("/v2/messages").toString()));
        target.enqueue(message());
        Seen seen = Seen.of(client(h), messages(h));
        assertThat(seen).isEqualTo(new Seen(200, Harness.fixture("anthropic-messages.json"), ""));
        RecordedRequest first = target.takeRequest();
        RecordedRequest second = target.takeRequest();
        assertThat(first.getPath()).isEqualTo("/v1/messages");
        assertThat(second.getPath()).isEqualTo("/v2/messages");
        // 307 and 308 keep the method and the body, byte for byte, as OkHttp does.
        assertThat(second.getMethod()).isEqualTo("POST");
        assertThat(second.getBody().readUtf8()).isEqualTo(BODY);
        assertThat(second.getHeader("x-api-key")).isEqualTo(ROUTE_KEY);
        UsageRecord r = h.onlyRecord();
        assertThat(r.status()).isEqualTo(CallStatus.OK);
        assertThat(r.httpStatus()).isEqualTo(200);
        assertThat(r.usage().inputTokens()).isPositive();
      }
    }
  }

  @Test
  void aRelativeLocationResolvesAgainstTheRoutesOrigin() throws Exception {
    try (Harness h = routed()) {
      target.enqueue(redirect(307, "/v1/messages-moved"));
      target.enqueue(message());
      assertThat(Seen.of(client(h), messages(h)).code()).isEqualTo(200);
      target.takeRequest();
      RecordedRequest moved = target.takeRequest();
      assertThat(moved.getPath()).isEqualTo("/v1/messages-moved");
      assertThat(moved.getHeader("x-api-key")).isEqualTo(ROUTE_KEY);
    }
  }

  @Test
  void aSeeOtherBecomesAGetWithoutTheBodyAsOkHttpDoes() throws Exception {
    try (Harness h = routed()) {
      target.enqueue(redirect(303, "/v1/result"));
      target.enqueue(message());
      assertThat(Seen.of(client(h), messages(h)).code()).isEqualTo(200);
      target.takeRequest();
      RecordedRequest get = target.takeRequest();
      assertThat(get.getMethod()).isEqualTo("GET");
      assertThat(get.getBodySize()).isZero();
      assertThat(get.getHeader("Content-Type")).isNull();
    }
  }

  @Test
  void noRedirectToAnotherHostIsFollowedWhateverItsCode() throws Exception {
    for (int code : new int[] {301, 302, 303, 307, 308}) {
      try (Harness h = routed()) {
        target.enqueue(redirect(code, elsewhere.url("/v1/messages").toString()));
        Seen seen = Seen.of(client(h), messages(h));
        assertThat(seen.code()).as("status %s", code).isEqualTo(code);
        assertThat(target.takeRequest().getHeader("x-api-key")).isEqualTo(ROUTE_KEY);
        UsageRecord r = h.onlyRecord();
        // Not a model run: nothing charged, and the record says what came back.
        assertThat(r.httpStatus()).isEqualTo(code);
        assertThat(r.status()).isEqualTo(CallStatus.UPSTREAM_ERROR);
        assertThat(r.errorType()).isEqualTo("http_" + code);
      }
    }
    assertThat(elsewhere.getRequestCount()).isZero();
  }

  @Test
  void aRedirectToTheSameHostOnAnotherPortIsAnotherOrigin() throws Exception {
    try (Harness h = routed();
        MockWebServer otherPort = new MockWebServer()) {
      otherPort.start(InetAddress.getByName(target.getHostName()), 0);
      target.enqueue(redirect(307, otherPort.url("/v1/messages").toString()));
      assertThat(Seen.of(client(h), messages(h)).code()).isEqualTo(307);
      assertThat(otherPort.getRequestCount()).isZero();
    }
  }

  @Test
  void aKeyFromTheCredentialResolverIsPinnedToTheApplicationsOwnHost() throws Exception {
    try (Harness h =
        new Harness(Providers.ANTHROPIC, b -> b.credentials((ctx, p, route) -> ROUTE_KEY))) {
      h.server.enqueue(redirect(302, elsewhere.url("/v1/messages").toString()));
      assertThat(Seen.of(client(h), messages(h)).code()).isEqualTo(302);
      assertThat(h.server.takeRequest().getHeader("x-api-key")).isEqualTo(ROUTE_KEY);
      assertThat(elsewhere.getRequestCount()).isZero();
    }
  }

  @Test
  void aRedirectLoopWithinTheOriginEndsAsOkHttpEndsIt() throws Exception {
    // Without the interceptor, against the same server: OkHttp gives up after 20 follow-ups.
    for (int i = 0; i < 21; i++) {
      target.enqueue(redirect(307, "/v1/messages"));
    }
    Request direct =
        new Request.Builder()
            .url(target.url("/v1/messages"))
            .post(RequestBody.create(BODY, MediaType.get("application/json")))
            .build();
    Throwable plain = null;
    try (Response r = Harness.client().build().newCall(direct).execute()) {
      r.body().string();
    } catch (IOException e) {
      plain = e;
    }
    assertThat(plain).isInstanceOf(ProtocolException.class);
    int plainRequests = target.getRequestCount();
    try (Harness h = routed()) {
      for (int i = 0; i < 21; i++) {
        target.enqueue(redirect(307, "/v1/messages"));
      }
      assertThatThrownBy(() -> client(h).newCall(messages(h)).execute())
          .isInstanceOf(ProtocolException.class)
          .hasMessage(plain.getMessage());
      assertThat(target.getRequestCount() - plainRequests).isEqualTo(plainRequests);
      assertThat(h.onlyRecord().status()).isEqualTo(CallStatus.FAILED);
    }
  }

  @Test
  void aClientThatDoesNotFollowRedirectsHandsBackEveryRedirect() throws Exception {
    try (Harness h = routed()) {
      target.enqueue(redirect(307, target.url("/v2/messages").toString()));
      OkHttpClient noFollow =
          Harness.client()
              .followRedirects(false)
              .addInterceptor(AttributionOkHttp.interceptor(h.engine))
              .build();
      assertThat(Seen.of(noFollow, messages(h)).code()).isEqualTo(307);
      assertThat(target.getRequestCount()).isEqualTo(1);
    }
  }

  @Test
  void anEnqueuedCallIsPinnedToo() throws Exception {
    try (Harness h = routed()) {
      target.enqueue(redirect(307, "/v2/messages"));
      target.enqueue(message());
      OkHttpClient client = AttributionOkHttp.instrument(Harness.client().build(), h.engine);
      CompletableFuture<Integer> code = new CompletableFuture<>();
      client
          .newCall(messages(h))
          .enqueue(
              new Callback() {
                @Override
                public void onFailure(Call call, IOException e) {
                  code.completeExceptionally(e);
                }

                @Override
                public void onResponse(Call call, Response response) throws IOException {
                  try (response) {
                    response.body().string();
                    code.complete(response.code());
                  }
                }
              });
      assertThat(code.get(10, TimeUnit.SECONDS)).isEqualTo(200);
      target.takeRequest();
      assertThat(target.takeRequest().getHeader("x-api-key")).isEqualTo(ROUTE_KEY);
    }
  }

  @Test
  void aCallTheEngineDidNotReAimKeepsOkHttpsOwnRedirects() throws Exception {
    try (Harness h = new Harness(Providers.ANTHROPIC)) {
      h.server.enqueue(redirect(307, elsewhere.url("/v1/messages").toString()));
      elsewhere.enqueue(message());
      Request own = messages(h).newBuilder().header("x-api-key", "the-apps-own-key").build();
      assertThat(Seen.of(client(h), own).code()).isEqualTo(200);
      // Exactly what OkHttp does without the interceptor: the application's choice, not ours.
      assertThat(elsewhere.takeRequest().getHeader("x-api-key")).isEqualTo("the-apps-own-key");
    }
  }
}
