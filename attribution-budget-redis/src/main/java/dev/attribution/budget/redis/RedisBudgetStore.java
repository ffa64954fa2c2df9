package dev.attribution.budget.redis;

import dev.attribution.api.BudgetEvent;
import dev.attribution.api.BudgetListener;
import dev.attribution.api.budget.BudgetStore;
import dev.attribution.api.budget.ReserveResult;
import dev.attribution.api.budget.SlotCharge;
import dev.attribution.api.budget.SlotKey;
import dev.attribution.api.budget.SlotState;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
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
 * settle (within a day) replaces that charge by the real cost.
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

  /** Default key prefix: {@value}. */
  public static final String DEFAULT_PREFIX = "attribution:budget:";

  /** Default probe interval while disconnected, in milliseconds: {@value}. */
  public static final long DEFAULT_PROBE_MILLIS = 500;

  /** Default lease duration in milliseconds: {@value}. */
  public static final long DEFAULT_LEASE_MILLIS = 1_000;

  /** Default bound of the settlement journal: {@value} entries. */
  public static final int DEFAULT_MAX_JOURNAL = 100_000;

  private final FailureMode failureMode;
  private final StoreCore core;

  private RedisBudgetStore(Builder b, RedisClient client) {
    this.failureMode = b.failureMode;
    ConnectionState conn = new ConnectionState(b.failureMode, b.clock, b.listener);
    this.core =
        new StoreCore(
            new RedisCommands(client, b.prefix),
            conn,
            b.failureMode,
            b.clock,
            b.maxJournal,
            b.probeInterval.toMillis(),
            b.leaseSize == null
                ? null
                : new StoreCore.LeaseSettings(
                    toNanos(b.leaseSize),
                    b.leaseTokens,
                    b.leaseRequests,
                    b.leaseDuration.toMillis()));
  }

  /**
   * A new builder.
   *
   * @return a builder with every setting at its default
   */
  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------------------------------------
  // BudgetStore

  /**
   * {@inheritDoc}
   *
   * <p>In one Redis round trip, or locally from a lease; while disconnected the failure mode
   * applies.
   *
   * @throws RedisStoreUnavailableException in {@link FailureMode#FAIL_CLOSED} while disconnected
   */
  @Override
  public ReserveResult reserve(
      String reservationId, List<SlotCharge> charges, long nowMillis, long expiresAtMillis) {
    return core.reserve(reservationId, charges, nowMillis, expiresAtMillis);
  }

  /**
   * {@inheritDoc}
   *
   * <p>While disconnected the settlement is journaled and written when Redis returns.
   */
  @Override
  public boolean settle(
      String reservationId, long nanos, long tokens, long requests, long nowMillis) {
    return core.settle(reservationId, nanos, tokens, requests, nowMillis);
  }

  /** {@inheritDoc} */
  @Override
  public int expireReservations(long nowMillis) {
    return core.expireReservations(nowMillis);
  }

  /**
   * {@inheritDoc}
   *
   * <p>While disconnected in {@link FailureMode#FAIL_OPEN}: the shadow's state.
   *
   * @throws RedisStoreUnavailableException in {@link FailureMode#FAIL_CLOSED} while disconnected
   */
  @Override
  public SlotState state(SlotKey key, long bucketMillis, long nowMillis) {
    return core.state(key, bucketMillis, nowMillis);
  }

  /**
   * {@inheritDoc}
   *
   * @throws RedisStoreUnavailableException while disconnected (in either failure mode)
   */
  @Override
  public void addSpent(
      SlotKey key,
      long nanos,
      long tokens,
      long requests,
      long bucketMillis,
      long expiresAtMillis,
      long nowMillis) {
    core.add(
        key,
        RedisCommands.clamp(nanos),
        RedisCommands.clamp(tokens),
        RedisCommands.clamp(requests),
        0,
        bucketMillis,
        expiresAtMillis,
        nowMillis);
  }

  /**
   * {@inheritDoc}
   *
   * @throws RedisStoreUnavailableException while disconnected (in either failure mode)
   */
  @Override
  public void topUp(SlotKey key, long nanos, long expiresAtMillis, long nowMillis) {
    core.add(key, 0, 0, 0, RedisCommands.clamp(nanos), 0, expiresAtMillis, nowMillis);
  }

  /** Returns leases, writes pending settlements if Redis is reachable, stops the probe thread. */
  @Override
  public void close() {
    core.close();
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
   * @return the wrapping listener
   */
  public BudgetListener sharedListener(BudgetListener delegate) {
    return new SharedEventListener(core, delegate);
  }

  /**
   * Whether Redis is currently used.
   *
   * @return {@link Status#CONNECTED} or {@link Status#DISCONNECTED}
   */
  public Status status() {
    return core.connected() ? Status.CONNECTED : Status.DISCONNECTED;
  }

  /**
   * The failure mode.
   *
   * @return the mode set on the builder
   */
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

  /**
   * Counters, for metrics and tests.
   *
   * @return a snapshot of the counters
   */
  public Stats stats() {
    return core.stats();
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

  private static long toNanos(BigDecimal amount) {
    return RedisCommands.clamp(
        amount.setScale(9, RoundingMode.HALF_EVEN).unscaledValue().longValueExact());
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
