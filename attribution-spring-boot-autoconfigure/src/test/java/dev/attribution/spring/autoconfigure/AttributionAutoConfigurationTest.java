package dev.attribution.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionScope;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.InMemoryUsageSink;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import dev.attribution.budget.redis.RedisBudgetStore;
import dev.attribution.core.AttributionEngine;
import dev.attribution.okhttp.AttributionInterceptor;
import dev.attribution.sink.jdbc.JdbcUsageSink;
import dev.attribution.sink.otlp.OtelUsageSink;
import io.opentelemetry.api.OpenTelemetry;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class AttributionAutoConfigurationTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  AttributionAutoConfiguration.class, AttributionWebAutoConfiguration.class));

  @Configuration(proxyBeanMethods = false)
  static class MemorySink {
    @Bean(destroyMethod = "")
    InMemoryUsageSink memorySink() {
      return UsageSink.inMemory();
    }
  }

  @Test
  void propertiesBuildTheEngineAndACallThroughTheCustomisedClientIsRecordedAndBudgeted()
      throws Exception {
    try (FakeOpenAi fake = new FakeOpenAi().answer(1)) {
      fake.mapped(runner)
          .withUserConfiguration(MemorySink.class)
          .withPropertyValues(
              "attribution.budgets[0].name=tenant-daily",
              "attribution.budgets[0].scope.tenant=*",
              "attribution.budgets[0].limit=250.00",
              "attribution.budgets[0].period.kind=day",
              "attribution.budgets[0].period.zone=Europe/Berlin",
              "attribution.budgets[0].thresholds[0].percent=100",
              "attribution.budgets[0].thresholds[0].action=block",
              "attribution.budgets[1].name=trial",
              "attribution.budgets[1].scope.[tag.plan]=trial",
              "attribution.budgets[1].limit=0.000001",
              "attribution.budgets[1].thresholds[0].percent=100",
              "attribution.budgets[1].thresholds[0].action=block")
          .run(
              context -> {
                assertThat(context).hasSingleBean(AttributionEngine.class);
                assertThat(context).hasSingleBean(AttributionInterceptor.class);
                AttributionBudgets budgets = context.getBean(AttributionBudgets.class);
                assertThat(budgets.definitions())
                    .extracting(d -> d.name())
                    .containsExactly("tenant-daily", "trial");
                OkHttpClient client =
                    context
                        .getBean(AttributionOkHttpCustomizer.class)
                        .customize(new OkHttpClient.Builder())
                        .build();
                AttributionContext acme = AttributionContext.builder().tenantId("acme").build();
                try (AttributionScope s = Attribution.openIsolated(acme)) {
                  assertThat(call(client, fake).code()).isEqualTo(200);
                }
                AttributionContext trial =
                    AttributionContext.builder().tenantId("tiny").tag("plan", "trial").build();
                try (AttributionScope s = Attribution.openIsolated(trial)) {
                  Response blocked = call(client, fake);
                  assertThat(blocked.code()).isEqualTo(429);
                  blocked.close();
                }
                assertThat(fake.server.getRequestCount()).isEqualTo(1);

                AttributionEngine engine = context.getBean(AttributionEngine.class);
                assertThat(engine.flush(Duration.ofSeconds(10))).isTrue();
                List<UsageRecord> records = context.getBean(InMemoryUsageSink.class).records();
                assertThat(records).hasSize(2);
                UsageRecord ok = records.get(0);
                assertThat(ok.context().tenantId()).isEqualTo("acme");
                assertThat(ok.provider()).isEqualTo("openai");
                assertThat(ok.usage().inputTokens()).isEqualTo(12);
                assertThat(ok.cost().total()).isPositive();
                assertThat(records.get(1).budgetAction()).isEqualTo(BudgetAction.BLOCK);

                AttributionBudgets.Remaining left = budgets.forContext(acme).get(0);
                assertThat(left.budget()).isEqualTo("tenant-daily");
                assertThat(left.scopeKey()).isEqualTo("tenant=acme");
                assertThat(left.spent()).isEqualByComparingTo(ok.cost().total());
                assertThat(left.limit()).isEqualByComparingTo(new BigDecimal("250.00"));
                assertThat(left.periodEnd()).isNotNull();
                assertThat(left.retryAfter()).isNull();
              });
    }
  }

  private static Response call(OkHttpClient client, FakeOpenAi fake) throws Exception {
    Request request =
        new Request.Builder()
            .url(fake.url("/v1/chat/completions"))
            .header("Authorization", "Bearer test-key")
            .post(RequestBody.create(FakeOpenAi.REQUEST, MediaType.get("application/json")))
            .build();
    Response r = client.newCall(request).execute();
    r.body().string();
    return r;
  }

  @Test
  void aBadBudgetFailsStartUpNamingTheField() {
    runner
        .withPropertyValues(
            "attribution.budgets[0].name=broken",
            "attribution.budgets[0].limit=10",
            "attribution.budgets[0].period.kind=fortnight")
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .hasStackTraceContaining(
                        "application properties (attribution.budgets): budget 'broken'"
                            + " (budgets[0]): period.kind: unknown 'fortnight'"));
  }

  @Test
  void theStarterSwitchesOffWholly() {
    runner
        .withPropertyValues("attribution.enabled=false")
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(AttributionEngine.class);
              assertThat(context).doesNotHaveBean(AttributionServletFilter.class);
            });
  }

  @Test
  void theEngineIsClosedWithTheContextAndWritesQueuedRecords() {
    InMemoryUsageSink[] sink = new InMemoryUsageSink[1];
    runner
        .withUserConfiguration(MemorySink.class)
        .run(
            context -> {
              sink[0] = context.getBean(InMemoryUsageSink.class);
              context.getBean(AttributionEngine.class).recordMeter("tool.search", BigDecimal.ONE);
            });
    assertThat(sink[0].records()).hasSize(1);
  }

  @Configuration(proxyBeanMethods = false)
  static class H2 {
    @Bean
    DataSource dataSource() {
      JdbcDataSource ds = new JdbcDataSource();
      ds.setURL("jdbc:h2:mem:attribution;DB_CLOSE_DELAY=-1");
      return ds;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Otel {
    @Bean
    OpenTelemetry openTelemetry() {
      return OpenTelemetry.noop();
    }
  }

  @Test
  void theJdbcSinkIsOptInOnTheApplicationsDataSource(@TempDir java.nio.file.Path spool) {
    runner
        .withUserConfiguration(H2.class)
        .run(context -> assertThat(context).doesNotHaveBean(JdbcUsageSink.class));
    runner
        .withUserConfiguration(H2.class)
        .withPropertyValues(
            "attribution.sinks.jdbc.enabled=true",
            "attribution.sinks.jdbc.spool-directory=" + spool,
            "attribution.sinks.jdbc.rollup-zone=America/New_York")
        .run(
            context -> {
              assertThat(context).hasSingleBean(JdbcUsageSink.class);
              AttributionEngine engine = context.getBean(AttributionEngine.class);
              engine.recordMeter("tool.search", BigDecimal.ONE);
              assertThat(engine.flush(Duration.ofSeconds(10))).isTrue();
              assertThat(context.getBean(JdbcUsageSink.class).stats().written()).isEqualTo(1);
              try (java.sql.Connection c =
                  context.getBean(javax.sql.DataSource.class).getConnection()) {
                assertThat(dev.attribution.sink.jdbc.internal.Rollups.zone(c, "llm_usage"))
                    .isEqualTo(java.time.ZoneId.of("America/New_York"));
              }
            });
  }

  @Test
  void theOpenTelemetrySinkJoinsWhenAnOpenTelemetryBeanExists() {
    runner.run(context -> assertThat(context).doesNotHaveBean(OtelUsageSink.class));
    runner
        .withUserConfiguration(Otel.class)
        .run(context -> assertThat(context).hasSingleBean(OtelUsageSink.class));
    runner
        .withUserConfiguration(Otel.class)
        .withPropertyValues("attribution.sinks.otlp.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(OtelUsageSink.class));
  }

  /** The live threads of Redis stores ({@code StoreCore} names its maintenance thread so). */
  private static List<Thread> redisStoreThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().equals("attribution-redis-budget"))
        .toList();
  }

  @Test
  void theRedisStoreIsClosedWithTheContextAndNotCreatedWithoutBudgets() throws Exception {
    ApplicationContextRunner redis =
        runner.withPropertyValues(
            "attribution.redis.enabled=true",
            "attribution.redis.url=redis://127.0.0.1:6379",
            "attribution.redis.key-prefix=spring-starter-test:");
    List<Thread> before = redisStoreThreads();
    // Without budgets the engine would not take a store, and nothing would close its pool.
    redis.run(
        context -> {
          assertThat(context.getBeanProvider(RedisBudgetStore.class).getIfAvailable()).isNull();
          assertThat(context.getBean(AttributionEngine.class)).isNotNull();
          assertThat(redisStoreThreads()).containsExactlyInAnyOrderElementsOf(before);
        });
    // With budgets the engine takes the store and closes it with the context.
    List<Thread> started = new java.util.ArrayList<>();
    redis
        .withPropertyValues(
            "attribution.budgets[0].name=tenant-daily",
            "attribution.budgets[0].scope.tenant=*",
            "attribution.budgets[0].limit=10.00",
            "attribution.budgets[0].period=day")
        .run(
            context -> {
              assertThat(context).hasSingleBean(RedisBudgetStore.class);
              started.addAll(redisStoreThreads());
              started.removeAll(before);
            });
    assertThat(started).isNotEmpty();
    for (Thread t : started) {
      t.join(10_000);
      assertThat(t.isAlive()).as("store thread after the context closed").isFalse();
    }
  }
}
