package dev.attribution.core.internal.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.CostBreakdown;
import dev.attribution.api.TokenUsage;
import dev.attribution.core.pricing.ModelPrice;
import dev.attribution.core.pricing.TokenRates;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Histogram;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;
import org.junit.jupiter.api.Test;

/**
 * The long-unit cost breakdown agrees with the {@link BigDecimal} one ({@link
 * CostBreakdowns#compute} without an uplift) to the last unit and in scale, component by component
 * and in total, or steps aside: rates of any scale (exact in picos or not, optional ones absent),
 * every token category, counts up to the long range, any per-call fee and currency.
 */
class CostUnitsTest {

  @Provide
  Arbitrary<BigDecimal> rate() {
    // Unscaled values up to 10^12 at scales 0..15: per-token rates from free to absurd, some
    // finer than a pico (which must fall back).
    return Arbitraries.oneOf(
        Arbitraries.longs()
            .between(0, 1_000_000_000_000L)
            .flatMap(u -> Arbitraries.integers().between(0, 15).map(s -> BigDecimal.valueOf(u, s))),
        // Realistic per-token rates: a few dollars per million, at the scales perMillion gives.
        Arbitraries.longs()
            .between(0, 200_000)
            .map(u -> TokenRates.perMillion(BigDecimal.valueOf(u, 4))),
        Arbitraries.of(BigDecimal.ZERO, new BigDecimal("0.0000000005"), new BigDecimal("1E+3")));
  }

  @Provide
  Arbitrary<List<Optional<BigDecimal>>> optionalRates() {
    return rate().optional(0.5).list().ofSize(8);
  }

  @Provide
  Arbitrary<Long> tokens() {
    return Arbitraries.oneOf(
        Arbitraries.longs().between(0, 2_000_000),
        Arbitraries.longs().between(0, Long.MAX_VALUE),
        Arbitraries.of(0L, 0L, 0L, 1L, Long.MAX_VALUE));
  }

  @Provide
  Arbitrary<List<Long>> counts() {
    return tokens().list().ofSize(10);
  }

  @Provide
  Arbitrary<String> currency() {
    return Arbitraries.of("USD", "EUR");
  }

  @Property(tries = 5000)
  @StatisticsReport(format = Histogram.class)
  void agreesWithBigDecimalOrFallsBack(
      @ForAll("rate") BigDecimal in,
      @ForAll("rate") BigDecimal out,
      @ForAll("optionalRates") List<Optional<BigDecimal>> optional,
      @ForAll("rate") BigDecimal fee,
      @ForAll("counts") List<Long> counts,
      @ForAll("currency") String currency) {
    List<Optional<BigDecimal>> o = optional;
    TokenRates.Builder rb = TokenRates.builder().input(in).output(out);
    o.get(0).ifPresent(rb::cachedInput);
    o.get(1).ifPresent(rb::cacheWrite5m);
    o.get(2).ifPresent(rb::cacheWrite1h);
    o.get(3).ifPresent(rb::reasoning);
    o.get(4).ifPresent(rb::audioInput);
    o.get(5).ifPresent(rb::audioOutput);
    o.get(6).ifPresent(rb::imageInput);
    o.get(7).ifPresent(rb::imageOutput);
    TokenRates rates = rb.build();
    ModelPrice price =
        ModelPrice.builder("openai", "m").rates(rates).perCallFee(fee).currency(currency).build();
    long[] c = new long[10];
    for (int i = 0; i < c.length; i++) {
      c[i] = i < counts.size() ? counts.get(i) : 0;
    }
    TokenUsage usage =
        TokenUsage.builder()
            .inputTokens(c[0])
            .cachedInputTokens(c[1])
            .cacheWrite5mTokens(c[2])
            .cacheWrite1hTokens(c[3])
            .outputTokens(c[4])
            .reasoningTokens(c[5])
            .audioInputTokens(c[6])
            .audioOutputTokens(c[7])
            .imageInputTokens(c[8])
            .imageOutputTokens(c[9])
            .build();
    CostBreakdown fastOrNull = CostUnits.of(price, rates).breakdown(usage, currency);
    Statistics.label("path").collect(fastOrNull == null ? "BigDecimal" : "long");
    Statistics.label("path").coverage(k -> k.check("long").percentage(p -> p > 10));
    CostBreakdown exact;
    try {
      exact = CostBreakdowns.compute(price, rates, usage, null);
    } catch (RuntimeException e) {
      // Whatever the BigDecimal path refuses, the long path leaves to it.
      assertThat(CostUnits.of(price, rates).breakdown(usage, currency)).isNull();
      return;
    }
    CostBreakdown fast = CostUnits.of(price, rates).breakdown(usage, currency);
    if (fast == null) {
      // Only a rate finer than a pico or an amount beyond the long range in picos steps aside.
      assertThat(
              anyBeyondPicos(rates, fee)
                  || exact.total().movePointRight(12).toBigInteger().bitLength() > 60)
          .isTrue();
      return;
    }
    assertSame(fast, exact);
  }

