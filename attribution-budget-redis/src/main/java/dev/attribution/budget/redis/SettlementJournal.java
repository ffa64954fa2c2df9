package dev.attribution.budget.redis;

import dev.attribution.api.budget.SlotCharge;
import dev.attribution.api.internal.RateLimitedLogger;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes that could not reach Redis, in order, up to a bound (beyond it they are dropped and
 * counted). The probe thread replays them when Redis is reachable again ({@link #drain}); an entry
 * leaves the journal only once Redis took it, so a failure half-way leaves the rest for the next
 * attempt.
 */
final class SettlementJournal {

  private final int max;
  private final RateLimitedLogger warnings;
  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  final AtomicLong replayed = new AtomicLong();
  final AtomicLong dropped = new AtomicLong();

  SettlementJournal(int max, RateLimitedLogger warnings) {
    this.max = max;
    this.warnings = warnings;
  }

  /** Journals {@code p}, or drops and counts it if the journal is full. */
  void add(Pending p) {
    if (size.incrementAndGet() > max) {
      size.decrementAndGet();
      dropped.incrementAndGet();
      warnings.warn("Redis budget store journal full ({}); a settlement was dropped", max);
      return;
    }
    queue.add(p);
  }

  int size() {
    return size.get();
  }

  boolean isEmpty() {
    return queue.isEmpty();
  }

  /**
   * Replays every entry into Redis. Caller holds the connection's recover lock.
   *
   * @throws RuntimeException from Redis; the failed entry and those after it stay
   */
  void drain(RedisCommands redis, SpendLedger ledger, Clock clock) {
    Pending p;
    while ((p = queue.peek()) != null) {
      p.apply(redis, ledger, clock);
      queue.poll();
      size.decrementAndGet();
      replayed.incrementAndGet();
    }
  }

  /** Something to write to Redis once it is reachable. */
  interface Pending {
    void apply(RedisCommands redis, SpendLedger ledger, Clock clock);
  }

  /** A settle of a Redis reservation that could not reach Redis. */
  record Settle(String id, SpendLedger.Open o, long n, long t, long q, long now)
      implements Pending {
    @Override
    public void apply(RedisCommands redis, SpendLedger ledger, Clock clock) {
      if (!o.epoch().equals(redis.epoch())) {
        // Redis lost the reservation with its data: charge the counters directly.
        new AddSpent(o.charges(), n, t, q, now).apply(redis, ledger, clock);
        return;
      }
      long r = redis.settle(id, n, t, q, now, true);
      if (r == -1) {
        throw new RedisCommands.EpochChanged();
      }
      ledger.record(o.charges(), n, t, q, now);
    }
  }

  /**
   * Spend of a call the shadow admitted (or of a reservation Redis lost, or the correction of a
   * late settle): added to every counter of {@code charges}.
   */
  record AddSpent(List<SlotCharge> charges, long n, long t, long q, long now) implements Pending {
    @Override
    public void apply(RedisCommands redis, SpendLedger ledger, Clock clock) {
      redis.addAll(charges, n, t, q, now);
      ledger.record(charges, n, t, q, now);
    }
  }

  /** Releases a reservation whose reply was lost (no-op if it was never made). */
  record Release(String id) implements Pending {
    @Override
    public void apply(RedisCommands redis, SpendLedger ledger, Clock clock) {
      redis.settle(id, 0, 0, 0, clock.millis(), false);
    }
  }
}
