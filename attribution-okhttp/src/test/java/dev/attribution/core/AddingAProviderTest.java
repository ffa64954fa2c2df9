package dev.attribution.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionScope;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.CallStatus;
import dev.attribution.api.CostSource;
import dev.attribution.api.InMemoryUsageSink;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetPeriod;
import dev.attribution.core.pricing.PriceOverrides;
import dev.attribution.okhttp.AttributionOkHttp;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.Test;

/**
 * Proof that a provider is added in one file and one fixture: {@link AcmeDialect} (a made-up API
 * with its own JSON shape) and {@code fixtures/acme-generate.json}. Registered through the
 * builder's package-private {@code dialect} hook, its calls go through the real OkHttp interceptor
 * and come out recognised, priced from a price override, budgeted and blocked in acme's own error
 * shape, with no other change to the library.
 */
class AddingAProviderTest {

  private static final String BODY =
      "{\"engine\":\"acme-large\",\"prompt\":\"hello\",\"limits\":{\"max_new_tokens\":50}}";

  @Test
  void aProviderWithItsOwnShapeIsRecognisedPricedAndBudgeted() throws Exception {
    PriceOverrides prices =
        PriceOverrides.parse(
            "models:\n"
                + "  - {provider: acme, model: acme-large, inputPerMillion: 100,"
                + " outputPerMillion: 200}\n",
            "test");
    // The fixture's 1200 input and 300 output tokens cost 0.12 + 0.06 = 0.18: over this limit.
    BudgetDefinition daily =
        BudgetDefinition.builder("acme-daily")
            .each(ScopeDimension.TENANT)
            .limit("0.15")
            .period(BudgetPeriod.calendarDay(ZoneOffset.UTC))
            .build();
    InMemoryUsageSink sink = UsageSink.inMemory();
    try (MockWebServer server = new MockWebServer()) {
      server.start();
      AttributionEngine.Builder b =
          AttributionEngine.builder()
              .mapHost(server.getHostName() + ":" + server.getPort(), AcmeDialect.PROVIDER)
              .priceOverrides(prices)
              .budget(daily)
              .addSink(sink)
              .linger(Duration.ofMillis(5))
              .shutdownHook(false);
      b.dialect(new AcmeDialect());
      try (AttributionEngine engine = b.build()) {
        OkHttpClient client =
            new OkHttpClient.Builder()
                .addInterceptor(AttributionOkHttp.interceptor(engine))
                .build();
        server.enqueue(
            new MockResponse()
                .setHeader("content-type", "application/json")
                .setBody(new Buffer().write(fixture("acme-generate.json"))));
        String secondBody;
        int secondStatus;
        try (AttributionScope s =
            Attribution.open(AttributionContext.builder().tenantId("t1").build())) {
          try (Response first = client.newCall(post(server)).execute()) {
            assertThat(first.code()).isEqualTo(200);
            assertThat(first.body().string()).contains("acme-large-2025");
          }
          try (Response second = client.newCall(post(server)).execute()) {
            secondStatus = second.code();
            secondBody = second.body().string();
          }
        }
        // The app's bytes went upstream untouched, with acme's key.
        RecordedRequest sent = server.takeRequest();
        assertThat(sent.getBody().readUtf8()).isEqualTo(BODY);
        assertThat(sent.getHeader("X-Acme-Key")).isEqualTo("acme-secret-key-123456");
        // The second call was blocked locally, in acme's error shape.
        assertThat(server.getRequestCount()).isEqualTo(1);
        assertThat(secondStatus).isEqualTo(429);
        assertThat(secondBody).startsWith("{\"error\":{\"type\":\"budget_exceeded\",\"message\":");

        engine.flush(Duration.ofSeconds(5));
        List<UsageRecord> records = sink.awaitCount(2, Duration.ofSeconds(5));
        UsageRecord ok =
            records.stream().filter(r -> r.status() == CallStatus.OK).findFirst().orElseThrow();
        assertThat(ok.provider()).isEqualTo("acme");
        assertThat(ok.operation()).isEqualTo("generate");
        assertThat(ok.requestedModel()).isEqualTo("acme-large");
        assertThat(ok.responseModel()).isEqualTo("acme-large-2025-06");
        assertThat(ok.providerRequestId()).isEqualTo("acme-req-42");
        assertThat(ok.usage().inputTokens()).isEqualTo(1200);
        assertThat(ok.usage().outputTokens()).isEqualTo(300);
        assertThat(ok.costSource()).isEqualTo(CostSource.COMPUTED);
        assertThat(ok.cost().total()).isEqualByComparingTo("0.18");
        // Found in acme's own credential header, so keys are told apart in reports.
        assertThat(ok.keyFingerprint()).startsWith("...3456#");
        UsageRecord blocked =
            records.stream()
                .filter(r -> r.status() == CallStatus.BLOCKED)
                .findFirst()
                .orElseThrow();
        assertThat(blocked.provider()).isEqualTo("acme");
        assertThat(blocked.budgetAction()).isEqualTo(BudgetAction.BLOCK);
        assertThat(blocked.budgetName()).isEqualTo("acme-daily");
        assertThat(blocked.errorType()).isEqualTo("budget_exceeded");
        assertThat(blocked.cost().isZero()).isTrue();
      }
    }
  }

  private static Request post(MockWebServer server) {
    return new Request.Builder()
        .url(server.url("/v2/generate"))
        .header("X-Acme-Key", "acme-secret-key-123456")
        .post(RequestBody.create(BODY, MediaType.get("application/json")))
        .build();
  }

  private static byte[] fixture(String name) throws IOException {
    try (InputStream in = AddingAProviderTest.class.getResourceAsStream("/fixtures/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return in.readAllBytes();
    }
  }
}
