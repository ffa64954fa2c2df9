package dev.attribution.budget.redis;

import dev.attribution.api.budget.ReserveResult;
import dev.attribution.api.budget.SlotCharge;
import dev.attribution.api.budget.SlotState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Lease mode of {@link RedisBudgetStore}: per combination of counters, one active lease (a Redis
 * reservation of the lease size on each counter) from which calls are admitted locally. A lease
 * retires when it runs short or ages past the lease duration and is returned (settled in Redis with
 * the spend of its calls) once its last local call ended.
 */
final class LeaseBook {

  private final StoreCore store;
  private final long leaseNanos;
  private final long leaseTokens;
  private final long leaseRequests;
  private final long leaseMillis;
  private final String idPrefix;
  private final AtomicLong seq = new AtomicLong();
  final AtomicLong localAdmissions = new AtomicLong();
  final AtomicLong grants = new AtomicLong();

  private final Map<String, Holder> holders = new ConcurrentHashMap<>();
  private final Map<String, Local> locals = new ConcurrentHashMap<>();
  private final Map<String, Expired> expired = new ConcurrentHashMap<>();
  private final Set<Lease> retired = ConcurrentHashMap.newKeySet();

  LeaseBook(
      StoreCore store, long leaseNanos, long leaseTokens, long leaseRequests, long leaseMillis) {
    this.store = store;
    this.leaseNanos = leaseNanos;
    this.leaseTokens = leaseTokens;
    this.leaseRequests = leaseRequests;
    this.leaseMillis = leaseMillis;
    this.idPrefix = "lease:" + Long.toHexString(System.identityHashCode(this)) + seqSalt() + ':';
  }

