package dev.attribution.spring.autoconfigure;

import dev.attribution.budget.redis.RedisBudgetStore;
import dev.attribution.core.AttributionEngine;
import dev.attribution.core.EngineStats;
import dev.attribution.sink.jdbc.JdbcUsageSink;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What the {@code attribution} health contributor reports, apart from Spring Boot's health API, so
 * that Boot 4's indicator and Boot 3.5's (another package) say the same thing.
 */
final class AttributionHealthCheck {

  private final AttributionEngine engine;
  private final @Nullable Object jdbcSink;
  private final @Nullable Object redisStore;

  /**
   * @param jdbcSink the JDBC sink ({@code JdbcUsageSink}), if any
   * @param redisStore the Redis store ({@code RedisBudgetStore}), if any
   */
  AttributionHealthCheck(
      AttributionEngine engine, @Nullable Object jdbcSink, @Nullable Object redisStore) {
    this.engine = engine;
    this.jdbcSink = jdbcSink;
    this.redisStore = redisStore;
  }

  /** One reading: UP unless a fail-closed Redis store is unreachable, and the details. */
  record Result(boolean up, Map<String, Object> details) {}

  Result check() {
    EngineStats st = engine.stats();
    Map<String, Object> details = new LinkedHashMap<>();
    Map<String, Object> sinks = new LinkedHashMap<>();
    st.recordsBySink().forEach((name, r) -> sinks.put(name, AttributionEndpoint.records(r)));
    details.put("sinks", sinks);
    if (jdbcSink != null) {
      details.put("jdbcSpoolBytes", ((JdbcUsageSink) jdbcSink).stats().spoolBytes());
    }
    boolean up = true;
    if (redisStore != null) {
      RedisBudgetStore store = (RedisBudgetStore) redisStore;
      RedisBudgetStore.Status status = store.status();
      details.put("budgetStore", "redis " + status.name().toLowerCase(Locale.ROOT));
      up = !(status == RedisBudgetStore.Status.DISCONNECTED && store.failsClosed());
    } else {
      details.put("budgetStore", "in-memory");
    }
    return new Result(up, details);
  }
}
