package dev.attribution.api.budget;

/**
 * What one reservation asks of one budget counter, and the caps the counter must respect.
 *
 * <p>A charge <em>fits</em> when, for each of money, tokens and requests with a cap below {@link
 * Long#MAX_VALUE}: {@code used + amount <= cap} and, if {@code amount} is zero, {@code used < cap}
 * (an exhausted budget admits nothing, not even a free call). {@code used} is spent plus reserved;
 * the money cap is raised by the counter's top-up credit.
 *
 * @param key the counter
 * @param nanos money to reserve, in nano-units
 * @param tokens tokens to reserve
 * @param requests requests to reserve (normally 1)
 * @param capNanos money cap, or {@link Long#MAX_VALUE} for none
 * @param capTokens token cap, or {@link Long#MAX_VALUE} for none
 * @param capRequests request cap, or {@link Long#MAX_VALUE} for none
 * @param bucketMillis for a rolling window the bucket width ({@code window / }{@value
 *     BudgetStore#ROLLING_BUCKETS}), else {@code 0}
 * @param expiresAtMillis when the counter may be forgotten (a finished period plus grace), or
 *     {@link Long#MAX_VALUE}
 */
public record SlotCharge(
    SlotKey key,
    long nanos,
    long tokens,
    long requests,
    long capNanos,
    long capTokens,
    long capRequests,
    long bucketMillis,
    long expiresAtMillis) {

  /** Whether this charge fits on top of {@code state} (see the class description). */
  public boolean fits(SlotState state) {
    long moneyCap =
        capNanos == Long.MAX_VALUE ? Long.MAX_VALUE : SlotState.sat(capNanos, state.creditNanos());
    return fits(state.usedNanos(), nanos, moneyCap)
        && fits(state.usedTokens(), tokens, capTokens)
        && fits(state.usedRequests(), requests, capRequests);
  }

  private static boolean fits(long used, long amount, long cap) {
    if (cap == Long.MAX_VALUE) {
      return true;
    }
    return amount == 0 ? used < cap : used <= cap - amount && amount <= cap;
  }
}
