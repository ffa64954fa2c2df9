package dev.attribution.core.pricing;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** Arithmetic shared by the calculator; no rounding except where stated. */
final class CostMath {

  /** Precision for the only inexact operation, division (meters, markups): far below 1e-9. */
  static final MathContext MC = new MathContext(34, RoundingMode.HALF_EVEN);

  static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

  private CostMath() {}

  /** {@code tokens * rate}, exact; avoids allocation for zero tokens. */
  static BigDecimal times(long tokens, BigDecimal rate) {
    if (tokens == 0 || rate.signum() == 0) {
      return BigDecimal.ZERO;
    }
    return rate.multiply(BigDecimal.valueOf(tokens));
  }
}
