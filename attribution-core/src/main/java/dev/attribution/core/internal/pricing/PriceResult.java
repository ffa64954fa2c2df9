package dev.attribution.core.internal.pricing;

import dev.attribution.api.CostBreakdown;
import dev.attribution.api.CostSource;
import java.math.BigDecimal;
import org.jspecify.annotations.Nullable;

/**
 * The price of one call (or one meter quantity): the cost that counts, where it came from, the
 * computed and provider-reported costs kept side by side, the charge to the customer and the
 * version of the price data used. Immutable; built only by {@link PricingEngine}.
 *
 * <p>When {@link #costSource()} is {@link CostSource#UNPRICED} the cost is zero but is <em>not
 * known</em> to be zero: budgets must not treat it as free.
 */
public final class PriceResult {

  private final CostSource costSource;
  private final CostBreakdown cost;
  private final @Nullable CostBreakdown computedCost;
  private final @Nullable BigDecimal providerReportedCost;
  private final @Nullable BigDecimal charge;
  private final @Nullable String priceVersion;
  private final String provider;
  private final @Nullable String resolvedModel;
  private final boolean fallbackRate;
  private final long contextTierAbove;
  private final long unpricedWebSearches;

  PriceResult(
      CostSource costSource,
      CostBreakdown cost,
      @Nullable CostBreakdown computedCost,
      @Nullable BigDecimal providerReportedCost,
      @Nullable BigDecimal charge,
      @Nullable String priceVersion,
      String provider,
      @Nullable String resolvedModel,
      boolean fallbackRate,
      long contextTierAbove) {
    this(
        costSource,
        cost,
        computedCost,
        providerReportedCost,
        charge,
        priceVersion,
        provider,
        resolvedModel,
        fallbackRate,
        contextTierAbove,
        0);
  }

  PriceResult(
      CostSource costSource,
      CostBreakdown cost,
      @Nullable CostBreakdown computedCost,
      @Nullable BigDecimal providerReportedCost,
      @Nullable BigDecimal charge,
      @Nullable String priceVersion,
      String provider,
      @Nullable String resolvedModel,
      boolean fallbackRate,
      long contextTierAbove,
      long unpricedWebSearches) {
    this.costSource = costSource;
    this.cost = cost;
    this.computedCost = computedCost;
    this.providerReportedCost = providerReportedCost;
    this.charge = charge;
    this.priceVersion = priceVersion;
    this.provider = provider;
    this.resolvedModel = resolvedModel;
    this.fallbackRate = fallbackRate;
    this.contextTierAbove = contextTierAbove;
    this.unpricedWebSearches = unpricedWebSearches;
  }

  /**
   * Web searches the call made that have no price (neither in the catalog nor in the overrides):
   * they are not in {@link #cost()}, which is then a lower bound.
   */
  public long unpricedWebSearches() {
    return unpricedWebSearches;
  }

  /** Where {@link #cost()} came from: computed, provider-reported or unpriced. */
  public CostSource costSource() {
    return costSource;
  }

  /** The cost that counts, split by category (zero when unpriced). */
  public CostBreakdown cost() {
    return cost;
  }

  /** The cost computed from the catalog, or {@code null} when the model has no price. */
  public @Nullable CostBreakdown computedCost() {
    return computedCost;
  }

  /** The cost the provider reported, rounded to 1e-9, or {@code null}. */
  public @Nullable BigDecimal providerReportedCost() {
    return providerReportedCost;
  }

  /**
   * The price charged to the customer under the tenant plan (cost times the plan's markup), or
   * {@code null} when no plan was given, the plan is unknown or the call is unpriced.
   */
  public @Nullable BigDecimal charge() {
    return charge;
  }

  /** Version (hash) of the price data used, or {@code null} when unpriced. */
  public @Nullable String priceVersion() {
    return priceVersion;
  }

  /** The canonical provider id the call was priced under, e.g. {@code gcp.gemini}. */
  public String provider() {
    return provider;
  }

  /** The catalog model that priced the call (e.g. {@code gpt-4o} for a dated snapshot), or null. */
  public @Nullable String resolvedModel() {
    return resolvedModel;
  }

  /** Whether the model had no price and the configured fallback rate was used. */
  public boolean fallbackRate() {
    return fallbackRate;
  }

  /** The long-context threshold whose rates priced the whole request, 0 when none. */
  public long contextTierAbove() {
    return contextTierAbove;
  }

  /** Whether the cost is known (not {@link CostSource#UNPRICED}). */
  public boolean isPriced() {
    return costSource != CostSource.UNPRICED;
  }

  @Override
  public String toString() {
    return "PriceResult{"
        + costSource
        + ' '
        + cost
        + " provider="
        + provider
        + " model="
        + resolvedModel
        + (providerReportedCost == null ? "" : " reported=" + providerReportedCost.toPlainString())
        + (charge == null ? "" : " charge=" + charge.toPlainString())
        + (fallbackRate ? " fallbackRate" : "")
        + (contextTierAbove == 0 ? "" : " tierAbove=" + contextTierAbove)
        + " version="
        + priceVersion
        + '}';
  }
}
