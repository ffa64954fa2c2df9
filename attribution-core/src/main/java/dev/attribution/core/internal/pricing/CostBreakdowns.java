package dev.attribution.core.internal.pricing;

import dev.attribution.api.CostBreakdown;
import dev.attribution.api.TokenUsage;
import dev.attribution.core.pricing.ModelPrice;
import dev.attribution.core.pricing.TokenRates;
import java.math.BigDecimal;
import org.jspecify.annotations.Nullable;

/**
 * The cost arithmetic of {@link PricingEngine}: a {@link CostBreakdown} computed from a price's
 * rates and a call's token usage, and a provider-reported total allocated over the computed parts.
 * Pure functions over exact decimals; no state.
 */
final class CostBreakdowns {
  private CostBreakdowns() {}

  static CostBreakdown compute(
      ModelPrice p, TokenRates r, TokenUsage u, @Nullable BigDecimal factor) {
    BigDecimal in = r.input();
    BigDecimal out = r.output();
    BigDecimal cachedRate = r.cachedInput() != null ? r.cachedInput() : in;
    BigDecimal w5 = r.cacheWrite5m() != null ? r.cacheWrite5m() : in;
    BigDecimal w1 = r.cacheWrite1h() != null ? r.cacheWrite1h() : w5;
    BigDecimal reasoningRate = r.reasoning() != null ? r.reasoning() : out;
    BigDecimal input = CostMath.times(u.uncachedTextInputTokens(), in);
    BigDecimal cached = CostMath.times(u.cachedInputTokens(), cachedRate);
    BigDecimal cacheWrite =
        CostMath.times(u.cacheWrite5mTokens(), w5).add(CostMath.times(u.cacheWrite1hTokens(), w1));
    BigDecimal output = CostMath.times(u.textOutputTokens(), out);
    BigDecimal reasoning = CostMath.times(u.reasoningTokens(), reasoningRate);
    BigDecimal other = BigDecimal.ZERO;
    if (u.audioInputTokens() != 0) {
      other = other.add(CostMath.times(u.audioInputTokens(), nz(r.audioInput(), in)));
    }
    if (u.imageInputTokens() != 0) {
      other = other.add(CostMath.times(u.imageInputTokens(), nz(r.imageInput(), in)));
    }
    if (u.audioOutputTokens() != 0) {
      other = other.add(CostMath.times(u.audioOutputTokens(), nz(r.audioOutput(), out)));
    }
    if (u.imageOutputTokens() != 0) {
      other = other.add(CostMath.times(u.imageOutputTokens(), nz(r.imageOutput(), out)));
    }
    if (p.perCallFee().signum() != 0 && !u.isZero()) {
      other = other.add(p.perCallFee());
    }
    CostBreakdown.Builder b = builderIn(p.currency());
    if (factor != null) {
      input = input.multiply(factor);
      cached = cached.multiply(factor);
      cacheWrite = cacheWrite.multiply(factor);
      output = output.multiply(factor);
      reasoning = reasoning.multiply(factor);
      other = other.multiply(factor);
    }
    return b.input(input)
        .cachedInput(cached)
        .cacheWrite(cacheWrite)
        .output(output)
        .reasoning(reasoning)
        .other(other)
        .build();
  }

  /** A builder in {@code currency}; skips the currency check (a regex) for the default. */
  static CostBreakdown.Builder builderIn(String currency) {
    CostBreakdown.Builder b = CostBreakdown.builder();
    return CostBreakdown.DEFAULT_CURRENCY.equals(currency) ? b : b.currency(currency);
  }

  private static BigDecimal nz(@Nullable BigDecimal v, BigDecimal dflt) {
    return v != null ? v : dflt;
  }

  /**
   * Splits {@code reported} over the components in proportion to {@code computed}; the rounding
   * remainder goes to the largest component so the total equals {@code reported} exactly.
   */
  static CostBreakdown allocate(BigDecimal reported, CostBreakdown computed) {
    BigDecimal total = computed.total();
    CostBreakdown.Builder b = builderIn(computed.currency());
    if (total.signum() == 0) {
      return b.other(reported).build();
    }
    BigDecimal[] parts = {
      computed.input(),
      computed.cachedInput(),
      computed.cacheWrite(),
      computed.output(),
      computed.reasoning(),
      computed.tools(),
      computed.other()
    };
    BigDecimal[] out = new BigDecimal[parts.length];
    BigDecimal sum = BigDecimal.ZERO;
    int largest = 0;
    long reportedUnits = CostMath.units(reported);
    long totalUnits = CostMath.units(total);
    if (reportedUnits >= 0 && totalUnits > 0) {
      // Both below 2^31 units (about 2.1 of the currency): exact integer arithmetic in 1e-9 units.
      for (int i = 0; i < parts.length; i++) {
        long p = CostMath.units(parts[i]);
        out[i] =
            p == 0
                ? parts[i]
                : BigDecimal.valueOf(CostMath.mulDivHalfEven(reportedUnits, p, totalUnits), 9);
        sum = sum.add(out[i]);
        if (parts[i].compareTo(parts[largest]) > 0) {
          largest = i;
        }
      }
    } else {
      // One division; the rounding remainder is corrected below, so the ratio's precision only
      // affects which component absorbs the last units, never the total.
      BigDecimal ratio = reported.divide(total, CostMath.MC);
      for (int i = 0; i < parts.length; i++) {
        out[i] = parts[i].signum() == 0 ? parts[i] : CostBreakdown.round(parts[i].multiply(ratio));
        sum = sum.add(out[i]);
        if (parts[i].compareTo(parts[largest]) > 0) {
          largest = i;
        }
      }
    }
    out[largest] = out[largest].add(reported.subtract(sum));
    if (out[largest].signum() < 0) {
      return b.other(reported).build();
    }
    return b.input(out[0])
        .cachedInput(out[1])
        .cacheWrite(out[2])
        .output(out[3])
        .reasoning(out[4])
        .tools(out[5])
        .other(out[6])
        .build();
  }
}
