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
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An OpenAI-shaped call routed to an Azure OpenAI deployment carries the {@code api-version} of the
 * route's base URL, which Azure requires; the loopback deployment answers 404 without it, as Azure
 * does.
 */
class AzureRouteTest {

  private static final String VERSION = "2024-10-21";
  private static final String AZURE_KEY = "azure-key-0123456789abcdef";

  private final MockWebServer azure = new MockWebServer();

  /** An Azure deployment {@code gpt-4o} that serves only {@link #VERSION}, keyed by api-key. */
  private static final class Deployment extends Dispatcher {
    @Override
    public MockResponse dispatch(RecordedRequest r) {
      boolean ok =
          r.getRequestUrl().encodedPath().equals("/openai/deployments/gpt-4o/chat/completions")
              && VERSION.equals(r.getRequestUrl().queryParameter("api-version"))
              && AZURE_KEY.equals(r.getHeader("api-key"));
      if (!ok) {
        return new MockResponse()
            .setResponseCode(404)
            .setHeader("content-type", "application/json")
            .setBody("{\"error\":{\"code\":\"404\",\"message\":\"Resource not found\"}}");
      }
      return new MockResponse()
          .setHeader("content-type", "application/json")
          .setBody(new okio.Buffer().write(Harness.fixture("openai-chat.json")));
    }
  }

  @BeforeEach
  void start() throws IOException {
    azure.setDispatcher(new Deployment());
    azure.start();
  }

  @AfterEach
  void stop() throws IOException {
    azure.shutdown();
  }

  private Harness routedTo(String baseUrl) {
    Route toAzure =
        Route.builder("azure")
            .baseUrl(baseUrl)
            .provider(Providers.AZURE_OPENAI)
            .apiKey(AZURE_KEY)
            .build();
    return new Harness(
        Providers.OPENAI,
        b -> b.route(toAzure).routingRule(RoutingRule.builder("all").route("azure").build()));
  }

  private static Request chat(Harness h, String pathAndQuery) {
    return new Request.Builder()
        .url(h.server.url(pathAndQuery))
        .header("Authorization", "Bearer sk-openai-app-key-0123456789")
        .post(
            RequestBody.create(
                "{\"model\":\"gpt-4o\",\"max_tokens\":5,\"messages\":[]}",
                MediaType.get("application/json")))
        .build();
  }

  @Test
  void anOpenAiCallRoutedToAzureCarriesTheRoutesApiVersion() throws Exception {
    try (Harness h =
        routedTo(azure.url("/openai/deployments/gpt-4o").toString() + "?api-version=" + VERSION)) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      Seen seen = Seen.of(client, chat(h, "/v1/chat/completions"));
      assertThat(seen).isEqualTo(new Seen(200, Harness.fixture("openai-chat.json"), ""));
      RecordedRequest got = azure.takeRequest();
      assertThat(got.getPath())
          .isEqualTo("/openai/deployments/gpt-4o/chat/completions?api-version=" + VERSION);
      assertThat(got.getHeader("Authorization")).isNull();
      UsageRecord r = h.onlyRecord();
      assertThat(r.status()).isEqualTo(CallStatus.OK);
      assertThat(r.provider()).isEqualTo(Providers.AZURE_OPENAI);
      assertThat(r.route()).isEqualTo("azure");
      assertThat(r.cost()).isNotNull();
    }
  }

  @Test
  void theRoutesApiVersionReplacesTheOneTheApplicationSentAndKeepsItsOtherParameters()
      throws Exception {
    try (Harness h =
        routedTo(azure.url("/openai/deployments/gpt-4o").toString() + "?api-version=" + VERSION)) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      Seen seen = Seen.of(client, chat(h, "/v1/chat/completions?api-version=2023-05-15&trace=1"));
      assertThat(seen.code()).isEqualTo(200);
      RecordedRequest got = azure.takeRequest();
      assertThat(got.getRequestUrl().queryParameterValues("api-version")).containsExactly(VERSION);
      assertThat(got.getRequestUrl().queryParameter("trace")).isEqualTo("1");
    }
  }

  @Test
  void withoutAnApiVersionOnTheRouteAzureRejectsTheCall() throws Exception {
    // The fake is strict: this is the failure a route without api-version would meet on every call,
    // so such a route is refused when it is built, naming the route and the fix.
    String deployment = azure.url("/openai/deployments/gpt-4o").toString();
    for (String url :
        new String[] {deployment, deployment + "?api-version=", deployment + "?x=1"}) {
      assertThatThrownBy(() -> Route.builder("azure").baseUrl(url))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("route azure")
          .hasMessageContaining("api-version")
          .hasMessageContaining("/openai/v1");
    }
  }

  @Test
  void azuresV1ApiPathNeedsNoApiVersion() throws Exception {
    azure.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest r) {
            return r.getPath().equals("/openai/v1/chat/completions")
                    && AZURE_KEY.equals(r.getHeader("api-key"))
                ? new MockResponse()
                    .setHeader("content-type", "application/json")
                    .setBody(new okio.Buffer().write(Harness.fixture("openai-chat.json")))
                : new MockResponse().setResponseCode(404);
          }
        });
    try (Harness h = routedTo(azure.url("/openai/v1").toString())) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      assertThat(Seen.of(client, chat(h, "/v1/chat/completions")).code()).isEqualTo(200);
      UsageRecord r = h.onlyRecord();
      assertThat(r.status()).isEqualTo(CallStatus.OK);
      assertThat(r.route()).isEqualTo("azure");
    }
  }
}
