package dev.attribution.report;

import java.math.BigDecimal;
import java.time.LocalDate;
import org.jspecify.annotations.Nullable;

/**
 * One group of usage rows as the database summed it: the calls of one day, tenant, feature, model,
 * provider, status, budget action, budget, cost source and currency. Money exact at scale 9; sums
 * cover only the rows whose amount is known.
 */
final class Row {
  LocalDate day = LocalDate.EPOCH;
  boolean current;
  @Nullable String tenant;
  @Nullable String feature;
  String provider = "";
  @Nullable String model;
  String status = "ok";
  String costSource = "computed";
  String budgetAction = "none";
  @Nullable String budgetName;
  @Nullable String priceVersion;
  String currency = "USD";

  long calls;
  long inputTokens;
  long cachedTokens;
  long cacheWriteTokens;
  long outputTokens;
  long reasoningTokens;
  BigDecimal costTotal = Money.ZERO;
  BigDecimal costInput = Money.ZERO;
  BigDecimal costCached = Money.ZERO;
  BigDecimal costCacheWrite = Money.ZERO;
  BigDecimal costOutput = Money.ZERO;
  BigDecimal costReasoning = Money.ZERO;
  BigDecimal costTools = Money.ZERO;
  BigDecimal costOther = Money.ZERO;

  /** Calls whose cost_total is NULL: their cost is unknown (not zero). */
  long unknownCostCalls;

  /** Sum of charge_total over the calls that carry one. */
  BigDecimal charge = Money.ZERO;

  /** Sum of cost_total over the calls that carry a charge. */
  BigDecimal chargedCost = Money.ZERO;

  long chargedCalls;

  @Nullable BigDecimal maxBudgetPercent;
}
