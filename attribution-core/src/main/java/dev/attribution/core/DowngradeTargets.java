package dev.attribution.core;

import dev.attribution.api.internal.ControlChars;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.internal.pricing.PricingEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks budgets' downgrade targets against the price catalog when the engine is built: a misspelt
 * target ({@code gpt-4o-minii}) is accepted by the budget file and stays silent until the budget
 * reaches its downgrade threshold, when every downgraded call goes to a model the provider does not
 * have. A target is named in a warning when its source model has a price at some provider and the
 * target has none at any of those providers (a self-hosted source model, priced nowhere, is not
 * checked).
 */
final class DowngradeTargets {
  private static final Logger LOG = LoggerFactory.getLogger(AttributionEngine.class);

  private DowngradeTargets() {}

  /** Logs one warning per downgrade whose target has no price where its source model has one. */
  static void warnUnpriced(List<BudgetDefinition> budgets, PricingEngine pricing) {
    for (BudgetDefinition d : budgets) {
      for (Map.Entry<String, String> e : d.downgradeModels().entrySet()) {
        List<String> providers = new ArrayList<>();
        for (String p : pricing.catalog().providers()) {
          if (pricing.isPriced(p, e.getKey())) {
            providers.add(p);
          }
        }
        if (providers.isEmpty()) {
          continue;
        }
        boolean priced = false;
        for (String p : providers) {
          priced |= pricing.isPriced(p, e.getValue());
        }
        if (!priced) {
          LOG.warn(
              "budget {} downgrades '{}' to '{}', which has no price at {}: if the name is"
                  + " misspelt, every downgraded call goes to a model the provider does not have;"
                  + " otherwise its calls are recorded as unpriced (add a price with"
                  + " PriceOverrides)",
              ControlChars.escape(d.name()),
              ControlChars.escape(e.getKey()),
              ControlChars.escape(e.getValue()),
              String.join(", ", providers));
        }
      }
    }
  }
}