  private static String seqSalt() {
    return Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong());
  }

  /**
   * Admits locally from a lease, taking a new lease if needed; {@code null} when the call must go
   * to Redis (too large for a lease, no lease could be had, or disconnected without a lease).
   */
  @Nullable ReserveResult tryReserve(
      String id, List<SlotCharge> charges, long now, long expiresAt) {
    long needN = 0;
    long needT = 0;
    long needQ = 0;
    boolean capT = false;
    boolean capQ = false;
    StringBuilder sig = new StringBuilder();
    for (SlotCharge c : charges) {
      needN = Math.max(needN, RedisCommands.clamp(c.nanos()));
      needT = Math.max(needT, RedisCommands.clamp(c.tokens()));
      needQ = Math.max(needQ, RedisCommands.clamp(c.requests()));
      capT |= c.capTokens() != Long.MAX_VALUE;
      capQ |= c.capRequests() != Long.MAX_VALUE;
      sig.append(c.key().asString())
          .append('#')
          .append(c.capNanos())
          .append(',')
          .append(c.capTokens())
          .append(',')
          .append(c.capRequests())
          .append(';');
    }
    if (needN > leaseNanos || (capT && needT > leaseTokens) || (capQ && needQ > leaseRequests)) {
      return null;
    }
    String key = sig.toString();
    while (true) {
      Holder h = holders.computeIfAbsent(key, k -> new Holder());
      Lease toReturn = null;
      ReserveResult out = null;
      synchronized (h) {
        if (h.removed) {
          continue;
        }
        Lease l = h.current;
        if (l != null
            && !l.retired
            && now < l.grantedAt + leaseMillis
            && expiresAt <= l.expiresAt
            && l.fits(needN, needT, needQ)) {
          return take(h, l, id, charges, needN, needT, needQ, expiresAt);
        }
        if (l != null) {
          toReturn = retire(h, l);
        }
        if (store.connected()) {
          List<SlotCharge> grant = new ArrayList<>(charges.size());
          for (SlotCharge c : charges) {
            grant.add(
                new SlotCharge(
                    c.key(),
                    leaseNanos,
                    capT ? leaseTokens : 0,
                    capQ ? leaseRequests : 0,
                    c.capNanos(),
                    c.capTokens(),
                    c.capRequests(),
                    c.bucketMillis(),
                    c.expiresAtMillis()));
          }
          String leaseId = idPrefix + Long.toHexString(seq.incrementAndGet());
          long leaseExpires = expiresAt + leaseMillis;
          ReserveResult r;
          try {
            r = store.reserveInRedis(leaseId, grant, now, leaseExpires, false);
          } catch (RuntimeException e) {
            if (toReturn != null) {
              retired.add(toReturn); // returned by maintenance once Redis is back
            }
            throw e;
          }
          if (r.reserved()) {
            grants.incrementAndGet();
            Lease nl = new Lease(h, leaseId, now, leaseExpires, capT, capQ, r.states());
            h.current = nl;
            out = take(h, nl, id, charges, needN, needT, needQ, expiresAt);
          }
        }
      }
      if (toReturn != null) {
        giveBack(toReturn, now, false);
      }
      return out;
    }
  }

  private ReserveResult take(
      Holder h,
      Lease l,
      String id,
      List<SlotCharge> charges,
      long n,
      long t,
      long q,
      long expiresAt) {
    l.openN += n;
    l.openT += t;
    l.openQ += q;
    l.openCount++;
    locals.put(id, new Local(h, l, charges, n, t, q, expiresAt));
    localAdmissions.incrementAndGet();
    return new ReserveResult(true, -1, l.states);
  }

  /** Retires {@code l}; returns it if it can be given back now. Caller holds {@code h}. */
  private @Nullable Lease retire(Holder h, Lease l) {
    l.retired = true;
    if (h.current == l) {
      h.current = null;
    }
    if (l.openCount == 0 && !l.returned) {
      l.returned = true;
      return l;
    }
    retired.add(l);
    return null;
  }

  /**
   * Settles a locally admitted call; {@code null} if {@code id} is not one. A call that expired
   * (and was charged its estimate) has the difference to its actual amounts added to its counters.
   */
  @Nullable Boolean settleLocal(String id, long n, long t, long q, long now) {
    Local lo = locals.remove(id);
    if (lo == null) {
      Expired x = expired.remove(id);
      if (x == null) {
        return null;
      }
      store.correct(x.charges(), n - x.n(), t - x.t(), q - x.q(), now);
      return Boolean.TRUE;
    }
    Lease back = end(lo, n, t, q);
    if (back != null) {
      giveBack(back, now, false);
    }
    return Boolean.TRUE;
  }

  private @Nullable Lease end(Local lo, long n, long t, long q) {
    Lease l = lo.lease;
    synchronized (lo.holder) {
      l.openN -= lo.n;
      l.openT -= lo.t;
      l.openQ -= lo.q;
      l.openCount--;
      l.settledN = Math.addExact(l.settledN, n);
      l.settledT = Math.addExact(l.settledT, t);
      l.settledQ = Math.addExact(l.settledQ, q);
      if (l.retired && l.openCount == 0 && !l.returned) {
        l.returned = true;
        return l;
      }
      return null;
    }
  }

  /**
   * Ends local calls expired at {@code now} by charging their reserved amounts (a call that
   * outlives its reservation may have been billed), and remembers each for a day so that a later
   * settle replaces that charge by the actual amounts.
   */
  int expireLocal(long now) {
    expired.values().removeIf(x -> x.expiresAt() <= now - RedisCommands.TOMBSTONE_MILLIS);
    int n = 0;
    for (Map.Entry<String, Local> e : locals.entrySet()) {
      Local lo = e.getValue();
      if (lo.expiresAt <= now && locals.remove(e.getKey(), lo)) {
        expired.put(e.getKey(), new Expired(lo.charges, lo.n, lo.t, lo.q, lo.expiresAt));
        Lease back = end(lo, lo.n, lo.t, lo.q);
        if (back != null) {
          giveBack(back, now, false);
        }
        n++;
      }
    }
    return n;
  }

  /** Retires aged leases and gives back retired ones whose calls all ended. */
  void maintain(long now) {
    List<Lease> back = new ArrayList<>();
    holders
        .entrySet()
        .removeIf(
            e -> {
              Holder h = e.getValue();
              synchronized (h) {
                Lease l = h.current;
                if (l != null && now >= l.grantedAt + leaseMillis) {
                  Lease r = retire(h, l);
                  if (r != null) {
                    back.add(r);
                  }
                }
                if (h.current == null) {
                  h.removed = true;
                  return true;
                }
                return false;
              }
            });
    for (Lease l : List.copyOf(retired)) {
      synchronized (l.holder) {
        if (l.returned) {
          retired.remove(l);
        } else if (l.openCount == 0) {
          l.returned = true;
          retired.remove(l);
          back.add(l);
        }
      }
    }
    for (Lease l : back) {
      giveBack(l, now, false);
    }
  }

  /**
   * Returns every lease (at close). Calls still open are charged their reservation, so their spend
   * is not lost when they settle after the store closed.
   */
  void returnAll(long now) {
    List<Lease> all = new ArrayList<>(retired);
    for (Holder h : holders.values()) {
      synchronized (h) {
        if (h.current != null) {
          all.add(h.current);
          h.current.retired = true;
          h.current = null;
        }
      }
    }
    for (Lease l : all) {
      if (!l.returned) {
        l.returned = true;
        giveBack(l, now, true);
      }
    }
    retired.clear();
  }

  private void giveBack(Lease l, long now, boolean chargeOpen) {
    long n = l.settledN + (chargeOpen ? l.openN : 0);
    long t = l.settledT + (chargeOpen ? l.openT : 0);
    long q = l.settledQ + (chargeOpen ? l.openQ : 0);
    store.settleInRedis(l.id, n, t, q, now, true);
  }

  /** The lease slot of one combination of counters. Its monitor guards its leases. */
  static final class Holder {
    @Nullable Lease current;
    boolean removed;
  }

  /** One lease. Its counters are guarded by its holder's monitor. */
  final class Lease {
    final Holder holder;
    final String id;
    final long grantedAt;
    final long expiresAt;
    final boolean capT;
    final boolean capQ;
    final List<SlotState> states;
    long openN;
    long openT;
    long openQ;
    int openCount;
    long settledN;
    long settledT;
    long settledQ;
    volatile boolean retired;
    volatile boolean returned;

    Lease(
        Holder holder,
        String id,
        long grantedAt,
        long expiresAt,
        boolean capT,
        boolean capQ,
        List<SlotState> states) {
      this.holder = holder;
      this.id = id;
      this.grantedAt = grantedAt;
      this.expiresAt = expiresAt;
      this.capT = capT;
      this.capQ = capQ;
      this.states = states;
    }

    boolean fits(long n, long t, long q) {
      return settledN + openN + n <= leaseNanos
          && (!capT || settledT + openT + t <= leaseTokens)
          && (!capQ || settledQ + openQ + q <= leaseRequests);
    }
  }

  record Local(
      Holder holder,
      Lease lease,
      List<SlotCharge> charges,
      long n,
      long t,
      long q,
      long expiresAt) {}

  /** A local call ended at its expiry by charging {@code n t q}, awaiting a late settle. */
  record Expired(List<SlotCharge> charges, long n, long t, long q, long expiresAt) {}
}
