package dev.attribution.core.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.BudgetAction;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** A threshold's percent reads as written, never in exponent notation. */
class ThresholdTest {

  @Test
  void roundPercentsPrintWithoutAnExponent() {
    // BudgetEvent.thresholdPercent() is this value; a listener logging it saw "5E+1".
    assertThat(Threshold.notifyAt(50).percent().toString()).isEqualTo("50");
    assertThat(Threshold.downgradeAt(80).percent().toString()).isEqualTo("80");
    assertThat(Threshold.blockAt(100).percent().toString()).isEqualTo("100");
    assertThat(Threshold.of(new BigDecimal("1E+2"), BudgetAction.BLOCK).percent().toString())
        .isEqualTo("100");
  }

  @Test
  void fractionalPercentsKeepOnlyTheirSignificantDecimals() {
    assertThat(Threshold.of(new BigDecimal("80.50"), BudgetAction.NOTIFY).percent().toString())
        .isEqualTo("80.5");
    assertThat(Threshold.notifyAt(50))
        .isEqualTo(Threshold.of(new BigDecimal("50.00"), BudgetAction.NOTIFY))
        .hasSameHashCodeAs(Threshold.of(new BigDecimal("50.00"), BudgetAction.NOTIFY));
  }
}
