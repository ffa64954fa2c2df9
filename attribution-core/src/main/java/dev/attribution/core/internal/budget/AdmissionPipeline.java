package dev.attribution.core.internal.budget;

import com.github.benmanes.caffeine.cache.Cache;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.BudgetEvent;
import dev.attribution.api.budget.BudgetStore;
import dev.attribution.api.budget.ReserveResult;
import dev.attribution.api.budget.SlotCharge;
import dev.attribution.api.budget.SlotState;
import dev.attribution.api.internal.RateLimitedLogger;
import dev.attribution.core.budget.LoopGuard;
import dev.attribution.core.budget.Threshold;
import dev.attribution.core.pricing.UnpricedPolicy;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * One admission of {@link BudgetEngine}, as five stages that each return an immutable answer:
 * {@code estimateWorstCase -> guardLoop -> resolveScopes -> reserve -> pick}, plus the decisions
 * they share (loop check, downgrade instead, store failure). The last stage, the action the crossed
 * thresholds call for, and the block of a cap that refuses the reservation live in {@link
 * ThresholdActions}: they only read the store's answer ({@link Reservation}). Settlement stays in
 * {@link BudgetEngine#finish} (a short block), event emission and status in {@link BudgetEngine}.
 */
final class AdmissionPipeline {
  private final BudgetEngine engine;
  private final Budget[] budgets;
  private final BudgetStore store;
  private final Clock clock;
  private final @Nullable LoopGuard loopGuard;
  private final @Nullable Cache<String, LoopGuardState> loopStates;
  private final long loopWindowMillis;
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
  private final Set<String> unpricedSeen;
  private final AtomicLong reservationSeq;
  private final String idPrefix;
  private final AtomicLong storeFailures;
  private final RateLimitedLogger warnings;
  private final ThresholdActions actions;

  AdmissionPipeline(BudgetEngine engine) {
    this.engine = engine;
    this.actions = new ThresholdActions(engine);
    this.budgets = engine.budgets;
    this.store = engine.store;
    this.clock = engine.clock;
    this.loopGuard = engine.loopGuard;
    this.loopStates = engine.loopStates;
    this.loopWindowMillis = engine.loopWindowMillis;
    this.newLoopState = engine.newLoopState;
    this.loopMaxNanos = engine.loopMaxNanos;
    this.dryRun = engine.dryRun;
    this.timeoutMillis = engine.timeoutMillis;
    this.unpricedPolicy = engine.unpricedPolicy;
    this.fallbackNanos = engine.fallbackNanos;
    this.failClosed = engine.failClosed;
    this.unreadableNanos = engine.unreadableNanos;
    this.blockUnreadable = engine.blockUnreadable;
    this.unreadableTokens = engine.unreadableTokens;
    this.unpricedSeen = engine.unpricedSeen;
    this.reservationSeq = engine.reservationSeq;
    this.idPrefix = engine.idPrefix;
    this.storeFailures = engine.storeFailures;
    this.warnings = engine.warnings;
  }

  /** See {@link BudgetEngine#admit}. */
  Admission admit(AdmissionRequest request) {
    Objects.requireNonNull(request, "request");
    // An estimate made from the input's cheap upper bound, refinable to the exact one: decided on
    // the bound unless the bound could change the decision.
    AdmissionRequest.Refinement refine =
        request.unreadable || request.readmission ? null : request.refinement;
    long now = clock.millis();
    engine.sweep(now);
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
          engine, request, loop.observed() != null ? loop.observed() : Decision.ALLOW, null, 0);
    }
    Reservation reservation = reserve(request, worst, scopes, refine, loop, now);
    if (reservation.answer() != null) {
      return reservation.answer();
    }
    Decision d = actions.pick(request, reservation, loop.observed(), now);
    return new Admission(
        engine,
        request,
        d,
        reservation.id(),
        reservation.reservedNanos(),
        reservation.reservedTokens());
  }

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
            return new WorstCase(0, false, d, new Admission(engine, request, d, null, 0));
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
          return new LoopVerdict(loop, null, new Admission(engine, request, loop, null, 0));
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

    // The lists are built for this record by resolveScopes and never changed afterwards (reserve
    // copies them before it drops a rerouting budget): no defensive copies on every call.
  }

  private Scopes resolveScopes(AdmissionRequest request, WorstCase worst, long now) {
    AttributionContext ctx = request.context();
    // The usual call matches one budget: it is kept alone (one immutable list each at the end),
    // the lists are made only for a second one.
    Budget oneBudget = null;
    ScopeState oneState = null;
    SlotCharge oneCharge = null;
    List<Budget> matched = null;
    List<ScopeState> states = null;
    List<SlotCharge> charges = null;
    boolean hardMatched = false;
    for (Budget b : budgets) {
      String key =
          b.def.scopeKeyFor(ctx, request.provider(), request.model(), request.keyFingerprint());
      if (key == null) {
        continue;
      }
      ScopeState st = b.scope(key, now, engine, ctx);
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
                engine,
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
      SlotCharge charge =
          b.charge(st.key, worst.unknownCost() && !hard ? 0 : worst.nanos(), tokens, now);
      if (oneBudget == null) {
        oneBudget = b;
        oneState = st;
        oneCharge = charge;
        continue;
      }
      if (matched == null) {
        int capacity = Math.min(budgets.length, 8);
        matched = new ArrayList<>(capacity);
        states = new ArrayList<>(capacity);
        charges = new ArrayList<>(capacity);
        matched.add(oneBudget);
        states.add(Objects.requireNonNull(oneState));
        charges.add(Objects.requireNonNull(oneCharge));
      }
      matched.add(b);
      Objects.requireNonNull(states).add(st);
      Objects.requireNonNull(charges).add(charge);
    }
    if (matched == null) {
      return oneBudget == null
          ? new Scopes(List.of(), List.of(), List.of(), hardMatched, null)
          : new Scopes(
              List.of(oneBudget),
              List.of(Objects.requireNonNull(oneState)),
              List.of(Objects.requireNonNull(oneCharge)),
              hardMatched,
              null);
    }
    return new Scopes(
        matched,
        Objects.requireNonNull(states),
        Objects.requireNonNull(charges),
        hardMatched,
        null);
  }

  /**
   * Stage 4: the reservation, against every matching budget at once; a budget whose cap reroutes is
   * dropped from it and remembered.
   */
  private Reservation reserve(
      AdmissionRequest request,
      WorstCase worst,
      Scopes scopes,
      AdmissionRequest.@Nullable Refinement refine,
      LoopVerdict loop,
      long now) {
    long nanos = worst.nanos();
    // Copied only when a rerouting budget has to be dropped from them (rare).
    List<SlotCharge> charges = scopes.charges();
    List<Budget> matched = scopes.matched();
    List<ScopeState> states = scopes.states();
    boolean copied = false;
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
        Decision d = actions.blocked(request, b, st, s, cap, now);
        return Reservation.ended(new Admission(engine, request, d, null, 0));
      }
      if (rerouteBy == null) {
        rerouteBy = b;
        rerouteScope = st;
        rerouteState = s;
      }
      if (!copied) {
        charges = new ArrayList<>(charges);
        matched = new ArrayList<>(matched);
        states = new ArrayList<>(states);
        copied = true;
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
    long tokens = 0;
    if (result != null) {
      // The most any budget reserved (a hard budget holds more for an unreadable request): what an
      // answer of unknown usage is charged.
      for (int i = 0, n = charges.size(); i < n; i++) {
        tokens = Math.max(tokens, charges.get(i).tokens());
      }
    }
    return new Reservation(
        result == null ? null : id,
        result == null ? 0 : nanos,
        tokens,
        result,
        matched,
        states,
        rerouteBy,
        rerouteScope,
        rerouteState,
        null);
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

  private void unpriced(AdmissionRequest request, long now) {
    String key = request.provider() + '/' + request.model();
    if (unpricedSeen.size() < 10_000 && unpricedSeen.add(key)) {
      engine.emit(
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
      engine.emit(
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
    actions.downgraded(st, b, t, s, ctx, request.model(), target, false, now);
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
    return new Admission(engine, a.request(), d, a.reservationId(), a.reservedNanos());
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
    return new Admission(engine, request, d, null, 0);
  }
}
