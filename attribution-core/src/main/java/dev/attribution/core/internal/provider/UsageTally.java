package dev.attribution.core.internal.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attribution.api.TokenUsage;

/**
 * One response's usage as a dialect reads it: the raw counts its usage objects report, and how they
 * normalise to {@link TokenUsage}. Created per response by {@link
 * ProviderDialect#newTally(Endpoint)}; the {@link UsageAccumulator} calls it as {@link
 * ResponseParser} finds members, in body order, and keeps everything that is not usage (model, id,
 * error, completion). Token fields are "last value wins": providers that repeat cumulative usage in
 * a stream (Anthropic {@code message_delta}, Gemini chunks) are never summed. Not thread-safe.
 */
public abstract class UsageTally {

  /** For subclasses. */
  protected UsageTally() {}

  /**
   * A usage object, read with every count validated through {@link UsageAccumulator#count}.
   *
   * @param member the member that held it ({@code usage}, {@code usageMetadata}, ...)
   * @param usage the object, bounded: numbers kept, strings and arrays as empty markers
   * @param acc where validation failures, cost and completion are recorded
   */
  protected abstract void onUsage(String member, JsonNode usage, UsageAccumulator acc);

  /** An event or object {@code type} member. Nothing by default. */
  protected void onType(String type, UsageAccumulator acc) {}

  /** The start of an {@link ResponseMember.Kind#ELEMENTS} array. Nothing by default. */
  protected void onElements(String member, UsageAccumulator acc) {}

  /** One element's {@link ResponseMember#elementKey()} string. Nothing by default. */
  protected void onElement(String member, String value, UsageAccumulator acc) {}

  /** Server-side web searches the response reported; 0 by default. */
  protected long webSearches() {
    return 0;
  }

  /** The normalised usage; called only when at least one usage object was seen. */
  protected abstract TokenUsage usage();

  /** The previous value unless a new one was seen ({@code seen >= 0}). */
  protected static long pick(long seen, long previous) {
    return seen >= 0 ? seen : previous;
  }

  /** {@code v}, or 0 when unseen (-1). */
  protected static long z(long v) {
    return Math.max(0, v);
  }

  /** Non-negative sum that saturates instead of overflowing on absurd provider numbers. */
  protected static long sum(long... values) {
    long total = 0;
    for (long v : values) {
      long x = Math.max(0, v);
      total = total > Long.MAX_VALUE - x ? Long.MAX_VALUE : total + x;
    }
    return total;
  }
}
