package dev.attribution.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.Message;
import dev.attribution.contract.Loopback;
import dev.attribution.core.routing.Route;
import dev.attribution.core.routing.RoutingRule;
import java.net.InetAddress;
import java.util.concurrent.CompletionException;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real anthropic-java SDK follows redirects on its own OkHttp client: a routed call follows
 * them only within the route's origin, and the route's key never reaches another host.
 */
class AnthropicRedirectTest {

  private static final String ROUTE_KEY = "sk-ant-route-key-redirect-0123456789";

  private final MockWebServer target = new MockWebServer();
  private final MockWebServer elsewhere = new MockWebServer();
  private Loopback h;
  private AnthropicClient client;

  @BeforeEach
  void start() throws Exception {
    target.start();
    elsewhere.start(InetAddress.getByName("127.0.0.2"), 0);
    Route alt =
        Route.builder("alt")
            .baseUrl(target.url("/v1").toString())
            .provider("anthropic")
            .apiKey(ROUTE_KEY)
            .build();
    h =
        new Loopback(
            "anthropic",
            b -> b.route(alt).routingRule(RoutingRule.builder("all").route("alt").build()));
    client =
        AnthropicOkHttpClient.builder()
            .baseUrl(h.baseUrl())
            .apiKey("sk-ant-app-key-0123456789abcdef")
            .maxRetries(0)
            .addInterceptor(AnthropicAttribution.interceptor(h.engine))
            .build();
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    h.close();
    target.shutdown();
    elsewhere.shutdown();
  }

  private static MockResponse redirect(int code, String location) {
    return new MockResponse().setResponseCode(code).setHeader("Location", location);
  }

  @Test
  void aRedirectWithinTheRoutesOriginIsFollowedWithTheKeyAndTheBody() throws Exception {
    target.enqueue(redirect(307, "/v1/messages-moved"));
    target.enqueue(AnthropicSdkTest.json("anthropic-messages.json"));
    Message m = client.messages().create(AnthropicSdkTest.params("claude-sonnet-4-5"));
    assertThat(m.content()).isNotEmpty();
    RecordedRequest first = target.takeRequest();
    RecordedRequest moved = target.takeRequest();
    assertThat(moved.getPath()).isEqualTo("/v1/messages-moved");
    assertThat(moved.getHeader("x-api-key")).isEqualTo(ROUTE_KEY);
    assertThat(moved.getBody().readUtf8()).isEqualTo(first.getBody().readUtf8());
    assertThat(h.onlyRecord().httpStatus()).isEqualTo(200);
  }

  @Test
  void aRedirectToAnotherHostReachesTheSdkAsSentAndTheKeyStaysHome() {
    target.enqueue(redirect(307, elsewhere.url("/v1/messages").toString()));
    elsewhere.enqueue(AnthropicSdkTest.json("anthropic-messages.json"));
    assertThatThrownBy(
        () -> client.messages().create(AnthropicSdkTest.params("claude-sonnet-4-5")));
    assertThat(elsewhere.getRequestCount()).isZero();
    assertThat(h.onlyRecord().httpStatus()).isEqualTo(307);
  }

  @Test
  void anAsyncCallIsPinnedToo() {
    target.enqueue(redirect(302, elsewhere.url("/v1/messages").toString()));
    elsewhere.enqueue(AnthropicSdkTest.json("anthropic-messages.json"));
    assertThatThrownBy(
            () ->
                client
                    .async()
                    .messages()
                    .create(AnthropicSdkTest.params("claude-sonnet-4-5"))
                    .join())
        .isInstanceOf(CompletionException.class);
    assertThat(elsewhere.getRequestCount()).isZero();
  }
}
