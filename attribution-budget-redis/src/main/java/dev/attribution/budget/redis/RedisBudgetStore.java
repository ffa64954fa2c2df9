package dev.attribution.budget.redis;

import dev.attribution.api.BudgetEvent;
import dev.attribution.api.BudgetListener;
import dev.attribution.api.budget.BudgetStore;
import dev.attribution.api.budget.InMemoryBudgetStore;
import dev.attribution.api.budget.ReserveResult;
import dev.attribution.api.budget.SlotCharge;
import dev.attribution.api.budget.SlotKey;
import dev.attribution.api.budget.SlotState;
import dev.attribution.api.internal.RateLimitedLogger;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.UnifiedJedis;

/**
 * A {@link BudgetStore} on Redis: every replica of a service that uses the same Redis and key
 * prefix enforces one shared cap.
 *
 * <p><b>Atomicity.</b> Each operation is one Lua script run with EVALSHA (loaded once with SCRIPT
 * LOAD, reloaded on NOSCRIPT): a reservation checks and reserves every matching counter in one
 * round trip, all or nothing; settle and release replace a reservation by actual amounts in one.
 * Counters of a period are keys that expire when the period (plus the engine's grace) is over; the
 * TTL is computed from the engine's clock ({@code expiresAt - now}), so it lands at the same
 * instant on Redis's clock when the two agree. Reservations not settled by their expiry are charged
 * in full by {@link #expireReservations} (the engine calls it about once a second), and a later
 * settle replaces that charge by the real cost (in lease mode the full charge stays).
 *
 * <p><b>When Redis cannot be reached</b> the store switches to {@code DISCONNECTED}, tells the
 * {@linkplain Builder#listener listener} ({@link BudgetEvent.Type#STORE_STATE_CHANGED}) and probes
 * Redis in the background every {@linkplain Builder#probeInterval probe interval}; it does not try
 * Redis on request threads while disconnected. What admission does meanwhile is the {@link
 * FailureMode}:
 *
 * <ul>
 *   <li>{@link FailureMode#FAIL_CLOSED} (the default): {@link #reserve} throws {@link
 *       RedisStoreUnavailableException} and the engine blocks calls under hard budgets (the
 *       engine's {@code failClosed} follows the store; setting it to {@code false} fails its
 *       build).
 *   <li>{@link FailureMode#FAIL_OPEN}: calls are admitted against a local in-memory shadow whose
 *       counters start from the last state this instance saw in Redis (its last reservation there).
 *       Each instance enforces the cap alone against what it last saw, so during an outage the cap
 *       may be overshot by up to the sum of the headroom each instance last saw minus the real
 *       headroom (at most N times the largest; an instance that never touched a counter sees the
 *       whole cap).
 * </ul>
 *
 * <p>In lease mode a live lease keeps admitting locally during an outage until it ages out (the cap
 * still holds: the lease is reserved in Redis); after that the failure mode applies.
 *
 * <p>In both modes settled spend is never lost: settlements that cannot reach Redis are journaled
 * in memory (up to {@linkplain Builder#maxJournal a bound}, beyond which they are dropped and
 * counted) and replayed when Redis returns, together with the spend of calls admitted by the
 * shadow; a settle replayed for a reservation that expired meanwhile still charges. If Redis lost
 * its data (restart without persistence, flush), detected by a random epoch key, each instance
 * writes back the spend and credit it has settled itself in the live periods (kept in a local
 * ledger) and re-reserves its open reservations; counters are exact again once every instance has
 * touched Redis (each does within one probe interval of its next operation). Until then admission
 * may overshoot by the spend of instances that have not written theirs back.
 *
 * <p><b>Lease mode</b> ({@link Builder#lease}) cuts the round trips at high request rates: an
 * instance reserves a slice of headroom (the lease) in Redis for a combination of counters and
 * admits calls on that combination locally while the slice lasts and is younger than the lease
 * duration; the spend is written when the lease is returned (when used up or aged, once its calls
 * settled). Because leases are reserved against the cap in Redis, <b>the cap is never overshot in
 * lease mode</b> (with upper-bound estimates). The price is headroom held idle: other instances may
 * be refused while up to {@code instances × lease size} (plus, per lease retired because it ran
 * short, less than one call's estimate) sits unused in leases; and threshold events see the state
 * as of the lease grant, so they may come early by up to that amount or late by what others spent
 * since the grant.
 *
 * <p><b>Events once across instances.</b> The engine fires each threshold event once per engine;
 * wrap the listener with {@link #sharedListener} so one instance of all forwards it.
 *
 * <pre>{@code
 * RedisBudgetStore store = RedisBudgetStore.builder()
 *     .client(new JedisPooled("redis", 6379), true)
 *     .keyPrefix("myservice:budget:")
 *     .failureMode(RedisBudgetStore.FailureMode.FAIL_CLOSED)
 *     .listener(alerts)
 *     .build();
 * BudgetEngine engine = BudgetEngine.builder()
 *     .budgets(budgets)
 *     .store(store)
 *     .listener(store.sharedListener(alerts))
 *     .build();
 * }</pre>
 *
 * <p>Reservation expiry and period boundaries follow the engines' clocks, so the instances' clocks
 * should agree (NTP); an instance whose clock runs ahead expires others' reservations early.
 *
 * <p>Money must stay below 2^53 nano-units (about 9 million currency units) per counter and call
 * for cap checks to be exact; amounts are clamped there. Keys use the prefix; for Redis Cluster put
 * a hash tag in it (e.g. {@code "{budgets}:"}) so all keys share a slot. Thread-safe.
 */
