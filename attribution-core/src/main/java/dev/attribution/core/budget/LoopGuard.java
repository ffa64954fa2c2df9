package dev.attribution.core.budget;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Limits per thread id ({@link dev.attribution.api.AttributionContext#threadId()}): at most {@link
 * #maxCalls()} calls and at most {@link #maxSpend()} money within any sliding {@link #window()},
 * whatever the money budgets say. Stops a runaway agent loop. Calls without a thread id are not
 * guarded. Immutable.
 */
public final class LoopGuard {

  private final int maxCalls;
  private final @Nullable BigDecimal maxSpend;
  private final Duration window;

  private LoopGuard(int maxCalls, @Nullable BigDecimal maxSpend, Duration window) {
    Objects.requireNonNull(window, "window");
    if (maxCalls <= 0) {
      throw new IllegalArgumentException("maxCalls must be positive, was " + maxCalls);
    }
    if (maxSpend != null && maxSpend.signum() <= 0) {
      throw new IllegalArgumentException(
          "maxSpend must be positive, was " + maxSpend.toPlainString());
    }
    if (window.toMillis() < BudgetPeriod.ROLLING_BUCKETS) {
      throw new IllegalArgumentException(
          "window must be at least " + BudgetPeriod.ROLLING_BUCKETS + " ms, was " + window);
    }
    this.maxCalls = maxCalls;
    this.maxSpend = maxSpend;
    this.window = window;
  }

  /**
   * A guard allowing {@code maxCalls} calls and {@code maxSpend} money per thread id within any
   * {@code window}.
   *
   * @param maxCalls calls allowed within the window, positive
   * @param maxSpend money allowed within the window (estimates of open calls count), or {@code
   *     null} for no money limit
   * @param window the sliding window, at least {@value BudgetPeriod#ROLLING_BUCKETS} ms
   * @throws IllegalArgumentException naming the bad argument
   */
  public static LoopGuard of(int maxCalls, @Nullable BigDecimal maxSpend, Duration window) {
    return new LoopGuard(maxCalls, maxSpend, window);
  }

  /** Calls allowed per thread id within the window. */
  public int maxCalls() {
    return maxCalls;
  }

  /** Money allowed per thread id within the window, or {@code null}. */
  public @Nullable BigDecimal maxSpend() {
    return maxSpend;
  }

  /** The sliding window. */
  public Duration window() {
    return window;
  }

  @Override
  public String toString() {
    return "LoopGuard{"
        + maxCalls
        + " calls"
        + (maxSpend == null ? "" : ", " + maxSpend.toPlainString())
        + " per "
        + window
        + '}';
  }
}
