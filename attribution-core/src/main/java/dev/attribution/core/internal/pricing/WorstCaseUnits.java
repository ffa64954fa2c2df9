package dev.attribution.core.internal.pricing;

import dev.attribution.api.CostBreakdown;
import dev.attribution.core.pricing.ModelPrice;
import dev.attribution.core.pricing.TokenRates;
import java.math.BigDecimal;
import java.math.RoundingMode;
import org.jspecify.annotations.Nullable;

/**
 * A model version's worst-case rates as exact longs in units of 1e-12 (picos), so a budget's
 * estimate is two multiplications and one rounding instead of a chain of {@link BigDecimal}s. Only
 * rates that are exact at that scale get one; any product or sum that would overflow answers -1 and
 * the caller takes the {@link BigDecimal} path, so the result is always the exact sum rounded once
 * to {@value CostBreakdown#SCALE} places, half-even, as {@link CostBreakdown#round} gives it.
 */
final class WorstCaseUnits {

  private static final int SCALE = 12;
  private static final long PER_NANO = 1_000L; // 1e-9 / 1e-12

  final ModelPrice price;
  final TokenRates rates;
  private final long input;
  private final long output;
  private final long fee;

  private WorstCaseUnits(ModelPrice price, TokenRates rates, long input, long output, long fee) {
    this.price = price;
    this.rates = rates;
    this.input = input;
    this.output = output;
    this.fee = fee;
  }

  /**
   * The units of {@code rates} (input, the larger of output and reasoning) and {@code price}'s
   * per-call fee, or {@code null} when one of them is not exact in picos or is too large.
   */
  static @Nullable WorstCaseUnits of(ModelPrice price, TokenRates rates, BigDecimal outRate) {
    long in = picos(rates.input());
    long out = picos(outRate);
    long fee = picos(price.perCallFee());
    if (in < 0 || out < 0 || fee < 0) {
      return null;
    }
    return new WorstCaseUnits(price, rates, in, out, fee);
  }

  /** Once per model version, so allocating here costs nothing per call. */
  private static long picos(BigDecimal amount) {
    if (amount.signum() < 0) {
      return -1;
    }
    try {
      return amount.setScale(SCALE, RoundingMode.UNNECESSARY).unscaledValue().longValueExact();
    } catch (ArithmeticException e) {
      return -1; // finer than a pico, or beyond the long range in picos
    }
  }

  /**
   * {@code in * input + out * output + fee} in nanos (1e-9), rounded half-even; -1 when it does not
   * fit a long.
   */
  long nanos(long in, long out) {
    if (in < 0 || out < 0) {
      return -1;
    }
    long a = product(in, input);
    long b = product(out, output);
    if (a < 0 || b < 0) {
      return -1;
    }
    long sum = a + b;
    if (sum < 0) {
      return -1;
    }
    sum += fee;
    if (sum < 0) {
      return -1;
    }
    long q = sum / PER_NANO;
    long r = sum - q * PER_NANO;
    if (2 * r > PER_NANO || (2 * r == PER_NANO && (q & 1) == 1)) {
      q++;
    }
    return q;
  }

  private static long product(long a, long b) {
    long hi = Math.multiplyHigh(a, b);
    long lo = a * b;
    return hi != 0 || lo < 0 ? -1 : lo;
  }

  /** {@code nanos} as the amount {@link CostBreakdown#round} would have given. */
  static BigDecimal amount(long nanos) {
    return BigDecimal.valueOf(nanos, CostBreakdown.SCALE);
  }
}
