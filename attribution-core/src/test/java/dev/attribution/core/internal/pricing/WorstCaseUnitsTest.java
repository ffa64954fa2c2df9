package dev.attribution.core.internal.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.CostBreakdown;
import dev.attribution.core.pricing.ModelPrice;
import dev.attribution.core.pricing.TokenRates;
import java.math.BigDecimal;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The long-unit worst case agrees with the {@link BigDecimal} one to the last unit, or steps aside:
 * rates of any scale (exact in picos or not), token counts up to the long range.
 */
class WorstCaseUnitsTest {

  @Provide
  Arbitrary<BigDecimal> rate() {
    // Unscaled values up to 10^12 at scales 0..15: per-token rates from free to absurd, some
    // finer than a pico (which must fall back).
    return Arbitraries.longs()
        .between(0, 1_000_000_000_000L)
        .flatMap(u -> Arbitraries.integers().between(0, 15).map(s -> BigDecimal.valueOf(u, s)));
  }

  @Provide
  Arbitrary<Long> tokens() {
    return Arbitraries.oneOf(
        Arbitraries.longs().between(0, 2_000_000),
        Arbitraries.longs().between(0, Long.MAX_VALUE),
        Arbitraries.of(0L, 1L, Long.MAX_VALUE));
  }

  @Property(tries = 3000)
  void agreesWithBigDecimalOrFallsBack(
      @ForAll("rate") BigDecimal in,
      @ForAll("rate") BigDecimal out,
      @ForAll("rate") BigDecimal fee,
      @ForAll("tokens") long inTokens,
      @ForAll("tokens") long outTokens) {
    TokenRates rates = TokenRates.of(in, out);
    ModelPrice price = ModelPrice.builder("openai", "m").rates(rates).perCallFee(fee).build();
    WorstCaseUnits u = WorstCaseUnits.of(price, rates, out);
    BigDecimal exact =
        CostBreakdown.round(
            CostMath.times(inTokens, in).add(CostMath.times(outTokens, out)).add(fee));
    if (u == null) {
      // Only a rate finer than a pico, or beyond the long range in picos, steps aside.
      assertThat(!inPicos(in) || !inPicos(out) || !inPicos(fee)).isTrue();
      return;
    }
    long nanos = u.nanos(inTokens, outTokens);
    if (nanos >= 0) {
      assertThat(WorstCaseUnits.amount(nanos)).isEqualTo(exact);
    } else {
      // Only a sum beyond the long range in picos steps aside.
      assertThat(exact.movePointRight(12)).isGreaterThan(BigDecimal.valueOf(Long.MAX_VALUE / 2));
    }
  }

  private static boolean inPicos(BigDecimal rate) {
    BigDecimal picos = rate.movePointRight(12);
    return picos.stripTrailingZeros().scale() <= 0
        && picos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0;
  }

  @Test
  void roundsHalfEvenAtTheNanoLikeTheCalculator() {
    // 0.0000000005 per token: one token is half a nano (rounds to 0), three are 1.5 (rounds to 2).
    BigDecimal half = new BigDecimal("0.0000000005");
    TokenRates rates = TokenRates.of(half, half);
    ModelPrice price = ModelPrice.builder("openai", "m").rates(rates).build();
    WorstCaseUnits u = WorstCaseUnits.of(price, rates, half);
    assertThat(u).isNotNull();
    assertThat(u.nanos(1, 0)).isZero();
    assertThat(u.nanos(3, 0)).isEqualTo(2);
    assertThat(u.nanos(5, 0)).isEqualTo(2);
    assertThat(u.nanos(Long.MAX_VALUE, 1)).isEqualTo(-1);
  }
}
