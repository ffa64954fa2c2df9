package dev.attribution.api.budget;

/**
 * A snapshot of one budget counter. Money is in nano-units (1e-9 of the currency unit).
 *
 * @param spentNanos money settled this period (rolling: within the window)
 * @param reservedNanos money held by open reservations
 * @param spentTokens tokens settled
 * @param reservedTokens tokens held by open reservations
 * @param spentRequests requests settled
 * @param reservedRequests requests held by open reservations
 * @param creditNanos money added by top-ups (raises the limit)
 */
public record SlotState(
    long spentNanos,
    long reservedNanos,
    long spentTokens,
    long reservedTokens,
    long spentRequests,
    long reservedRequests,
    long creditNanos) {

  /** A counter nothing has touched. */
  public static final SlotState EMPTY = new SlotState(0, 0, 0, 0, 0, 0, 0);

  /** Spent plus reserved money, saturating. */
  public long usedNanos() {
    return sat(spentNanos, reservedNanos);
  }

  /** Spent plus reserved tokens, saturating. */
  public long usedTokens() {
    return sat(spentTokens, reservedTokens);
  }

  /** Spent plus reserved requests, saturating. */
  public long usedRequests() {
    return sat(spentRequests, reservedRequests);
  }

  /** {@code a + b}, or {@link Long#MAX_VALUE} when the sum overflows (amounts never go below 0). */
  public static long sat(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }
}
