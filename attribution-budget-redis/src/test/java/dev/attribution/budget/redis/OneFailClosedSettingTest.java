package dev.attribution.budget.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.BudgetListener;
import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetPeriod;
import dev.attribution.core.internal.budget.Admission;
import dev.attribution.core.internal.budget.AdmissionRequest;
import dev.attribution.core.internal.budget.BudgetEngine;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

/**
 * The store's failure mode is the one fail-closed setting: a Redis that cannot be reached blocks
 * hard-capped calls by default, and only the store's fail-open mode admits them.
 */
class OneFailClosedSettingTest {

  private static final BudgetDefinition HARD =
      BudgetDefinition.builder("tenant-daily")
          .each(ScopeDimension.TENANT)
          .limit("10")
          .period(BudgetPeriod.calendarDay(ZoneOffset.UTC))
          .build();

  private static RedisBudgetStore unreachable(RedisBudgetStore.FailureMode mode) {
    // Nothing listens on port 1: every connection is refused at once.
    return RedisBudgetStore.builder()
        .client(new JedisPooled("127.0.0.1", 1), true)
        .keyPrefix(RedisTestSupport.uniquePrefix("fail-closed"))
        .failureMode(mode)
        .probeInterval(Duration.ofSeconds(60))
        .build();
  }

  private static Admission admit(BudgetEngine engine) {
    return engine.admit(
        AdmissionRequest.of(
            AttributionContext.builder().tenantId("acme").build(),
            "openai",
            "gpt-4o",
            null,
            new BigDecimal("0.01"),
            10));
  }

  @Test
  void unreachableRedisBlocksHardCappedCallsWithoutAnEngineSwitch() {
    try (RedisBudgetStore store = unreachable(RedisBudgetStore.FailureMode.FAIL_CLOSED)) {
      BudgetEngine engine =
          BudgetEngine.builder().budget(HARD).store(store).listener(BudgetListener.noop()).build();
      Admission a = admit(engine);
      assertThat(a.decision().action()).isEqualTo(BudgetAction.BLOCK);
      assertThat(a.decision().reason()).contains("budget store unavailable");
    }
  }

  @Test
  void onlyTheStoresFailOpenModeAdmitsDuringAnOutage() {
    try (RedisBudgetStore store = unreachable(RedisBudgetStore.FailureMode.FAIL_OPEN)) {
      BudgetEngine engine =
          BudgetEngine.builder().budget(HARD).store(store).listener(BudgetListener.noop()).build();
      assertThat(admit(engine).decision().blocked()).isFalse();
    }
    try (RedisBudgetStore store = unreachable(RedisBudgetStore.FailureMode.FAIL_CLOSED)) {
      assertThatThrownBy(
              () -> BudgetEngine.builder().budget(HARD).store(store).failClosed(false).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("failClosed")
          .hasMessageContaining("fail-open mode");
    }
  }
}