public final class RedisBudgetStore implements BudgetStore {

  /** What admission does while Redis cannot be reached. */
  public enum FailureMode {
    /** Refuse: {@link #reserve} throws {@link RedisStoreUnavailableException}. */
    FAIL_CLOSED,
    /** Admit against a local in-memory shadow and reconcile when Redis returns. */
    FAIL_OPEN
  }

  /** Whether the store currently reaches Redis. */
  public enum Status {
    /** Operations go to Redis. */
    CONNECTED,
    /** Redis is unreachable (or is being reconciled); the failure mode applies. */
    DISCONNECTED
  }

  private static final long SHADOW_TOMBSTONE_MILLIS = 86_400_000L;

  /** Default key prefix: {@value}. */
  public static final String DEFAULT_PREFIX = "attribution:budget:";

  /** Default probe interval while disconnected, in milliseconds: {@value}. */
  public static final long DEFAULT_PROBE_MILLIS = 500;

  /** Default lease duration in milliseconds: {@value}. */
  public static final long DEFAULT_LEASE_MILLIS = 1_000;

  /** Default bound of the settlement journal: {@value} entries. */
  public static final int DEFAULT_MAX_JOURNAL = 100_000;

  static final long MAX_EXACT = (1L << 53) - 1;
  private static final int EXPIRE_BATCH = 200;
  private static final int MAX_LAST_KNOWN = 100_000;

  private final RedisClient redis;
  private final List<String> keys;
  private final FailureMode failureMode;
  private final Clock clock;
  private final BudgetListener listener;
  private final long probeMillis;
  private final int maxJournal;
  private final String instanceId;
  private final @Nullable LeaseBook leases;

  private final Script reserveScript = new Script(LuaScripts.RESERVE);
  private final Script settleScript = new Script(LuaScripts.SETTLE);
  private final Script expireScript = new Script(LuaScripts.EXPIRE);
  private final Script stateScript = new Script(LuaScripts.STATE);
  private final Script addScript = new Script(LuaScripts.ADD);
  private final Script epochScript = new Script(LuaScripts.EPOCH);
  private final Script fireOnceScript = new Script(LuaScripts.FIRE_ONCE);

  private volatile String epoch = "";
  private volatile boolean connected;
  private final ReentrantLock recoverLock = new ReentrantLock();

  /** Redis reservations made by this instance (including leases): their charges, for recovery. */
  private final Map<String, Open> open = new ConcurrentHashMap<>();

  private final ConcurrentLinkedQueue<Pending> journal = new ConcurrentLinkedQueue<>();
  private final AtomicInteger journalSize = new AtomicInteger();

  // Fail-open shadow.
  private volatile InMemoryBudgetStore shadow;
  private final Map<String, ShadowRes> shadowOpen = new ConcurrentHashMap<>();
  private final Map<SlotKey, Boolean> shadowSeeded = new ConcurrentHashMap<>();
  private final Map<SlotKey, SlotState> lastKnown = new ConcurrentHashMap<>();

  // What this instance has written to Redis in live periods, to write back after a data loss.
  private final InMemoryBudgetStore ledger;
  private final Map<SlotKey, LedgerMeta> ledgerKeys = new ConcurrentHashMap<>();
  private long nextLedgerPrune; // maintenance thread only

  private final AtomicLong redisFailures = new AtomicLong();
  private final AtomicLong disconnects = new AtomicLong();
  private final AtomicLong shadowAdmissions = new AtomicLong();
  private final AtomicLong refusedWhileDisconnected = new AtomicLong();
  private final AtomicLong replayed = new AtomicLong();
  private final AtomicLong journalDropped = new AtomicLong();
  private final AtomicLong restores = new AtomicLong();
  private final AtomicLong eventsSuppressed = new AtomicLong();
  private final AtomicLong listenerFailures = new AtomicLong();

  private final ScheduledExecutorService maintenance;
  private final RateLimitedLogger warnings =
      new RateLimitedLogger(LoggerFactory.getLogger(RedisBudgetStore.class), 60_000);

