package dev.attribution.core.pricing;

import dev.attribution.core.internal.pricing.PricingEngine;

/**
 * What a budget does with a call whose model has no price. Read it from {@link
 * PricingEngine#unpricedPolicy()}; the pricing engine itself never blocks.
 */
public enum UnpricedPolicy {
  /** Let the call through; its record is marked {@code UNPRICED} (the default). */
  ALLOW,
  /** Price the call at the configured fallback rate and mark the result as such. */
  FALLBACK_RATE,
  /** Refuse the call before it is made. */
  BLOCK
}
