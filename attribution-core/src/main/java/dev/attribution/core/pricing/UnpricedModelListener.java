package dev.attribution.core.pricing;

import java.time.Instant;

/**
 * Told the first time a provider/model pair without a price is seen (once per pair for the life of
 * the engine, across reloads), so the application can fire a {@code BudgetEvent} of type {@code
 * UNPRICED_MODEL}. Called on the pricing thread; exceptions are caught, counted and logged.
 */
@FunctionalInterface
public interface UnpricedModelListener {

  /**
   * A model without a price was priced.
   *
   * @param provider the provider id as given to the engine, normalised (lower case)
   * @param model the model name as given to the engine, trimmed and lower-cased
   * @param at when, from the engine's clock
   */
  void onUnpricedModel(String provider, String model, Instant at);
}
