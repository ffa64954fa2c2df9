package dev.attribution.api;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Something budget enforcement wants the application to know: a threshold crossed, a call
 * downgraded, rerouted or blocked, a period reset, a looping thread stopped, an unpriced model.
 *
 * <p>Each kind fires at most once per budget, scope value, period and threshold (unpriced models:
 * once per model). Immutable.
 */
public final class BudgetEvent {

  /** The kinds of budget event. */
  public enum Type {
    /** Spend plus reservations crossed a threshold of a budget. */
    THRESHOLD_CROSSED,
    /** A call's model was replaced by a cheaper one. */
    DOWNGRADED,
    /** A call was sent to another route. */
    REROUTED,
    /** A call was refused by a budget. */
    BLOCKED,
    /** A budget's period ended and its spend started again from zero. */
    PERIOD_RESET,
    /** The loop guard stopped a thread that made too many calls or spent too much too fast. */
    LOOP_STOPPED,
    /** A call used a model that has no price. */
    UNPRICED_MODEL,
    /** The budget store became unreachable or reachable again (distributed stores). */
    STORE_STATE_CHANGED
  }

  private final Type type;
  private final Instant at;
  private final @Nullable String budgetName;
  private final @Nullable String scopeKey;
  private final @Nullable BigDecimal thresholdPercent;
  private final @Nullable BigDecimal spent;
  private final @Nullable BigDecimal limit;
  private final @Nullable String currency;
  private final @Nullable String model;
  private final @Nullable Instant periodStart;
  private final @Nullable Instant periodEnd;
  private final BudgetAction action;
  private final boolean dryRun;
  private final AttributionContext context;
  private final String message;

  private BudgetEvent(Builder b) {
    this.type = Objects.requireNonNull(b.type, "type");
    this.at = Objects.requireNonNull(b.at, "at");
    this.budgetName = b.budgetName;
    this.scopeKey = b.scopeKey;
    this.thresholdPercent = b.thresholdPercent;
    this.spent = b.spent;
    this.limit = b.limit;
    this.currency = b.currency;
    this.model = b.model;
    this.periodStart = b.periodStart;
    this.periodEnd = b.periodEnd;
    this.action = b.action;
    this.dryRun = b.dryRun;
    this.context = b.context;
    this.message = b.message;
  }

  /** A new builder; type and time are required. */
  public static Builder builder(Type type, Instant at) {
    return new Builder(type, at);
  }

  /** What happened. */
  public Type type() {
    return type;
  }

  /** When it happened, from the engine's clock. */
  public Instant at() {
    return at;
  }

  /** The budget concerned, or {@code null} (e.g. for unpriced-model events). */
  public @Nullable String budgetName() {
    return budgetName;
  }

  /** The scope value, e.g. {@code tenant=acme,feature=chat}, or {@code null}. */
  public @Nullable String scopeKey() {
    return scopeKey;
  }

  /** The threshold crossed, in percent of the limit, or {@code null}. */
  public @Nullable BigDecimal thresholdPercent() {
    return thresholdPercent;
  }

  /** Spend plus reservations when the event fired, or {@code null}. */
  public @Nullable BigDecimal spent() {
    return spent;
  }

  /** The budget's limit, or {@code null}. */
  public @Nullable BigDecimal limit() {
    return limit;
  }

  /** Currency of {@link #spent()} and {@link #limit()}, or {@code null}. */
  public @Nullable String currency() {
    return currency;
  }

  /** The model concerned, or {@code null}. */
  public @Nullable String model() {
    return model;
  }

  /**
   * The start of the budget's current calendar period, or {@code null} for rolling and lifetime
   * budgets and for events not about one budget.
   */
  public @Nullable Instant periodStart() {
    return periodStart;
  }

  /**
   * The end (exclusive) of the budget's current calendar period, or {@code null} for rolling and
   * lifetime budgets and for events not about one budget.
   */
  public @Nullable Instant periodEnd() {
    return periodEnd;
  }

  /** What the engine did (or, in dry-run, would have done). */
  public BudgetAction action() {
    return action;
  }

  /** Whether the budget runs observe-only, so the action was recorded but not applied. */
  public boolean dryRun() {
    return dryRun;
  }

  /** The context of the call that triggered the event. */
  public AttributionContext context() {
    return context;
  }

  /** A human-readable sentence describing the event. */
  public String message() {
    return message;
  }

  @Override
  public String toString() {
    return "BudgetEvent{"
        + type
        + " budget="
        + budgetName
        + " scope="
        + scopeKey
        + ": "
        + message
        + '}';
  }

  /** Builds a {@link BudgetEvent}. */
  public static final class Builder {
    private final Type type;
    private final Instant at;
    private @Nullable String budgetName;
    private @Nullable String scopeKey;
    private @Nullable BigDecimal thresholdPercent;
    private @Nullable BigDecimal spent;
    private @Nullable BigDecimal limit;
    private @Nullable String currency;
    private @Nullable String model;
    private @Nullable Instant periodStart;
    private @Nullable Instant periodEnd;
    private BudgetAction action = BudgetAction.NONE;
    private boolean dryRun;
    private AttributionContext context = AttributionContext.empty();
    private String message = "";

    private Builder(Type type, Instant at) {
      this.type = Objects.requireNonNull(type, "type");
      this.at = Objects.requireNonNull(at, "at");
    }

    /** The budget concerned. */
    public Builder budgetName(@Nullable String v) {
      budgetName = v;
      return this;
    }

    /** The scope value. */
    public Builder scopeKey(@Nullable String v) {
      scopeKey = v;
      return this;
    }

    /** The threshold in percent. */
    public Builder thresholdPercent(@Nullable BigDecimal v) {
      thresholdPercent = v;
      return this;
    }

    /** Spend plus reservations. */
    public Builder spent(@Nullable BigDecimal v) {
      spent = v;
      return this;
    }

    /** The budget's limit. */
    public Builder limit(@Nullable BigDecimal v) {
      limit = v;
      return this;
    }

    /** Currency of spent and limit. */
    public Builder currency(@Nullable String v) {
      currency = v;
      return this;
    }

    /** The model concerned. */
    public Builder model(@Nullable String v) {
      model = v;
      return this;
    }

    /** The budget's current calendar period ({@code null}s for rolling and lifetime budgets). */
    public Builder period(@Nullable Instant start, @Nullable Instant end) {
      this.periodStart = start;
      this.periodEnd = end;
      return this;
    }

    /** What the engine did. */
    public Builder action(BudgetAction v) {
      action = Objects.requireNonNull(v, "action");
      return this;
    }

    /** Whether observe-only. */
    public Builder dryRun(boolean v) {
      dryRun = v;
      return this;
    }

    /** The triggering call's context. */
    public Builder context(AttributionContext v) {
      context = Objects.requireNonNull(v, "context");
      return this;
    }

    /** A human-readable description. */
    public Builder message(String v) {
      message = Objects.requireNonNull(v, "message");
      return this;
    }

    /** The immutable event. */
    public BudgetEvent build() {
      return new BudgetEvent(this);
    }
  }
}
