package dev.attribution.budget.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.BudgetEvent;
import dev.attribution.api.BudgetListener;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetPeriod;
import dev.attribution.core.budget.Threshold;
import dev.attribution.core.internal.budget.Admission;
import dev.attribution.core.internal.budget.AdmissionRequest;
import dev.attribution.core.internal.budget.BudgetEngine;
import dev.attribution.testing.MutableClock;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

/** Several engines (one per simulated instance, each with its own store) on one Redis budget. */
class SharedBudgetEngineTest {

  private final String prefix = RedisTestSupport.uniquePrefix("engine");
  private final List<RedisBudgetStore> stores = new ArrayList<>();
  private final List<BudgetEvent> events = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() {
    stores.forEach(RedisBudgetStore::close);
    RedisTestSupport.deleteKeys(prefix);
  }

  private static BudgetDefinition daily() {
    return BudgetDefinition.builder("daily")
        .limit("5.00")
        .currency("USD")
        .period(BudgetPeriod.calendarDay(ZoneOffset.UTC))
        .thresholds(Threshold.notifyAt(50), Threshold.notifyAt(80), Threshold.blockAt(100))
        .build();
  }

  private BudgetEngine engine(MutableClock clock, RedisBudgetStore.Builder storeBuilder) {
    RedisBudgetStore s =
        storeBuilder.client(RedisTestSupport.client(), true).keyPrefix(prefix).clock(clock).build();
    stores.add(s);
    List<BudgetDefinition> defs = List.of(daily());
    BudgetListener recording = events::add;
    return BudgetEngine.builder()
        .budgets(defs)
        .store(s)
        .clock(clock)
        .failClosed(true)
        .listener(s.sharedListener(recording))
        .build();
  }

  private static Admission spend(BudgetEngine e, String amount) {
    BigDecimal a = new BigDecimal(amount);
    Admission adm =
        e.admit(AdmissionRequest.of(AttributionContext.empty(), "openai", "gpt-4o", null, a, 100));
    if (adm.hasReservation()) {
      adm.settle(a, 100);
    }
    return adm;
  }

  private long count(BudgetEvent.Type type, int percent) {
    return events.stream()
        .filter(e -> e.type() == type)
        .filter(e -> e.thresholdPercent() == null || e.thresholdPercent().intValue() == percent)
        .count();
  }

