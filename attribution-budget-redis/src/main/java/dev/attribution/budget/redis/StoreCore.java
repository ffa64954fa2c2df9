package dev.attribution.budget.redis;

import dev.attribution.api.budget.ReserveResult;
import dev.attribution.api.budget.SlotCharge;
import dev.attribution.api.budget.SlotKey;
import dev.attribution.api.budget.SlotState;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The work behind {@link RedisBudgetStore}: routes each operation to a lease ({@link LeaseBook}),
 * to Redis ({@link RedisCommands}) or, while disconnected, to the failure mode (refuse, or the
 * {@link FailOpenShadow}); journals what cannot reach Redis ({@link SettlementJournal}); and runs
 * the probe thread that reconnects, writes back after a data loss ({@link SpendLedger}), replays
 * the journal and keeps leases fresh. The semantics are documented on {@link RedisBudgetStore}.
 */
final class StoreCore {

  private final RedisCommands redis;
  private final ConnectionState conn;
  private final RedisBudgetStore.FailureMode failureMode;
  private final Clock clock;
  private final FailOpenShadow shadow;
  private final SettlementJournal journal;
  private final SpendLedger ledger;
  private final @Nullable LeaseBook leases;
  private final ScheduledExecutorService maintenance;

  private final AtomicLong refusedWhileDisconnected = new AtomicLong();
  private final AtomicLong restores = new AtomicLong();
  private final AtomicLong eventsSuppressed = new AtomicLong();

