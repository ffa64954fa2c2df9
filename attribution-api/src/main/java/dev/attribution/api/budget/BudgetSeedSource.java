package dev.attribution.api.budget;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Spend already recorded before start-up, so a restart does not reset a running period (the JDBC
 * sink implements it over its table). The engine asks once per budget while it is built.
 *
 * <p>Seed only stores local to the process: a shared store (Redis) already holds the spend, and
 * seeding it again would count it twice.
 */
@FunctionalInterface
public interface BudgetSeedSource {

  /**
   * Money spent in {@code [from, to)} by calls the budget covers, per combination of scope values.
   *
   * @param request the budget's name, currency and scope, and the time range
   * @return spend in the budget's currency, keyed by the values of every scope part in order (fixed
   *     parts carry their fixed value); empty when nothing was spent
   * @throws RuntimeException when the spend cannot be read; the engine logs it and starts that
   *     budget from zero
   */
  Map<List<String>, BigDecimal> spentByScope(Request request);

  /**
   * What to seed.
   *
   * @param budgetName the budget
   * @param currency the budget's currency; only records in it count
   * @param scope the budget's scope parts, in order; empty for a global budget
   * @param from the current period's start ({@link Instant#EPOCH} for lifetime budgets, now minus
   *     the window for rolling ones)
   * @param to now
   */
  record Request(
      String budgetName, String currency, List<ScopePart> scope, Instant from, Instant to) {
    /** Validates and copies. */
    public Request {
      Objects.requireNonNull(budgetName, "budgetName");
      Objects.requireNonNull(currency, "currency");
      scope = List.copyOf(scope);
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
    }
  }
}
