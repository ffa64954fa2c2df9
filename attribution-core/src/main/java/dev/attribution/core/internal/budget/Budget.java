package dev.attribution.core.internal.budget;

import static dev.attribution.core.internal.budget.BudgetEngine.bucketMillis;
import static dev.attribution.core.internal.budget.BudgetEngine.firstIndexOf;
import static dev.attribution.core.internal.budget.BudgetEngine.level;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.BudgetEvent;
import dev.attribution.api.budget.SlotCharge;
import dev.attribution.api.budget.SlotKey;
import dev.attribution.api.budget.SlotState;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetPeriod;
import dev.attribution.core.budget.Threshold;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Engine-side state of one budget: its definition and per-scope-value event bookkeeping. */
final class Budget {
  final BudgetDefinition def;
  final boolean dryRun;
  final long graceMillis;
  final Cache<String, ScopeState> scopes;

  // Precomputed levels, one per threshold; Long.MAX_VALUE where the dimension has no limit.
  final long limitNanos;
  final long[] moneyLevels;
  final long[] tokenLevels;
  final long[] requestLevels;

  /** Index of the capping threshold, or -1 when none (or the budget is soft). */
  final int capIndex;

  Budget(
      BudgetDefinition def,
      boolean engineDryRun,
      long graceMillis,
      Clock clock,
      long maxValues,
      AtomicLong evicted) {
    this.def = def;
    this.dryRun = engineDryRun || def.dryRun();
    this.graceMillis = graceMillis;
    this.limitNanos = Money.toNanos(def.limit());
    int n = def.thresholds().size();
    this.moneyLevels = new long[n];
    this.tokenLevels = new long[n];
    this.requestLevels = new long[n];
    int cap = -1;
    for (int i = 0; i < n; i++) {
      Threshold t = def.thresholds().get(i);
      moneyLevels[i] = level(limitNanos, t.percent());
      Long tokens = def.tokenLimit();
      Long requests = def.requestLimit();
      tokenLevels[i] = tokens == null ? Long.MAX_VALUE : level(tokens, t.percent());
      requestLevels[i] = requests == null ? Long.MAX_VALUE : level(requests, t.percent());
      if (!def.soft() && t.isCap()) {
        cap = i;
      }
    }
    this.capIndex = cap;
    BudgetPeriod p = def.period();
    Duration keep;
    switch (p.kind()) {
      case DAY:
        keep = Duration.ofDays(3);
        break;
      case WEEK:
        keep = Duration.ofDays(15);
        break;
      case MONTH:
        keep = Duration.ofDays(63);
        break;
      case ROLLING:
        keep = Objects.requireNonNull(p.window()).multipliedBy(2).plusHours(1);
        break;
      default:
        keep = Duration.ofDays(400);
    }
    this.scopes =
        Caffeine.newBuilder()
            .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
            .expireAfterAccess(keep)
            .maximumSize(maxValues)
            .executor(Runnable::run)
            .<String, ScopeState>removalListener(
                (k, v, cause) -> {
                  if (cause == com.github.benmanes.caffeine.cache.RemovalCause.SIZE) {
                    evicted.incrementAndGet();
                  }
                })
            .build();
  }

  ScopeState scope(String key, long now, BudgetEngine engine, AttributionContext ctx) {
    ScopeState st = scopes.get(key, ScopeState::new);
    long start = def.period().startMillis(now);
    SlotKey current = st.key;
    if (current == null || current.periodStartMillis() != start) {
      synchronized (st) {
        current = st.key;
        if (current == null || current.periodStartMillis() < start) {
          st.key = new SlotKey(def.name(), key, start);
          st.fired.set(0);
          if (current != null) {
            engine.emit(
                engine.event(
                    BudgetEvent.Type.PERIOD_RESET,
                    this,
                    st,
                    null,
                    null,
                    ctx,
                    null,
                    dryRun,
                    now,
                    "budget '"
                        + def.name()
                        + "' for "
                        + key
                        + " started a new period at "
                        + Instant.ofEpochMilli(start)));
          }
        }
      }
    }
    return st;
  }

  int actionsIndex(BudgetAction action) {
    return firstIndexOf(def, action);
  }

