package dev.attribution.api.budget;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The default {@link BudgetStore}: counters in this JVM's memory, lost on restart (seed them, see
 * {@link BudgetSeedSource}).
 *
 * <p>Counters sit in a Caffeine cache and disappear once their period is over (plus the grace the
 * engine adds), timed by the given clock. Each counter has its own lock; a reservation locks its
 * counters in a fixed global order, so reservations on different counters never contend and
 * reservations sharing counters cannot deadlock. Not shared between replicas: N replicas with this
 * store enforce N caps.
 */
public final class InMemoryBudgetStore implements BudgetStore {

  private static final AtomicLong SLOT_IDS = new AtomicLong();

  /** How long after expiry a late settle still corrects a reservation: {@value} ms (a day). */
  static final long TOMBSTONE_MILLIS = 86_400_000L;

  private final Cache<SlotKey, Slot> slots;
  private final Map<String, Held> reservations = new ConcurrentHashMap<>();
  // Reservations that expired (charged in full), kept a while so a late settle can correct them.
  private final Map<String, Held> expired = new ConcurrentHashMap<>();

  private final AtomicLong evicted = new AtomicLong();

  private InMemoryBudgetStore(Clock clock, long maxCounters) {
    Objects.requireNonNull(clock, "clock");
    Caffeine<Object, Object> b =
        Caffeine.newBuilder().ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()));
    if (maxCounters < Long.MAX_VALUE) {
      this.slots =
          b.maximumSize(maxCounters)
              .executor(Runnable::run)
              .<SlotKey, Slot>removalListener(
                  (k, v, cause) -> {
                    if (cause == com.github.benmanes.caffeine.cache.RemovalCause.SIZE) {
                      evicted.incrementAndGet();
                    }
                  })
              .expireAfter(new SlotExpiry(clock))
              .build();
    } else {
      this.slots = b.expireAfter(new SlotExpiry(clock)).build();
    }
  }

  /**
   * A new, empty store whose counters expire by {@code clock} (use the engine's clock), holding
   * every counter until its period is over.
   */
  public static InMemoryBudgetStore create(Clock clock) {
    return new InMemoryBudgetStore(clock, Long.MAX_VALUE);
  }

  /**
   * A new, empty store holding at most {@code maxCounters} counters: beyond that the least recently
   * used are evicted (counted by {@link #evictedCounters()}) and their spend is forgotten, so their
   * scope value can spend up to its limit again this period.
   *
   * @throws IllegalArgumentException if {@code maxCounters} is below 1
   */
  public static InMemoryBudgetStore create(Clock clock, long maxCounters) {
    if (maxCounters < 1) {
      throw new IllegalArgumentException("maxCounters: must be at least 1, was " + maxCounters);
    }
    return new InMemoryBudgetStore(clock, maxCounters);
  }

  /** How many counters were evicted because the store held its maximum. */
  public long evictedCounters() {
    return evicted.get();
  }

  /** How many counters the store holds now; for tests and diagnostics. */
  public long counters() {
    slots.cleanUp();
    return slots.estimatedSize();
  }

  @Override
  public ReserveResult reserve(
      String reservationId, List<SlotCharge> charges, long nowMillis, long expiresAtMillis) {
    int n = charges.size();
    Slot[] locked = new Slot[n];
    for (int i = 0; i < n; i++) {
      SlotCharge c = charges.get(i);
      locked[i] = slot(c.key(), c.bucketMillis(), Math.max(c.expiresAtMillis(), expiresAtMillis));
    }
    Slot[] order = sorted(locked);
    for (Slot s : order) {
      s.lock();
    }
    try {
      int rejected = -1;
      for (int i = 0; i < n; i++) {
        Slot s = locked[i];
        s.advance(nowMillis);
        // The snapshot does not escape here (the JIT elides it); the states returned are taken
        // once below, under the same locks, so an admitted call builds one per counter, not two.
        if (rejected < 0 && !charges.get(i).fits(s.snapshot())) {
          rejected = i;
        }
      }
      List<SlotState> states = new ArrayList<>(n);
      if (rejected >= 0) {
        for (int i = 0; i < n; i++) {
          states.add(locked[i].snapshot());
        }
        return new ReserveResult(false, rejected, states);
      }
      long[] amounts = new long[n * 3];
      for (int i = 0; i < n; i++) {
        SlotCharge c = charges.get(i);
        Slot s = locked[i];
        s.reservedNanos = SlotState.sat(s.reservedNanos, c.nanos());
        s.reservedTokens = SlotState.sat(s.reservedTokens, c.tokens());
        s.reservedRequests = SlotState.sat(s.reservedRequests, c.requests());
        s.extend(Math.max(c.expiresAtMillis(), expiresAtMillis));
        amounts[3 * i] = c.nanos();
        amounts[3 * i + 1] = c.tokens();
        amounts[3 * i + 2] = c.requests();
        states.add(s.snapshot());
      }
      if (reservations.putIfAbsent(reservationId, new Held(order, locked, amounts, expiresAtMillis))
          != null) {
        undo(locked, amounts);
        throw new IllegalArgumentException("reservation id already in use: " + reservationId);
      }
      return new ReserveResult(true, -1, states);
    } finally {
      for (int i = order.length - 1; i >= 0; i--) {
        order[i].unlock();
      }
    }
  }

  private static void undo(Slot[] slots, long[] amounts) {
    for (int i = 0; i < slots.length; i++) {
      slots[i].reservedNanos -= amounts[3 * i];
      slots[i].reservedTokens -= amounts[3 * i + 1];
      slots[i].reservedRequests -= amounts[3 * i + 2];
    }
  }

  @Override
  public boolean settle(
      String reservationId, long nanos, long tokens, long requests, long nowMillis) {
    Held h = reservations.remove(reservationId);
    if (h != null) {
      h.apply(nanos, tokens, requests, nowMillis);
      return true;
    }
    h = expired.remove(reservationId);
    if (h != null) {
      h.correct(nanos, tokens, requests, nowMillis);
      return true;
    }
    return false;
  }

  @Override
  public int expireReservations(long nowMillis) {
    int removed = 0;
    for (Map.Entry<String, Held> e : reservations.entrySet()) {
      Held h = e.getValue();
      if (h.expiresAtMillis <= nowMillis && reservations.remove(e.getKey(), h)) {
        h.chargeReserved(nowMillis);
        expired.put(e.getKey(), h);
        removed++;
      }
    }
    expired.values().removeIf(h -> SlotState.sat(h.expiresAtMillis, TOMBSTONE_MILLIS) <= nowMillis);
    return removed;
  }

  @Override
  public SlotState state(SlotKey key, long bucketMillis, long nowMillis) {
    Slot s = slots.getIfPresent(key);
    if (s == null) {
      return SlotState.EMPTY;
    }
    s.lock();
    try {
      s.advance(nowMillis);
      return s.snapshot();
    } finally {
      s.unlock();
    }
  }

  @Override
  public void addSpent(
      SlotKey key,
      long nanos,
      long tokens,
      long requests,
      long bucketMillis,
      long expiresAtMillis,
      long nowMillis) {
    Slot s = slot(key, bucketMillis, expiresAtMillis);
    s.lock();
    try {
      s.advance(nowMillis);
      s.addSpent(nanos, tokens, requests, nowMillis);
      s.extend(expiresAtMillis);
    } finally {
      s.unlock();
    }
  }

  @Override
  public void topUp(SlotKey key, long nanos, long expiresAtMillis, long nowMillis) {
    Slot s = slot(key, 0, expiresAtMillis);
    s.lock();
    try {
      s.creditNanos = SlotState.sat(s.creditNanos, nanos);
    } finally {
      s.unlock();
    }
  }

  /** Number of open reservations; for tests and diagnostics. */
  public int openReservations() {
    return reservations.size();
  }

  private Slot slot(SlotKey key, long bucketMillis, long expiresAtMillis) {
    Slot s = slots.getIfPresent(key);
    if (s != null) {
      return s;
    }
    return slots.get(key, k -> new Slot(bucketMillis, expiresAtMillis));
  }

  /** The slots in lock order; one slot (the common case) is already in order, so no copy. */
  private static Slot[] sorted(Slot[] slots) {
    if (slots.length < 2) {
      return slots;
    }
    Slot[] out = slots.clone();
    for (int i = 1; i < out.length; i++) {
      Slot x = out[i];
      int j = i - 1;
      while (j >= 0 && out[j].id > x.id) {
        out[j + 1] = out[j];
        j--;
      }
      out[j + 1] = x;
    }
    return out;
  }

  /** An open reservation: its counters (in lock order and in charge order) and amounts. */
  private static final class Held {
    final Slot[] order;
    final Slot[] slots;
    final long[] amounts;
    final long expiresAtMillis;

    Held(Slot[] order, Slot[] slots, long[] amounts, long expiresAtMillis) {
      this.order = order;
      this.slots = slots;
      this.amounts = amounts;
      this.expiresAtMillis = expiresAtMillis;
    }

    void apply(long nanos, long tokens, long requests, long nowMillis) {
      // Every call settles here: a plain loop rather than update(), whose lambda would capture
      // the four amounts (one object per settle).
      for (Slot s : order) {
        s.lock();
      }
      try {
        for (int i = 0; i < slots.length; i++) {
          Slot s = slots[i];
          s.advance(nowMillis);
          release(s, i);
          s.addSpent(nanos, tokens, requests, nowMillis);
        }
      } finally {
        for (int i = order.length - 1; i >= 0; i--) {
          order[i].unlock();
        }
      }
    }

    /** Expiry: each counter's reserved amounts become spent (the call may have happened). */
    void chargeReserved(long nowMillis) {
      update(
          nowMillis,
          (s, i) -> {
            release(s, i);
            s.addSpent(amounts[3 * i], amounts[3 * i + 1], amounts[3 * i + 2], nowMillis);
          });
    }

    /** A late settle: replaces the amounts charged at expiry by the actual ones. */
    void correct(long nanos, long tokens, long requests, long nowMillis) {
      update(
          nowMillis,
          (s, i) ->
              s.addSpent(
                  nanos - amounts[3 * i],
                  tokens - amounts[3 * i + 1],
                  requests - amounts[3 * i + 2],
                  nowMillis));
    }

    private void release(Slot s, int i) {
      s.reservedNanos -= amounts[3 * i];
      s.reservedTokens -= amounts[3 * i + 1];
      s.reservedRequests -= amounts[3 * i + 2];
    }

    /** Runs {@code op} on each counter (with its charge index) under all their locks. */
    private void update(long nowMillis, java.util.function.ObjIntConsumer<Slot> op) {
      for (Slot s : order) {
        s.lock();
      }
      try {
        for (int i = 0; i < slots.length; i++) {
          slots[i].advance(nowMillis);
          op.accept(slots[i], i);
        }
      } finally {
        for (int i = order.length - 1; i >= 0; i--) {
          order[i].unlock();
        }
      }
    }
  }

  /** One counter. Guarded by its own lock (it is the lock). */
  @SuppressWarnings("serial")
  static final class Slot extends ReentrantLock {
    final long id = SLOT_IDS.incrementAndGet();
    final long bucketMillis;
    volatile long expiresAtMillis;
    long spentNanos;
    long reservedNanos;
    long spentTokens;
    long reservedTokens;
    long spentRequests;
    long reservedRequests;
    long creditNanos;
    // Rolling windows only: per-bucket settled amounts and the newest bucket index seen.
    final long[] bucketNanos;
    final long[] bucketTokens;
    final long[] bucketRequests;
    long lastBucket = Long.MIN_VALUE;

    Slot(long bucketMillis, long expiresAtMillis) {
      this.bucketMillis = bucketMillis;
      this.expiresAtMillis = expiresAtMillis;
      int n = bucketMillis > 0 ? BudgetStore.ROLLING_BUCKETS : 0;
      this.bucketNanos = new long[n];
      this.bucketTokens = new long[n];
      this.bucketRequests = new long[n];
    }

    void extend(long until) {
      if (until > expiresAtMillis) {
        expiresAtMillis = until;
      }
    }

    /** Rolling windows: drops buckets that slid out of the window by {@code nowMillis}. */
    void advance(long nowMillis) {
      if (bucketMillis <= 0) {
        return;
      }
      long idx = Math.floorDiv(nowMillis, bucketMillis);
      if (lastBucket == Long.MIN_VALUE) {
        lastBucket = idx;
        return;
      }
      if (idx <= lastBucket) {
        return;
      }
      int n = BudgetStore.ROLLING_BUCKETS;
      long steps = Math.min(idx - lastBucket, n);
      for (long j = 1; j <= steps; j++) {
        int b = (int) Math.floorMod(lastBucket + j, (long) n);
        spentNanos -= bucketNanos[b];
        spentTokens -= bucketTokens[b];
        spentRequests -= bucketRequests[b];
        bucketNanos[b] = 0;
        bucketTokens[b] = 0;
        bucketRequests[b] = 0;
      }
      lastBucket = idx;
    }

    void addSpent(long nanos, long tokens, long requests, long nowMillis) {
      if (bucketMillis > 0) {
        long idx = Math.floorDiv(nowMillis, bucketMillis);
        if (idx <= lastBucket - BudgetStore.ROLLING_BUCKETS) {
          return; // already outside the window
        }
        int b = (int) Math.floorMod(Math.min(idx, lastBucket), (long) BudgetStore.ROLLING_BUCKETS);
        bucketNanos[b] = SlotState.sat(bucketNanos[b], nanos);
        bucketTokens[b] = SlotState.sat(bucketTokens[b], tokens);
        bucketRequests[b] = SlotState.sat(bucketRequests[b], requests);
      }
      spentNanos = SlotState.sat(spentNanos, nanos);
      spentTokens = SlotState.sat(spentTokens, tokens);
      spentRequests = SlotState.sat(spentRequests, requests);
    }

    SlotState snapshot() {
      return new SlotState(
          spentNanos,
          reservedNanos,
          spentTokens,
          reservedTokens,
          spentRequests,
          reservedRequests,
          creditNanos);
    }
  }

  /** Expires a counter at its own {@code expiresAtMillis}, refreshed on every access. */
  private static final class SlotExpiry implements Expiry<SlotKey, Slot> {
    private final Clock clock;

    SlotExpiry(Clock clock) {
      this.clock = clock;
    }

    private long remaining(Slot s) {
      if (s.expiresAtMillis == Long.MAX_VALUE) {
        return Long.MAX_VALUE;
      }
      long ms = s.expiresAtMillis - clock.millis();
      return ms <= 0 ? 0 : TimeUnit.MILLISECONDS.toNanos(Math.min(ms, Long.MAX_VALUE / 2_000_000));
    }

    @Override
    public long expireAfterCreate(SlotKey key, Slot value, long currentTime) {
      return remaining(value);
    }

    @Override
    public long expireAfterUpdate(SlotKey key, Slot value, long currentTime, long currentDuration) {
      return remaining(value);
    }

    @Override
    public long expireAfterRead(SlotKey key, Slot value, long currentTime, long currentDuration) {
      return remaining(value);
    }
  }
}
