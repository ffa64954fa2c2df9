package dev.attribution.examples.spring;

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
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Starts the help desk on a random port, calls it over HTTP as its users would, and reads what the
 * starter made of those calls: the budget endpoint, the health contributor and the meters. The
 * model provider is a loopback server answering in OpenAI's documented chat-completions shape.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class HelpDeskApplicationTest {

  private static final String COMPLETION =
      "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1700000000,"
          + "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"message\":"
          + "{\"role\":\"assistant\",\"content\":\"Hello.\",\"refusal\":null},"
          + "\"logprobs\":null,\"finish_reason\":\"stop\"}],"
          + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15}}";

  private static final MockWebServer PROVIDER = provider();

  private static MockWebServer provider() {
    MockWebServer server = new MockWebServer();
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            return new MockResponse()
                .setHeader("Content-Type", "application/json")
                .setBody(COMPLETION);
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
    registry.add("helpdesk.openai.base-url", () -> PROVIDER.url("/v1").toString());
    // The loopback server is not a known provider host: map it to the API it speaks.
    registry.add(
        "attribution.provider-hosts.[" + PROVIDER.getHostName() + ":" + PROVIDER.getPort() + "]",
        () -> "openai");
  }

  @AfterAll
  static void stopProvider() throws IOException {
    PROVIDER.shutdown();
  }

  @LocalServerPort int port;
  @Autowired MeterRegistry meters;
  @Autowired AttributionEngine engine;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void callsAreAttributedBudgetedAndReported() throws Exception {
    HttpResponse<String> chat = post("/chat", "acme", "How do I reset my password?");
    assertThat(chat.statusCode()).isEqualTo(200);
    assertThat(chat.body()).contains("Hello.");

    // A caller cannot bill someone else by sending the library's own headers.
    HttpResponse<String> spoofed =
        http.send(
            request("/chat", "acme")
                .header("x-attribution-tenant", "globex")
                .POST(HttpRequest.BodyPublishers.ofString("hi"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(spoofed.statusCode()).isEqualTo(200);

    // @Async work keeps the request's tenant.
    HttpResponse<String> summary = post("/summaries", "acme", "Printer on fire.");
    assertThat(summary.statusCode()).isEqualTo(200);

    // The trial tenant's budget refuses the call before it reaches the provider.
    int before = PROVIDER.getRequestCount();
    HttpResponse<String> blocked = post("/chat", "trial-co", "Hello?");
    assertThat(blocked.statusCode()).isEqualTo(429);
    assertThat(blocked.headers().firstValue("Retry-After")).isPresent();
    assertThat(PROVIDER.getRequestCount()).isEqualTo(before);

    assertThat(engine.flush(Duration.ofSeconds(10))).isTrue();

    HttpResponse<String> report = get("/actuator/attribution");
    assertThat(report.statusCode()).isEqualTo(200);
    assertThat(report.body())
        .contains("\"budget\":\"tenant-monthly\"", "\"scope\":\"tenant=acme\"")
        .doesNotContain("tenant=globex");
    HttpResponse<String> remaining = get("/actuator/attribution/tenant-monthly/tenant=acme");
    assertThat(remaining.body()).contains("\"limit\":\"500.000000000\"", "\"periodEnd\":");
    HttpResponse<String> trial = get("/actuator/attribution");
    assertThat(trial.body()).contains("\"lastAction\":\"block\"");

    HttpResponse<String> health = get("/actuator/health");
    assertThat(health.body()).contains("\"attribution\"", "\"budgetStore\":\"in-memory\"");

    assertThat(
            meters
                .get("attribution.requests")
                .tags("tenant", "acme", "provider", "openai", "status", "ok")
                .functionCounter()
                .count())
        .isEqualTo(3.0);
    assertThat(meters.find("attribution.requests").tags("tenant", "globex").meters()).isEmpty();
    assertThat(meters.get("attribution.cost").tags("tenant", "acme").functionCounter().count())
        .isPositive();
    assertThat(meters.get("attribution.budget.spent").tags("scope", "tenant=acme").gauge().value())
        .isPositive();
  }

  private HttpResponse<String> post(String path, String tenant, String body) throws Exception {
    return http.send(
        request(path, tenant).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest.Builder request(String path, String tenant) {
    return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
        .header("Content-Type", "text/plain")
        .header("X-Tenant-Id", tenant)
        .header("X-User-Id", "u-42")
        .header("X-Feature", "help-desk");
  }
}
