package dev.attribution.core.internal.budget;

import dev.attribution.api.CostBreakdown;
import java.math.BigDecimal;
import java.math.RoundingMode;

/** Money in nano-units of a currency, as budget stores count it. */
public final class Money {

  /** The largest amount a counter holds: about 9.2 billion currency units. */
  public static final BigDecimal MAX = BigDecimal.valueOf(Long.MAX_VALUE, CostBreakdown.SCALE);

  private Money() {}

  /** {@code amount} in nano-units, rounded half-even, clamped to {@code [0, Long.MAX_VALUE]}. */
  public static long toNanos(BigDecimal amount) {
    BigDecimal scaled = amount.setScale(CostBreakdown.SCALE, RoundingMode.HALF_EVEN);
    if (scaled.compareTo(MAX) > 0) {
      return Long.MAX_VALUE;
    }
    if (scaled.signum() < 0) {
      return 0L;
    }
    // The unscaled value, within [0, Long.MAX_VALUE] here: one BigDecimal of scale 0 rather than
    // a BigInteger and its magnitude array.
    return scaled.movePointRight(CostBreakdown.SCALE).longValueExact();
  }

  /** {@code nanos} nano-units as an amount of scale 9. */
  public static BigDecimal fromNanos(long nanos) {
    return BigDecimal.valueOf(nanos, CostBreakdown.SCALE);
  }
}
