package dev.attribution.budget.redis;

import dev.attribution.api.budget.InMemoryBudgetStore;
import dev.attribution.api.budget.SlotCharge;
import dev.attribution.api.budget.SlotKey;
import dev.attribution.api.budget.SlotState;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * What this instance holds in Redis, so it can put it back if Redis loses its data: its open
 * reservations (leases included, and for a day those that expired unsettled) with their charges,
 * and the spend and credit it has written in live periods (a local in-memory store of the same
 * counters).
 */
final class SpendLedger {

  private final Map<String, Open> open = new ConcurrentHashMap<>();
  private final InMemoryBudgetStore written;
  private final Map<SlotKey, Meta> keys = new ConcurrentHashMap<>();
  private long nextPrune; // probe thread only

  SpendLedger(Clock clock) {
    this.written = InMemoryBudgetStore.create(clock);
  }

  // ---------------------------------------------------------------------------------------------
  // Open reservations

  /** Notes a reservation this instance made in Redis under {@code epoch}. */
  void opened(String id, List<SlotCharge> charges, long expiresAtMillis, String epoch) {
    open.put(id, new Open(charges, expiresAtMillis, epoch));
  }

  /** Removes and returns the reservation {@code id}; {@code null} if unknown. */
  @Nullable Open take(String id) {
    return open.remove(id);
  }

  /**
   * Forgets reservations expired a day before {@code now}. One expired more recently is kept, as
   * Redis keeps its tombstone, so that a late settle can still be journaled while Redis is
   * unreachable (and its spend written back after a data loss).
   */
  void expire(long now) {
    open.values().removeIf(o -> o.expiresAtMillis() <= now - RedisCommands.TOMBSTONE_MILLIS);
  }

  /** Reservations by id, open or expired within a day (a live view). */
  Map<String, Open> open() {
    return open;
  }

  // ---------------------------------------------------------------------------------------------
  // Written spend

  /** Notes spend written to every counter of {@code charges}. */
  void record(List<SlotCharge> charges, long n, long t, long q, long now) {
    for (SlotCharge c : charges) {
      record(c.key(), n, t, q, 0, c.bucketMillis(), c.expiresAtMillis(), now);
    }
  }

  /** Notes spend and credit written to counter {@code key}. */
  void record(
      SlotKey key,
      long n,
      long t,
      long q,
      long credit,
      long bucketMillis,
      long expiresAtMillis,
      long now) {
    keys.compute(
        key,
        (k, m) ->
            m == null || m.expiresAtMillis < expiresAtMillis
                ? new Meta(bucketMillis, expiresAtMillis)
                : m);
    if (n != 0 || t != 0 || q != 0) {
      written.addSpent(key, n, t, q, bucketMillis, expiresAtMillis, now);
    }
    if (credit != 0) {
      written.topUp(key, credit, expiresAtMillis, now);
    }
  }

  /** Forgets counters whose period is over, at most once a minute. Probe thread only. */
  void prune(long now) {
    if (now >= nextPrune) {
      nextPrune = now + 60_000;
      keys.values().removeIf(m -> m.expiresAtMillis <= now);
    }
  }

  /** Writes back, under {@code epoch}, what this instance wrote in live periods: Redis lost it. */
  void writeBack(RedisCommands redis, String epoch, long now) {
    for (Map.Entry<SlotKey, Meta> e : keys.entrySet()) {
      Meta m = e.getValue();
      if (m.expiresAtMillis <= now) {
        keys.remove(e.getKey());
        continue;
      }
      SlotState s = written.state(e.getKey(), m.bucketMillis, now);
      if (s.equals(SlotState.EMPTY)) {
        continue;
      }
      redis.add(
          epoch,
          e.getKey(),
          s.spentNanos(),
          s.spentTokens(),
          s.spentRequests(),
          s.creditNanos(),
          m.bucketMillis,
          m.expiresAtMillis,
          now);
    }
  }

  /** A Redis reservation of this instance. */
  record Open(List<SlotCharge> charges, long expiresAtMillis, String epoch) {}

  private record Meta(long bucketMillis, long expiresAtMillis) {}
}
