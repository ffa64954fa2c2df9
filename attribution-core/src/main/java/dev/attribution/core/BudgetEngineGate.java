package dev.attribution.core;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.BudgetAction;
import dev.attribution.core.internal.budget.Admission;
import dev.attribution.core.internal.budget.AdmissionRequest;
import dev.attribution.core.internal.budget.BudgetEngine;
import dev.attribution.core.internal.budget.Decision;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** The engine's view of a {@link BudgetEngine}. */
final class BudgetEngineGate implements BudgetGate {

  /** The budget name recorded when the loop guard decided. */
  static final String LOOP_GUARD = "loop-guard";

  private final BudgetEngine budgets;

  BudgetEngineGate(BudgetEngine budgets) {
    this.budgets = budgets;
  }

  @Override
  public Gate admit(
      AttributionContext context,
      String provider,
      String model,
      @Nullable String keyFingerprint,
      @Nullable BigDecimal estimate,
      long estimatedTokens) {
    return admit(
        context, provider, model, keyFingerprint, estimate, estimatedTokens, false, m -> null);
  }

  @Override
  public Gate admit(
      AttributionContext context,
      String provider,
      String model,
      @Nullable String keyFingerprint,
      @Nullable BigDecimal estimate,
      long estimatedTokens,
      boolean unreadable,
      Function<String, @Nullable BigDecimal> estimator) {
    AdmissionRequest r =
        AdmissionRequest.of(context, provider, model, keyFingerprint, estimate, estimatedTokens)
            .withEstimator(estimator);
    return new AdmissionGate(budgets.admit(unreadable ? r.asUnreadable() : r));
  }

  @Override
  public Gate admit(
      AttributionContext context,
      String provider,
      String model,
      @Nullable String keyFingerprint,
      @Nullable BigDecimal estimate,
      long estimatedTokens,
      Function<String, @Nullable BigDecimal> estimator,
      @Nullable BigDecimal floorEstimate,
      long floorTokens,
      Supplier<Exact> exact) {
    AdmissionRequest r =
        AdmissionRequest.of(
            context,
            provider,
            model,
            keyFingerprint,
            estimate,
            estimatedTokens,
            estimator,
            floorEstimate,
            floorTokens,
            () -> {
              Exact e = exact.get();
              return AdmissionRequest.of(
                      context, provider, model, keyFingerprint, e.estimate(), e.tokens())
                  .withEstimator(e.estimator());
            });
    return new AdmissionGate(budgets.admit(r));
  }

  private static final class AdmissionGate implements Gate {
    private final Admission admission;
    private final Decision d;

    AdmissionGate(Admission admission) {
      this.admission = admission;
      this.d = admission.decision();
    }

    @Override
    public BudgetAction action() {
      return d.intendedAction();
    }

    @Override
    public boolean dryRun() {
      return d.dryRun();
    }

    @Override
    public @Nullable String budgetName() {
      return d.loopGuard() ? LOOP_GUARD : d.budgetName();
    }

    @Override
    public @Nullable BigDecimal percent() {
      return d.thresholdPercent();
    }

    @Override
    public @Nullable String targetModel() {
      return d.targetModel();
    }

    @Override
    public @Nullable String route() {
      return d.route();
    }

    @Override
    public String reason() {
      return d.reason();
    }

    @Override
    public @Nullable Instant retryAt() {
      return d.retryAt();
    }

    @Override
    public Gate readmit(String provider, String model, @Nullable BigDecimal estimate, long tokens) {
      return new AdmissionGate(admission.readmit(provider, model, estimate, tokens));
    }

    @Override
    public void settle(@Nullable BigDecimal cost, long tokens) {
      admission.settle(cost, tokens);
    }

    @Override
    public boolean holdsReservation() {
      return admission.hasReservation();
    }

    @Override
    public void release(@Nullable BigDecimal billed) {
      admission.release(billed);
    }
  }
}
