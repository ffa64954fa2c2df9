package dev.attribution.core.internal.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetPeriod;
import dev.attribution.core.budget.Threshold;
import dev.attribution.testing.MutableClock;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * The admission's stages end to end at the percentages that matter: below, at and above each
 * threshold of a notify 50 / downgrade 80 / block 100 budget, and the immutable decision each
 * yields.
 */
class AdmissionStagesTest {

  private static final AttributionContext ACME =
      AttributionContext.builder().tenantId("acme").build();

  private static Admission admitAfter(String spent, String estimate) {
    BudgetEngine e =
        BudgetEngine.builder()
            .clock(new MutableClock(Instant.parse("2026-03-10T12:00:00Z")))
            .budget(
                BudgetDefinition.builder("ladder")
                    .each(ScopeDimension.TENANT)
                    .limit("100")
                    .period(BudgetPeriod.calendarDay(ZoneOffset.UTC))
                    .thresholds(
                        Threshold.notifyAt(50), Threshold.downgradeAt(80), Threshold.blockAt(100))
                    .downgrade("gpt-4o", "gpt-4o-mini")
                    .build())
            .build();
    if (new BigDecimal(spent).signum() > 0) {
      e.admit(call(spent)).settle(new BigDecimal(spent), 1);
    }
    return e.admit(call(estimate));
  }

  private static AdmissionRequest call(String estimate) {
    return AdmissionRequest.of(ACME, "openai", "gpt-4o", null, new BigDecimal(estimate), 1000);
  }

  @Test
  void at49PercentNothingHappensAndTheWorstCaseIsReserved() {
    Admission a = admitAfter("48", "1");
    assertThat(a.decision().action()).isEqualTo(BudgetAction.NONE);
    assertThat(a.decision().budgetName()).isNull();
    assertThat(a.hasReservation()).isTrue();
  }

  @Test
  void at50PercentTheBudgetNotifies() {
    Admission a = admitAfter("49", "1");
    assertThat(a.decision().action()).isEqualTo(BudgetAction.NOTIFY);
    assertThat(a.decision().budgetName()).isEqualTo("ladder");
    assertThat(a.decision().thresholdPercent()).isEqualByComparingTo("50");
    assertThat(a.hasReservation()).isTrue();
  }

  @Test
  void at80PercentTheCallIsDowngradedToTheConfiguredModel() {
    Admission a = admitAfter("79", "1");
    assertThat(a.decision().action()).isEqualTo(BudgetAction.DOWNGRADE);
    assertThat(a.decision().targetModel()).isEqualTo("gpt-4o-mini");
    assertThat(a.decision().thresholdPercent()).isEqualByComparingTo("80");
    assertThat(a.hasReservation()).isTrue();
  }

  @Test
  void beyond100PercentTheCallIsBlockedAndNothingIsReserved() {
    Admission a = admitAfter("99", "2");
    assertThat(a.decision().action()).isEqualTo(BudgetAction.BLOCK);
    assertThat(a.decision().budgetName()).isEqualTo("ladder");
    assertThat(a.hasReservation()).isFalse();
  }

  @Test
  void anUnpricedCallUnderTheDefaultPolicyIsAdmittedWithoutAMoneyReservation() {
    Admission a = admitAfter("0", "1");
    assertThat(a.decision().action()).isEqualTo(BudgetAction.NONE);
    BudgetEngine e =
        BudgetEngine.builder()
            .budget(
                BudgetDefinition.builder("soft")
                    .each(ScopeDimension.TENANT)
                    .limit("100")
                    .soft(true)
                    .build())
            .build();
    Admission unpriced =
        e.admit(AdmissionRequest.of(ACME, "openai", "no-such-model", null, null, 1000));
    assertThat(unpriced.decision().action()).isEqualTo(BudgetAction.NONE);
    assertThat(e.status("soft", "tenant=acme").reserved()).isEqualByComparingTo("0");
  }
}
