package dev.attribution.core.budget;

import dev.attribution.api.CostBreakdown;
import java.math.BigDecimal;
import java.math.RoundingMode;

/** Converts money between {@link BigDecimal} and the stores' integer nano-units (1e-9). */
final class Money {

  /** Largest amount a budget handles: about 9.2 billion currency units. */
  static final BigDecimal MAX = BigDecimal.valueOf(Long.MAX_VALUE, CostBreakdown.SCALE);

  private Money() {}

  /** {@code amount} in units of 1e-9, rounded half-even once; saturates at the long range. */
  static long toNanos(BigDecimal amount) {
    BigDecimal scaled = amount.setScale(CostBreakdown.SCALE, RoundingMode.HALF_EVEN);
    if (scaled.compareTo(MAX) > 0) {
      return Long.MAX_VALUE;
    }
    if (scaled.signum() < 0) {
      return 0L;
    }
    return scaled.unscaledValue().longValue();
  }

  /** Nano-units as a scale-9 {@link BigDecimal}. */
  static BigDecimal fromNanos(long nanos) {
    return BigDecimal.valueOf(nanos, CostBreakdown.SCALE);
  }
}
