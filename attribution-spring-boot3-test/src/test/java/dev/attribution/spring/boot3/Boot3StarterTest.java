package dev.attribution.spring.boot3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.core.AttributionEngine;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The starter on Spring Boot 3.5: request scope from headers, budgets from properties, the
 * interceptor bean, the Actuator endpoint, the health contributor (on 3.5's health API) and the
 * meters.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "management.endpoints.web.exposure.include=attribution,health",
      "management.endpoint.health.show-details=always",
      "attribution.budgets[0].name=tenant-daily",
      "attribution.budgets[0].scope.tenant=*",
      "attribution.budgets[0].limit=10.00",
      "attribution.budgets[0].period=day"
    })
class Boot3StarterTest {

  private static final MockWebServer PROVIDER = provider();

  private static MockWebServer provider() {
    MockWebServer server = new MockWebServer();
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            return new MockResponse()
                .setHeader("Content-Type", "application/json")
                .setBody(
                    "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1700000000,"
                        + "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,"
                        + "\"message\":{\"role\":\"assistant\",\"content\":\"Hello.\"},"
                        + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,"
                        + "\"completion_tokens\":3,\"total_tokens\":15}}");
          }
        });
    try {
      server.start();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return server;
  }

  @DynamicPropertySource
  static void provider(DynamicPropertyRegistry registry) {
    registry.add("provider.base-url", () -> "http://" + authority());
    registry.add("attribution.provider-hosts.[" + authority() + "]", () -> "openai");
  }

  private static String authority() {
    return PROVIDER.getHostName() + ":" + PROVIDER.getPort();
  }

  @AfterAll
  static void stop() throws IOException {
    PROVIDER.shutdown();
  }

  @LocalServerPort int port;
  @Autowired MeterRegistry meters;
  @Autowired AttributionEngine engine;
  @Autowired ApplicationContext context;

  @Test
  void theStarterWorksOnSpringBoot35() throws Exception {
    assertThat(SpringBootVersion.getVersion()).startsWith("3.5.");
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> chat =
        http.send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/chat"))
                .header("X-Tenant-Id", "acme")
                .header("x-attribution-tenant", "globex")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(chat.body()).contains("\"status\":200", "\"tenant\":\"acme\"");
    assertThat(engine.flush(Duration.ofSeconds(10))).isTrue();

    HttpResponse<String> report =
        http.send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/attribution"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(report.statusCode()).isEqualTo(200);
    assertThat(report.body()).contains("\"scope\":\"tenant=acme\"");
    assertThat(
            meters
                .get("attribution.requests")
                .tags("tenant", "acme", "provider", "openai")
                .functionCounter()
                .count())
        .isEqualTo(1.0);

    HttpResponse<String> health =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://localhost:" + port + "/actuator/health/attribution"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body())
        .contains("\"status\":\"UP\"", "\"budgetStore\":\"in-memory\"", "\"sinks\"");
  }
}
