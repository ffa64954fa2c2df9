package dev.attribution.core.internal.pricing;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** Arithmetic shared by the calculator; no rounding except where stated. */
public final class CostMath {

  /** Precision for the only inexact operation, division (meters, markups): far below 1e-9. */
  public static final MathContext MC = new MathContext(34, RoundingMode.HALF_EVEN);

  public static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

  private CostMath() {}

  private static final BigDecimal UNITS_LIMIT = BigDecimal.valueOf(Integer.MAX_VALUE, 9);

  /**
   * {@code amount} (scale 9, not negative) in 1e-9 units when below 2^31 units, else -1 (so a
   * product of two such values fits a long).
   */
  public static long units(BigDecimal amount) {
    if (amount.scale() != 9 || amount.compareTo(UNITS_LIMIT) >= 0 || amount.signum() < 0) {
      return -1;
    }
    return amount.unscaledValue().longValue();
  }

  /** {@code a * b / c} rounded half-even; {@code a, b < 2^31}, {@code c > 0}. */
  public static long mulDivHalfEven(long a, long b, long c) {
    long n = a * b;
    long q = n / c;
    long r = n - q * c;
    long twice = 2 * r;
    if (twice > c || (twice == c && (q & 1) == 1)) {
      q++;
    }
    return q;
  }

  /** {@code tokens * rate}, exact; avoids allocation for zero tokens. */
  public static BigDecimal times(long tokens, BigDecimal rate) {
    if (tokens == 0 || rate.signum() == 0) {
      return BigDecimal.ZERO;
    }
    return rate.multiply(BigDecimal.valueOf(tokens));
  }
}
