package dev.attribution.sink.jdbc;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One group of a {@link UsageQuery}'s result: its bucket and key, and the sums over its records.
 * Money has scale 9. Costs in different currencies are summed together unless the query groups by
 * {@link Dimension#CURRENCY}.
 */
public final class UsageSummary {

  private final @Nullable Instant bucket;
  private final List<Dimension> dimensions;
  private final List<@Nullable String> key;
  private final long requests;
  private final long errors;
  private final long inputTokens;
  private final long cachedInputTokens;
  private final long cacheWriteTokens;
  private final long outputTokens;
  private final long reasoningTokens;
  private final BigDecimal cost;
  private final BigDecimal charge;
  private final long unknownCostRequests;

  UsageSummary(
      @Nullable Instant bucket,
      List<Dimension> dimensions,
      List<@Nullable String> key,
      long requests,
      long errors,
      long inputTokens,
      long cachedInputTokens,
      long cacheWriteTokens,
      long outputTokens,
      long reasoningTokens,
      BigDecimal cost,
      BigDecimal charge,
      long unknownCostRequests) {
    this.bucket = bucket;
    this.dimensions = dimensions;
    this.key = Collections.unmodifiableList(key);
    this.requests = requests;
    this.errors = errors;
    this.inputTokens = inputTokens;
    this.cachedInputTokens = cachedInputTokens;
    this.cacheWriteTokens = cacheWriteTokens;
    this.outputTokens = outputTokens;
    this.reasoningTokens = reasoningTokens;
    this.cost = cost;
    this.charge = charge;
    this.unknownCostRequests = unknownCostRequests;
  }

  /** UTC start of the time bucket, or {@code null} when the query has no bucket. */
  public @Nullable Instant bucket() {
    return bucket;
  }

  /**
   * Values of the query's group-by dimensions, in the query's order; an element is {@code null} for
   * records without that value.
   */
  public List<@Nullable String> key() {
    return key;
  }

  /** The value of {@code dimension} in this group, or {@code null}. */
  public @Nullable String get(Dimension dimension) {
    int i = dimensions.indexOf(dimension);
    if (i < 0) {
      throw new IllegalArgumentException(dimension + " is not among the query's groupBy");
    }
    return key.get(i);
  }

  /** Number of records. */
  public long requests() {
    return requests;
  }

  /** Number of records whose status is not {@code ok}. */
  public long errors() {
    return errors;
  }

  /** Sum of input tokens (all input, cached included). */
  public long inputTokens() {
    return inputTokens;
  }

  /** Sum of cached input tokens. */
  public long cachedInputTokens() {
    return cachedInputTokens;
  }

  /** Sum of cache-write tokens. */
  public long cacheWriteTokens() {
    return cacheWriteTokens;
  }

  /** Sum of output tokens (reasoning included). */
  public long outputTokens() {
    return outputTokens;
  }

  /** Sum of reasoning tokens. */
  public long reasoningTokens() {
    return reasoningTokens;
  }

  /**
   * Sum of the known costs, scale 9; records whose cost is unknown ({@link #unknownCostRequests()})
   * add nothing, so with any of them this is a lower bound.
   */
  public BigDecimal cost() {
    return cost;
  }

  /** Sum of charge to customers (records without one count as zero), scale 9. */
  public BigDecimal charge() {
    return charge;
  }

  /** Records whose cost is unknown (NULL: an unpriced model or invalid usage). */
  public long unknownCostRequests() {
    return unknownCostRequests;
  }

  @Override
  public String toString() {
    return "UsageSummary{bucket="
        + bucket
        + " key="
        + key
        + " requests="
        + requests
        + " errors="
        + errors
        + " cost="
        + cost.toPlainString()
        + (unknownCostRequests == 0 ? "" : " unknownCost=" + unknownCostRequests)
        + '}';
  }
}
