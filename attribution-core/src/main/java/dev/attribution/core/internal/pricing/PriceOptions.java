package dev.attribution.core.internal.pricing;

import java.math.BigDecimal;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The optional facts of one call that change its price: the service tier, the region, the cost the
 * provider reported and the tenant plan whose sell price gives the charge. {@link #none()} when
 * there are none. Immutable.
 */
public final class PriceOptions {

  private static final PriceOptions NONE = new PriceOptions(null, null, null, null);

  private final @Nullable String serviceTier;
  private final @Nullable String region;
  private final @Nullable BigDecimal providerReportedCost;
  private final @Nullable String tenantPlan;
  private final long webSearches;

  private PriceOptions(
      @Nullable String serviceTier,
      @Nullable String region,
      @Nullable BigDecimal providerReportedCost,
      @Nullable String tenantPlan) {
    this(serviceTier, region, providerReportedCost, tenantPlan, 0);
  }

  private PriceOptions(
      @Nullable String serviceTier,
      @Nullable String region,
      @Nullable BigDecimal providerReportedCost,
      @Nullable String tenantPlan,
      long webSearches) {
    this.serviceTier = serviceTier;
    this.region = region;
    this.providerReportedCost = providerReportedCost;
    this.tenantPlan = tenantPlan;
    this.webSearches = webSearches;
  }

  /**
   * These options with {@code n} server-side web searches, each priced at the model's web search
   * fee into {@link dev.attribution.api.CostBreakdown#tools()}.
   *
   * @throws IllegalArgumentException when {@code n} is negative
   */
  public PriceOptions withWebSearches(long n) {
    if (n < 0) {
      throw new IllegalArgumentException("web searches must not be negative, was " + n);
    }
    return n == webSearches
        ? this
        : new PriceOptions(serviceTier, region, providerReportedCost, tenantPlan, n);
  }

  /** Server-side web searches the call made; 0 by default. */
  public long webSearches() {
    return webSearches;
  }

  /** No options: standard tier, no region, no reported cost, no plan. */
  public static PriceOptions none() {
    return NONE;
  }

  /**
   * Options; any may be {@code null}.
   *
   * @param serviceTier e.g. {@code batch}, {@code flex}, {@code priority}; {@code null}, {@code
   *     default}, {@code auto} and {@code standard} mean standard
   * @param region the provider region when a regional uplift is configured, e.g. {@code eu}
   * @param providerReportedCost the provider's reported cost in USD (e.g. OpenRouter {@code
   *     usage.cost}); ignored when negative
   * @param tenantPlan the tenant's plan name, giving the charge (sell price)
   */
  public static PriceOptions of(
      @Nullable String serviceTier,
      @Nullable String region,
      @Nullable BigDecimal providerReportedCost,
      @Nullable String tenantPlan) {
    if (serviceTier == null
        && region == null
        && providerReportedCost == null
        && tenantPlan == null) {
      return NONE;
    }
    return new PriceOptions(
        normaliseTier(serviceTier),
        region == null || region.isBlank() ? null : ModelNames.normaliseId(region),
        providerReportedCost == null || providerReportedCost.signum() < 0
            ? null
            : providerReportedCost,
        tenantPlan == null || tenantPlan.isBlank() ? null : tenantPlan.trim());
  }

  private static @Nullable String normaliseTier(@Nullable String tier) {
    if (tier == null || tier.isBlank()) {
      return null;
    }
    String t = ModelNames.normaliseId(tier);
    switch (t) {
      case "default":
      case "auto":
      case "standard":
      case "on_demand":
        return null;
      case "batches":
        return "batch";
      default:
        return t;
    }
  }

  /** The service tier, lower case, or {@code null} for standard. */
  public @Nullable String serviceTier() {
    return serviceTier;
  }

  /** The region, lower case, or {@code null}. */
  public @Nullable String region() {
    return region;
  }

  /** The provider's reported cost, or {@code null}. */
  public @Nullable BigDecimal providerReportedCost() {
    return providerReportedCost;
  }

  /** The tenant plan, or {@code null}. */
  public @Nullable String tenantPlan() {
    return tenantPlan;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof PriceOptions)) {
      return false;
    }
    PriceOptions p = (PriceOptions) o;
    return Objects.equals(serviceTier, p.serviceTier)
        && Objects.equals(region, p.region)
        && (providerReportedCost == null
            ? p.providerReportedCost == null
            : p.providerReportedCost != null
                && providerReportedCost.compareTo(p.providerReportedCost) == 0)
        && Objects.equals(tenantPlan, p.tenantPlan)
        && webSearches == p.webSearches;
  }

  @Override
  public int hashCode() {
    return Objects.hash(serviceTier, region, tenantPlan);
  }

  @Override
  public String toString() {
    return "PriceOptions{tier="
        + serviceTier
        + " region="
        + region
        + " reported="
        + providerReportedCost
        + " plan="
        + tenantPlan
        + (webSearches == 0 ? "" : " webSearches=" + webSearches)
        + '}';
  }
}