  StoreCore(
      RedisCommands redis,
      ConnectionState conn,
      RedisBudgetStore.FailureMode failureMode,
      Clock clock,
      int maxJournal,
      long probeMillis,
      @Nullable LeaseSettings lease) {
    this.redis = redis;
    this.conn = conn;
    this.failureMode = failureMode;
    this.clock = clock;
    this.shadow = new FailOpenShadow(clock);
    this.journal = new SettlementJournal(maxJournal, conn.warnings);
    this.ledger = new SpendLedger(clock);
    this.leases =
        lease == null
            ? null
            : new LeaseBook(this, lease.nanos(), lease.tokens(), lease.requests(), lease.millis());
    redis.preload();
    try {
      redis.epoch(redis.joinEpoch());
      conn.startConnected();
    } catch (RuntimeException e) {
      conn.startDisconnected(e);
    }
    this.maintenance =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "attribution-redis-budget");
              t.setDaemon(true);
              return t;
            });
    maintenance.scheduleWithFixedDelay(
        this::maintain, probeMillis, probeMillis, TimeUnit.MILLISECONDS);
  }

  /** Lease mode's sizes, already validated and clamped. */
  record LeaseSettings(long nanos, long tokens, long requests, long millis) {}

  boolean connected() {
    return conn.connected();
  }

  // ---------------------------------------------------------------------------------------------
  // BudgetStore operations

  ReserveResult reserve(
      String reservationId, List<SlotCharge> charges, long nowMillis, long expiresAtMillis) {
    if (charges.isEmpty()) {
      throw new IllegalArgumentException("charges: at least one is required");
    }
    if (conn.connected() || leases != null) {
      try {
        if (leases != null) {
          ReserveResult local =
              leases.tryReserve(reservationId, charges, nowMillis, expiresAtMillis);
          if (local != null) {
            return local;
          }
          if (!conn.connected()) {
            return disconnectedReserve(reservationId, charges, nowMillis, expiresAtMillis);
          }
        }
        return reserveInRedis(reservationId, charges, nowMillis, expiresAtMillis, false);
      } catch (RedisCommands.EpochChanged e) {
        conn.dataLost();
      } catch (IllegalArgumentException e) {
        throw e;
      } catch (RuntimeException e) {
        conn.disconnect(e.toString());
        // The reservation may have been made before the reply was lost: release it on replay.
        journal.add(new SettlementJournal.Release(reservationId));
      }
    }
    return disconnectedReserve(reservationId, charges, nowMillis, expiresAtMillis);
  }

  boolean settle(String reservationId, long nanos, long tokens, long requests, long nowMillis) {
    long n = RedisCommands.clamp(nanos);
    long t = RedisCommands.clamp(tokens);
    long q = RedisCommands.clamp(requests);
    if (leases != null) {
      Boolean local = leases.settleLocal(reservationId, n, t, q, nowMillis);
      if (local != null) {
        return local;
      }
    }
    if (shadow.settle(reservationId, n, t, q, nowMillis, journal)) {
      return true;
    }
    return settleInRedis(reservationId, n, t, q, nowMillis, false);
  }

  /**
   * Settles a Redis reservation, or journals the settlement if Redis is unreachable. {@code replay}
   * (lease returns) charges the amounts even if the reservation expired meanwhile.
   */
  boolean settleInRedis(
      String reservationId, long n, long t, long q, long nowMillis, boolean replay) {
    SpendLedger.Open o = ledger.take(reservationId);
    if (conn.connected()) {
      try {
        long r = redis.settle(reservationId, n, t, q, nowMillis, replay);
        if (r == -1) {
          throw new RedisCommands.EpochChanged();
        }
        if ((r == 1 || r == 2) && o != null) {
          ledger.record(o.charges(), n, t, q, nowMillis);
        }
        return r == 1 || r == 2;
      } catch (RedisCommands.EpochChanged e) {
        conn.dataLost();
      } catch (RuntimeException e) {
        conn.disconnect(e.toString());
      }
    }
    if (o == null) {
      return false;
    }
    journal.add(new SettlementJournal.Settle(reservationId, o, n, t, q, nowMillis));
    return true;
  }

  int expireReservations(long nowMillis) {
    int removed = shadow.expire(nowMillis);
    ledger.expire(nowMillis);
    if (leases != null) {
      removed += leases.expireLocal(nowMillis);
    }
    if (!conn.connected()) {
      return removed;
    }
    if (leases != null) {
      leases.maintain(nowMillis);
    }
    try {
      return removed + redis.expire(nowMillis);
    } catch (RuntimeException e) {
      conn.disconnect(e.toString());
      return removed;
    }
  }

  SlotState state(SlotKey key, long bucketMillis, long nowMillis) {
    if (conn.connected()) {
      try {
        return redis.state(key, bucketMillis, nowMillis);
      } catch (RuntimeException e) {
        conn.disconnect(e.toString());
      }
    }
    if (failureMode == RedisBudgetStore.FailureMode.FAIL_CLOSED) {
      throw conn.unavailable();
    }
    return shadow.state(key, bucketMillis, nowMillis);
  }

  /** Adds spent amounts and credit to a counter; throws while disconnected. */
  void add(
      SlotKey key,
      long n,
      long t,
      long q,
      long credit,
      long bucketMillis,
      long expiresAtMillis,
      long nowMillis) {
    if (!conn.connected()) {
      throw conn.unavailable();
    }
    long r;
    try {
      r = redis.add(redis.epoch(), key, n, t, q, credit, bucketMillis, expiresAtMillis, nowMillis);
    } catch (RuntimeException e) {
      conn.disconnect(e.toString());
      throw conn.unavailable();
    }
    if (r == -1) {
      conn.dataLost();
      throw conn.unavailable();
    }
    ledger.record(key, n, t, q, credit, bucketMillis, expiresAtMillis, nowMillis);
  }

  void close() {
    maintenance.shutdownNow();
    try {
      maintenance.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (leases != null) {
      leases.returnAll(clock.millis());
    }
    if (!journal.isEmpty()) {
      maintain();
    }
    if (journal.size() > 0) {
      conn.warnings.warn(
          "Redis budget store closed with {} settlements not written to Redis", journal.size());
    }
    redis.close();
  }

  // ---------------------------------------------------------------------------------------------
  // For LeaseBook and SharedEventListener

  /** Reserves in Redis and notes the reservation and the states seen; see {@link #reserve}. */
  ReserveResult reserveInRedis(
      String id, List<SlotCharge> charges, long now, long expiresAt, boolean force) {
    String epoch = redis.epoch();
    ReserveResult r = redis.reserve(id, charges, now, expiresAt, force);
    shadow.remember(charges, r.states());
    if (r.reserved()) {
      ledger.opened(id, charges, expiresAt, epoch);
    }
    return r;
  }

  /**
   * Adds amounts (a late settle's difference to what its expiry charged; may be negative) to every
   * counter of {@code charges}, or journals them while Redis is unreachable.
   */
  void correct(List<SlotCharge> charges, long n, long t, long q, long now) {
    if (n == 0 && t == 0 && q == 0) {
      return;
    }
    SettlementJournal.AddSpent add = new SettlementJournal.AddSpent(charges, n, t, q, now);
    if (conn.connected()) {
      try {
        add.apply(redis, ledger, clock);
        return;
      } catch (RedisCommands.EpochChanged e) {
        conn.dataLost();
      } catch (RuntimeException e) {
        conn.disconnect(e.toString());
      }
    }
    journal.add(add);
  }

  /** Marks a shared event as fired; {@code true} if this instance is the first (or on failure). */
  boolean fireOnce(String member, long ttlMillis) {
    try {
      boolean first = redis.fireOnce(member, ttlMillis);
      if (!first) {
        eventsSuppressed.incrementAndGet();
      }
      return first;
    } catch (RuntimeException e) {
      conn.failed();
      conn.warnings.warn(
          "Redis budget store could not share an event; forwarding it: {}", e.toString());
      return true;
    }
  }

  RedisBudgetStore.Stats stats() {
    return new RedisBudgetStore.Stats(
        conn.redisFailures.get(),
        conn.disconnects.get(),
        shadow.admissions.get(),
        refusedWhileDisconnected.get(),
        journal.size(),
        journal.replayed.get(),
        journal.dropped.get(),
        restores.get(),
        eventsSuppressed.get(),
        leases == null ? 0 : leases.localAdmissions.get(),
        leases == null ? 0 : leases.grants.get());
  }

  // ---------------------------------------------------------------------------------------------
  // Disconnected operation and the probe thread

  private ReserveResult disconnectedReserve(
      String id, List<SlotCharge> charges, long now, long expiresAt) {
    if (failureMode == RedisBudgetStore.FailureMode.FAIL_CLOSED) {
      refusedWhileDisconnected.incrementAndGet();
      throw conn.unavailable();
    }
    return shadow.reserve(id, charges, now, expiresAt);
  }

  /** Probe thread: reconnects and reconciles, replays the journal, keeps leases fresh. */
  private void maintain() {
    try {
      if (!conn.connected()) {
        recover();
      } else if (!journal.isEmpty()) {
        if (!conn.recoverLock.tryLock()) {
          return;
        }
        try {
          journal.drain(redis, ledger, clock);
        } finally {
          conn.recoverLock.unlock();
        }
      }
      long now = clock.millis();
      if (leases != null && conn.connected()) {
        leases.maintain(now);
      }
      ledger.prune(now);
    } catch (RedisCommands.EpochChanged e) {
      conn.dataLost();
    } catch (RuntimeException e) {
      if (conn.connected()) {
        conn.disconnect(e.toString());
        return;
      }
      conn.failed();
      conn.warnings.warn("Redis budget store maintenance failed: {}", e.toString());
    }
  }

  private void recover() {
    conn.recoverLock.lock();
    try {
      if (conn.connected()) {
        return;
      }
      String current;
      try {
        current = redis.joinEpoch();
      } catch (RuntimeException e) {
        return; // still down
      }
      long now = clock.millis();
      if (!current.equals(redis.epoch())) {
        restore(current, now);
      }
      try {
        journal.drain(redis, ledger, clock);
        shadow.migrate(now, (id, charges, t, exp) -> reserveInRedis(id, charges, t, exp, true));
        journal.drain(redis, ledger, clock);
      } catch (RuntimeException e) {
        conn.failed();
        return;
      }
      shadow.reset();
      conn.reconnected(
          "Redis budget store reconnected; "
              + journal.replayed.get()
              + " settlements replayed so far");
    } finally {
      conn.recoverLock.unlock();
    }
  }

  /** Redis lost its data: write back this instance's spend and re-reserve its open reservations. */
  private void restore(String newEpoch, long now) {
    restores.incrementAndGet();
    ledger.writeBack(redis, newEpoch, now);
    redis.epoch(newEpoch);
    for (Map.Entry<String, SpendLedger.Open> e : ledger.open().entrySet()) {
      SpendLedger.Open o = e.getValue();
      if (o.expiresAtMillis() > now) {
        reserveInRedis(e.getKey(), o.charges(), now, o.expiresAtMillis(), true);
      }
    }
  }
}