  long expiresAt(long now) {
    BudgetPeriod p = def.period();
    if (p.isCalendar()) {
      return SlotState.sat(p.endMillis(now), graceMillis);
    }
    if (p.kind() == BudgetPeriod.Kind.ROLLING) {
      return SlotState.sat(now, Objects.requireNonNull(p.window()).toMillis() + graceMillis);
    }
    return Long.MAX_VALUE;
  }

  /** Whether this budget enforces a cap: not soft, not dry-run, with a cap threshold. */
  boolean hard() {
    return !dryRun && !def.soft() && capIndex >= 0;
  }

  SlotCharge charge(SlotKey key, long nanos, long tokens, long now) {
    int c = dryRun ? -1 : capIndex;
    return new SlotCharge(
        key,
        nanos,
        tokens,
        1,
        c < 0 ? Long.MAX_VALUE : moneyLevels[c],
        c < 0 ? Long.MAX_VALUE : tokenLevels[c],
        c < 0 ? Long.MAX_VALUE : requestLevels[c],
        bucketMillis(def.period()),
        expiresAt(now));
  }

  /** Index of the highest threshold reached by {@code s}, or -1. */
  int highest(SlotState s) {
    int k = -1;
    long credit = s.creditNanos();
    for (int i = 0; i < moneyLevels.length; i++) {
      if (reached(i, s, credit)) {
        k = i;
      }
    }
    return k;
  }

  /**
   * Index of the highest threshold {@code s} would reach with {@code lessNanos} and {@code
   * lessTokens} fewer used, or -1.
   */
  int highest(SlotState s, long lessNanos, long lessTokens) {
    int k = -1;
    long credit = s.creditNanos();
    for (int i = 0; i < moneyLevels.length; i++) {
      if (reached(i, s, credit, lessNanos, lessTokens)) {
        k = i;
      }
    }
    return k;
  }

  private boolean reached(int i, SlotState s, long credit) {
    return reached(i, s, credit, 0, 0);
  }

  private boolean reached(int i, SlotState s, long credit, long lessNanos, long lessTokens) {
    boolean cap = !def.soft() && def.thresholds().get(i).isCap();
    long money = moneyLevels[i];
    if (credit > 0) {
      money = level(SlotState.sat(limitNanos, credit), def.thresholds().get(i).percent());
    }
    long used = s.usedNanos() - lessNanos;
    long tokens = s.usedTokens() - lessTokens;
    return cap
        ? used > money || tokens > tokenLevels[i] || s.usedRequests() > requestLevels[i]
        : used >= money && money != Long.MAX_VALUE
            || tokens >= tokenLevels[i]
            || s.usedRequests() >= requestLevels[i];
  }

  /**
   * Fires threshold-crossed events for every newly reached threshold and returns the index of the
   * highest reached one, or -1.
   */
  int crossed(
      SlotState s,
      ScopeState st,
      BudgetEngine engine,
      AttributionContext ctx,
      String model,
      long now) {
    int k = highest(s);
    Duration window = def.period().window();
    if (window != null) {
      // Rolling: usage including reservations wobbles around a threshold as calls settle below
      // their estimates, so re-arming on every dip would repeat the event. Fire at most once per
      // window length instead.
      st.rearmEvery(window.toMillis(), now);
    } else if (!def.period().isCalendar()) {
      st.rearm(def, k);
    }
    for (int i = 0; i <= k; i++) {
      Threshold t = def.thresholds().get(i);
      if ((t.isCap() && !def.soft()) || !reached(i, s, s.creditNanos())) {
        continue; // caps report as blocked or rerouted
      }
      engine.emitOnce(
          st,
          i,
          BudgetEvent.Type.THRESHOLD_CROSSED,
          this,
          t,
          s,
          ctx,
          model,
          dryRun,
          now,
          "budget '"
              + def.name()
              + "' for "
              + st.scopeKey
              + " reached "
              + t.percent().toPlainString()
              + " % ("
              + Money.fromNanos(s.usedNanos()).toPlainString()
              + " of "
              + def.limit().toPlainString()
              + ' '
              + def.currency()
              + " spent or reserved)");
    }
    return k;
  }
}