  private static void assertSame(CostBreakdown fast, CostBreakdown exact) {
    assertThat(fast).isEqualTo(exact);
    BigDecimal[] a = components(fast);
    BigDecimal[] b = components(exact);
    for (int i = 0; i < a.length; i++) {
      assertThat(a[i].scale()).isEqualTo(b[i].scale());
      assertThat(a[i].unscaledValue()).isEqualTo(b[i].unscaledValue());
    }
    assertThat(fast.currency()).isEqualTo(exact.currency());
  }

  private static BigDecimal[] components(CostBreakdown c) {
    return new BigDecimal[] {
      c.input(),
      c.cachedInput(),
      c.cacheWrite(),
      c.output(),
      c.reasoning(),
      c.tools(),
      c.other(),
      c.total()
    };
  }

  private static boolean anyBeyondPicos(TokenRates r, BigDecimal fee) {
    BigDecimal[] all = {
      r.input(),
      r.output(),
      r.cachedInput(),
      r.cacheWrite5m(),
      r.cacheWrite1h(),
      r.reasoning(),
      r.audioInput(),
      r.audioOutput(),
      r.imageInput(),
      r.imageOutput(),
      fee
    };
    for (BigDecimal v : all) {
      if (v != null && CostUnits.picos(v) < 0) {
        return true;
      }
    }
    return false;
  }

  @Test
  void typicalChatCallIsComputedInLongsAndEqualsTheBigDecimalBreakdown() {
    TokenRates rates =
        TokenRates.builder()
            .input(TokenRates.perMillion(new BigDecimal("0.15")))
            .output(TokenRates.perMillion(new BigDecimal("0.60")))
            .cachedInput(TokenRates.perMillion(new BigDecimal("0.075")))
            .build();
    ModelPrice price = ModelPrice.builder("openai", "gpt-4o-mini").rates(rates).build();
    TokenUsage usage =
        TokenUsage.builder().inputTokens(231).cachedInputTokens(3).outputTokens(154).build();
    CostBreakdown fast = CostUnits.of(price, rates).breakdown(usage, "USD");
    assertThat(fast).isNotNull();
    assertSame(fast, CostBreakdowns.compute(price, rates, usage, null));
    assertThat(fast.total()).isEqualByComparingTo("0.000126825");
  }

  @Test
  void roundsEachComponentHalfEvenAtTheNanoLikeTheCalculator() {
    // 0.0000000005 per token: one token is half a nano (rounds to 0), three are 1.5 (to 2).
    BigDecimal half = new BigDecimal("0.0000000005");
    TokenRates rates = TokenRates.of(half, half);
    ModelPrice price = ModelPrice.builder("openai", "m").rates(rates).build();
    for (long n : new long[] {1, 3, 5, 7}) {
      TokenUsage usage = TokenUsage.builder().inputTokens(n).outputTokens(n + 2).build();
      CostBreakdown fast = CostUnits.of(price, rates).breakdown(usage, "USD");
      assertThat(fast).isNotNull();
      assertSame(fast, CostBreakdowns.compute(price, rates, usage, null));
    }
  }

  @Test
  void zeroUsageWithAFeeCostsNothingLikeTheCalculator() {
    TokenRates rates = TokenRates.perMillion("1", "2");
    ModelPrice price =
        ModelPrice.builder("openai", "m").rates(rates).perCallFee(new BigDecimal("0.01")).build();
    CostBreakdown fast = CostUnits.of(price, rates).breakdown(TokenUsage.zero(), "USD");
    assertThat(fast).isNotNull();
    assertSame(fast, CostBreakdowns.compute(price, rates, TokenUsage.zero(), null));
    assertThat(fast.isZero()).isTrue();
  }
}
