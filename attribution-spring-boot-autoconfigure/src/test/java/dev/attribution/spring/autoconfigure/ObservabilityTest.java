package dev.attribution.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionScope;
import dev.attribution.core.AttributionEngine;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The Actuator endpoint, the health contributor and the Micrometer meters, on real calls. */
class ObservabilityTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  AttributionAutoConfiguration.class,
                  AttributionActuatorAutoConfiguration.class,
                  AttributionMetricsAutoConfiguration.class))
          .withPropertyValues(
              "management.endpoints.web.exposure.include=attribution",
              "attribution.metrics.context-keys=tenant",
              "attribution.metrics.max-values-per-key=1",
              "attribution.budgets[0].name=tenant-daily",
              "attribution.budgets[0].scope.tenant=*",
              "attribution.budgets[0].limit=250.00",
              "attribution.budgets[0].period=day");

  @Test
  void budgetsCountersAndHealthDescribeRealCalls() throws Exception {
    try (FakeOpenAi fake = new FakeOpenAi().answer(3)) {
      fake.mapped(runner)
          .run(
              context -> {
                SimpleMeterRegistry registry = new SimpleMeterRegistry();
                context.getBean(AttributionMetrics.class).bindTo(registry);
                OkHttpClient client =
                    context
                        .getBean(AttributionOkHttpCustomizer.class)
                        .customize(new OkHttpClient.Builder())
                        .build();
                call(client, fake, "acme");
                call(client, fake, "acme");
                call(client, fake, "globex");
                AttributionEngine engine = context.getBean(AttributionEngine.class);
                assertThat(engine.flush(Duration.ofSeconds(10))).isTrue();

                // Requests: the second tenant is past the cap of one value and folds into other.
                assertThat(
                        registry
                            .get("attribution.requests")
                            .tags("tenant", "acme", "provider", "openai", "status", "ok")
                            .functionCounter()
                            .count())
                    .isEqualTo(2.0);
                assertThat(
                        registry
                            .get("attribution.requests")
                            .tags("tenant", AttributionMetrics.OTHER)
                            .functionCounter()
                            .count())
                    .isEqualTo(1.0);
                assertThat(
                        registry
                            .get("attribution.tokens")
                            .tags("tenant", "acme", "type", "input")
                            .summary()
                            .totalAmount())
                    .isEqualTo(24.0);

                AttributionBudgets budgets = context.getBean(AttributionBudgets.class);
                BigDecimal acmeSpent = budgets.remaining("tenant-daily", "tenant=acme").spent();
                assertThat(acmeSpent).isPositive();
                double cost =
                    registry
                        .get("attribution.cost")
                        .tags("tenant", "acme", "currency", "USD")
                        .functionCounter()
                        .count();
                assertThat(cost).isEqualTo(acmeSpent.doubleValue());
                assertThat(
                        registry
                            .get("attribution.budget.spent")
                            .tags("budget", "tenant-daily", "scope", "tenant=acme")
                            .gauge()
                            .value())
                    .isEqualTo(acmeSpent.doubleValue());
                assertThat(
                        registry
                            .get("attribution.records")
                            .tags("sink", "micrometer", "outcome", "exported")
                            .functionCounter()
                            .count())
                    .isEqualTo(3.0);
                assertThat(registry.get("attribution.calls").functionCounter().count())
                    .isEqualTo(3.0);

                AttributionEndpoint endpoint = context.getBean(AttributionEndpoint.class);
                Map<String, Object> report = endpoint.report();
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> list = (List<Map<String, Object>>) report.get("budgets");
                assertThat(list)
                    .extracting(m -> m.get("scope"))
                    .containsExactlyInAnyOrder("tenant=acme", "tenant=globex");
                Map<String, Object> acme = endpoint.remaining("tenant-daily", "tenant=acme");
                assertThat(acme.get("spent")).isEqualTo(acmeSpent.toPlainString());
                assertThat(acme.get("limit")).isEqualTo("250.000000000");
                assertThat(acme.get("periodEnd")).isNotNull();
                assertThat(acme.get("retryAfterSeconds")).isNull();

                Health health = context.getBean(AttributionHealthIndicator.class).health();
                assertThat(health.getStatus()).isEqualTo(Status.UP);
                assertThat(health.getDetails())
                    .containsKey("sinks")
                    .containsEntry("budgetStore", "in-memory");
              });
    }
  }

  private static void call(OkHttpClient client, FakeOpenAi fake, String tenant) throws Exception {
    AttributionContext who = AttributionContext.builder().tenantId(tenant).build();
    try (AttributionScope s = Attribution.openIsolated(who)) {
      Request request =
          new Request.Builder()
              .url(fake.url("/v1/chat/completions"))
              .header("Authorization", "Bearer test-key")
              .post(RequestBody.create(FakeOpenAi.REQUEST, MediaType.get("application/json")))
              .build();
      try (Response r = client.newCall(request).execute()) {
        assertThat(r.code()).isEqualTo(200);
        r.body().string();
      }
    }
  }
}
