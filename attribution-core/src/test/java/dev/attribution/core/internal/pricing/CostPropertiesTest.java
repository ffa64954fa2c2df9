package dev.attribution.core.internal.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.CostBreakdown;
import dev.attribution.api.TokenUsage;
import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Properties of the calculator over usages built from per-category counts (normalised: input is the
 * sum of its parts, output the sum of its). Rates have at most nine decimals, so per-component
 * rounding is exact and additivity holds to the last unit.
 */
class CostPropertiesTest {

  static final Instant AT = CostCalculationTest.AT;
  static final PricingEngine ENGINE = CostCalculationTest.engine();
  static final String[][] MODELS = {
    {"openai", "gpt-4o"},
    {"openai", "gpt-4o-audio-preview"},
    {"anthropic", "claude-sonnet-4-5"},
    {"gcp.gemini", "gemini-flash-thinking"},
    {"deepseek", "deepseek-chat"},
  };

  /**
   * Token counts per category: plain, cached, write5m, write1h, audioIn, imageIn, text out,
   * reasoning, audioOut, imageOut.
   */
  static final class Counts {
    final long[] c;

    Counts(long[] c) {
      this.c = c;
    }

    TokenUsage usage() {
      return TokenUsage.builder()
          .inputTokens(c[0] + c[1] + c[2] + c[3] + c[4] + c[5])
          .cachedInputTokens(c[1])
          .cacheWrite5mTokens(c[2])
          .cacheWrite1hTokens(c[3])
          .audioInputTokens(c[4])
          .imageInputTokens(c[5])
          .outputTokens(c[6] + c[7] + c[8] + c[9])
          .reasoningTokens(c[7])
          .audioOutputTokens(c[8])
          .imageOutputTokens(c[9])
          .build();
    }

    Counts plus(Counts o) {
      long[] s = new long[c.length];
      for (int i = 0; i < s.length; i++) {
        s[i] = c[i] + o.c[i];
      }
      return new Counts(s);
    }

    @Override
    public String toString() {
      return java.util.Arrays.toString(c);
    }
  }

  @Provide
  Arbitrary<Counts> counts() {
    // Below 100k input so two usages never cross the 200k long-context threshold together.
    return Arbitraries.longs().between(0, 10_000).array(long[].class).ofSize(10).map(Counts::new);
  }

  @Provide
  Arbitrary<Integer> model() {
    return Arbitraries.integers().between(0, MODELS.length - 1);
  }

  @Provide
  Arbitrary<Integer> category() {
    return Arbitraries.integers().between(0, 9);
  }

  static CostBreakdown cost(int model, Counts c) {
    return ENGINE.price(MODELS[model][0], MODELS[model][1], c.usage(), AT).cost();
  }

  @Property(tries = 300)
  void costIsAdditiveInEveryComponent(
      @ForAll("model") int model, @ForAll("counts") Counts a, @ForAll("counts") Counts b) {
    assertThat(cost(model, a).plus(cost(model, b))).isEqualTo(cost(model, a.plus(b)));
  }

  @Property(tries = 300)
  void addingTokensOfAnyCategoryNeverLowersTheCost(
      @ForAll("model") int model, @ForAll("counts") Counts a, @ForAll("category") int category) {
    long[] more = a.c.clone();
    more[category] += 1 + (category * 37L);
    CostBreakdown before = cost(model, a);
    CostBreakdown after = cost(model, new Counts(more));
    assertThat(after.total()).isGreaterThanOrEqualTo(before.total());
  }

  @Property(tries = 300)
  void costIsNeverNegative(@ForAll("model") int model, @ForAll("counts") Counts a) {
    CostBreakdown c = cost(model, a);
    assertThat(c.total().signum()).isGreaterThanOrEqualTo(0);
    assertThat(
            c.input().signum()
                | c.cachedInput().signum()
                | c.cacheWrite().signum()
                | c.output().signum()
                | c.reasoning().signum()
                | c.other().signum())
        .isGreaterThanOrEqualTo(0);
  }

  @Provide
  Arbitrary<Counts> anyCounts() {
    return Combinators.combine(counts(), Arbitraries.longs().between(0, 500_000))
        .as(
            (c, extra) -> {
              long[] x = c.c.clone();
              x[0] += extra;
              return new Counts(x);
            });
  }

  @Property(tries = 200)
  void costIsNeverNegativeAcrossLongContextTiers(
      @ForAll("model") int model, @ForAll("anyCounts") Counts a) {
    assertThat(cost(model, a).total().signum()).isGreaterThanOrEqualTo(0);
  }

  @Provide
  Arbitrary<java.math.BigDecimal> reported() {
    return Arbitraries.bigDecimals()
        .between(java.math.BigDecimal.ZERO, new java.math.BigDecimal("5000"))
        .ofScale(9);
  }

  @Property(tries = 300)
  void providerReportedCostIsSplitWithoutLosingAUnit(
      @ForAll("model") int model,
      @ForAll("anyCounts") Counts a,
      @ForAll("reported") java.math.BigDecimal reported) {
    CostBreakdown computed = cost(model, a);
    CostBreakdown split = CostBreakdowns.allocate(reported, computed);
    assertThat(split.total()).isEqualTo(reported);
    assertThat(
            split.input().signum()
                | split.cachedInput().signum()
                | split.cacheWrite().signum()
                | split.output().signum()
                | split.reasoning().signum()
                | split.other().signum())
        .isGreaterThanOrEqualTo(0);
  }
}
