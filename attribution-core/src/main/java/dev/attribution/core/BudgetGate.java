package dev.attribution.core;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.BudgetAction;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** Budgets, as the engine uses them: the seam between the engine and the budget engine. */
interface BudgetGate {

  /** Reserves the estimate against every matching budget and decides. Never throws. */
  Gate admit(
      AttributionContext context,
      String provider,
      String model,
      @Nullable String keyFingerprint,
      @Nullable BigDecimal estimate,
      long estimatedTokens);

  /**
   * As {@link #admit(AttributionContext, String, String, String, BigDecimal, long)}, for a call
   * whose body was {@code unreadable} (no upper bound known), with {@code estimator} giving the
   * call's worst case on another model of the same provider (for a downgrade instead of a block).
   */
  default Gate admit(
      AttributionContext context,
      String provider,
      String model,
      @Nullable String keyFingerprint,
      @Nullable BigDecimal estimate,
      long estimatedTokens,
      boolean unreadable,
      Function<String, @Nullable BigDecimal> estimator) {
    return admit(context, provider, model, keyFingerprint, estimate, estimatedTokens);
  }

  /**
   * As {@link #admit(AttributionContext, String, String, String, BigDecimal, long, boolean,
   * Function)} for an estimate made from the input's cheap upper bound: {@code floorEstimate} and
   * {@code floorTokens} are the same call with no input, and {@code exact} counts the input exactly
   * (tokenising), asked for only when the bound could change the decision. This default always asks
   * for it.
   */
  default Gate admit(
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
    Exact e = exact.get();
    return admit(
        context, provider, model, keyFingerprint, e.estimate(), e.tokens(), false, e.estimator());
  }

  /**
   * A call's estimate with its input tokens counted exactly.
   *
   * @param estimate the worst-case cost, or {@code null} when unpriced
   * @param tokens the worst-case tokens
   * @param estimator the worst case on another model of the same provider
   */
  record Exact(
      @Nullable BigDecimal estimate,
      long tokens,
      Function<String, @Nullable BigDecimal> estimator) {}

  /** One admission: the decision and the reservation to settle. */
  interface Gate {
    BudgetAction action();

    boolean dryRun();

    @Nullable String budgetName();

    @Nullable BigDecimal percent();

    @Nullable String targetModel();

    @Nullable String route();

    String reason();

    @Nullable Instant retryAt();

    /** Re-reserves for a rewritten call (downgraded model or rerouted provider). */
    Gate readmit(String provider, String model, @Nullable BigDecimal estimate, long tokens);

    /**
     * Replaces the reservation by the real cost; a {@code null} (unknown) cost keeps the reserved
     * amount as the charge, and negative (unknown) tokens the reserved tokens. Idempotent.
     */
    void settle(@Nullable BigDecimal cost, long tokens);

    /** Drops the reservation, charging {@code billed} if known. Idempotent. */
    void release(@Nullable BigDecimal billed);

    /** Whether a reservation is held against at least one budget. */
    default boolean holdsReservation() {
      return false;
    }
  }

  /** A gate that allows everything and reserves nothing. */
  Gate ALLOW_ALL =
      new Gate() {
        @Override
        public BudgetAction action() {
          return BudgetAction.NONE;
        }

        @Override
        public boolean dryRun() {
          return false;
        }

        @Override
        public @Nullable String budgetName() {
          return null;
        }

        @Override
        public @Nullable BigDecimal percent() {
          return null;
        }

        @Override
        public @Nullable String targetModel() {
          return null;
        }

        @Override
        public @Nullable String route() {
          return null;
        }

        @Override
        public String reason() {
          return "";
        }

        @Override
        public @Nullable Instant retryAt() {
          return null;
        }

        @Override
        public Gate readmit(
            String provider, String model, @Nullable BigDecimal estimate, long tokens) {
          return this;
        }

        @Override
        public void settle(@Nullable BigDecimal cost, long tokens) {}

        @Override
        public void release(@Nullable BigDecimal billed) {}
      };

  /** No budgets. */
  BudgetGate NONE = (context, provider, model, key, estimate, tokens) -> ALLOW_ALL;
}
