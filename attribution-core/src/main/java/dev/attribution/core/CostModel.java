package dev.attribution.core;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.CostBreakdown;
import dev.attribution.api.CostSource;
import dev.attribution.api.TokenUsage;
import java.math.BigDecimal;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** Pricing, as the engine uses it: the seam between the engine and the price catalog. */
interface CostModel {

  /** Estimated input tokens of a request's text for {@code model}. */
  long estimateInputTokens(String provider, @Nullable String model, String requestText);

  /**
   * An upper bound of {@link #estimateInputTokens} for a request body of {@code utf8Length} bytes,
   * computed without tokenising, or {@code -1} when there is none (then the engine tokenises).
   */
  default long inputTokenBound(String provider, @Nullable String model, int utf8Length) {
    return -1;
  }

  /** Worst-case cost of the call before it is made, or {@code null} when the model is unpriced. */
  default @Nullable BigDecimal estimate(
      String provider, String model, long inputTokens, long maxOutputTokens, Instant at) {
    return estimate(provider, model, inputTokens, maxOutputTokens, 1, at);
  }

  /**
   * Worst-case cost of a call that bills {@code outputs} generations of up to {@code
   * maxOutputTokens} each (input once), or {@code null} when the model is unpriced.
   */
  @Nullable BigDecimal estimate(
      String provider,
      String model,
      long inputTokens,
      long maxOutputTokens,
      long outputs,
      Instant at);

  /** Output tokens a request that sets no maximum may produce, for token budgets' worst case. */
  default long defaultMaxOutputTokens() {
    return dev.attribution.core.internal.pricing.PricingEngine.DEFAULT_MAX_OUTPUT_TOKENS;
  }

  /** The cost of a finished call. */
  Priced price(
      String provider,
      @Nullable String model,
      TokenUsage usage,
      long perCallUnits,
      Instant at,
      @Nullable BigDecimal providerCost,
      AttributionContext context);

  /** The cost of a custom meter reading. */
  Priced priceMeter(String meter, BigDecimal quantity, Instant at, AttributionContext context);

  /**
   * A priced call.
   *
   * @param cost the cost that counts, or {@code null} when unknown (unpriced)
   * @param computedCost the catalog-computed total kept beside a provider-reported cost, or null
   * @param unpricedWebSearches web searches left out of {@code cost} for want of a price
   */
  record Priced(
      @Nullable CostBreakdown cost,
      CostSource source,
      @Nullable String priceVersion,
      @Nullable BigDecimal charge,
      @Nullable BigDecimal providerCost,
      @Nullable BigDecimal computedCost,
      long unpricedWebSearches) {

    /** An unknown cost: nothing priced it. */
    static Priced unpriced(@Nullable BigDecimal providerCost) {
      return new Priced(null, CostSource.UNPRICED, null, null, providerCost, null, 0);
    }
  }

  /** Prices nothing: every call is unpriced; inputs estimated by the provider-neutral heuristic. */
  CostModel UNPRICED =
      new CostModel() {
        @Override
        public long estimateInputTokens(
            String provider, @Nullable String model, String requestText) {
          return dev.attribution.core.internal.pricing.TokenEstimator.heuristic(requestText);
        }

        @Override
        public long inputTokenBound(String provider, @Nullable String model, int utf8Length) {
          return dev.attribution.core.internal.pricing.TokenEstimator.upperBound(utf8Length);
        }

        @Override
        public @Nullable BigDecimal estimate(
            String provider,
            String model,
            long inputTokens,
            long maxOutputTokens,
            long outputs,
            Instant at) {
          return null;
        }

        @Override
        public Priced price(
            String provider,
            @Nullable String model,
            TokenUsage usage,
            long perCallUnits,
            Instant at,
            @Nullable BigDecimal providerCost,
            AttributionContext context) {
          return Priced.unpriced(providerCost);
        }

        @Override
        public Priced priceMeter(
            String meter, BigDecimal quantity, Instant at, AttributionContext context) {
          return Priced.unpriced(null);
        }
      };
}
