package dev.attribution.core.internal.pricing;

/** Which cost counts when the provider reports one (e.g. OpenRouter's {@code usage.cost}). */
public enum CostPreference {
  /** The provider's reported cost counts when present; the computed one is kept next to it. */
  PROVIDER_REPORTED,
  /** The computed cost counts; the provider's is kept next to it for comparison. */
  COMPUTED
}
