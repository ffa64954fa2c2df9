package dev.attribution.core.internal.budget;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.BudgetEvent;
import dev.attribution.api.BudgetListener;
import dev.attribution.api.budget.BudgetSeedSource;
import dev.attribution.api.budget.BudgetStatus;
import dev.attribution.api.budget.BudgetStore;
import dev.attribution.api.budget.InMemoryBudgetStore;
import dev.attribution.api.budget.ReserveResult;
import dev.attribution.api.budget.SlotCharge;
import dev.attribution.api.budget.SlotKey;
import dev.attribution.api.budget.SlotState;
import dev.attribution.api.internal.RateLimitedLogger;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetDefinitions;
import dev.attribution.core.budget.BudgetPeriod;
import dev.attribution.core.budget.LoopGuard;
import dev.attribution.core.budget.Threshold;
import dev.attribution.core.pricing.UnpricedPolicy;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * Enforces budgets before the money is spent.
 *
 * <p>Before each call, {@link #admit(AdmissionRequest)} reserves the call's worst-case estimate
 * against every matching budget at once, all or nothing, and decides the strongest action whose
 * threshold spend plus reservations reaches ({@link BudgetAction#NONE} &lt; {@code NOTIFY} &lt;
 * {@code DOWNGRADE} &lt; {@code REROUTE} &lt; {@code BLOCK}). After the call the returned {@link
 * Admission} is settled with the real cost, or released. A reservation not ended within the
 * {@linkplain Builder#reservationTimeout reservation timeout} (a stream longer than it, a response
 * never closed) is charged in full, so its headroom is never handed to other calls; when the call
 * settles later, its real cost replaces that charge.
 *
 * <p><b>Guarantee.</b> For a hard budget (not soft, not dry-run) whose cap is a {@code BLOCK}
 * threshold, settled spend never exceeds the cap level, under any concurrency, as long as every
 * estimate is an upper bound of the real cost (output capped by max tokens): a call is admitted
 * only if spend plus all open reservations plus its own estimate stays within the cap, atomically
 * in the {@link BudgetStore}, and settling replaces a reservation by a cost no larger than it. A
 * call that costs more than its estimate can overshoot by the difference. A call without an upper
 * bound (body unreadable, model unpriced) reserves the {@linkplain Builder#unreadableRequestReserve
 * unreadable-request reserve} under hard budgets, so it is covered as long as it costs no more than
 * that. Calls rerouted by a {@code REROUTE} cap are not charged to the budget that rerouted them
 * (their route is deemed outside it); they are still charged to every other matching budget.
 *
 * <p>Downgrade thresholds return the {@linkplain Decision#targetModel() cheaper model} from the
 * budget's model map; the caller rewrites the request and then calls {@link
 * Admission#readmit(String, BigDecimal, long)} so the smaller estimate replaces the larger one.
 *
 * <p>Events ({@link BudgetEvent}) go to the listener on the calling thread, each at most once per
 * budget, scope value, period and threshold (per engine instance); a failing listener is counted
 * and logged, never felt by the call. The default listener logs through SLF4J (logger {@code
 * dev.attribution.budget}). A failing store blocks calls under hard budgets when it {@linkplain
 * BudgetStore#failsClosed() fails closed} (or {@link Builder#failClosed(boolean)} is set), and
 * admits them unenforced ({@code NONE}, logged) otherwise.
 *
 * <p>Thread-safe. {@link #admit} plus settle allocates about 1.7 KB and takes only the store's
 * per-counter locks.
 */
public final class BudgetEngine {

  /** Default {@linkplain Builder#unreadableRequestReserve unreadable-request reserve}: {@value}. */
  public static final String DEFAULT_UNREADABLE_RESERVE = "1.00";

  /**
   * Default {@linkplain Builder#unreadableRequestTokenReserve unreadable-request token reserve}:
   * {@value} tokens.
   */
  public static final long DEFAULT_UNREADABLE_TOKEN_RESERVE = 200_000;

  /** Default {@linkplain Builder#maxTrackedScopeValues maximum of tracked values} per budget. */
  public static final int DEFAULT_MAX_TRACKED_SCOPE_VALUES = 100_000;

  /** Default reservation timeout in seconds: {@value}. */
  public static final long DEFAULT_RESERVATION_TIMEOUT_SECONDS = 600;

  private static final int BIT_DOWNGRADED = 16;
  private static final int BIT_REROUTED = 17;
  private static final int BIT_BLOCKED = 18;
  private static final int MAX_THRESHOLDS = 16;

  private final Budget[] budgets;
  private final Map<String, Budget> byName;
  private final BudgetStore store;
  private final Clock clock;
  private final BudgetListener listener;
  private final @Nullable LoopGuard loopGuard;
  private final @Nullable Cache<String, LoopGuardState> loopStates;
  private final long loopWindowMillis;

  /** Makes a thread's loop-guard state; one instance, so a lookup allocates no lambda. */
  private final java.util.function.Function<String, LoopGuardState> newLoopState;

  private final long loopMaxNanos;
  private final boolean dryRun;
  private final long timeoutMillis;
  private final UnpricedPolicy unpricedPolicy;
  private final long fallbackNanos;
  private final boolean failClosed;
  private final long unreadableNanos;
  private final boolean blockUnreadable;
  private final long unreadableTokens;
  private final Set<String> unpricedSeen = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final AtomicLong nextSweep = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong reservationSeq = new AtomicLong();
  private final String idPrefix;
  private final AtomicLong listenerFailures = new AtomicLong();
  private final AtomicLong storeFailures = new AtomicLong();
  private final AtomicLong evictedValues = new AtomicLong();
  private final RateLimitedLogger warnings =
      new RateLimitedLogger(LoggerFactory.getLogger(BudgetEngine.class), 60_000);

  private BudgetEngine(Builder b) {
    this.clock = b.clock;
    // Each tracked value has a counter for this period and, until the grace ends, the last one.
    this.store =
        b.store != null
            ? b.store
            : InMemoryBudgetStore.create(
                b.clock, Math.max(1, 2L * b.maxTrackedValues * Math.max(1, b.budgets.size())));
    this.listener = b.listener;
    this.loopGuard = b.loopGuard;
    this.dryRun = b.dryRun;
    this.timeoutMillis = b.reservationTimeout.toMillis();
    this.unpricedPolicy = b.unpricedPolicy;
    this.fallbackNanos = b.fallbackEstimate == null ? 0 : Money.toNanos(b.fallbackEstimate);
    this.failClosed = b.failClosed != null ? b.failClosed : this.store.failsClosed();
    this.unreadableNanos = Money.toNanos(b.unreadableReserve);
    this.blockUnreadable = b.blockUnreadable;
    this.unreadableTokens = b.unreadableTokens;
    this.idPrefix = Long.toHexString(ThreadLocalRandom.current().nextLong()) + ':';
    this.budgets = new Budget[b.budgets.size()];
    java.util.LinkedHashMap<String, Budget> names = new java.util.LinkedHashMap<>();
    for (int i = 0; i < budgets.length; i++) {
      budgets[i] =
          new Budget(
              b.budgets.get(i), dryRun, timeoutMillis, clock, b.maxTrackedValues, evictedValues);
      names.put(budgets[i].def.name(), budgets[i]);
    }
    this.byName = java.util.Collections.unmodifiableMap(names);
    if (loopGuard != null) {
      this.loopWindowMillis = loopGuard.window().toMillis();
      int maxCalls = loopGuard.maxCalls();
      long window = loopWindowMillis;
      this.newLoopState = k -> new LoopGuardState(maxCalls, window);
      BigDecimal max = loopGuard.maxSpend();
      this.loopMaxNanos = max == null ? Long.MAX_VALUE : Money.toNanos(max);
      this.loopStates =
          Caffeine.newBuilder()
              .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
              .expireAfterAccess(Duration.ofMillis(loopWindowMillis * 2))
              .build();
    } else {
      this.loopWindowMillis = 0;
      this.newLoopState = k -> new LoopGuardState(1, 1);
      this.loopMaxNanos = Long.MAX_VALUE;
      this.loopStates = null;
    }
    if (b.seedSource != null) {
      seed(b.seedSource);
    }
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The listener used when none is configured: logs each event through SLF4J. */
  public static BudgetListener loggingListener() {
    return LoggingBudgetListener.INSTANCE;
  }

  /** The budgets, in definition order. */
  public List<BudgetDefinition> budgets() {
    List<BudgetDefinition> out = new ArrayList<>(budgets.length);
    for (Budget b : budgets) {
      out.add(b.def);
    }
    return out;
  }

  /** The store holding the counters. */
  public BudgetStore store() {
    return store;
  }

  /** How many times the listener threw. */
  public long listenerFailures() {
    return listenerFailures.get();
  }

  /** How many store operations failed. */
  public long storeFailures() {
    return storeFailures.get();
  }

  /**
   * How many scope values were evicted because a budget tracked its {@linkplain
   * Builder#maxTrackedScopeValues maximum}: each lost its event bookkeeping here and, with the
   * default in-memory store, its counter (see there).
   */
  public long evictedScopeValues() {
    return evictedValues.get();
  }

  /**
   * Decides and reserves for one call. Never throws for request-time problems: a failing store
   * yields an unenforced admission (or a block with {@link Builder#failClosed(boolean)}).
   */
  public Admission admit(AdmissionRequest request) {
    Objects.requireNonNull(request, "request");
    // An estimate made from the input's cheap upper bound, refinable to the exact one: decided on
    // the bound unless the bound could change the decision.
    AdmissionRequest.Refinement refine =
        request.unreadable || request.readmission ? null : request.refinement;
    long now = clock.millis();
    sweep(now);
    WorstCase worst = estimateWorstCase(request, now);
    if (worst.answer() != null) {
      return worst.answer();
    }
    LoopVerdict loop = guardLoop(request, worst, refine, now);
    if (loop.answer() != null) {
      return loop.answer();
    }
    Scopes scopes = resolveScopes(request, worst, now);
    if (scopes.answer() != null) {
      return scopes.answer();
    }
    if (scopes.matched().isEmpty()) {
      return new Admission(
          this, request, loop.observed() != null ? loop.observed() : Decision.ALLOW, null, 0);
    }
    Reservation reservation = reserve(request, worst, scopes, refine, loop, now);
    if (reservation.answer() != null) {
      return reservation.answer();
    }
    Decision d = pickAction(request, reservation, loop.observed(), now);
    return new Admission(this, request, d, reservation.id(), reservation.reservedNanos());
  }

  // ---- the admission's stages, each an immutable answer; answer() ends the admission early ----

  /**
   * Stage 1: the money to reserve.
   *
   * @param nanos the reserve, in billionths
   * @param unknownCost whether no upper bound is known (unreadable body, unpriced model): hard
   *     budgets reserve the unreadable-request reserve, others nothing
   * @param observed a dry-run decision of the unpriced policy, reported if no budget says more
   * @param answer the admission when the unpriced policy blocks, else {@code null}
   */
  private record WorstCase(
      long nanos, boolean unknownCost, @Nullable Decision observed, @Nullable Admission answer) {

    /** What the loop guard counts as this call's money. */
    long guardNanos() {
      return unknownCost ? 0 : nanos;
    }
  }

  private WorstCase estimateWorstCase(AdmissionRequest request, long now) {
    BigDecimal est = request.estimatedCost();
    if (request.unreadable) {
      return new WorstCase(unreadableNanos, true, null, null);
    }
    if (est != null) {
      return new WorstCase(Money.toNanos(est), false, null, null);
    }
    unpriced(request, now);
    switch (unpricedPolicy) {
      case BLOCK:
        {
          String reason =
              "model '" + request.model() + "' has no price and unpriced calls are blocked";
          Decision d = Decision.budgetless(BudgetAction.BLOCK, reason, null, dryRun, false);
          if (!dryRun) {
            return new WorstCase(0, false, d, new Admission(this, request, d, null, 0));
          }
          return new WorstCase(0, false, d, null);
        }
      case FALLBACK_RATE:
        return new WorstCase(fallbackNanos, false, null, null);
      default:
        return new WorstCase(unreadableNanos, true, null, null);
    }
  }

  /**
   * Stage 2: the loop guard's verdict.
   *
   * @param observed the dry-run decision to report if no budget says more (the loop guard's, else
   *     the unpriced policy's)
   * @param counted the guard state this call was counted in, to take back when refined
   * @param answer the admission when the guard stops the call (or asks for the exact estimate)
   */
  private record LoopVerdict(
      @Nullable Decision observed, @Nullable LoopGuardState counted, @Nullable Admission answer) {}

  private LoopVerdict guardLoop(
      AdmissionRequest request,
      WorstCase worst,
      AdmissionRequest.@Nullable Refinement refine,
      long now) {
    String threadId = request.context().threadId();
    long guardNanos = worst.guardNanos();
    if (loopStates != null && threadId != null && request.readmission) {
      // Not another call, but its estimate replaces the released one in the spend window.
      LoopGuardState st = loopStates.getIfPresent(threadId);
      if (st != null) {
        st.adjust(now, guardNanos);
      }
    } else if (loopStates != null && threadId != null) {
      Decision loop = loopCheck(request, threadId, now, guardNanos, refine != null);
      if (loop == REFINE) {
        return new LoopVerdict(
            worst.observed(), null, refined(request, Objects.requireNonNull(refine), null, 0, now));
      }
      if (loop == null && refine != null) {
        return new LoopVerdict(worst.observed(), loopStates.getIfPresent(threadId), null);
      } else if (loop != null) {
        if (!loop.dryRun()) {
          return new LoopVerdict(loop, null, new Admission(this, request, loop, null, 0));
        }
        return new LoopVerdict(loop, null, null);
      }
    }
    return new LoopVerdict(worst.observed(), null, null);
  }

  /**
   * Stage 3: the budgets that cover the call, their scope values and what each is charged.
   *
   * @param answer the admission when a hard budget refuses an unreadable request, else {@code null}
   */
  private record Scopes(
      List<Budget> matched,
      List<ScopeState> states,
      List<SlotCharge> charges,
      boolean hardMatched,
      @Nullable Admission answer) {

    Scopes {
      matched = List.copyOf(matched);
      states = List.copyOf(states);
      charges = List.copyOf(charges);
    }
  }

  private Scopes resolveScopes(AdmissionRequest request, WorstCase worst, long now) {
    AttributionContext ctx = request.context();
    List<Budget> matched = new ArrayList<>(Math.min(budgets.length, 8));
    List<ScopeState> states = new ArrayList<>(Math.min(budgets.length, 8));
    List<SlotCharge> charges = new ArrayList<>(Math.min(budgets.length, 8));
    boolean hardMatched = false;
    for (Budget b : budgets) {
      String key =
          b.def.scopeKeyFor(ctx, request.provider(), request.model(), request.keyFingerprint());
      if (key == null) {
        continue;
      }
      ScopeState st = b.scope(key, now, this, ctx);
      matched.add(b);
      states.add(st);
      boolean hard = b.hard();
      hardMatched |= hard;
      if (hard && request.unreadable && blockUnreadable) {
        String reason =
            "the request body could not be read, so its cost has no upper bound, and budget '"
                + b.def.name()
                + "' for "
                + st.scopeKey
                + " blocks such calls";
        Admission refused =
            new Admission(
                this,
                request,
                new Decision(
                    BudgetAction.BLOCK,
                    BudgetAction.BLOCK,
                    b.def.name(),
                    null,
                    null,
                    null,
                    reason,
                    null,
                    false,
                    false),
                null,
                0);
        return new Scopes(List.of(), List.of(), List.of(), true, refused);
      }
      // An unreadable body has no token bound either (a padded one-shot body counts as 0 tokens).
      long tokens =
          hard && request.unreadable
              ? Math.max(request.estimatedTokens(), unreadableTokens)
              : request.estimatedTokens();
      charges.add(b.charge(st.key, worst.unknownCost() && !hard ? 0 : worst.nanos(), tokens, now));
    }
    return new Scopes(matched, states, charges, hardMatched, null);
  }

  /**
   * Stage 4: the reservation, against every matching budget at once; a budget whose cap reroutes is
   * dropped from it and remembered.
   *
   * @param id the reservation id, or {@code null} when nothing is reserved
   * @param reservedNanos the money reserved
   * @param result the store's answer for the budgets still reserved against, or {@code null}
   * @param matched those budgets, in the store's order
   * @param states their scope values
   * @param rerouteBy the first budget whose cap reroutes, or {@code null}
   * @param answer the admission when a cap blocks, the store fails or the bound must be refined
   */
  private record Reservation(
      @Nullable String id,
      long reservedNanos,
      @Nullable ReserveResult result,
      List<Budget> matched,
      List<ScopeState> states,
      @Nullable Budget rerouteBy,
      @Nullable ScopeState rerouteScope,
      @Nullable SlotState rerouteState,
      @Nullable Admission answer) {

    Reservation {
      matched = List.copyOf(matched);
      states = List.copyOf(states);
    }

    static Reservation ended(Admission answer) {
      return new Reservation(null, 0, null, List.of(), List.of(), null, null, null, answer);
    }
  }

  private Reservation reserve(
      AdmissionRequest request,
      WorstCase worst,
      Scopes scopes,
      AdmissionRequest.@Nullable Refinement refine,
      LoopVerdict loop,
      long now) {
    long nanos = worst.nanos();
    List<SlotCharge> charges = new ArrayList<>(scopes.charges());
    List<Budget> matched = new ArrayList<>(scopes.matched());
    List<ScopeState> states = new ArrayList<>(scopes.states());
    String id = idPrefix + Long.toHexString(reservationSeq.incrementAndGet());
    ReserveResult result;
    Budget rerouteBy = null;
    ScopeState rerouteScope = null;
    SlotState rerouteState = null;
    while (true) {
      try {
        result = store.reserve(id, charges, now, now + timeoutMillis);
      } catch (RuntimeException e) {
        return Reservation.ended(storeFailed(request, e, scopes.hardMatched()));
      }
      if (result.reserved()) {
        break;
      }
      if (refine != null) {
        // nothing reserved
        return Reservation.ended(refined(request, refine, loop.counted(), worst.guardNanos(), now));
      }
      int r = result.rejectedIndex();
      Budget b = matched.get(r);
      ScopeState st = states.get(r);
      Threshold cap = b.def.thresholds().get(b.capIndex);
      SlotState s = result.states().get(r);
      if (cap.action() == BudgetAction.BLOCK) {
        Admission down = downgradeInstead(request, b, st, s, now, nanos);
        if (down != null) {
          return Reservation.ended(down);
        }
        Decision d = blocked(request, b, st, s, cap, now);
        return Reservation.ended(new Admission(this, request, d, null, 0));
      }
      if (rerouteBy == null) {
        rerouteBy = b;
        rerouteScope = st;
        rerouteState = s;
      }
      charges.remove(r);
      matched.remove(r);
      states.remove(r);
      if (matched.isEmpty()) {
        result = null;
        break;
      }
    }
    if (refine != null
        && result != null
        && boundMatters(request, refine, matched, result, worst.guardNanos())) {
      try {
        store.settle(id, 0, 0, 0, now); // take the bound's reservation back
      } catch (RuntimeException e) {
        return Reservation.ended(storeFailed(request, e, scopes.hardMatched()));
      }
      return Reservation.ended(refined(request, refine, loop.counted(), worst.guardNanos(), now));
    }
    return new Reservation(
        result == null ? null : id,
        result == null ? 0 : nanos,
        result,
        matched,
        states,
        rerouteBy,
        rerouteScope,
        rerouteState,
        null);
  }

  /**
   * Stage 5: the action, from the thresholds the reservation crossed (the strongest wins; a dry-run
   * budget's is reported but not applied), with the events each crossing emits once.
   */
  private Decision pickAction(
      AdmissionRequest request, Reservation res, @Nullable Decision observed, long now) {
    AttributionContext ctx = request.context();
    BudgetAction applied = BudgetAction.NONE;
    BudgetAction intended = BudgetAction.NONE;
    Budget by = null;
    Threshold byThreshold = null;
    ScopeState byScope = null;
    String target = null;
    String route = null;
    Budget rerouteBy = res.rerouteBy();
    if (rerouteBy != null) {
      ScopeState rerouteScope = Objects.requireNonNull(res.rerouteScope());
      Threshold cap = rerouteBy.def.thresholds().get(rerouteBy.capIndex);
      applied = BudgetAction.REROUTE;
      intended = BudgetAction.REROUTE;
      by = rerouteBy;
      byThreshold = cap;
      byScope = rerouteScope;
      route = cap.route();
      emitOnce(
          rerouteScope,
          BIT_REROUTED,
          BudgetEvent.Type.REROUTED,
          rerouteBy,
          cap,
          Objects.requireNonNull(res.rerouteState()),
          ctx,
          request.model(),
          false,
          now,
          "calls of " + rerouteScope.scopeKey + " rerouted to '" + route + "'");
    }
    ReserveResult result = res.result();
    int m = result == null ? 0 : res.matched().size();
    for (int j = 0; j < m; j++) {
      Budget b = res.matched().get(j);
      ScopeState st = res.states().get(j);
      SlotState s = Objects.requireNonNull(result).states().get(j);
      int k = b.crossed(s, st, this, ctx, request.model(), now);
      if (k < 0) {
        continue;
      }
      Threshold t = b.def.thresholds().get(k);
      BudgetAction a = b.def.soft() ? BudgetAction.NOTIFY : t.action();
      String tm = null;
      if (a == BudgetAction.DOWNGRADE) {
        tm =
            b.def.exemptFromDowngrade(ctx.trafficClass())
                ? null
                : b.def.downgradeModels().get(request.model());
        if (tm == null) {
          a = BudgetAction.NOTIFY;
        }
      }
      boolean dry = b.dryRun;
      if (a.compareTo(intended) > 0) {
        intended = a;
        by = b;
        byThreshold = t;
        byScope = st;
        target = tm;
        route = t.route();
      }
      if (!dry && a.compareTo(applied) > 0) {
        applied = a;
      }
      if (a == BudgetAction.DOWNGRADE) {
        emitOnce(
            st,
            BIT_DOWNGRADED,
            BudgetEvent.Type.DOWNGRADED,
            b,
            t,
            s,
            ctx,
            request.model(),
            dry,
            now,
            "calls of "
                + st.scopeKey
                + " downgraded from '"
                + request.model()
                + "' to '"
                + tm
                + "'");
      } else if (a == BudgetAction.BLOCK) {
        emitOnce(
            st,
            BIT_BLOCKED,
            BudgetEvent.Type.BLOCKED,
            b,
            t,
            s,
            ctx,
            request.model(),
            true,
            now,
            "calls of " + st.scopeKey + " would be blocked");
      } else if (a == BudgetAction.REROUTE) {
        emitOnce(
            st,
            BIT_REROUTED,
            BudgetEvent.Type.REROUTED,
            b,
            t,
            s,
            ctx,
            request.model(),
            true,
            now,
            "calls of " + st.scopeKey + " would be rerouted to '" + t.route() + "'");
      }
    }
    Decision d;
    if (intended == BudgetAction.NONE) {
      d = observed != null ? observed : Decision.ALLOW;
    } else {
      Budget bb = Objects.requireNonNull(by);
      Threshold tt = Objects.requireNonNull(byThreshold);
      boolean dryRunDecision = applied != intended;
      BudgetAction act = dryRunDecision ? applied : intended;
      String reason =
          (dryRunDecision ? "[dry-run] would " : "")
              + intended.wireName()
              + ": budget '"
              + bb.def.name()
              + "' for "
              + Objects.requireNonNull(byScope).scopeKey
              + " reached "
              + tt.percent().toPlainString()
              + " % of "
              + bb.def.limit().toPlainString()
              + ' '
              + bb.def.currency()
              + (target != null ? "; model '" + request.model() + "' -> '" + target + "'" : "")
              + (intended == BudgetAction.REROUTE ? "; route '" + route + "'" : "");
      d =
          new Decision(
              act,
              intended,
              bb.def.name(),
              tt.percent(),
              act == BudgetAction.DOWNGRADE || dryRunDecision ? target : null,
              route,
              reason,
              null,
              dryRunDecision,
              false);
    }
    return d;
  }

  /** Marks a loop-guard money verdict on an upper-bound estimate: decide on the exact one. */
  private static final Decision REFINE =
      Decision.budgetless(BudgetAction.NONE, "refine", null, false, false);

  /**
   * Whether some matched budget reaches a different threshold with the bound's estimate than with
   * the floor's (the call with no input): then the exact estimate, which lies between the two, may
   * be decided either way.
   */
  private static boolean boundMatters(
      AdmissionRequest request,
      AdmissionRequest.Refinement refine,
      List<Budget> matched,
      ReserveResult result,
      long nanos) {
    BigDecimal floor = refine.floorCost();
    long lessNanos = floor == null || nanos == 0 ? 0 : Math.max(0, nanos - Money.toNanos(floor));
    long lessTokens = Math.max(0, request.estimatedTokens() - refine.floorTokens());
    for (int j = 0; j < matched.size(); j++) {
      SlotState s = result.states().get(j);
      Budget b = matched.get(j);
      if (b.highest(s, 0, 0) != b.highest(s, lessNanos, lessTokens)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Takes back what admitting on the bound counted (the loop guard's call) and admits the exact
   * request instead; a failing tokenizer leaves the decision on the bound.
   */
  private Admission refined(
      AdmissionRequest request,
      AdmissionRequest.Refinement refine,
      @Nullable LoopGuardState counted,
      long countedNanos,
      long now) {
    if (counted != null) {
      counted.uncount(now, countedNanos);
    }
    AdmissionRequest exact;
    try {
      exact = refine.exact().get();
    } catch (RuntimeException e) {
      warnings.warn("exact token count failed, deciding on the upper bound: {}", e.toString());
      exact =
          new AdmissionRequest(
              request.context(),
              request.provider(),
              request.model(),
              request.keyFingerprint(),
              request.estimatedCost(),
              request.estimatedTokens(),
              false,
              false,
              request.estimator,
              null);
    }
    if (exact.refinement != null) {
      throw new IllegalStateException("an exact admission request must not be refinable");
    }
    return admit(exact);
  }

  /** Ends a reservation (settle or release); never throws. */
  void finish(Admission a, @Nullable String reservationId, long nanos, long tokens, long requests) {
    long now = clock.millis();
    if (reservationId != null) {
      try {
        store.settle(reservationId, nanos, tokens, requests, now);
      } catch (RuntimeException e) {
        storeFailures.incrementAndGet();
        warnings.warn("budget store failed to settle a reservation: {}", e.toString());
      }
    }
    String threadId = a.request().context().threadId();
    if (loopStates != null && threadId != null && !a.decision().loopGuard()) {
      LoopGuardState st = loopStates.getIfPresent(threadId);
      if (st != null) {
        BigDecimal est = a.request().estimatedCost();
        long estimated =
            est == null
                ? (unpricedPolicy == UnpricedPolicy.FALLBACK_RATE && !a.request().unreadable
                    ? fallbackNanos
                    : 0)
                : Money.toNanos(est);
        if (a.decision().action() != BudgetAction.BLOCK) {
          st.adjust(now, nanos - estimated);
        }
      }
    }
  }

  /**
   * Where budget {@code budgetName} stands for {@code scopeKey} now.
   *
   * @throws IllegalArgumentException if no budget has that name
   */
  public BudgetStatus status(String budgetName, String scopeKey) {
    Budget b = budget(budgetName);
    long now = clock.millis();
    BudgetPeriod p = b.def.period();
    SlotKey key = new SlotKey(b.def.name(), scopeKey, p.startMillis(now));
    SlotState s = store.state(key, bucketMillis(p), now);
    long limitNanos = SlotState.sat(b.limitNanos, s.creditNanos());
    Threshold current = null;
    int k = b.highest(s);
    if (k >= 0) {
      current = b.def.thresholds().get(k);
    }
    BigDecimal currentPercent = current == null ? null : current.percent();
    BudgetAction currentAction = current == null ? null : current.action();
    long remaining = Math.max(0, limitNanos - s.usedNanos());
    return new BudgetStatus(
        b.def.name(),
        scopeKey,
        Money.fromNanos(limitNanos),
        b.def.currency(),
        Money.fromNanos(s.spentNanos()),
        Money.fromNanos(s.reservedNanos()),
        Money.fromNanos(remaining),
        s.spentTokens(),
        s.spentRequests(),
        currentPercent,
        currentAction,
        p.isCalendar() ? Instant.ofEpochMilli(p.startMillis(now)) : null,
        p.end(Instant.ofEpochMilli(now)));
  }

  /**
   * Where every budget stands for each scope value this engine has admitted calls for recently
   * (bounded by the engine's per-budget scope cache): the feed for budget gauges and dashboards,
   * e.g. the OpenTelemetry sink's budget status source.
   */
  public List<BudgetStatus> knownStatuses() {
    List<BudgetStatus> out = new ArrayList<>();
    for (Budget b : budgets) {
      b.scopes.cleanUp();
      for (String scopeKey : b.scopes.asMap().keySet()) {
        out.add(status(b.def.name(), scopeKey));
      }
    }
    return out;
  }

  /**
   * Where every budget covering such a call stands, in definition order: what a caller can show as
   * "remaining" for a context.
   */
  public List<BudgetStatus> statuses(
      AttributionContext context, String provider, String model, @Nullable String keyFingerprint) {
    List<BudgetStatus> out = new ArrayList<>();
    for (Budget b : budgets) {
      String key = b.def.scopeKeyFor(context, provider, model, keyFingerprint);
      if (key != null) {
        out.add(status(b.def.name(), key));
      }
    }
    return out;
  }

  /**
   * Adds {@code amount} to the balance of a scope value of a budget (meant for {@link
   * BudgetPeriod#lifetime()} budgets; on calendar budgets it raises the current period only).
   *
   * @throws IllegalArgumentException if no budget has that name or the amount is not positive
   */
  public void topUp(String budgetName, String scopeKey, BigDecimal amount) {
    Budget b = budget(budgetName);
    if (amount.signum() <= 0) {
      throw new IllegalArgumentException("amount must be positive, was " + amount.toPlainString());
    }
    long now = clock.millis();
    SlotKey key = new SlotKey(b.def.name(), scopeKey, b.def.period().startMillis(now));
    store.topUp(key, Money.toNanos(amount), b.expiresAt(now), now);
  }

  private Budget budget(String name) {
    Budget b = byName.get(name);
    if (b == null) {
      throw new IllegalArgumentException(
          "no budget named '" + name + "'; known: " + byName.keySet());
    }
    return b;
  }

  private void sweep(long now) {
    long next = nextSweep.get();
    if (now >= next && nextSweep.compareAndSet(next, now + 1000)) {
      try {
        store.expireReservations(now);
      } catch (RuntimeException e) {
        storeFailures.incrementAndGet();
        warnings.warn("budget store failed to expire reservations: {}", e.toString());
      }
    }
  }

  private void unpriced(AdmissionRequest request, long now) {
    String key = request.provider() + '/' + request.model();
    if (unpricedSeen.size() < 10_000 && unpricedSeen.add(key)) {
      emit(
          BudgetEvent.builder(BudgetEvent.Type.UNPRICED_MODEL, Instant.ofEpochMilli(now))
              .model(request.model())
              .context(request.context())
              .dryRun(dryRun)
              .action(
                  unpricedPolicy == UnpricedPolicy.BLOCK ? BudgetAction.BLOCK : BudgetAction.NONE)
              .message(
                  "model '"
                      + request.model()
                      + "' of provider '"
                      + request.provider()
                      + "' has no price; unpriced policy "
                      + unpricedPolicy)
              .build());
    }
  }

  private @Nullable Decision loopCheck(
      AdmissionRequest request, String threadId, long now, long nanos, boolean refinable) {
    LoopGuard g = Objects.requireNonNull(loopGuard);
    LoopGuardState st = Objects.requireNonNull(loopStates).get(threadId, newLoopState);
    int verdict = st.tryCall(now, loopWindowMillis, nanos, loopMaxNanos);
    if (verdict == 2 && refinable) {
      return REFINE; // over the money limit on the bound: nothing counted, decide on the exact
    }
    boolean fire;
    synchronized (st) {
      fire = verdict != 0 && !st.stopped;
      st.stopped = verdict != 0;
    }
    if (verdict == 0) {
      return null;
    }
    String reason =
        verdict == 1
            ? "loop guard: thread '"
                + threadId
                + "' made "
                + g.maxCalls()
                + " calls within "
                + g.window()
                + " (limit "
                + g.maxCalls()
                + ")"
            : "loop guard: thread '"
                + threadId
                + "' would spend more than "
                + Objects.requireNonNull(g.maxSpend()).toPlainString()
                + " within "
                + g.window();
    Instant retry = verdict == 1 ? Instant.ofEpochMilli(st.freeAt(loopWindowMillis)) : null;
    if (fire) {
      emit(
          BudgetEvent.builder(BudgetEvent.Type.LOOP_STOPPED, Instant.ofEpochMilli(now))
              .scopeKey("thread=" + threadId)
              .model(request.model())
              .context(request.context())
              .action(BudgetAction.BLOCK)
              .dryRun(dryRun)
              .message(reason)
              .build());
    }
    return Decision.budgetless(
        BudgetAction.BLOCK, dryRun ? "[dry-run] " + reason : reason, retry, dryRun, true);
  }

  /**
   * When a hard cap refuses the requested model's worst case but the refusing budget would
   * downgrade it, admits the call on the cheaper model instead (the model that will actually be
   * called); {@code null} when there is no such model or it does not fit either.
   */
  private @Nullable Admission downgradeInstead(
      AdmissionRequest request, Budget b, ScopeState st, SlotState s, long now, long nanos) {
    AttributionContext ctx = request.context();
    if (request.readmission
        || request.estimator == null
        || request.unreadable
        || b.dryRun
        || b.def.soft()
        || b.def.exemptFromDowngrade(ctx.trafficClass())) {
      return null;
    }
    int k = b.actionsIndex(BudgetAction.DOWNGRADE);
    String target = b.def.downgradeModels().get(request.model());
    if (k < 0 || target == null || target.equals(request.model())) {
      return null;
    }
    BigDecimal cheaper;
    try {
      cheaper = request.estimator.apply(target);
    } catch (RuntimeException e) {
      return null;
    }
    if (cheaper == null || cheaper.signum() < 0 || Money.toNanos(cheaper) >= nanos) {
      return null;
    }
    // Still one call for the loop guard: the cheaper estimate replaces the original one.
    LoopGuardState guard = null;
    if (loopStates != null && ctx.threadId() != null) {
      guard = loopStates.getIfPresent(Objects.requireNonNull(ctx.threadId()));
      if (guard != null) {
        guard.adjust(now, -nanos);
      }
    }
    Admission a =
        admit(request.with(request.provider(), target, cheaper, request.estimatedTokens()));
    if (a.decision().action() == BudgetAction.BLOCK) {
      if (guard != null) {
        guard.adjust(now, nanos - Money.toNanos(cheaper));
      }
      return null;
    }
    Threshold t = b.def.thresholds().get(k);
    String reason =
        "downgrade: budget '"
            + b.def.name()
            + "' for "
            + st.scopeKey
            + " cannot take the worst case of '"
            + request.model()
            + "' within its cap; model '"
            + request.model()
            + "' -> '"
            + target
            + "'";
    emitOnce(
        st,
        BIT_DOWNGRADED,
        BudgetEvent.Type.DOWNGRADED,
        b,
        t,
        s,
        ctx,
        request.model(),
        false,
        now,
        "calls of "
            + st.scopeKey
            + " downgraded from '"
            + request.model()
            + "' to '"
            + target
            + "'");
    Decision d =
        new Decision(
            BudgetAction.DOWNGRADE,
            BudgetAction.DOWNGRADE,
            b.def.name(),
            t.percent(),
            target,
            null,
            reason,
            null,
            false,
            false);
    return new Admission(this, a.request(), d, a.reservationId(), a.reservedNanos());
  }

  private Admission storeFailed(AdmissionRequest request, RuntimeException e, boolean hardMatched) {
    storeFailures.incrementAndGet();
    boolean block = failClosed && hardMatched;
    warnings.warn(
        "budget store failed; call {} ({})",
        block ? "blocked" : "admitted without enforcement",
        e.toString());
    String reason = "budget store unavailable: " + e.getClass().getSimpleName();
    Decision d =
        Decision.budgetless(
            block ? BudgetAction.BLOCK : BudgetAction.NONE, reason, null, false, false);
    return new Admission(this, request, d, null, 0);
  }

  private Decision blocked(
      AdmissionRequest request, Budget b, ScopeState st, SlotState s, Threshold cap, long now) {
    BudgetPeriod p = b.def.period();
    Instant retry;
    if (p.isCalendar()) {
      retry = Instant.ofEpochMilli(p.endMillis(now));
    } else if (p.kind() == BudgetPeriod.Kind.ROLLING) {
      retry = Instant.ofEpochMilli((Math.floorDiv(now, bucketMillis(p)) + 1) * bucketMillis(p));
    } else {
      retry = null;
    }
    String reason =
        "budget '"
            + b.def.name()
            + "' for "
            + st.scopeKey
            + " is exhausted: "
            + Money.fromNanos(s.usedNanos()).toPlainString()
            + " of "
            + b.def.limit().toPlainString()
            + ' '
            + b.def.currency()
            + " spent or reserved"
            + (b.def.tokenLimit() != null
                ? ", " + s.usedTokens() + " of " + b.def.tokenLimit() + " tokens"
                : "")
            + (b.def.requestLimit() != null
                ? ", " + s.usedRequests() + " of " + b.def.requestLimit() + " requests"
                : "")
            + "; this call may cost up to "
            + (request.estimatedCost() == null
                ? "an unknown amount"
                : request.estimatedCost().toPlainString())
            + (retry != null ? "; resets at " + retry : "");
    emitOnce(
        st,
        BIT_BLOCKED,
        BudgetEvent.Type.BLOCKED,
        b,
        cap,
        s,
        request.context(),
        request.model(),
        false,
        now,
        reason);
    return new Decision(
        BudgetAction.BLOCK,
        BudgetAction.BLOCK,
        b.def.name(),
        cap.percent(),
        null,
        null,
        reason,
        retry,
        false,
        false);
  }

  void emitOnce(
      ScopeState st,
      int bit,
      BudgetEvent.Type type,
      Budget b,
      Threshold t,
      SlotState s,
      AttributionContext ctx,
      String model,
      boolean dry,
      long now,
      String message) {
    if (!st.markFired(bit)) {
      return;
    }
    emit(event(type, b, st, t, s, ctx, model, dry, now, message));
  }

  BudgetEvent event(
      BudgetEvent.Type type,
      Budget b,
      ScopeState st,
      @Nullable Threshold t,
      @Nullable SlotState s,
      AttributionContext ctx,
      @Nullable String model,
      boolean dry,
      long now,
      String message) {
    BudgetEvent.Builder e =
        BudgetEvent.builder(type, Instant.ofEpochMilli(now))
            .budgetName(b.def.name())
            .scopeKey(st.scopeKey)
            .limit(b.def.limit())
            .currency(b.def.currency())
            .model(model)
            .context(ctx)
            .dryRun(dry)
            .message(message);
    BudgetPeriod period = b.def.period();
    if (period.isCalendar()) {
      e.period(
          Instant.ofEpochMilli(period.startMillis(now)),
          Instant.ofEpochMilli(period.endMillis(now)));
    }
    if (t != null) {
      e.thresholdPercent(t.percent()).action(b.def.soft() ? BudgetAction.NOTIFY : t.action());
    }
    if (s != null) {
      e.spent(Money.fromNanos(s.usedNanos()));
    }
    return e.build();
  }

  void emit(BudgetEvent event) {
    try {
      listener.onEvent(event);
    } catch (RuntimeException | Error e) {
      // Any Error a user's listener throws stays here: one escaping would abort the admission and
      // let the interceptor send the call unenforced, past a hard cap.
      listenerFailures.incrementAndGet();
      warnings.warn("budget listener failed on {}: {}", event.type(), e.toString());
    }
  }

  private void seed(BudgetSeedSource source) {
    long now = clock.millis();
    for (Budget b : budgets) {
      BudgetPeriod p = b.def.period();
      long from;
      switch (p.kind()) {
        case LIFETIME:
          from = 0;
          break;
        case ROLLING:
          from = now - Objects.requireNonNull(p.window()).toMillis();
          break;
        default:
          from = p.startMillis(now);
      }
      Map<List<String>, BigDecimal> spent;
      try {
        spent =
            source.spentByScope(
                new BudgetSeedSource.Request(
                    b.def.name(),
                    b.def.currency(),
                    b.def.scope(),
                    Instant.ofEpochMilli(from),
                    Instant.ofEpochMilli(now)));
      } catch (RuntimeException e) {
        warnings.warn(
            "seeding budget '{}' failed; it starts from zero: {}", b.def.name(), e.toString());
        continue;
      }
      if (spent == null) {
        continue;
      }
      for (Map.Entry<List<String>, BigDecimal> e : spent.entrySet()) {
        if (e.getKey() == null
            || e.getValue() == null
            || e.getValue().signum() <= 0
            || e.getKey().size() != b.def.scope().size()) {
          continue;
        }
        String scopeKey;
        try {
          scopeKey = b.def.scopeKeyOf(e.getKey());
        } catch (RuntimeException bad) {
          warnings.warn(
              "seed source returned scope values {} that budget '{}' does not cover; skipped",
              e.getKey().size(),
              b.def.name());
          continue;
        }
        SlotKey key = new SlotKey(b.def.name(), scopeKey, p.startMillis(now));
        store.addSpent(
            key, Money.toNanos(e.getValue()), 0, 0, bucketMillis(p), b.expiresAt(now), now);
      }
    }
  }

  /** {@code percent} % of {@code limit}, rounded down, saturating at {@link Long#MAX_VALUE}. */
  static long level(long limit, BigDecimal percent) {
    BigDecimal v =
        BigDecimal.valueOf(limit)
            .multiply(percent)
            .divide(BigDecimal.valueOf(100), 0, java.math.RoundingMode.FLOOR);
    return v.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : v.longValue();
  }

  /** Index of the first threshold of {@code def} with {@code action}, or -1. */
  static int firstIndexOf(BudgetDefinition def, BudgetAction action) {
    for (int i = 0; i < def.thresholds().size(); i++) {
      if (def.thresholds().get(i).action() == action) {
        return i;
      }
    }
    return -1;
  }

  /** Index of the capping threshold of {@code def}, or -1 when none (or the budget is soft). */
  static int capIndexOf(BudgetDefinition def) {
    int cap = -1;
    for (int i = 0; i < def.thresholds().size(); i++) {
      if (!def.soft() && def.thresholds().get(i).isCap()) {
        cap = i;
      }
    }
    return cap;
  }

  /** Milliseconds a rolling window's bucket spans; {@code 0} for the other kinds of period. */
  public static long bucketMillis(BudgetPeriod p) {
    Duration w = p.window();
    return w == null ? 0L : w.toMillis() / BudgetStore.ROLLING_BUCKETS;
  }

  /** Engine-side state of one budget: its definition and per-scope-value event bookkeeping. */
  static final class Budget {
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

  /** Per scope value of a budget: the current period's key and which events fired in it. */
  static final class ScopeState {
    final String scopeKey;
    volatile @Nullable SlotKey key;
    final AtomicLong fired = new AtomicLong();

    private final AtomicLong armedAt = new AtomicLong(Long.MIN_VALUE);

    ScopeState(String scopeKey) {
      this.scopeKey = scopeKey;
    }

    /** Clears every fired event once per {@code windowMillis}, counted from the first call. */
    void rearmEvery(long windowMillis, long nowMillis) {
      long at = armedAt.get();
      if (at == Long.MIN_VALUE) {
        armedAt.compareAndSet(at, nowMillis);
      } else if (nowMillis - at >= windowMillis && armedAt.compareAndSet(at, nowMillis)) {
        fired.set(0);
      }
    }

    /**
     * Rolling and lifetime budgets have one endless period, so their events re-arm once usage falls
     * back (the window slid, a top-up): thresholds above {@code highest}; the downgrade event below
     * the first downgrade threshold; block and reroute events below the threshold under the cap (a
     * hysteresis, so calls alternating around the cap do not repeat the event).
     */
    void rearm(BudgetDefinition def, int highest) {
      long keep = ~0L << (highest + 1) ^ ~0L; // bits 0..highest
      keep |= ~0L << BIT_DOWNGRADED; // action bits, unless re-armed below
      int firstDowngrade = firstIndexOf(def, BudgetAction.DOWNGRADE);
      int capIndex = capIndexOf(def);
      if (firstDowngrade >= 0 && highest < firstDowngrade) {
        keep &= ~(1L << BIT_DOWNGRADED);
      }
      if (capIndex >= 0 && highest < Math.max(capIndex - 1, 0)) {
        keep &= ~(1L << BIT_BLOCKED) & ~(1L << BIT_REROUTED);
      }
      long clear = ~keep;
      if ((fired.get() & clear) != 0) {
        long k = keep;
        fired.getAndUpdate(v -> v & k);
      }
    }

    boolean markFired(int bit) {
      long mask = 1L << bit;
      while (true) {
        long cur = fired.get();
        if ((cur & mask) != 0) {
          return false;
        }
        if (fired.compareAndSet(cur, cur | mask)) {
          return true;
        }
      }
    }
  }

  /** Builds a {@link BudgetEngine}; {@link #build()} validates and names the bad field. */
  public static final class Builder {
    private final List<BudgetDefinition> budgets = new ArrayList<>();
    private @Nullable BudgetStore store;
    private Clock clock = Clock.systemUTC();
    private BudgetListener listener = LoggingBudgetListener.INSTANCE;
    private @Nullable LoopGuard loopGuard;
    private boolean dryRun;
    private Duration reservationTimeout = Duration.ofSeconds(DEFAULT_RESERVATION_TIMEOUT_SECONDS);
    private UnpricedPolicy unpricedPolicy = UnpricedPolicy.ALLOW;
    private @Nullable BigDecimal fallbackEstimate;
    private @Nullable Boolean failClosed;
    private BigDecimal unreadableReserve = new BigDecimal(DEFAULT_UNREADABLE_RESERVE);
    private boolean blockUnreadable;
    private long unreadableTokens = DEFAULT_UNREADABLE_TOKEN_RESERVE;
    private @Nullable BudgetSeedSource seedSource;
    private int maxTrackedValues = DEFAULT_MAX_TRACKED_SCOPE_VALUES;

    private Builder() {}

    /**
     * How many values of each per-value budget ({@code each(TENANT)} and the like) the engine
     * tracks at once; default {@value #DEFAULT_MAX_TRACKED_SCOPE_VALUES}. A tracked value holds
     * about 1 KB (its counter and event state: 100,000 values measured about 100 MB). Beyond the
     * maximum the least recently used values are evicted (counted by {@link
     * BudgetEngine#evictedScopeValues()}): an evicted value fires its threshold events again, and
     * with the default in-memory store its spend this period is forgotten, so it can spend up to
     * its limit again. Set it above the number of values active in one period; a shared store
     * (Redis) keeps every counter until its period ends regardless.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxTrackedScopeValues(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxTrackedScopeValues: must be at least 1, was " + max);
      }
      this.maxTrackedValues = max;
      return this;
    }

    /** Adds a budget. */
    public Builder budget(BudgetDefinition budget) {
      budgets.add(Objects.requireNonNull(budget, "budget"));
      return this;
    }

    /** Adds budgets, e.g. from {@link BudgetDefinitions#load(java.nio.file.Path)}. */
    public Builder budgets(List<BudgetDefinition> list) {
      list.forEach(this::budget);
      return this;
    }

    /** The store; default a new {@link InMemoryBudgetStore} on the engine's clock. */
    public Builder store(BudgetStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** The clock for periods, windows and expiry; default {@link Clock#systemUTC()}. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Receives events; default {@link BudgetEngine#loggingListener()}. */
    public Builder listener(BudgetListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Enables the loop guard; default none. */
    public Builder loopGuard(@Nullable LoopGuard loopGuard) {
      this.loopGuard = loopGuard;
      return this;
    }

    /** Makes every budget and the loop guard observe-only; default {@code false}. */
    public Builder dryRun(boolean dryRun) {
      this.dryRun = dryRun;
      return this;
    }

    /**
     * How long a reservation lives without settle or release; default {@value
     * #DEFAULT_RESERVATION_TIMEOUT_SECONDS} s. A reservation still open then is charged its full
     * estimate; a settle arriving later (within a day) replaces that charge by the real cost. Set
     * it above your longest calls, or an abandoned call holds its estimate as spend rather than as
     * a reservation. Also the grace a finished period's counters are kept.
     */
    public Builder reservationTimeout(Duration timeout) {
      this.reservationTimeout = Objects.requireNonNull(timeout, "reservationTimeout");
      return this;
    }

    /** The policy for unpriced calls other than {@link UnpricedPolicy#FALLBACK_RATE}. */
    public Builder unpricedPolicy(UnpricedPolicy policy) {
      this.unpricedPolicy = Objects.requireNonNull(policy, "unpricedPolicy");
      return this;
    }

    /**
     * The policy for unpriced calls with the estimate reserved for each under {@link
     * UnpricedPolicy#FALLBACK_RATE}.
     */
    public Builder unpricedPolicy(UnpricedPolicy policy, @Nullable BigDecimal fallbackEstimate) {
      this.unpricedPolicy = Objects.requireNonNull(policy, "unpricedPolicy");
      this.fallbackEstimate = fallbackEstimate;
      return this;
    }

    /**
     * Whether a failing store blocks calls under hard budgets ({@code true}) or lets them through
     * unenforced ({@code false}). Default: what the store says ({@link BudgetStore#failsClosed()}),
     * so a Redis store in its default {@code FAIL_CLOSED} mode blocks during an outage without
     * further configuration. {@code false} with a store that fails closed fails {@link #build()}:
     * choose the mode on the store.
     */
    public Builder failClosed(boolean failClosed) {
      this.failClosed = failClosed;
      return this;
    }

    /**
     * What a call reserves under each hard budget when its cost has no upper bound: its request
     * body could not be read (larger than the transport's read limit, one-shot, not the provider's
     * format), or its model is unknown or unpriced (under {@link UnpricedPolicy#ALLOW}). Soft and
     * dry-run budgets reserve nothing for such calls. Default {@value #DEFAULT_UNREADABLE_RESERVE}
     * in the budget's currency: above the worst case of a full-context call of mid-priced models
     * (gpt-4o with 128k input and 16k output tokens is about 0.48 USD) but below that of the
     * dearest (a 200k-token claude-opus call can cost about 5 USD); raise it if such calls are
     * yours, or {@linkplain #blockUnreadableRequests block} them.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder unreadableRequestReserve(BigDecimal reserve) {
      Objects.requireNonNull(reserve, "unreadableRequestReserve");
      if (reserve.signum() < 0) {
        throw new IllegalArgumentException(
            "unreadableRequestReserve: must not be negative, was " + reserve.toPlainString());
      }
      this.unreadableReserve = reserve;
      return this;
    }

    /**
     * The tokens a call whose request body could not be read reserves under each hard budget (at
     * least its own estimate), the token counterpart of the {@linkplain #unreadableRequestReserve
     * money reserve}; it matters only for budgets with a {@linkplain BudgetDefinition#tokenLimit()
     * token limit}. Default {@value #DEFAULT_UNREADABLE_TOKEN_RESERVE}, a full 200k context window.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder unreadableRequestTokenReserve(long tokens) {
      if (tokens < 0) {
        throw new IllegalArgumentException(
            "unreadableRequestTokenReserve: must not be negative, was " + tokens);
      }
      this.unreadableTokens = tokens;
      return this;
    }

    /**
     * Whether calls whose request body could not be read are blocked outright when a hard budget
     * matches them, instead of reserving the {@linkplain #unreadableRequestReserve reserve};
     * default {@code false}.
     */
    public Builder blockUnreadableRequests(boolean block) {
      this.blockUnreadable = block;
      return this;
    }

    /** Seeds the store at build time with spend already recorded this period. */
    public Builder seedFrom(@Nullable BudgetSeedSource source) {
      this.seedSource = source;
      return this;
    }

    /**
     * Validates and builds (and seeds, if a seed source is set).
     *
     * @throws IllegalArgumentException naming the bad field or budget
     */
    public BudgetEngine build() {
      Set<String> names = new HashSet<>();
      for (BudgetDefinition d : budgets) {
        if (!names.add(d.name())) {
          throw new IllegalArgumentException("budget '" + d.name() + "': name: defined twice");
        }
        if (d.thresholds().size() > MAX_THRESHOLDS) {
          throw new IllegalArgumentException(
              "budget '" + d.name() + "': thresholds: at most " + MAX_THRESHOLDS + " are allowed");
        }
      }
      if (reservationTimeout.isNegative() || reservationTimeout.toMillis() < 1) {
        throw new IllegalArgumentException(
            "reservationTimeout: must be positive, was " + reservationTimeout);
      }
      if (unpricedPolicy == UnpricedPolicy.FALLBACK_RATE
          && (fallbackEstimate == null || fallbackEstimate.signum() <= 0)) {
        throw new IllegalArgumentException(
            "unpricedPolicy: FALLBACK_RATE needs a positive fallback estimate");
      }
      if (unpricedPolicy != UnpricedPolicy.FALLBACK_RATE && fallbackEstimate != null) {
        throw new IllegalArgumentException(
            "unpricedPolicy: a fallback estimate is only used with FALLBACK_RATE");
      }
      if (Boolean.FALSE.equals(failClosed) && store != null && store.failsClosed()) {
        throw new IllegalArgumentException(
            "failClosed: false contradicts the store, which fails closed; to admit calls during"
                + " an outage choose the store's fail-open mode and leave failClosed unset");
      }
      return new BudgetEngine(this);
    }
  }
}
