package dev.attribution.budget.redis;

import dev.attribution.api.budget.ReserveResult;
import dev.attribution.api.budget.SlotCharge;
import dev.attribution.api.budget.SlotKey;
import dev.attribution.api.budget.SlotState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * The store's Redis operations as typed calls: each runs one of {@link LuaScripts} under the key
 * prefix and turns its reply into Java values. Holds the epoch this instance writes under. It keeps
 * no other state and decides nothing: connection handling, journaling and the shadow are the
 * caller's ({@link StoreCore}). Every method may throw the client's runtime exceptions.
 */
final class RedisCommands {

  /** Largest amount Lua compares exactly (2^53 - 1); amounts are clamped to it. */
  static final long MAX_EXACT = (1L << 53) - 1;

  /**
   * How long an expired reservation is remembered for a late settle: as long as the EXPIRE script
   * keeps its tombstone in Redis.
   */
  static final long TOMBSTONE_MILLIS = 86_400_000L;

  private static final int EXPIRE_BATCH = 200;

  private final RedisClient redis;
  private final List<String> keys;
  private final String instanceId = Long.toHexString(ThreadLocalRandom.current().nextLong());

  private final Script reserveScript = new Script(LuaScripts.RESERVE);
  private final Script settleScript = new Script(LuaScripts.SETTLE);
  private final Script expireScript = new Script(LuaScripts.EXPIRE);
  private final Script stateScript = new Script(LuaScripts.STATE);
  private final Script addScript = new Script(LuaScripts.ADD);
  private final Script epochScript = new Script(LuaScripts.EPOCH);
  private final Script fireOnceScript = new Script(LuaScripts.FIRE_ONCE);

  private volatile String epoch = "";

  RedisCommands(RedisClient redis, String prefix) {
    this.redis = redis;
    this.keys = List.of(prefix);
  }

  /** Loads every script; failures are ignored (a script is loaded on first use). */
  void preload() {
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
  }

  /** The epoch this instance writes under ({@code ""} before it first reached Redis). */
  String epoch() {
    return epoch;
  }

  /** Adopts {@code e} as the epoch to write under. */
  void epoch(String e) {
    this.epoch = e;
  }

  /** Sets an epoch in Redis if none is there and returns the one that is. */
  String joinEpoch() {
    String candidate = instanceId + '-' + Long.toHexString(ThreadLocalRandom.current().nextLong());
    Object r = epochScript.run(redis, keys, List.of(candidate));
    return Objects.requireNonNull(r, "epoch").toString();
  }

  /**
   * Reserves {@code charges} under {@code id}, all or nothing. With {@code force} the caps are not
   * checked and an existing reservation of that id counts as made (its reply has no states).
   *
   * @throws EpochChanged if Redis lost its data since this instance last wrote
   * @throws IllegalArgumentException if {@code id} is in use (without {@code force})
   */
  ReserveResult reserve(
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
      return new ReserveResult(true, -1, List.of());
    }
    List<SlotState> states = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      states.add(stateAt(r, 2 + 7 * i));
    }
    if (status == 1) {
      return new ReserveResult(true, -1, states);
    }
    return new ReserveResult(false, (int) toLong(r.get(1)), states);
  }

  /**
   * Settles reservation {@code id} with actual amounts. Returns 1 settled, 2 settled after its
   * expiry (the expiry charge replaced), 0 unknown, 3 unknown with {@code replay}, -1 foreign
   * epoch.
   */
  long settle(String id, long n, long t, long q, long now, boolean replay) {
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

  /**
   * Adds spent amounts (which may be negative: a correction) and credit to a counter under epoch
   * {@code ep}. Returns 1, or -1 on a foreign epoch.
   */
  long add(
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

  /** Adds amounts to every counter of {@code charges} under the current epoch. */
  void addAll(List<SlotCharge> charges, long n, long t, long q, long now) {
    for (SlotCharge c : charges) {
      long r = add(epoch, c.key(), n, t, q, 0, c.bucketMillis(), c.expiresAtMillis(), now);
      if (r == -1) {
        throw new EpochChanged();
      }
    }
  }

  /** The counter's state. */
  SlotState state(SlotKey key, long bucketMillis, long now) {
    Object r =
        stateScript.run(
            redis, keys, List.of(key.asString(), Long.toString(bucketMillis), Long.toString(now)));
    return stateAt((List<?>) r, 0);
  }

  /** Ends every reservation expired at {@code now}, in batches; returns how many. */
  int expire(long now) {
    int removed = 0;
    while (true) {
      long n =
          toLong(
              expireScript.run(
                  redis, keys, List.of(Long.toString(now), Integer.toString(EXPIRE_BATCH))));
      removed += (int) n;
      if (n < EXPIRE_BATCH) {
        return removed;
      }
    }
  }

  /** Marks {@code member} as fired for {@code ttlMillis}; {@code true} the first time. */
  boolean fireOnce(String member, long ttlMillis) {
    return toLong(fireOnceScript.run(redis, keys, List.of(member, Long.toString(ttlMillis)))) == 1;
  }

  void close() {
    redis.close();
  }

  // ---------------------------------------------------------------------------------------------
  // Encoding

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
      return Long.parseLong(new String(b, StandardCharsets.US_ASCII));
    }
    if (o == null) {
      return 0;
    }
    return Long.parseLong(o.toString());
  }

  /** {@code v} within {@code [0, MAX_EXACT]}. */
  static long clamp(long v) {
    return v < 0 ? 0 : Math.min(v, MAX_EXACT);
  }

  private static String cap(long cap) {
    return cap == Long.MAX_VALUE ? "-1" : Long.toString(Math.max(cap, 0));
  }

  private static long ttl(long expiresAt, long now) {
    return expiresAt == Long.MAX_VALUE ? -1 : Math.max(expiresAt - now, 1);
  }

  /** The epoch in Redis is not ours: Redis lost its data since this instance last wrote. */
  static final class EpochChanged extends RuntimeException {
    private static final long serialVersionUID = 1L;

    EpochChanged() {
      super("Redis lost its budget data", null, false, false);
    }
  }
}
