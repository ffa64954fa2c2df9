package dev.attribution.core;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.CostBreakdown;
import dev.attribution.api.CostSource;
import dev.attribution.api.TokenUsage;
import dev.attribution.core.internal.pricing.PriceOptions;
import dev.attribution.core.internal.pricing.PriceResult;
import dev.attribution.core.internal.pricing.PricingEngine;
import dev.attribution.core.internal.pricing.TokenEstimator;
import java.math.BigDecimal;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The engine's view of a {@link PricingEngine}. The tenant plan that gives the charge comes from
 * the context tag {@value #PLAN_TAG}.
 */
final class PricingCostModel implements CostModel {

  /** The context tag naming the tenant's plan, for sell prices. */
  static final String PLAN_TAG = "plan";

  private final PricingEngine pricing;

  PricingCostModel(PricingEngine pricing) {
    this.pricing = pricing;
  }

  @Override
  public long estimateInputTokens(String provider, @Nullable String model, String requestText) {
    return pricing.estimateInputTokens(provider, model == null ? "" : model, requestText);
  }

  @Override
  public long inputTokenBound(String provider, @Nullable String model, int utf8Length) {
    return TokenEstimator.upperBound(utf8Length);
  }

  @Override
  public @Nullable BigDecimal estimate(
      String provider,
      String model,
      long inputTokens,
      long maxOutputTokens,
      long outputs,
      Instant at) {
    return pricing.estimateWorstCase(provider, model, inputTokens, maxOutputTokens, outputs, at);
  }

  @Override
  public long defaultMaxOutputTokens() {
    return pricing.defaultMaxOutputTokens();
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
    PriceResult r =
        pricing.price(
            provider,
            model == null ? "unknown" : model,
            usage,
            at,
            PriceOptions.of(null, null, providerCost, context.tags().get(PLAN_TAG))
                .withWebSearches(Math.max(0, perCallUnits)));
    return priced(r);
  }

  @Override
  public Priced priceMeter(
      String meter, BigDecimal quantity, Instant at, AttributionContext context) {
    PriceResult r = pricing.priceMeter(meter, quantity, at, context.tags().get(PLAN_TAG));
    return priced(r);
  }

  private static Priced priced(PriceResult r) {
    CostBreakdown computed = r.computedCost();
    return new Priced(
        r.isPriced() ? r.cost() : null,
        r.costSource(),
        r.priceVersion(),
        r.charge(),
        r.providerReportedCost(),
        r.costSource() == CostSource.PROVIDER_REPORTED && computed != null
            ? computed.total()
            : null,
        r.unpricedWebSearches());
  }
}