  @Test
  void thresholdsFireOnceAcrossInstances() {
    MutableClock clock = new MutableClock(Instant.parse("2026-03-10T12:00:00Z"));
    List<BudgetEngine> engines = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      engines.add(engine(clock, RedisBudgetStore.builder()));
    }
    // 10 calls of 0.50 reach the cap exactly, round-robin over the instances; then all refuse.
    for (int i = 0; i < 10; i++) {
      assertThat(spend(engines.get(i % 3), "0.50").decision().action())
          .isNotEqualTo(BudgetAction.BLOCK);
    }
    for (BudgetEngine e : engines) {
      assertThat(spend(e, "0.01").decision().action()).isEqualTo(BudgetAction.BLOCK);
    }
    assertThat(count(BudgetEvent.Type.THRESHOLD_CROSSED, 50)).isEqualTo(1);
    assertThat(count(BudgetEvent.Type.THRESHOLD_CROSSED, 80)).isEqualTo(1);
    assertThat(count(BudgetEvent.Type.BLOCKED, 100)).isEqualTo(1);
    long suppressed = stores.stream().mapToLong(s -> s.stats().eventsSuppressed()).sum();
    assertThat(suppressed).as("the other instances saw the same events").isPositive();
  }

  @Test
  void periodRollsOverPerInstanceClockAndTheOldPeriodExpires() {
    Instant lateEvening = Instant.parse("2026-03-10T23:59:50Z");
    MutableClock a = new MutableClock(lateEvening);
    MutableClock b = new MutableClock(lateEvening);
    BudgetEngine ea = engine(a, RedisBudgetStore.builder());
    BudgetEngine eb = engine(b, RedisBudgetStore.builder());
    spend(ea, "3.00");
    spend(eb, "2.00");
    assertThat(spend(ea, "0.10").decision().action()).isEqualTo(BudgetAction.BLOCK);
    assertThat(spend(eb, "0.10").decision().action()).isEqualTo(BudgetAction.BLOCK);

    a.advance(Duration.ofSeconds(15)); // instance A is in the new day, B not yet
    assertThat(spend(ea, "1.00").decision().action()).isEqualTo(BudgetAction.NONE);
    assertThat(spend(eb, "0.10").decision().action()).isEqualTo(BudgetAction.BLOCK);
    b.advance(Duration.ofSeconds(15));
    assertThat(spend(eb, "1.50").decision().action()).isEqualTo(BudgetAction.NOTIFY); // 50 %
    // Both write to one counter for the new day.
    assertThat(ea.status("daily", "global").spent()).isEqualByComparingTo("2.50");
    assertThat(eb.status("daily", "global").spent()).isEqualByComparingTo("2.50");
    assertThat(count(BudgetEvent.Type.PERIOD_RESET, 0)).isEqualTo(1);

    long oldStart = Instant.parse("2026-03-10T00:00:00Z").toEpochMilli();
    long oldEnd = Instant.parse("2026-03-11T00:00:00Z").toEpochMilli();
    try (JedisPooled j = RedisTestSupport.client()) {
      long ttl = j.pttl(prefix + "s:daily|global|" + oldStart);
      // Kept for the engine's grace (the reservation timeout) after the period ended.
      long grace = BudgetEngine.DEFAULT_RESERVATION_TIMEOUT_SECONDS * 1000;
      assertThat(ttl).isPositive().isLessThanOrEqualTo(oldEnd + grace - lateEvening.toEpochMilli());
    }
  }

  @Test
  void leaseCallsThatNeverSettleAreChargedInFullWhenTheyExpire() {
    MutableClock clock = new MutableClock(Instant.parse("2026-03-10T12:00:00Z"));
    BudgetEngine e =
        BudgetEngine.builder()
            .budget(daily())
            .clock(clock)
            .reservationTimeout(Duration.ofSeconds(30))
            .listener(BudgetListener.noop())
            .store(
                track(
                    RedisBudgetStore.builder()
                        .client(RedisTestSupport.client(), true)
                        .keyPrefix(prefix)
                        .clock(clock)
                        .lease(new BigDecimal("1.00"), 0, 0)
                        .leaseDuration(Duration.ofSeconds(5))
                        .build()))
            .build();
    for (int i = 0; i < 4; i++) {
      Admission never =
          e.admit(
              AdmissionRequest.of(
                  AttributionContext.empty(), "openai", "gpt-4o", null, new BigDecimal("0.25"), 1));
      assertThat(never.hasReservation()).isTrue();
    }
    RedisBudgetStore s = stores.get(0);
    assertThat(s.stats().leaseGrants()).isEqualTo(1);
    assertThat(s.stats().leaseAdmissions()).isEqualTo(4);
    assertThat(e.status("daily", "global").reserved()).isEqualByComparingTo("1.00");
    clock.advance(Duration.ofMinutes(2)); // past the calls' timeout and the lease's
    spend(e, "0.10"); // sweeps the expired calls, then admits from a new lease
    assertThat(e.status("daily", "global").reserved()).isEqualByComparingTo("1.00");
    assertThat(s.stats().leaseGrants()).isEqualTo(2);
    clock.advance(Duration.ofSeconds(6)); // the new lease aged: returned with its spend
    e.store().expireReservations(clock.millis());
    // The four calls may have been billed: their estimates stay charged, never handed on.
    assertThat(e.status("daily", "global").spent()).isEqualByComparingTo("1.10");
    assertThat(e.status("daily", "global").reserved()).isEqualByComparingTo("0");
  }

  private RedisBudgetStore track(RedisBudgetStore s) {
    stores.add(s);
    return s;
  }
}
