package dev.attribution.core.budget;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

/**
 * Spend already recorded before start-up, so a restart does not reset a running period (the JDBC
 * sink's query API implements it). Called once per budget by {@link BudgetEngine.Builder#build()}.
 *
 * <p>Seed only stores local to the process: a shared store (Redis) already holds the spend, and
 * seeding it again would count it twice.
 */
@FunctionalInterface
public interface BudgetSeedSource {

  /**
   * Money spent from {@code from} (inclusive) to {@code to} (exclusive) by calls the budget covers,
   * per scope value.
   *
   * @param budget the budget; its {@link BudgetDefinition#scope()} says which dimensions to group
   *     by, and {@link BudgetDefinition#scopeKeyOf(java.util.List)} builds the keys
   * @param from the current period's start ({@link Instant#EPOCH} for lifetime budgets, now minus
   *     the window for rolling ones)
   * @param to now
   * @return scope key to spend, in the budget's currency; empty when nothing was spent
   */
  Map<String, BigDecimal> spentByScope(BudgetDefinition budget, Instant from, Instant to);
}
