package dev.attribution.spring.autoconfigure;

import dev.attribution.core.AttributionEngine;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The {@code attribution} health contributor (Spring Boot 4; on 3.5 the starter registers an
 * equivalent on that version's health API): records waiting per sink (the sinks' lag), records
 * dropped or failed, the JDBC sink's spool size, and the budget store's state. It is DOWN only
 * while a fail-closed Redis store is unreachable, when calls under hard budgets are refused; lag,
 * spooling and a fail-open outage are reported in the details and stay UP, since the application's
 * calls are unaffected.
 */
public class AttributionHealthIndicator extends AbstractHealthIndicator {

  private final AttributionHealthCheck check;

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
    this.check = new AttributionHealthCheck(engine, jdbcSink, redisStore);
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    AttributionHealthCheck.Result r = check.check();
    (r.up() ? builder.up() : builder.down()).withDetails(r.details());
  }
}
