package dev.attribution.api.budget;

import java.util.Collection;

/**
 * Supplies the current standing of every budget, e.g. for budget gauges. The engine binds one to
 * every sink at start-up ({@link dev.attribution.api.UsageSink#bindBudgetStatuses}).
 *
 * <p>It may be called on a metric reader's thread once per collection (e.g. every 60 s), so it must
 * be quick and must not block: a snapshot of in-memory state, not a database query. An exception is
 * caught, counted and logged; the gauges then report nothing for that collection.
 */
@FunctionalInterface
public interface BudgetStatusSource {

  /** A snapshot of every budget and scope value currently tracked; never {@code null}. */
  Collection<BudgetStatus> budgetStatuses();
}
