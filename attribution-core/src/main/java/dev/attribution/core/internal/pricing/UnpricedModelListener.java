package dev.attribution.core.internal.pricing;

import dev.attribution.api.Attribution;
import dev.attribution.api.BudgetEvent;
import dev.attribution.api.BudgetListener;
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

  /**
   * A listener that turns each first sighting into a {@link BudgetEvent.Type#UNPRICED_MODEL} event
   * for {@code listener}, carrying the context current on the pricing thread (the thread that
   * finished the call).
   */
  static UnpricedModelListener toBudgetEvents(BudgetListener listener) {
    return (provider, model, at) ->
        listener.onEvent(
            BudgetEvent.builder(BudgetEvent.Type.UNPRICED_MODEL, at)
                .model(model)
                .context(Attribution.current())
                .message(
                    "model '"
                        + model
                        + "' at provider '"
                        + provider
                        + "' has no price; its calls are recorded as unpriced")
                .build());
  }
}
