package dev.attribution.report;

import java.math.BigDecimal;
import org.jspecify.annotations.Nullable;

/** Running sums over the rows of one group; money exact at scale 9. */
final class Stats {
  long calls;
  long failed;
  long blocked;
  long downgraded;
  long inputTokens;
  long cachedTokens;
  long cacheWriteTokens;
  long outputTokens;
  long reasoningTokens;
  BigDecimal cost = Money.ZERO;
  BigDecimal costInput = Money.ZERO;
  BigDecimal costCached = Money.ZERO;
  BigDecimal costCacheWrite = Money.ZERO;
  BigDecimal costOutput = Money.ZERO;
  BigDecimal costReasoning = Money.ZERO;
  BigDecimal costTools = Money.ZERO;
  BigDecimal costOther = Money.ZERO;

  /** Calls whose cost is unknown (NULL): not in {@link #cost}, which is then a lower bound. */
  long unknownCostCalls;

  /** Sum of charge_total over the rows that carry one. */
  BigDecimal charge = Money.ZERO;

  /** Sum of cost_total over the rows that carry a charge. */
  BigDecimal chargedCost = Money.ZERO;

  long chargedCalls;

  /** Calls the application cancelled (a user stopping a stream): neither failed nor ok. */
  long cancelled;

  void add(Row r) {
    long n = r.calls;
    calls += n;
    if (isFailure(r.status)) {
      failed += n;
    }
    if ("cancelled".equals(r.status)) {
      cancelled += n;
    }
    if ("blocked".equals(r.status) || "block".equals(r.budgetAction)) {
      blocked += n;
    }
    if ("downgrade".equals(r.budgetAction)) {
      downgraded += n;
    }
    inputTokens += r.inputTokens;
    cachedTokens += r.cachedTokens;
    cacheWriteTokens += r.cacheWriteTokens;
    outputTokens += r.outputTokens;
    reasoningTokens += r.reasoningTokens;
    cost = cost.add(r.costTotal);
    costInput = costInput.add(r.costInput);
    costCached = costCached.add(r.costCached);
    costCacheWrite = costCacheWrite.add(r.costCacheWrite);
    costOutput = costOutput.add(r.costOutput);
    costReasoning = costReasoning.add(r.costReasoning);
    costTools = costTools.add(r.costTools);
    costOther = costOther.add(r.costOther);
    unknownCostCalls += r.unknownCostCalls;
    charge = charge.add(r.charge);
    chargedCost = chargedCost.add(r.chargedCost);
    chargedCalls += r.chargedCalls;
  }

  /**
   * The known cost, or null when every call of the group has an unknown cost (shown as "unknown",
   * never as zero).
   */
  @Nullable BigDecimal knownCost() {
    return calls > 0 && unknownCostCalls == calls ? null : cost;
  }

  /**
   * Whether a call ended in an error. A cancelled call (the application or its user stopped it) is
   * not a failure.
   */
  static boolean isFailure(String status) {
    return "upstream_error".equals(status) || "failed".equals(status);
  }

  /** Input tokens that were neither cache reads nor cache writes, never below zero. */
  long uncachedInputTokens() {
    return Math.max(0, inputTokens - cachedTokens - cacheWriteTokens);
  }

  /** Output tokens that were not reasoning, never below zero. */
  long visibleOutputTokens() {
    return Math.max(0, outputTokens - reasoningTokens);
  }
}