  private RedisBudgetStore(Builder b, RedisClient client) {
    this.redis = client;
    this.keys = List.of(b.prefix);
    this.failureMode = b.failureMode;
    this.clock = b.clock;
    this.listener = b.listener;
    this.probeMillis = b.probeInterval.toMillis();
    this.maxJournal = b.maxJournal;
    this.instanceId = Long.toHexString(ThreadLocalRandom.current().nextLong());
    this.shadow = InMemoryBudgetStore.create(clock);
    this.ledger = InMemoryBudgetStore.create(clock);
    this.leases =
        b.leaseSize == null
            ? null
            : new LeaseBook(
                this,
                toNanos(b.leaseSize),
                b.leaseTokens,
                b.leaseRequests,
                b.leaseDuration.toMillis());
    for (Script s :
        List.of(
            reserveScript,
            settleScript,
            expireScript,
            stateScript,
            addScript,
            epochScript,
            fireOnceScript)) {
      s.preload(redis);
    }
    try {
      this.epoch = joinEpoch();
      this.connected = true;
    } catch (RuntimeException e) {
      this.connected = false;
      disconnects.incrementAndGet();
      warnings.warn("Redis budget store starts disconnected: {}", e.toString());
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

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------------------------------------
  // BudgetStore

  @Override
  public ReserveResult reserve(
      String reservationId, List<SlotCharge> charges, long nowMillis, long expiresAtMillis) {
    if (charges.isEmpty()) {
      throw new IllegalArgumentException("charges: at least one is required");
    }
    if (connected || leases != null) {
      try {
        if (leases != null) {
          ReserveResult local =
              leases.tryReserve(reservationId, charges, nowMillis, expiresAtMillis);
          if (local != null) {
            return local;
          }
          if (!connected) {
            return disconnectedReserve(reservationId, charges, nowMillis, expiresAtMillis);
          }
        }
        return reserveInRedis(reservationId, charges, nowMillis, expiresAtMillis, false);
      } catch (EpochChanged e) {
        disconnect("Redis lost its budget data");
      } catch (IllegalArgumentException e) {
        throw e;
      } catch (RuntimeException e) {
        disconnect(e.toString());
        // The reservation may have been made before the reply was lost: release it on replay.
        enqueue(new Release(reservationId));
      }
    }
    return disconnectedReserve(reservationId, charges, nowMillis, expiresAtMillis);
  }

  @Override
  public boolean settle(
      String reservationId, long nanos, long tokens, long requests, long nowMillis) {
    long n = clamp(nanos);
    long t = clamp(tokens);
    long q = clamp(requests);
    if (leases != null) {
      Boolean local = leases.settleLocal(reservationId, n, t, q, nowMillis);
      if (local != null) {
        return local;
      }
    }
    ShadowRes sr = shadowOpen.get(reservationId);
    if (sr != null) {
      synchronized (sr) {
        if (!sr.migrated) {
          shadowOpen.remove(reservationId);
          sr.done = true;
          shadow.settle(reservationId, n, t, q, nowMillis);
          enqueue(new AddSpent(sr.charges, n, t, q, nowMillis));
          return true;
        }
      }
    }
    return settleInRedis(reservationId, n, t, q, nowMillis, false);
  }

  /**
   * Settles a Redis reservation, or journals the settlement if Redis is unreachable. {@code replay}
   * (lease returns) charges the amounts even if the reservation expired meanwhile.
   */
  boolean settleInRedis(
      String reservationId, long n, long t, long q, long nowMillis, boolean replay) {
    Open o = open.remove(reservationId);
    if (connected) {
      try {
        long r = settleScript(reservationId, n, t, q, nowMillis, replay);
        if (r == -1) {
          throw new EpochChanged();
        }
        if ((r == 1 || r == 2) && o != null) {
          record(o.charges, n, t, q, 0, nowMillis);
        }
        return r == 1 || r == 2;
      } catch (EpochChanged e) {
        disconnect("Redis lost its budget data");
      } catch (RuntimeException e) {
        disconnect(e.toString());
      }
    }
    if (o == null) {
      return false;
    }
    enqueue(new Settle(reservationId, o, n, t, q, nowMillis));
    return true;
  }

  @Override
  public int expireReservations(long nowMillis) {
    int removed = 0;
    for (Iterator<Map.Entry<String, ShadowRes>> it = shadowOpen.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<String, ShadowRes> e = it.next();
      // Kept a day past expiry (the shadow charged it in full) so a late settle still reaches
      // Redis with the real cost.
      if (e.getValue().expiresAtMillis <= nowMillis - SHADOW_TOMBSTONE_MILLIS) {
        it.remove();
      }
    }
    removed += shadow.expireReservations(nowMillis);
    open.values().removeIf(o -> o.expiresAtMillis <= nowMillis);
    if (leases != null) {
      removed += leases.expireLocal(nowMillis);
    }
    if (!connected) {
      return removed;
    }
    if (leases != null) {
      leases.maintain(nowMillis);
    }
    try {
      while (true) {
        long n =
            toLong(
                expireScript.run(
                    redis,
                    keys,
                    List.of(Long.toString(nowMillis), Integer.toString(EXPIRE_BATCH))));
        removed += (int) n;
        if (n < EXPIRE_BATCH) {
          return removed;
        }
      }
    } catch (RuntimeException e) {
      disconnect(e.toString());
      return removed;
    }
  }

  @Override
  public SlotState state(SlotKey key, long bucketMillis, long nowMillis) {
    if (connected) {
      try {
        Object r =
            stateScript.run(
                redis,
                keys,
                List.of(key.asString(), Long.toString(bucketMillis), Long.toString(nowMillis)));
        List<?> l = (List<?>) r;
        return stateAt(l, 0);
      } catch (RuntimeException e) {
        disconnect(e.toString());
      }
    }
    if (failureMode == FailureMode.FAIL_CLOSED) {
      throw unavailable();
    }
    if (shadowSeeded.containsKey(key)) {
      return shadow.state(key, bucketMillis, nowMillis);
    }
    return lastKnown.getOrDefault(key, SlotState.EMPTY);
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
    add(
        key,
        clamp(nanos),
        clamp(tokens),
        clamp(requests),
        0,
        bucketMillis,
        expiresAtMillis,
        nowMillis);
  }

  @Override
  public void topUp(SlotKey key, long nanos, long expiresAtMillis, long nowMillis) {
    add(key, 0, 0, 0, clamp(nanos), 0, expiresAtMillis, nowMillis);
  }

  private void add(
      SlotKey key,
      long n,
      long t,
      long q,
      long credit,
      long bucketMillis,
      long expiresAtMillis,
      long nowMillis) {
    if (!connected) {
      throw unavailable();
    }
    long r;
    try {
      r = addScript(epoch, key, n, t, q, credit, bucketMillis, expiresAtMillis, nowMillis);
    } catch (RuntimeException e) {
      disconnect(e.toString());
      throw unavailable();
    }
    if (r == -1) {
      disconnect("Redis lost its budget data");
      throw unavailable();
    }
    record(key, n, t, q, credit, bucketMillis, expiresAtMillis, nowMillis);
  }

  /** Returns leases, writes pending settlements if Redis is reachable, stops the probe thread. */
  @Override
  public void close() {
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
    if (journalSize.get() > 0) {
      warnings.warn(
          "Redis budget store closed with {} settlements not written to Redis", journalSize.get());
    }
    redis.close();
  }

  // ---------------------------------------------------------------------------------------------
  // Public extras

  /**
   * Wraps {@code delegate} so each per-period event ({@code THRESHOLD_CROSSED}, {@code BLOCKED},
   * {@code DOWNGRADED}, {@code REROUTED}, {@code PERIOD_RESET}) reaches it from one instance only,
   * whichever marks it first in Redis; other events pass through. Calendar budgets: once per
   * period; rolling and lifetime budgets: at most once a day. If Redis cannot be reached the event
   * is forwarded. Give it to the engine builder's {@code budgetListener}.
   *
   * @param delegate the listener that receives each event once
   */
  public BudgetListener sharedListener(BudgetListener delegate) {
    return new SharedEventListener(this, delegate);
  }

  /** Whether Redis is currently used. */
  public Status status() {
    return connected ? Status.CONNECTED : Status.DISCONNECTED;
  }

  /** The failure mode. */
  public FailureMode failureMode() {
    return failureMode;
  }

  /**
   * {@code true} in {@link FailureMode#FAIL_CLOSED}: an engine over this store blocks hard-capped
   * calls while Redis is unreachable, without its own {@code failClosed} switch.
   */
  @Override
  public boolean failsClosed() {
    return failureMode == FailureMode.FAIL_CLOSED;
  }

  /** Counters, for metrics and tests. */
  public Stats stats() {
    return new Stats(
        redisFailures.get(),
        disconnects.get(),
        shadowAdmissions.get(),
        refusedWhileDisconnected.get(),
        journalSize.get(),
        replayed.get(),
        journalDropped.get(),
        restores.get(),
        eventsSuppressed.get(),
        leases == null ? 0 : leases.localAdmissions.get(),
        leases == null ? 0 : leases.grants.get());
  }

  /**
   * Counters of a {@link RedisBudgetStore}.
   *
   * @param redisFailures Redis operations that failed
   * @param disconnects switches to {@link Status#DISCONNECTED}
   * @param shadowAdmissions reservations admitted by the fail-open shadow
   * @param refusedWhileDisconnected reservations refused by fail-closed while disconnected
   * @param journaled settlements waiting for Redis now
   * @param replayed settlements written to Redis after it returned
   * @param journalDropped settlements dropped because the journal was full
   * @param restores times this instance wrote its spend back after Redis lost its data
   * @param eventsSuppressed events dropped by {@link #sharedListener} because another instance sent
   *     them
   * @param leaseAdmissions reservations admitted locally from a lease
   * @param leaseGrants leases taken from Redis
   */
  public record Stats(
      long redisFailures,
      long disconnects,
      long shadowAdmissions,
      long refusedWhileDisconnected,
      long journaled,
      long replayed,
      long journalDropped,
      long restores,
      long eventsSuppressed,
      long leaseAdmissions,
      long leaseGrants) {}

  // ---------------------------------------------------------------------------------------------
  // Redis operations

  ReserveResult reserveInRedis(
      String id, List<SlotCharge> charges, long now, long expiresAt, boolean force) {
    int n = charges.size();
    List<String> args = new ArrayList<>(6 + 9 * n);
    args.add(epoch);
    args.add(id);
    args.add(Long.toString(now));
    args.add(Long.toString(expiresAt));
    args.add(force ? "1" : "0");
    args.add(Integer.toString(n));
    for (SlotCharge c : charges) {
      args.add(c.key().asString());
      args.add(Long.toString(clamp(c.nanos())));
      args.add(Long.toString(clamp(c.tokens())));
      args.add(Long.toString(clamp(c.requests())));
      args.add(cap(c.capNanos()));
      args.add(cap(c.capTokens()));
      args.add(cap(c.capRequests()));
      args.add(Long.toString(c.bucketMillis()));
      args.add(Long.toString(ttl(Math.max(c.expiresAtMillis(), expiresAt), now)));
    }
    List<?> r = (List<?>) reserveScript.run(redis, keys, args);
    long status = toLong(r.get(0));
    if (status == -1) {
      throw new EpochChanged();
    }
    if (status == -2) {
      throw new IllegalArgumentException("reservation id already in use: " + id);
    }
    if (force && r.size() == 2) {
      open.put(id, new Open(charges, expiresAt, epoch));
      return new ReserveResult(true, -1, List.of());
    }
    List<SlotState> states = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      SlotState s = stateAt(r, 2 + 7 * i);
      states.add(s);
      if (lastKnown.size() >= MAX_LAST_KNOWN) {
        lastKnown.clear(); // a rough bound; it only seeds the fail-open shadow
      }
      lastKnown.put(charges.get(i).key(), s);
    }
    if (status == 1) {
      open.put(id, new Open(charges, expiresAt, epoch));
      return new ReserveResult(true, -1, states);
    }
    return new ReserveResult(false, (int) toLong(r.get(1)), states);
  }

  private long settleScript(String id, long n, long t, long q, long now, boolean replay) {
    return toLong(
        settleScript.run(
            redis,
            keys,
            List.of(
                epoch,
                id,
                Long.toString(n),
                Long.toString(t),
                Long.toString(q),
                Long.toString(now),
                replay ? "1" : "0")));
  }

  private long addScript(
      String ep,
      SlotKey key,
      long n,
      long t,
      long q,
      long credit,
      long bucketMillis,
      long expiresAt,
      long now) {
    return toLong(
        addScript.run(
            redis,
            keys,
            List.of(
                ep,
                key.asString(),
                Long.toString(n),
                Long.toString(t),
                Long.toString(q),
                Long.toString(credit),
                Long.toString(bucketMillis),
                Long.toString(ttl(expiresAt, now)),
                Long.toString(now))));
  }

  private String joinEpoch() {
    String candidate = instanceId + '-' + Long.toHexString(ThreadLocalRandom.current().nextLong());
    Object r = epochScript.run(redis, keys, List.of(candidate));
    return Objects.requireNonNull(r, "epoch").toString();
  }

  boolean fireOnce(String member, long ttlMillis) {
    try {
      boolean first =
          toLong(fireOnceScript.run(redis, keys, List.of(member, Long.toString(ttlMillis)))) == 1;
      if (!first) {
        eventsSuppressed.incrementAndGet();
      }
      return first;
    } catch (RuntimeException e) {
      redisFailures.incrementAndGet();
      warnings.warn("Redis budget store could not share an event; forwarding it: {}", e.toString());
      return true;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Disconnected operation

  private ReserveResult disconnectedReserve(
      String id, List<SlotCharge> charges, long now, long expiresAt) {
    if (failureMode == FailureMode.FAIL_CLOSED) {
      refusedWhileDisconnected.incrementAndGet();
      throw unavailable();
    }
    InMemoryBudgetStore s = shadow;
    for (SlotCharge c : charges) {
      shadowSeeded.computeIfAbsent(
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
      shadowAdmissions.incrementAndGet();
      shadowOpen.put(id, new ShadowRes(id, charges, expiresAt));
    }
    return r;
  }

  private RedisStoreUnavailableException unavailable() {
    return new RedisStoreUnavailableException("Redis budget store is disconnected");
  }

  void disconnect(String reason) {
    redisFailures.incrementAndGet();
    if (!connected) {
      return;
    }
    synchronized (this) {
      if (!connected) {
        return;
      }
      connected = false;
    }
    disconnects.incrementAndGet();
    warnings.warn("Redis budget store disconnected ({}): {}", failureMode, reason);
    emit(
        "Redis budget store disconnected: "
            + reason
            + (failureMode == FailureMode.FAIL_OPEN
                ? "; admitting against the local shadow"
                : "; refusing reservations"));
  }

  private void emit(String message) {
    try {
      listener.onEvent(
          BudgetEvent.builder(
                  BudgetEvent.Type.STORE_STATE_CHANGED, Instant.ofEpochMilli(clock.millis()))
              .message(message)
              .build());
    } catch (RuntimeException | LinkageError e) {
      listenerFailures.incrementAndGet();
      warnings.warn("budget listener failed on STORE_STATE_CHANGED: {}", e.toString());
    }
  }

  private void enqueue(Pending p) {
    if (journalSize.incrementAndGet() > maxJournal) {
      journalSize.decrementAndGet();
      journalDropped.incrementAndGet();
      warnings.warn("Redis budget store journal full ({}); a settlement was dropped", maxJournal);
      return;
    }
    journal.add(p);
  }

  /** Probe thread: reconnects and reconciles, replays the journal, keeps leases fresh. */
  private void maintain() {
    try {
      if (!connected) {
        recover();
      } else if (!journal.isEmpty()) {
        if (!recoverLock.tryLock()) {
          return;
        }
        try {
          drainJournal();
        } finally {
          recoverLock.unlock();
        }
      }
      long now = clock.millis();
      if (leases != null && connected) {
        leases.maintain(now);
      }
      if (now >= nextLedgerPrune) {
        nextLedgerPrune = now + 60_000;
        ledgerKeys.values().removeIf(m -> m.expiresAtMillis <= now);
      }
    } catch (EpochChanged e) {
      disconnect("Redis lost its budget data");
    } catch (RuntimeException e) {
      if (connected) {
        disconnect(e.toString());
        return;
      }
      redisFailures.incrementAndGet();
      warnings.warn("Redis budget store maintenance failed: {}", e.toString());
    }
  }

  private void recover() {
    recoverLock.lock();
    try {
      if (connected) {
        return;
      }
      String current;
      try {
        current = joinEpoch();
      } catch (RuntimeException e) {
        return; // still down
      }
      long now = clock.millis();
      if (!current.equals(epoch)) {
        restore(current, now);
      }
      try {
        drainJournal();
        migrateShadow(now);
        drainJournal();
      } catch (RuntimeException e) {
        redisFailures.incrementAndGet();
        return;
      }
      shadow = InMemoryBudgetStore.create(clock);
      shadowSeeded.clear();
      connected = true;
      emit("Redis budget store reconnected; " + replayed.get() + " settlements replayed so far");
    } finally {
      recoverLock.unlock();
    }
  }

  /** Redis lost its data: write back this instance's spend and re-reserve its open reservations. */
  private void restore(String newEpoch, long now) {
    restores.incrementAndGet();
    for (Map.Entry<SlotKey, LedgerMeta> e : ledgerKeys.entrySet()) {
      LedgerMeta m = e.getValue();
      if (m.expiresAtMillis <= now) {
        ledgerKeys.remove(e.getKey());
        continue;
      }
      SlotState s = ledger.state(e.getKey(), m.bucketMillis, now);
      if (s.equals(SlotState.EMPTY)) {
        continue;
      }
      addScript(
          newEpoch,
          e.getKey(),
          s.spentNanos(),
          s.spentTokens(),
          s.spentRequests(),
          s.creditNanos(),
          m.bucketMillis,
          m.expiresAtMillis,
          now);
    }
    epoch = newEpoch;
    for (Map.Entry<String, Open> e : open.entrySet()) {
      Open o = e.getValue();
      if (o.expiresAtMillis > now) {
        reserveInRedis(e.getKey(), o.charges, now, o.expiresAtMillis, true);
      }
    }
  }

  private void drainJournal() {
    Pending p;
    while ((p = journal.peek()) != null) {
      p.apply(this);
      journal.poll();
      journalSize.decrementAndGet();
      replayed.incrementAndGet();
    }
  }

  private void migrateShadow(long now) {
    for (ShadowRes sr : shadowOpen.values()) {
      synchronized (sr) {
        if (sr.done || sr.migrated) {
          continue;
        }
        reserveInRedis(sr.id, sr.charges, now, sr.expiresAtMillis, true);
        sr.migrated = true;
        shadowOpen.remove(sr.id);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Ledger

  private void record(List<SlotCharge> charges, long n, long t, long q, long credit, long now) {
    for (SlotCharge c : charges) {
      record(c.key(), n, t, q, credit, c.bucketMillis(), c.expiresAtMillis(), now);
    }
  }

  private void record(
      SlotKey key,
      long n,
      long t,
      long q,
      long credit,
      long bucketMillis,
      long expiresAtMillis,
      long now) {
    ledgerKeys.compute(
        key,
        (k, m) ->
            m == null || m.expiresAtMillis < expiresAtMillis
                ? new LedgerMeta(bucketMillis, expiresAtMillis)
                : m);
    if (n != 0 || t != 0 || q != 0) {
      ledger.addSpent(key, n, t, q, bucketMillis, expiresAtMillis, now);
    }
    if (credit != 0) {
      ledger.topUp(key, credit, expiresAtMillis, now);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private static SlotState stateAt(List<?> r, int o) {
    return new SlotState(
        toLong(r.get(o)),
        toLong(r.get(o + 1)),
        toLong(r.get(o + 2)),
        toLong(r.get(o + 3)),
        toLong(r.get(o + 4)),
        toLong(r.get(o + 5)),
        toLong(r.get(o + 6)));
  }

  private static long toLong(@Nullable Object o) {
    if (o instanceof Long l) {
      return l;
    }
    if (o instanceof byte[] b) {
      return Long.parseLong(new String(b, java.nio.charset.StandardCharsets.US_ASCII));
    }
    if (o == null) {
      return 0;
    }
    return Long.parseLong(o.toString());
  }

  static long clamp(long v) {
    return v < 0 ? 0 : Math.min(v, MAX_EXACT);
  }

  private static String cap(long cap) {
    return cap == Long.MAX_VALUE ? "-1" : Long.toString(Math.max(cap, 0));
  }

  private static long ttl(long expiresAt, long now) {
    return expiresAt == Long.MAX_VALUE ? -1 : Math.max(expiresAt - now, 1);
  }

  private static long toNanos(BigDecimal amount) {
    return clamp(amount.setScale(9, RoundingMode.HALF_EVEN).unscaledValue().longValueExact());
  }

  /** The epoch in Redis is not ours: Redis lost its data since this instance last wrote. */
  static final class EpochChanged extends RuntimeException {
    private static final long serialVersionUID = 1L;

    EpochChanged() {
      super("Redis lost its budget data", null, false, false);
    }
  }

  /** A Redis reservation of this instance. */
  record Open(List<SlotCharge> charges, long expiresAtMillis, String epoch) {}

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

  record LedgerMeta(long bucketMillis, long expiresAtMillis) {}

  /** Something to write to Redis once it is reachable. */
  interface Pending {
    void apply(RedisBudgetStore s);
  }

  /** A settle of a Redis reservation that could not reach Redis. */
  record Settle(String id, Open o, long n, long t, long q, long now) implements Pending {
    @Override
    public void apply(RedisBudgetStore s) {
      if (!o.epoch().equals(s.epoch)) {
        // Redis lost the reservation with its data: charge the counters directly.
        new AddSpent(o.charges(), n, t, q, now).apply(s);
        return;
      }
      long r = s.settleScript(id, n, t, q, now, true);
      if (r == -1) {
        throw new EpochChanged();
      }
      s.record(o.charges(), n, t, q, 0, now);
    }
  }

  /** Spend of a call the shadow admitted (or of a reservation Redis lost). */
  record AddSpent(List<SlotCharge> charges, long n, long t, long q, long now) implements Pending {
    @Override
    public void apply(RedisBudgetStore s) {
      for (SlotCharge c : charges) {
        long r =
            s.addScript(s.epoch, c.key(), n, t, q, 0, c.bucketMillis(), c.expiresAtMillis(), now);
        if (r == -1) {
          throw new EpochChanged();
        }
      }
      s.record(charges, n, t, q, 0, now);
    }
  }

  /** Releases a reservation whose reply was lost (no-op if it was never made). */
  record Release(String id) implements Pending {
    @Override
    public void apply(RedisBudgetStore s) {
      s.settleScript(id, 0, 0, 0, s.clock.millis(), false);
    }
  }

  /** Builds a {@link RedisBudgetStore}; {@link #build()} validates and names the bad field. */
  public static final class Builder {
    private @Nullable UnifiedJedis client;
    private @Nullable JedisPool pool;
    private boolean owned;
    private String prefix = DEFAULT_PREFIX;
    private FailureMode failureMode = FailureMode.FAIL_CLOSED;
    private Clock clock = Clock.systemUTC();
    private BudgetListener listener = BudgetListener.noop();
    private Duration probeInterval = Duration.ofMillis(DEFAULT_PROBE_MILLIS);
    private int maxJournal = DEFAULT_MAX_JOURNAL;
    private @Nullable BigDecimal leaseSize;
    private long leaseTokens;
    private long leaseRequests;
    private Duration leaseDuration = Duration.ofMillis(DEFAULT_LEASE_MILLIS);

    private Builder() {}

    /**
     * The Redis client, e.g. a {@code JedisPooled}; the store does not close it unless {@code
     * closeWithStore}. Exactly one of this and {@link #pool} is required.
     */
    public Builder client(UnifiedJedis client, boolean closeWithStore) {
      this.client = Objects.requireNonNull(client, "client");
      this.owned = closeWithStore;
      return this;
    }

    /** A Jedis pool instead of {@link #client}. */
    public Builder pool(JedisPool pool, boolean closeWithStore) {
      this.pool = Objects.requireNonNull(pool, "pool");
      this.owned = closeWithStore;
      return this;
    }

    /** Prefix of every key; default {@value #DEFAULT_PREFIX}. One prefix is one set of budgets. */
    public Builder keyPrefix(String prefix) {
      this.prefix = Objects.requireNonNull(prefix, "keyPrefix");
      return this;
    }

    /** What admission does while Redis is unreachable; default {@link FailureMode#FAIL_CLOSED}. */
    public Builder failureMode(FailureMode mode) {
      this.failureMode = Objects.requireNonNull(mode, "failureMode");
      return this;
    }

    /** The engine's clock (expiry of local state, lease age); default {@link Clock#systemUTC()}. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Receives {@link BudgetEvent.Type#STORE_STATE_CHANGED}; default none. */
    public Builder listener(BudgetListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** How often to probe Redis while disconnected; default {@value #DEFAULT_PROBE_MILLIS} ms. */
    public Builder probeInterval(Duration interval) {
      this.probeInterval = Objects.requireNonNull(interval, "probeInterval");
      return this;
    }

    /** Settlements kept while Redis is unreachable; default {@value #DEFAULT_MAX_JOURNAL}. */
    public Builder maxJournal(int entries) {
      this.maxJournal = entries;
      return this;
    }

    /**
     * Enables lease mode: each lease reserves {@code money} (and {@code tokens}, {@code requests}
     * for budgets capping those) on every counter of a call's combination of budgets, and calls
     * fitting in it are admitted locally. Calls whose estimate exceeds the lease go to Redis.
     */
    public Builder lease(BigDecimal money, long tokens, long requests) {
      this.leaseSize = Objects.requireNonNull(money, "lease money");
      this.leaseTokens = tokens;
      this.leaseRequests = requests;
      return this;
    }

    /** How long a lease admits calls; default {@value #DEFAULT_LEASE_MILLIS} ms. */
    public Builder leaseDuration(Duration duration) {
      this.leaseDuration = Objects.requireNonNull(duration, "leaseDuration");
      return this;
    }

    /**
     * Validates and builds. Connects to Redis; if it cannot be reached the store starts
     * disconnected and keeps probing.
     *
     * @throws IllegalArgumentException naming the bad field
     */
    public RedisBudgetStore build() {
      if (client == null && pool == null) {
        throw new IllegalArgumentException(
            "client: a UnifiedJedis client or a JedisPool is required");
      }
      if (client != null && pool != null) {
        throw new IllegalArgumentException("client: set either client(..) or pool(..), not both");
      }
      if (prefix.isEmpty()) {
        throw new IllegalArgumentException("keyPrefix: must not be empty");
      }
      if (probeInterval.toMillis() < 1) {
        throw new IllegalArgumentException(
            "probeInterval: must be at least 1 ms, was " + probeInterval);
      }
      if (maxJournal < 0) {
        throw new IllegalArgumentException("maxJournal: must not be negative, was " + maxJournal);
      }
      if (leaseSize != null) {
        if (leaseSize.signum() <= 0) {
          throw new IllegalArgumentException(
              "lease: money must be positive, was " + leaseSize.toPlainString());
        }
        if (leaseTokens < 0 || leaseRequests < 0) {
          throw new IllegalArgumentException("lease: tokens and requests must not be negative");
        }
        if (leaseDuration.toMillis() < 1) {
          throw new IllegalArgumentException(
              "leaseDuration: must be at least 1 ms, was " + leaseDuration);
        }
      }
      RedisClient c =
          client != null
              ? RedisClient.of(client, owned)
              : RedisClient.of(Objects.requireNonNull(pool), owned);
      return new RedisBudgetStore(this, c);
    }
  }
}
