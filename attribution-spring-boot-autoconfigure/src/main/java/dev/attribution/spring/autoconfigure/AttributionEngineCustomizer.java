package dev.attribution.spring.autoconfigure;

import dev.attribution.core.AttributionEngine;

/**
 * A bean that adjusts the engine's builder after the starter applied the properties, for settings
 * that have no property (a {@code CredentialResolver}, a clock, a fallback rate). Customisers run
 * in their {@code @Order}.
 */
@FunctionalInterface
public interface AttributionEngineCustomizer {

  /** Adjusts {@code builder}; called once, before the engine is built. */
  void customize(AttributionEngine.Builder builder);
}
