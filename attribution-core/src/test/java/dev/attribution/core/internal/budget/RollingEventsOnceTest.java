package dev.attribution.core.internal.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.BudgetEvent;
import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetPeriod;
import dev.attribution.core.budget.Threshold;
import dev.attribution.testing.MutableClock;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A rolling budget's usage wobbles around a threshold as calls settle below their estimates; the
 * threshold event still fires once per window, not on every wobble.
 */
class RollingEventsOnceTest {

  @Test
  void thresholdFiresOncePerWindowDespiteReservationsComingAndGoing() {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-01T00:00:00Z"));
    List<BudgetEvent> events = new CopyOnWriteArrayList<>();
    BudgetEngine engine =
        BudgetEngine.builder()
            .clock(clock)
            .listener(events::add)
            .budget(
                BudgetDefinition.builder("trial")
                    .fixed(ScopeDimension.TENANT, "t")
                    .limit("10")
                    .period(BudgetPeriod.rolling(Duration.ofDays(1)))
                    .thresholds(
                        Threshold.notifyAt(50), Threshold.downgradeAt(80), Threshold.blockAt(100))
                    .downgrade("big", "small")
                    .build())
            .build();
    AttributionContext ctx = AttributionContext.builder().tenantId("t").build();
    // Spend 4.8 settled; each further call reserves 0.5 (crossing 50%) and settles at 0.01.
    engine
        .admit(AdmissionRequest.of(ctx, "openai", "m", null, new BigDecimal("4.8"), 1))
        .settle(new BigDecimal("4.8"), 1);
    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofMinutes(1));
      engine
          .admit(AdmissionRequest.of(ctx, "openai", "m", null, new BigDecimal("0.5"), 1))
          .settle(new BigDecimal("0.01"), 1);
    }
    assertThat(events.stream().filter(e -> e.type() == BudgetEvent.Type.THRESHOLD_CROSSED))
        .hasSize(1);

    // A day later the first spend has left the window; crossing again is news again.
    clock.advance(Duration.ofDays(1));
    engine
        .admit(AdmissionRequest.of(ctx, "openai", "m", null, new BigDecimal("5.5"), 1))
        .settle(new BigDecimal("5.5"), 1);
    assertThat(events.stream().filter(e -> e.type() == BudgetEvent.Type.THRESHOLD_CROSSED))
        .hasSize(2);
  }
}
