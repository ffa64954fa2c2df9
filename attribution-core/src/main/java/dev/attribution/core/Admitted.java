package dev.attribution.core;

import dev.attribution.api.BudgetAction;
import dev.attribution.core.transport.BlockedResponse;
import java.math.BigDecimal;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Stage 3 of a decision ({@link CallDecider#admit}): what the budgets said, and where the call goes
 * after a downgrade or a budget's reroute.
 *
 * @param routed where the call goes now (the routing stage's answer, or the budget's rewrite of it)
 * @param gate the admission to settle when the call ends (released already when blocked)
 * @param recordedAction the budget action the record carries ({@code NONE} under a dry run)
 * @param budgetName the budget that acted, or {@code null}
 * @param budgetPercent that budget's threshold percent, or {@code null}
 * @param dryRunAction what a dry-run budget would have done, or {@code null}
 * @param blocked the local answer when the call is blocked, or {@code null}
 * @param estimatedInputTokens the input tokens the tokenizer counted, or -1 when budgets did not
 *     need them (none set, or the byte bound decided)
 * @param keyFingerprint the fingerprint of the request's own key, as budgets scoped it
 * @param attributes record attributes this stage noted ({@code rewrite_skipped})
 */
record Admitted(
    Routed routed,
    BudgetGate.Gate gate,
    BudgetAction recordedAction,
    @Nullable String budgetName,
    @Nullable BigDecimal budgetPercent,
    @Nullable BudgetAction dryRunAction,
    @Nullable BlockedResponse blocked,
    long estimatedInputTokens,
    @Nullable String keyFingerprint,
    Map<String, String> attributes) {

  Admitted {
    attributes = Map.copyOf(attributes);
  }
}
