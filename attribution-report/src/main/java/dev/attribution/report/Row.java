package dev.attribution.report;

import java.math.BigDecimal;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** The columns of one usage row the review needs; money at scale 9. */
final class Row {
  Instant startedAt = Instant.EPOCH;
  @Nullable String tenant;
  @Nullable String user;
  @Nullable String thread;
  @Nullable String feature;
  String provider = "";
  @Nullable String model;
  String status = "ok";
  long inputTokens;
  long cachedTokens;
  long cacheWriteTokens;
  long outputTokens;
  long reasoningTokens;
  BigDecimal costTotal = BigDecimal.ZERO;
  BigDecimal costInput = BigDecimal.ZERO;
  BigDecimal costCached = BigDecimal.ZERO;
  BigDecimal costCacheWrite = BigDecimal.ZERO;
  BigDecimal costOutput = BigDecimal.ZERO;
  BigDecimal costReasoning = BigDecimal.ZERO;
  BigDecimal costTools = BigDecimal.ZERO;
  BigDecimal costOther = BigDecimal.ZERO;

  /** Whether cost_total is NULL: the call's cost is unknown (not zero). */
  boolean costUnknown;

  @Nullable BigDecimal charge;
  String currency = "USD";
  String costSource = "computed";
  String budgetAction = "none";
  @Nullable String budgetName;
  @Nullable BigDecimal budgetPercent;
}
