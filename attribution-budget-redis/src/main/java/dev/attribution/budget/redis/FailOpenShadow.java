package dev.attribution.budget.redis;

import dev.attribution.api.budget.InMemoryBudgetStore;
import dev.attribution.api.budget.ReserveResult;
import dev.attribution.api.budget.SlotCharge;
import dev.attribution.api.budget.SlotKey;
import dev.attribution.api.budget.SlotState;
import java.time.Clock;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The local in-memory store that admits calls in {@link RedisBudgetStore.FailureMode#FAIL_OPEN}
 * while Redis cannot be reached. Each counter starts from the last state this instance saw in Redis
 * ({@link #remember}); a call it admitted journals its spend for Redis when it settles, and calls
 * still open when Redis returns are moved there ({@link #migrate}).
 */
final class FailOpenShadow {

  private static final int MAX_LAST_KNOWN = 100_000;

  private final Clock clock;
  private volatile InMemoryBudgetStore shadow;
  private final Map<String, ShadowRes> open = new ConcurrentHashMap<>();
  private final Map<SlotKey, Boolean> seeded = new ConcurrentHashMap<>();
  private final Map<SlotKey, SlotState> lastKnown = new ConcurrentHashMap<>();

  final AtomicLong admissions = new AtomicLong();

  FailOpenShadow(Clock clock) {
    this.clock = clock;
    this.shadow = InMemoryBudgetStore.create(clock);
  }

  /** Notes the states Redis reported for {@code charges}: where the shadow would start. */
  void remember(List<SlotCharge> charges, List<SlotState> states) {
    for (int i = 0; i < states.size(); i++) {
      if (lastKnown.size() >= MAX_LAST_KNOWN) {
        lastKnown.clear(); // a rough bound; it only seeds the shadow
      }
      lastKnown.put(charges.get(i).key(), states.get(i));
    }
  }

  /** Reserves in the shadow, seeding each counter from its last known state on first use. */
  ReserveResult reserve(String id, List<SlotCharge> charges, long now, long expiresAt) {
    InMemoryBudgetStore s = shadow;
    for (SlotCharge c : charges) {
      seeded.computeIfAbsent(
          c.key(),
          k -> {
            SlotState last = lastKnown.get(k);
            long exp = Math.max(c.expiresAtMillis(), expiresAt);
            if (last != null) {
              s.addSpent(
                  k,
                  last.usedNanos(),
                  last.usedTokens(),
                  last.usedRequests(),
                  c.bucketMillis(),
                  exp,
                  now);
              if (last.creditNanos() > 0) {
                s.topUp(k, last.creditNanos(), exp, now);
              }
            }
            return Boolean.TRUE;
          });
    }
    ReserveResult r = s.reserve(id, charges, now, expiresAt);
    if (r.reserved()) {
      admissions.incrementAndGet();
      open.put(id, new ShadowRes(id, charges, expiresAt));
    }
    return r;
  }

  /**
   * Settles {@code id} if the shadow admitted it and it was not moved to Redis: journals its spend
   * for Redis and returns {@code true}; {@code false} if it is not the shadow's.
   */
  boolean settle(String id, long n, long t, long q, long now, SettlementJournal journal) {
    ShadowRes sr = open.get(id);
    if (sr == null) {
      return false;
    }
    synchronized (sr) {
      if (sr.migrated) {
        return false;
      }
      open.remove(id);
      sr.done = true;
      shadow.settle(id, n, t, q, now);
      journal.add(new SettlementJournal.AddSpent(sr.charges, n, t, q, now));
      return true;
    }
  }

  /** Expires shadow reservations; keeps each a day past expiry so a late settle still counts. */
  int expire(long now) {
    for (Iterator<Map.Entry<String, ShadowRes>> it = open.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, ShadowRes> e = it.next();
      // Kept a day past expiry (the shadow charged it in full) so a late settle still reaches
      // Redis with the real cost.
      if (e.getValue().expiresAtMillis <= now - RedisCommands.TOMBSTONE_MILLIS) {
        it.remove();
      }
    }
    return shadow.expireReservations(now);
  }

  /** The shadow's state of a counter it used, else the last state seen in Redis. */
  SlotState state(SlotKey key, long bucketMillis, long now) {
    if (seeded.containsKey(key)) {
      return shadow.state(key, bucketMillis, now);
    }
    return lastKnown.getOrDefault(key, SlotState.EMPTY);
  }

  /** What moves a shadow reservation to Redis. */
  interface Migrator {
    void reserve(String id, List<SlotCharge> charges, long now, long expiresAt);
  }

  /** Moves every open shadow reservation to Redis (forced, caps not checked). */
  void migrate(long now, Migrator to) {
    for (ShadowRes sr : open.values()) {
      synchronized (sr) {
        if (sr.done || sr.migrated) {
          continue;
        }
        to.reserve(sr.id, sr.charges, now, sr.expiresAtMillis);
        sr.migrated = true;
        open.remove(sr.id);
      }
    }
  }

  /** Starts afresh once Redis is used again (open reservations stay for a late settle). */
  void reset() {
    shadow = InMemoryBudgetStore.create(clock);
    seeded.clear();
  }

  /** A reservation admitted by the shadow. Guarded by itself. */
  static final class ShadowRes {
    final String id;
    final List<SlotCharge> charges;
    final long expiresAtMillis;
    boolean migrated;
    boolean done;

    ShadowRes(String id, List<SlotCharge> charges, long expiresAtMillis) {
      this.id = id;
      this.charges = charges;
      this.expiresAtMillis = expiresAtMillis;
    }
  }
}
