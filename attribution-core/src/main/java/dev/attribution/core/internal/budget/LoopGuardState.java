package dev.attribution.core.internal.budget;

import dev.attribution.api.budget.SlotState;
import dev.attribution.core.budget.BudgetPeriod;

/**
 * Sliding-window counters of one thread id: the times of its last {@code maxCalls} admitted calls
 * and its money in {@value BudgetPeriod#ROLLING_BUCKETS} buckets. Guarded by its own monitor.
 */
public final class LoopGuardState {

  private final long[] callTimes;
  private int next;
  private int count;
  private final long bucketMillis;
  private final long[] buckets = new long[BudgetPeriod.ROLLING_BUCKETS];
  private long lastBucket = Long.MIN_VALUE;
  private long spentNanos;
  boolean stopped;

  LoopGuardState(int maxCalls, long windowMillis) {
    this.callTimes = new long[maxCalls];
    this.bucketMillis = Math.max(1, windowMillis / BudgetPeriod.ROLLING_BUCKETS);
  }

  /**
   * Counts the call if it stays within both limits.
   *
   * @return {@code 0} if admitted, {@code 1} if over the call limit, {@code 2} if over the money
   *     limit
   */
  synchronized int tryCall(long nowMillis, long windowMillis, long nanos, long maxNanos) {
    advance(nowMillis);
    if (count == callTimes.length && callTimes[next] > nowMillis - windowMillis) {
      return 1;
    }
    if (maxNanos != Long.MAX_VALUE && SlotState.sat(Math.max(0, spentNanos), nanos) > maxNanos) {
      return 2;
    }
    callTimes[next] = nowMillis;
    next = (next + 1) % callTimes.length;
    count = Math.min(count + 1, callTimes.length);
    add(nowMillis, nanos);
    return 0;
  }

  /**
   * Takes back the most recent call counted by {@link #tryCall} and its {@code nanos}: the call is
   * being decided again (on its exact estimate) and will be counted then.
   */
  synchronized void uncount(long nowMillis, long nanos) {
    if (count > 0) {
      next = (next - 1 + callTimes.length) % callTimes.length;
      count--;
    }
    advance(nowMillis);
    add(nowMillis, -nanos);
  }

  /** When the oldest counted call leaves the window. */
  synchronized long freeAt(long windowMillis) {
    return count == 0 ? 0 : callTimes[next % callTimes.length] + windowMillis;
  }

  synchronized void adjust(long nowMillis, long deltaNanos) {
    advance(nowMillis);
    add(nowMillis, deltaNanos);
  }

  synchronized long spentNanos(long nowMillis) {
    advance(nowMillis);
    return Math.max(0, spentNanos);
  }

  private void add(long nowMillis, long nanos) {
    long idx = Math.floorDiv(nowMillis, bucketMillis);
    if (idx <= lastBucket - BudgetPeriod.ROLLING_BUCKETS) {
      return;
    }
    int b = (int) Math.floorMod(Math.min(idx, lastBucket), (long) BudgetPeriod.ROLLING_BUCKETS);
    buckets[b] += nanos;
    spentNanos += nanos;
  }

  private void advance(long nowMillis) {
    long idx = Math.floorDiv(nowMillis, bucketMillis);
    if (lastBucket == Long.MIN_VALUE) {
      lastBucket = idx;
      return;
    }
    long steps = Math.min(idx - lastBucket, BudgetPeriod.ROLLING_BUCKETS);
    for (long j = 1; j <= steps; j++) {
      int b = (int) Math.floorMod(lastBucket + j, (long) BudgetPeriod.ROLLING_BUCKETS);
      spentNanos -= buckets[b];
      buckets[b] = 0;
    }
    if (idx > lastBucket) {
      lastBucket = idx;
    }
  }
}
