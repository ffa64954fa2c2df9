package dev.attribution.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetPeriod;
import dev.attribution.testing.LogCapture;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class DowngradeTargetWarningTest {

  private static BudgetDefinition budgetDowngrading(String from, String to) {
    return BudgetDefinition.builder("tenant-monthly")
        .each(ScopeDimension.TENANT)
        .limit("5.00")
        .period(BudgetPeriod.calendarMonth(ZoneOffset.UTC))
        .downgrade(from, to)
        .build();
  }

  @Test
  void aMisspeltDowngradeTargetIsNamedWhenTheEngineIsBuilt() {
    try (LogCapture log = new LogCapture();
        AttributionEngine engine =
            AttributionEngine.builder()
                .shutdownHook(false)
                .budget(budgetDowngrading("gpt-4o", "gpt-4o-minii"))
                .build()) {
      assertThat(log.linesContaining("gpt-4o-minii"))
          .singleElement()
          .satisfies(
              line ->
                  assertThat(line)
                      .contains("WARN")
                      .contains("budget tenant-monthly")
                      .contains("'gpt-4o'")
                      .contains("no price at")
                      .contains("openai"));
    }
  }

  @Test
  void aPricedDowngradeTargetOrAnUnpricedSourceModelIsNotWarnedAbout() {
    try (LogCapture log = new LogCapture();
        AttributionEngine priced =
            AttributionEngine.builder()
                .shutdownHook(false)
                .budget(budgetDowngrading("gpt-4o", "gpt-4o-mini"))
                .build();
        AttributionEngine selfHosted =
            AttributionEngine.builder()
                .shutdownHook(false)
                .budget(budgetDowngrading("in-house-large", "in-house-small"))
                .build()) {
      assertThat(log.linesContaining("downgrades")).isEmpty();
    }
  }
}
