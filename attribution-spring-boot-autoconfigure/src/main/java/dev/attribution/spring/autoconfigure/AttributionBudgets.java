package dev.attribution.spring.autoconfigure;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.budget.BudgetStatus;
import dev.attribution.core.AttributionEngine;
import dev.attribution.core.budget.BudgetDefinition;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The budgets the starter configured, and what is left of them for a caller: the figures an
 * application shows its users ("$3.10 left this month, resets on 1 March") or turns into a {@code
 * Retry-After}.
 */
public final class AttributionBudgets {

  /**
   * What is left of one budget for one scope value.
   *
   * @param budget the budget's name
   * @param scopeKey the scope value, e.g. {@code tenant=acme}
   * @param currency the currency of the amounts
   * @param limit the limit, top-ups included
   * @param spent spent this period
   * @param remaining {@code limit - spent - reserved}, never negative
   * @param percent spent plus reserved as a percent of the limit, two decimals
   * @param periodEnd when the period ends and the budget resets, or {@code null} (rolling,
   *     lifetime)
   * @param retryAfter time until the reset when nothing is left, else {@code null}
   */
  public record Remaining(
      String budget,
      String scopeKey,
      String currency,
      BigDecimal limit,
      BigDecimal spent,
      BigDecimal remaining,
      BigDecimal percent,
      @Nullable Instant periodEnd,
      @Nullable Duration retryAfter) {}

  private final AttributionEngine engine;
  private final List<BudgetDefinition> definitions;
  private final Clock clock;

  /**
   * Creates the view.
   *
   * @param engine the engine that enforces the budgets
   * @param definitions the budgets it was built with
   * @param clock the clock that decides {@code retryAfter}
   */
  public AttributionBudgets(
      AttributionEngine engine, List<BudgetDefinition> definitions, Clock clock) {
    this.engine = engine;
    this.definitions = List.copyOf(definitions);
    this.clock = clock;
  }

  /** The budgets the engine enforces, in the order they were defined. */
  public List<BudgetDefinition> definitions() {
    return definitions;
  }

  /**
   * What is left of every budget that covers calls in {@code context}. Budgets scoped on a
   * provider, a model or an API key need {@link #forCall}.
   */
  public List<Remaining> forContext(AttributionContext context) {
    return forCall(context, "", null);
  }

  /**
   * What is left of every budget that would cover a call to {@code provider} and {@code model} in
   * {@code context}.
   */
  public List<Remaining> forCall(
      AttributionContext context, String provider, @Nullable String model) {
    List<Remaining> out = new ArrayList<>();
    for (BudgetDefinition d : definitions) {
      String key = d.scopeKeyFor(context, provider, model, null);
      if (key != null) {
        out.add(remaining(engine.budgetStatus(d.name(), key)));
      }
    }
    return out;
  }

  /**
   * What is left of budget {@code budgetName} for {@code scopeKey}.
   *
   * @throws IllegalArgumentException if no budget has that name
   */
  public Remaining remaining(String budgetName, String scopeKey) {
    return remaining(engine.budgetStatus(budgetName, scopeKey));
  }

  /** The figures of one status. */
  public Remaining remaining(BudgetStatus s) {
    BigDecimal used = s.spent().add(s.reserved());
    BigDecimal percent =
        s.limit().signum() == 0
            ? (used.signum() == 0 ? BigDecimal.ZERO : BigDecimal.valueOf(100))
            : used.multiply(BigDecimal.valueOf(100)).divide(s.limit(), 2, RoundingMode.HALF_UP);
    Duration retryAfter = null;
    Instant end = s.periodEnd();
    if (s.remaining().signum() == 0 && end != null) {
      Duration d = Duration.between(clock.instant(), end);
      retryAfter = d.isNegative() ? Duration.ZERO : d;
    }
    return new Remaining(
        s.budgetName(),
        s.scopeKey(),
        s.currency(),
        s.limit(),
        s.spent(),
        s.remaining(),
        percent,
        end,
        retryAfter);
  }
}
