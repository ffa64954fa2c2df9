package dev.attribution.spring.autoconfigure;

import dev.attribution.budget.redis.RedisBudgetStore;
import dev.attribution.core.AttributionEngine;
import dev.attribution.core.EngineStats;
import dev.attribution.sink.jdbc.JdbcUsageSink;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The {@code attribution} health contributor (Spring Boot 4): records waiting per sink (the sinks'
 * lag), records dropped or failed, the JDBC sink's spool size, and the budget store's state. It is
 * DOWN only while a fail-closed Redis store is unreachable, when calls under hard budgets are
 * refused; lag, spooling and a fail-open outage are reported in the details and stay UP, since the
 * application's calls are unaffected.
 */
public class AttributionHealthIndicator extends AbstractHealthIndicator {

  private final AttributionEngine engine;
  private final @Nullable Object jdbcSink;
  private final @Nullable Object redisStore;

  /**
   * Creates the indicator.
   *
   * @param engine the engine
   * @param jdbcSink the JDBC sink ({@code JdbcUsageSink}), if any
   * @param redisStore the Redis store ({@code RedisBudgetStore}), if any
   */
  public AttributionHealthIndicator(
      AttributionEngine engine, @Nullable Object jdbcSink, @Nullable Object redisStore) {
    super("attribution health check failed");
    this.engine = engine;
    this.jdbcSink = jdbcSink;
    this.redisStore = redisStore;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    EngineStats st = engine.stats();
    builder.up();
    Map<String, Object> sinks = new LinkedHashMap<>();
    st.recordsBySink().forEach((name, r) -> sinks.put(name, AttributionEndpoint.records(r)));
    builder.withDetail("sinks", sinks);
    if (jdbcSink != null) {
      builder.withDetail("jdbcSpoolBytes", ((JdbcUsageSink) jdbcSink).stats().spoolBytes());
    }
    if (redisStore != null) {
      RedisBudgetStore store = (RedisBudgetStore) redisStore;
      RedisBudgetStore.Status status = store.status();
      builder.withDetail(
          "budgetStore", "redis " + status.name().toLowerCase(java.util.Locale.ROOT));
      if (status == RedisBudgetStore.Status.DISCONNECTED && store.failsClosed()) {
        builder.down();
      }
    } else {
      builder.withDetail("budgetStore", "in-memory");
    }
  }
}
