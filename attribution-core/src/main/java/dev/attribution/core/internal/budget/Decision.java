package dev.attribution.core.internal.budget;

import dev.attribution.api.BudgetAction;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What admission decided for one call. Immutable.
 *
 * <p>{@link #action()} is what the caller must do: {@link BudgetAction#NONE} (send as is), {@link
 * BudgetAction#NOTIFY} (send as is; listeners were told), {@link BudgetAction#DOWNGRADE} (send with
 * {@link #targetModel()}), {@link BudgetAction#REROUTE} (send over {@link #route()}) or {@link
 * BudgetAction#BLOCK} (do not send). {@link #intendedAction()} is what enforcement would have done
 * without dry-run; it differs from {@link #action()} only when {@link #dryRun()} is {@code true}.
 */
public final class Decision {

  static final Decision ALLOW =
      new Decision(
          BudgetAction.NONE, BudgetAction.NONE, null, null, null, null, "", null, false, false);

  private final BudgetAction action;
  private final BudgetAction intendedAction;
  private final @Nullable String budgetName;
  private final @Nullable BigDecimal thresholdPercent;
  private final @Nullable String targetModel;
  private final @Nullable String route;
  private final String reason;
  private final @Nullable Instant retryAt;
  private final boolean dryRun;
  private final boolean loopGuard;

  Decision(
      BudgetAction action,
      BudgetAction intendedAction,
      @Nullable String budgetName,
      @Nullable BigDecimal thresholdPercent,
      @Nullable String targetModel,
      @Nullable String route,
      String reason,
      @Nullable Instant retryAt,
      boolean dryRun,
      boolean loopGuard) {
    this.action = Objects.requireNonNull(action);
    this.intendedAction = Objects.requireNonNull(intendedAction);
    this.budgetName = budgetName;
    this.thresholdPercent = thresholdPercent;
    this.targetModel = targetModel;
    this.route = route;
    this.reason = Objects.requireNonNull(reason);
    this.retryAt = retryAt;
    this.dryRun = dryRun;
    this.loopGuard = loopGuard;
  }

  /**
   * A decision no budget threshold made (unpriced policy, loop guard, store failure): {@code
   * intended} is applied unless {@code dryRun}, when {@link BudgetAction#NONE} is.
   */
  static Decision budgetless(
      BudgetAction intended,
      String reason,
      @Nullable Instant retryAt,
      boolean dryRun,
      boolean loopGuard) {
    return new Decision(
        dryRun ? BudgetAction.NONE : intended,
        intended,
        null,
        null,
        null,
        null,
        reason,
        retryAt,
        dryRun,
        loopGuard);
  }

  /** The action to apply to the call. */
  public BudgetAction action() {
    return action;
  }

  /** The action enforcement decided, applied or (in dry-run) only recorded. */
  public BudgetAction intendedAction() {
    return intendedAction;
  }

  /** Whether the call must not be sent ({@code action() == BLOCK}). */
  public boolean blocked() {
    return action == BudgetAction.BLOCK;
  }

  /**
   * The budget whose threshold produced {@link #intendedAction()}, or {@code null} (no threshold,
   * the loop guard, or the unpriced policy).
   */
  public @Nullable String budgetName() {
    return budgetName;
  }

  /** The threshold, in percent of the limit, that triggered; or {@code null}. */
  public @Nullable BigDecimal thresholdPercent() {
    return thresholdPercent;
  }

  /** For {@link BudgetAction#DOWNGRADE}: the model to use instead; otherwise {@code null}. */
  public @Nullable String targetModel() {
    return targetModel;
  }

  /** For {@link BudgetAction#REROUTE}: the route to use; otherwise {@code null}. */
  public @Nullable String route() {
    return route;
  }

  /** A human-readable reason, empty when nothing applied; never contains prompt text. */
  public String reason() {
    return reason;
  }

  /**
   * For a block: when trying again may succeed (the end of the blocking budget's calendar period,
   * or when the loop guard's window frees a call); {@code null} when unknown (rolling windows are
   * reported at their next bucket, lifetime budgets need a top-up).
   */
  public @Nullable Instant retryAt() {
    return retryAt;
  }

  /** Whether {@link #intendedAction()} was only recorded, because of dry-run. */
  public boolean dryRun() {
    return dryRun;
  }

  /** Whether the loop guard made this decision. */
  public boolean loopGuard() {
    return loopGuard;
  }

  @Override
  public String toString() {
    return "Decision{"
        + action
        + (dryRun ? " (dry-run, intended " + intendedAction + ")" : "")
        + (budgetName == null ? "" : " budget=" + budgetName)
        + (thresholdPercent == null ? "" : " at " + thresholdPercent.toPlainString() + "%")
        + (targetModel == null ? "" : " model=" + targetModel)
        + (route == null ? "" : " route=" + route)
        + (loopGuard ? " loop-guard" : "")
        + (reason.isEmpty() ? "" : ": " + reason)
        + '}';
  }
}
