package dev.attribution.core.budget;

import java.math.BigDecimal;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Where one budget stands for one scope value, from {@link BudgetEngine#status(String, String)}.
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
 * @param currentThreshold the highest threshold reached by spent plus reserved, or {@code null}
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
    @Nullable Threshold currentThreshold,
    @Nullable Instant periodStart,
    @Nullable Instant periodEnd) {}
