package dev.attribution.api.budget;

/**
 * Names one budget counter in a {@link BudgetStore}: a budget, one of its scope values, and the
 * start of one period.
 *
 * @param budget the budget's name
 * @param scopeKey the scope value, e.g. {@code tenant=acme}, as the engine builds it from the
 *     budget's scope
 * @param periodStartMillis the period's start in epoch milliseconds ({@code 0} for rolling and
 *     lifetime periods, which use one continuous counter)
 */
public record SlotKey(String budget, String scopeKey, long periodStartMillis) {

  /** A key as one string, {@code budget|scopeKey|periodStart}, e.g. for a remote store. */
  public String asString() {
    return budget + '|' + scopeKey + '|' + periodStartMillis;
  }
}
