package dev.attribution.core.internal.pricing;

import dev.attribution.api.CostBreakdown;
import dev.attribution.api.TokenUsage;
import dev.attribution.core.pricing.ModelPrice;
import dev.attribution.core.pricing.TokenRates;
import java.math.BigDecimal;
import java.math.RoundingMode;
import org.jspecify.annotations.Nullable;

/**
 * A model version's rates as exact longs in units of 1e-12 (picos), so that pricing a call's usage
 * is a few long multiplications and one half-even rounding per component instead of three {@link
 * BigDecimal}s per component and a chain of sums. The result is the {@link CostBreakdown} that
 * {@link CostBreakdowns#compute} gives through {@link BigDecimal} to the last unit: each component
 * is the exact sum of its products rounded once to {@value CostBreakdown#SCALE} places, half-even,
 * as {@link CostBreakdown#round} rounds it. A rate that is not exact in picos, or negative, is kept
 * as -1; {@link #breakdown} answers {@code null} whenever such a rate meets a non-zero count, a
 * count is negative, or a product or sum would overflow, and the caller then takes the {@link
 * BigDecimal} path (which also raises the errors a negative amount raises there). Built once per
 * model version and rates, so the allocation here costs nothing per call.
 */
final class CostUnits {

  private static final long PICOS_PER_NANO = 1_000L;
  private static final int SCALE = 12;

  final ModelPrice price;
  final TokenRates rates;
  private final long input;
  private final long cached;
  private final long write5m;
  private final long write1h;
  private final long output;
  private final long reasoning;
  private final long audioInput;
  private final long imageInput;
  private final long audioOutput;
  private final long imageOutput;
  private final long fee;
  private final boolean feeIsZero;

  private CostUnits(ModelPrice p, TokenRates r) {
    this.price = p;
    this.rates = r;
    // The same defaults as CostBreakdowns.compute.
    BigDecimal in = r.input();
    BigDecimal out = r.output();
    BigDecimal w5 = r.cacheWrite5m() != null ? r.cacheWrite5m() : in;
    this.input = picos(in);
    this.output = picos(out);
    this.cached = picos(r.cachedInput() != null ? r.cachedInput() : in);
    this.write5m = picos(w5);
    this.write1h = picos(r.cacheWrite1h() != null ? r.cacheWrite1h() : w5);
    this.reasoning = picos(r.reasoning() != null ? r.reasoning() : out);
    this.audioInput = picos(r.audioInput() != null ? r.audioInput() : in);
    this.imageInput = picos(r.imageInput() != null ? r.imageInput() : in);
    this.audioOutput = picos(r.audioOutput() != null ? r.audioOutput() : out);
    this.imageOutput = picos(r.imageOutput() != null ? r.imageOutput() : out);
    this.fee = picos(p.perCallFee());
    this.feeIsZero = p.perCallFee().signum() == 0;
  }

  /** The units of {@code p}'s {@code r}. */
  static CostUnits of(ModelPrice p, TokenRates r) {
    return new CostUnits(p, r);
  }

  /** {@code amount} in picos, or -1 when negative, finer than a pico or beyond a long. */
  static long picos(BigDecimal amount) {
    if (amount.signum() < 0) {
      return -1;
    }
    try {
      return amount.setScale(SCALE, RoundingMode.UNNECESSARY).unscaledValue().longValueExact();
    } catch (ArithmeticException e) {
      return -1;
    }
  }

  /**
   * The breakdown of {@code u} in {@code currency}, equal to {@link CostBreakdowns#compute} without
   * an uplift factor, or {@code null} when it cannot be computed exactly in longs.
   */
  @Nullable CostBreakdown breakdown(TokenUsage u, String currency) {
    long in = nanos(product(u.uncachedTextInputTokens(), input));
    long cachedNanos = nanos(product(u.cachedInputTokens(), cached));
    long writes =
        nanos(
            sum(
                product(u.cacheWrite5mTokens(), write5m),
                product(u.cacheWrite1hTokens(), write1h)));
    long out = nanos(product(u.textOutputTokens(), output));
    long reasoningNanos = nanos(product(u.reasoningTokens(), reasoning));
    long other = 0;
    // Added in the order CostBreakdowns.compute adds them; the sum is exact either way.
    if (u.audioInputTokens() != 0) {
      other = sum(other, product(u.audioInputTokens(), audioInput));
    }
    if (u.imageInputTokens() != 0) {
      other = sum(other, product(u.imageInputTokens(), imageInput));
    }
    if (u.audioOutputTokens() != 0) {
      other = sum(other, product(u.audioOutputTokens(), audioOutput));
    }
    if (u.imageOutputTokens() != 0) {
      other = sum(other, product(u.imageOutputTokens(), imageOutput));
    }
    if (!feeIsZero && !u.isZero()) {
      other = sum(other, fee);
    }
    long otherNanos = nanos(other);
    if (in < 0
        || cachedNanos < 0
        || writes < 0
        || out < 0
        || reasoningNanos < 0
        || otherNanos < 0) {
      return null;
    }
    return CostBreakdowns.builderIn(currency)
        .input(amount(in))
        .cachedInput(amount(cachedNanos))
        .cacheWrite(amount(writes))
        .output(amount(out))
        .reasoning(amount(reasoningNanos))
        .other(amount(otherNanos))
        .build();
  }

  /**
   * {@code tokens * rate} in picos: 0 for no tokens (whatever the rate, as {@link CostMath#times}
   * answers), -1 for a negative count, a rate kept as -1, or an overflow.
   */
  private static long product(long tokens, long rate) {
    if (tokens == 0) {
      return 0;
    }
    if (tokens < 0 || rate < 0) {
      return -1;
    }
    long hi = Math.multiplyHigh(tokens, rate);
    long lo = tokens * rate;
    return hi != 0 || lo < 0 ? -1 : lo;
  }

  /** {@code a + b}, or -1 when either is -1 or the sum overflows. */
  private static long sum(long a, long b) {
    if (a < 0 || b < 0) {
      return -1;
    }
    long s = a + b;
    return s < 0 ? -1 : s;
  }

  /** {@code picos} rounded half-even to nanos (1e-9); -1 stays -1. */
  private static long nanos(long picos) {
    if (picos < 0) {
      return -1;
    }
    long q = picos / PICOS_PER_NANO;
    long r = picos - q * PICOS_PER_NANO;
    if (2 * r > PICOS_PER_NANO || (2 * r == PICOS_PER_NANO && (q & 1) == 1)) {
      q++;
    }
    return q;
  }

  /** {@code nanos} at scale 9: the amount {@link CostBreakdown#round} gives (zero is shared). */
  private static BigDecimal amount(long nanos) {
    return BigDecimal.valueOf(nanos, CostBreakdown.SCALE);
  }
}
