package dev.attribution.core.internal.budget;

import static dev.attribution.core.internal.budget.BudgetEngine.BIT_BLOCKED;
import static dev.attribution.core.internal.budget.BudgetEngine.BIT_DOWNGRADED;
import static dev.attribution.core.internal.budget.BudgetEngine.BIT_REROUTED;
import static dev.attribution.core.internal.budget.BudgetEngine.bucketMillis;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.BudgetEvent;
import dev.attribution.api.budget.ReserveResult;
import dev.attribution.api.budget.SlotState;
import dev.attribution.core.budget.BudgetPeriod;
import dev.attribution.core.budget.Threshold;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What the budgets' thresholds call for once the store has answered an admission: stage 5 ({@link
 * #pick}: the strongest action among the thresholds a reservation crossed, a dry-run budget's
 * reported but not applied) and the block of a cap that refuses the reservation ({@link #blocked}),
 * each with the events a crossing emits once per scope and period. {@link AdmissionPipeline}
 * decides whether and what to reserve; this class only reads the store's answer and the budgets'
 * definitions, and builds the {@link Decision}.
 */
final class ThresholdActions {
  private final BudgetEngine engine;

  ThresholdActions(BudgetEngine engine) {
    this.engine = engine;
  }

  /**
   * Stage 5: the action, from the thresholds the reservation crossed (the strongest wins; a dry-run
   * budget's is reported but not applied), with the events each crossing emits once.
   */
  Decision pick(AdmissionRequest request, Reservation res, @Nullable Decision observed, long now) {
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
      engine.emitOnce(
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
      int k = b.crossed(s, st, engine, ctx, request.model(), now);
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
        downgraded(st, b, t, s, ctx, request.model(), Objects.requireNonNull(tm), dry, now);
      } else if (a == BudgetAction.BLOCK) {
        engine.emitOnce(
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
        engine.emitOnce(
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

  /**
   * Emits, once per scope and period, that calls of {@code st} are downgraded from {@code model} to
   * {@code target}: whether a crossed threshold downgrades them or a cap admits them only on the
   * cheaper model.
   */
  void downgraded(
      ScopeState st,
      Budget b,
      Threshold t,
      SlotState s,
      AttributionContext ctx,
      String model,
      String target,
      boolean dry,
      long now) {
    engine.emitOnce(
        st,
        BIT_DOWNGRADED,
        BudgetEvent.Type.DOWNGRADED,
        b,
        t,
        s,
        ctx,
        model,
        dry,
        now,
        "calls of " + st.scopeKey + " downgraded from '" + model + "' to '" + target + "'");
  }

  Decision blocked(
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
            + (request.estimatedCost() == null ? " cannot take this call: " : " is exhausted: ")
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
            + (request.estimatedCost() == null
                // Say why an untouched budget refuses it: no bound, so the reserve is what counts.
                ? "; this call's cost has no upper bound (its model has no price, or its body"
                    + " could not be read), so it reserves "
                    + Money.fromNanos(engine.unreadableNanos).toPlainString()
                    + " (AttributionEngine.builder().unreadableRequestReserve(..))"
                : "; this call may cost up to " + request.estimatedCost().toPlainString())
            + (retry != null ? "; resets at " + retry : "");
    engine.emitOnce(
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
}
