/**
 * Prices and exact cost. One entry point, {@link
 * dev.attribution.core.internal.pricing.PricingEngine}: it holds a {@link
 * dev.attribution.core.internal.pricing.PriceCatalog} built from the bundled data, an optional
 * LiteLLM price file (reloadable at run time) and {@link
 * dev.attribution.core.pricing.PriceOverrides}, resolves model names, prices normalised {@link
 * dev.attribution.api.TokenUsage} into {@link dev.attribution.core.internal.pricing.PriceResult}s,
 * prices custom meters and estimates the worst-case cost of a call before it is made.
 *
 * <p>Money is {@link java.math.BigDecimal} throughout; every amount is rounded once, to {@link
 * dev.attribution.api.CostBreakdown#SCALE} places, when it enters a {@link
 * dev.attribution.api.CostBreakdown}.
 */
@NullMarked
package dev.attribution.core.pricing;

import org.jspecify.annotations.NullMarked;
