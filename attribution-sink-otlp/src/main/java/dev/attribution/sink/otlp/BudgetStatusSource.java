package dev.attribution.sink.otlp;

import java.util.Collection;

/**
 * Supplies the current standing of every budget, for the budget gauges ({@link
 * TelemetryNames#METRIC_BUDGET_SPENT}, {@link TelemetryNames#METRIC_BUDGET_REMAINING}).
 *
 * <p>A budget engine implements this (or an adapter lambda does). It is called on the metric
 * reader's thread once per collection (e.g. every 60 s), so it must be quick and must not block: a
 * snapshot of in-memory state, not a database query. An exception is caught, counted and logged;
 * the gauges then report nothing for that collection.
 */
@FunctionalInterface
public interface BudgetStatusSource {

  /** A snapshot of every budget and scope value currently tracked; never {@code null}. */
  Collection<BudgetStatus> budgetStatuses();
}
