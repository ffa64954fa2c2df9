package dev.attribution.core.budget;

import dev.attribution.api.BudgetAction;
import java.math.BigDecimal;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One rung of a budget's ladder: when spend plus reservations reaches {@link #percent()} of the
 * limit, take {@link #action()}.
 *
 * <p>{@link BudgetAction#NOTIFY} and {@link BudgetAction#DOWNGRADE} apply once usage reaches the
 * level; {@link BudgetAction#BLOCK} and {@link BudgetAction#REROUTE} are caps: they apply to a call
 * whose reservation would take usage <em>above</em> the level (or that finds the level already
 * reached), so usage can reach the level exactly but never pass it. Immutable.
 */
public final class Threshold implements Comparable<Threshold> {

  private final BigDecimal percent;
  private final BudgetAction action;
  private final @Nullable String route;

  private Threshold(BigDecimal percent, BudgetAction action, @Nullable String route) {
    Objects.requireNonNull(percent, "percent");
    Objects.requireNonNull(action, "action");
    if (percent.signum() <= 0) {
      throw new IllegalArgumentException("percent must be positive, was " + percent);
    }
    if (percent.stripTrailingZeros().scale() > 2) {
      throw new IllegalArgumentException(
          "percent may have at most two decimal places, was " + percent.toPlainString());
    }
    if (action == BudgetAction.NONE) {
      throw new IllegalArgumentException("action must not be NONE");
    }
    if (action == BudgetAction.REROUTE && (route == null || route.isBlank())) {
      throw new IllegalArgumentException("route is required for a reroute threshold");
    }
    if (action != BudgetAction.REROUTE && route != null) {
      throw new IllegalArgumentException("route is only allowed on a reroute threshold");
    }
    // Strip trailing zeros, but never into an exponent: percent() (and the BudgetEvent that
    // carries it) would print 50 as "5E+1" wherever a caller uses toString().
    BigDecimal stripped = percent.stripTrailingZeros();
    this.percent = stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    this.action = action;
    this.route = route;
  }

  /** A threshold taking {@code action} at {@code percent}; use {@link #rerouteAt} for reroutes. */
  public static Threshold of(BigDecimal percent, BudgetAction action) {
    return new Threshold(percent, action, null);
  }

  /** Notify listeners at {@code percent}. */
  public static Threshold notifyAt(int percent) {
    return new Threshold(BigDecimal.valueOf(percent), BudgetAction.NOTIFY, null);
  }

  /** Downgrade the model (per the budget's model map) at {@code percent}. */
  public static Threshold downgradeAt(int percent) {
    return new Threshold(BigDecimal.valueOf(percent), BudgetAction.DOWNGRADE, null);
  }

  /** Block calls that would pass {@code percent}. */
  public static Threshold blockAt(int percent) {
    return new Threshold(BigDecimal.valueOf(percent), BudgetAction.BLOCK, null);
  }

  /** Send calls that would pass {@code percent} to the route named {@code route}. */
  public static Threshold rerouteAt(int percent, String route) {
    return new Threshold(BigDecimal.valueOf(percent), BudgetAction.REROUTE, route);
  }

  /** Send calls that would pass {@code percent} to the route named {@code route}. */
  public static Threshold rerouteAt(BigDecimal percent, String route) {
    return new Threshold(percent, BudgetAction.REROUTE, route);
  }

  /** The level in percent of the limit, at most two decimal places, trailing zeros stripped. */
  public BigDecimal percent() {
    return percent;
  }

  /** The action; never {@link BudgetAction#NONE}. */
  public BudgetAction action() {
    return action;
  }

  /** The route name of a reroute threshold, else {@code null}. */
  public @Nullable String route() {
    return route;
  }

  /**
   * Whether this threshold caps usage ({@link BudgetAction#BLOCK} or {@link BudgetAction#REROUTE}).
   */
  public boolean isCap() {
    return action == BudgetAction.BLOCK || action == BudgetAction.REROUTE;
  }

  @Override
  public int compareTo(Threshold o) {
    return percent.compareTo(o.percent);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof Threshold)) {
      return false;
    }
    Threshold t = (Threshold) o;
    return percent.compareTo(t.percent) == 0
        && action == t.action
        && Objects.equals(route, t.route);
  }

  @Override
  public int hashCode() {
    return Objects.hash(percent.stripTrailingZeros(), action, route);
  }

  @Override
  public String toString() {
    return percent.toPlainString()
        + "% "
        + action.wireName()
        + (route == null ? "" : " to " + route);
  }
}
