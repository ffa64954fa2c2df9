package dev.attribution.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.contract.Loopback;
import dev.attribution.core.internal.provider.Providers;
import dev.attribution.core.routing.Route;
import dev.attribution.core.routing.RoutingRule;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;

/** The JDK wrapper sends a call routed to Azure OpenAI with the route's {@code api-version}. */
class JdkAzureRouteTest {

  @Test
  void anOpenAiCallRoutedToAzureCarriesTheRoutesApiVersion() throws Exception {
    try (MockWebServer azure = new MockWebServer()) {
      azure.start();
      Route toAzure =
          Route.builder("azure")
              .baseUrl(azure.url("/openai/deployments/gpt-4o") + "?api-version=2024-10-21")
              .provider(Providers.AZURE_OPENAI)
              .apiKey("azure-key-0123456789abcdef")
              .build();
      try (Loopback h =
          new Loopback(
              Providers.OPENAI,
              b ->
                  b.route(toAzure)
                      .routingRule(RoutingRule.builder("all").route("azure").build()))) {
        azure.enqueue(AttributionHttpClientTest.json("openai-chat.json"));
        HttpClient jdk = AttributionHttpClient.wrap(HttpClient.newHttpClient(), h.engine);
        HttpResponse<String> r =
            jdk.send(
                AttributionHttpClientTest.post(
                        h, "/v1/chat/completions?trace=1", AttributionHttpClientTest.CHAT)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        RecordedRequest got = azure.takeRequest();
        assertThat(got.getPath())
            .isEqualTo(
                "/openai/deployments/gpt-4o/chat/completions?trace=1&api-version=2024-10-21");
        assertThat(got.getHeader("api-key")).isEqualTo("azure-key-0123456789abcdef");
        assertThat(got.getHeader("authorization")).isNull();
        assertThat(h.onlyRecord().provider()).isEqualTo(Providers.AZURE_OPENAI);
      }
    }
  }
}
