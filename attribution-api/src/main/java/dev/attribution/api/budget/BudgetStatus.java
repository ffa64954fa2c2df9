package dev.attribution.api.budget;

import dev.attribution.api.BudgetAction;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where one budget stands for one scope value, as the engine reports it (see {@code
 * AttributionEngine.budgetStatus}).
 *
 * @param budgetName the budget
 * @param scopeKey the scope value
 * @param limit the money limit, including top-up credit
 * @param currency currency of every amount
 * @param spent money settled this period
 * @param reserved money held by open reservations
 * @param remaining {@code limit - spent - reserved}, never below zero
 * @param spentTokens tokens settled this period
 * @param spentRequests requests settled this period
 * @param thresholdPercent the percent of the highest threshold reached by spent plus reserved, or
 *     {@code null} when none is reached
 * @param thresholdAction what that threshold does, or {@code null} when none is reached
 * @param periodStart start of the current calendar period, or {@code null} (rolling, lifetime)
 * @param periodEnd end of the current calendar period, or {@code null} (rolling, lifetime)
 */
public record BudgetStatus(
    String budgetName,
    String scopeKey,
    BigDecimal limit,
    String currency,
    BigDecimal spent,
    BigDecimal reserved,
    BigDecimal remaining,
    long spentTokens,
    long spentRequests,
    @Nullable BigDecimal thresholdPercent,
    @Nullable BudgetAction thresholdAction,
    @Nullable Instant periodStart,
    @Nullable Instant periodEnd) {

  /**
   * Validates.
   *
   * @throws IllegalArgumentException naming the field that is negative or missing
   */
  public BudgetStatus {
    Objects.requireNonNull(budgetName, "budgetName");
    Objects.requireNonNull(scopeKey, "scopeKey");
    Objects.requireNonNull(currency, "currency");
    nonNegative("limit", limit);
    nonNegative("spent", spent);
    nonNegative("reserved", reserved);
    nonNegative("remaining", remaining);
    if (spentTokens < 0 || spentRequests < 0) {
      throw new IllegalArgumentException("spentTokens and spentRequests must not be negative");
    }
  }

  private static void nonNegative(String field, BigDecimal value) {
    if (Objects.requireNonNull(value, field).signum() < 0) {
      throw new IllegalArgumentException(field + " must not be negative, was " + value);
    }
  }
}
