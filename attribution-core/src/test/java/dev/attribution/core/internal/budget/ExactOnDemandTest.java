package dev.attribution.core.internal.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.BudgetEvent;
import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetPeriod;
import dev.attribution.core.budget.LoopGuard;
import dev.attribution.core.budget.Threshold;
import dev.attribution.testing.MutableClock;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Admission on an upper-bound estimate with the exact one on demand: far from every threshold the
 * bound decides and the exact count is never asked for; near one the engine asks for it and decides
 * exactly as an admission of the exact estimate alone would.
 */
class ExactOnDemandTest {

  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-10T12:00:00Z"));
  private final List<BudgetEvent> events = new CopyOnWriteArrayList<>();
  private final AtomicInteger exactAsked = new AtomicInteger();

  private static final AttributionContext ACME =
      AttributionContext.builder().tenantId("acme").threadId("t1").build();

  private BudgetEngine engine(String limit) {
    return BudgetEngine.builder()
        .clock(clock)
        .listener(events::add)
        .loopGuard(LoopGuard.of(5, new BigDecimal("100"), Duration.ofMinutes(1)))
        .budget(
            BudgetDefinition.builder("per-tenant")
                .each(ScopeDimension.TENANT)
                .limit(limit)
                .period(BudgetPeriod.calendarDay(ZoneOffset.UTC))
                .thresholds(Threshold.notifyAt(80), Threshold.blockAt(100))
                .build())
        .build();
  }

  private static AdmissionRequest exact(String cost, long tokens) {
    return AdmissionRequest.of(ACME, "openai", "gpt-4o", null, new BigDecimal(cost), tokens);
  }

  /**
   * A call whose bound costs {@code bound}, whose floor costs 0.1 and whose exact cost is given.
   */
  private AdmissionRequest bounded(String bound, String exactCost) {
    return exact(bound, 3000)
        .withExactOnDemand(
            new BigDecimal("0.1"),
            1000,
            () -> {
              exactAsked.incrementAndGet();
              return exact(exactCost, 1500);
            });
  }

  @Test
  void farFromEveryThresholdTheBoundDecidesWithoutTokenising() {
    BudgetEngine e = engine("10");
    Admission a = e.admit(bounded("1.0", "0.5"));
    assertThat(a.decision().action()).isEqualTo(BudgetAction.NONE);
    assertThat(exactAsked).hasValue(0);
    // The bound stays reserved until settlement replaces it by the real cost.
    assertThat(e.status("per-tenant", "tenant=acme").reserved()).isEqualByComparingTo("1.0");
    a.settle(new BigDecimal("0.4"), 1200);
    assertThat(e.status("per-tenant", "tenant=acme").spent()).isEqualByComparingTo("0.4");
  }

  @Test
  void nearTheCapTheExactCountDecidesAsBefore() {
    BudgetEngine refined = engine("10");
    BudgetEngine before = engine("10");
    for (BudgetEngine e : List.of(refined, before)) {
      e.admit(exact("9.2", 0)).settle(new BigDecimal("9.2"), 0);
    }
    events.clear();
    // The bound (1.0) would exceed the cap; the exact cost (0.5) fits, as it did before.
    Admission a = refined.admit(bounded("1.0", "0.5"));
    Admission b = before.admit(exact("0.5", 1500));
    assertThat(exactAsked).hasValue(1);
    assertThat(a.decision().action()).isEqualTo(b.decision().action()); // the 80 % notice
    assertThat(a.decision().blocked()).isFalse();
    assertThat(refined.status("per-tenant", "tenant=acme").reserved()).isEqualByComparingTo("0.5");
    // And a call whose exact cost does not fit is blocked, as before.
    Admission c = refined.admit(bounded("1.0", "0.9"));
    Admission d = before.admit(exact("0.9", 1500));
    assertThat(exactAsked).hasValue(2);
    assertThat(c.decision().blocked()).isEqualTo(d.decision().blocked()).isTrue();
  }

  @Test
  void nearAThresholdTheExactCountDecidesAndNoEventFiresForTheBound() {
    BudgetEngine e = engine("10");
    e.admit(exact("7.5", 0)).settle(new BigDecimal("7.5"), 0);
    events.clear();
    // 7.5 + 1.0 would reach the 80 % notice; 7.5 + 0.2 does not.
    Admission a = e.admit(bounded("1.0", "0.2"));
    assertThat(exactAsked).hasValue(1);
    assertThat(a.decision().action()).isEqualTo(BudgetAction.NONE);
    assertThat(events).noneMatch(ev -> ev.type() == BudgetEvent.Type.THRESHOLD_CROSSED);
    assertThat(e.status("per-tenant", "tenant=acme").reserved()).isEqualByComparingTo("0.2");
  }

  @Test
  void pastAThresholdAlreadyTheBoundStillDecides() {
    BudgetEngine e = engine("10");
    e.admit(exact("8.5", 0)).settle(new BigDecimal("8.5"), 0);
    // Both the floor and the bound sit between 80 % and the cap: the same decision either way.
    e.admit(bounded("1.0", "0.2"));
    assertThat(exactAsked).hasValue(0);
  }

  @Test
  void theLoopGuardCountsARefinedCallOnce() {
    BudgetEngine e = engine("10");
    e.admit(exact("9.2", 0)).settle(new BigDecimal("9.2"), 0);
    // Refined (the bound would exceed the cap): counted once by the loop guard, not twice.
    for (int i = 0; i < 4; i++) {
      Admission a = e.admit(bounded("1.0", "0.01"));
      assertThat(a.decision().blocked()).isFalse();
      a.settle(BigDecimal.ZERO, 0);
    }
    assertThat(exactAsked).hasValue(4);
    // Five calls in the window (one plain, four refined) are the loop guard's limit: the sixth
    // stops.
    assertThat(e.admit(exact("0.01", 0)).decision().loopGuard()).isTrue();
  }
}
