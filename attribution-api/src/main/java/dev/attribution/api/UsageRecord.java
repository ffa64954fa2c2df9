package dev.attribution.api;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

// Why this file is over 600 lines: it is one public value of 39 fields, and each field is written
// seven times (field, constructor, toBuilder, documented accessor, equals, builder field,
// documented builder setter), most of it Javadoc that users read. The Builder is public and
// nested (API), and this class holds no JSON or storage code to move out: spool lines are
// RecordJson's, columns are Columns', telemetry is UsageEventAttributes'; its private helpers are a
// few lines each (the setters' truncate, model and nonBlank, equals' sameAmount).
/**
 * One LLM call (or one custom meter reading), as every sink receives it: who it was for, what was
 * asked, what it used, what it cost, how it ended and what budgets did.
 *
 * <p>Immutable and thread-safe. Built with {@link #builder()}; new fields will be added over time,
 * so this is deliberately not a Java record. It never carries prompt or completion text, nor API
 * keys.
 */
public final class UsageRecord {

  /** Maximum length kept of {@link #errorMessage()}; longer messages are truncated. */
  public static final int MAX_ERROR_MESSAGE_LENGTH = 512;

  /**
   * Maximum length kept of a model name, as of a context value ({@value}); longer names (they come
   * from request and response bodies) are truncated, never rejected.
   */
  public static final int MAX_MODEL_LENGTH = AttributionContext.MAX_VALUE_LENGTH;

  private final UUID id;
  private final Instant startedAt;
  private final Instant endedAt;
  private final AttributionContext context;
  private final ContextSource contextSource;
  private final @Nullable String provider;
  private final @Nullable String operation;
  private final @Nullable String serverHost;
  private final @Nullable String requestedModel;
  private final @Nullable String effectiveModel;
  private final @Nullable String responseModel;
  private final @Nullable String route;
  private final @Nullable String routeRule;
  private final boolean streaming;
  private final int attempt;
  private final TokenUsage usage;
  private final boolean usageEstimated;
  private final @Nullable CostBreakdown cost;
  private final @Nullable BigDecimal computedCost;
  private final @Nullable BigDecimal providerReportedCost;
  private final @Nullable BigDecimal charge;
  private final CostSource costSource;
  private final @Nullable String priceVersion;
  private final Duration latency;
  private final @Nullable Duration timeToFirstByte;
  private final CallStatus status;
  private final @Nullable Integer httpStatus;
  private final @Nullable String errorType;
  private final @Nullable String errorMessage;
  private final @Nullable String providerRequestId;
  private final BudgetAction budgetAction;
  private final @Nullable String budgetName;
  private final @Nullable BigDecimal budgetPercent;
  private final @Nullable BudgetAction dryRunAction;
  private final @Nullable String deployment;
  private final @Nullable String keyFingerprint;
  private final @Nullable String traceId;
  private final @Nullable String spanId;
  private final Map<String, String> attributes;

  private UsageRecord(Builder b, UUID id, Instant startedAt, Instant endedAt) {
    this.id = id;
    this.startedAt = startedAt;
    this.endedAt = endedAt;
    this.context = b.context;
    this.contextSource = b.contextSource;
    this.provider = b.provider;
    this.operation = b.operation;
    this.serverHost = b.serverHost;
    this.requestedModel = b.requestedModel;
    this.effectiveModel = b.effectiveModel;
    this.responseModel = b.responseModel;
    this.route = b.route;
    this.routeRule = b.routeRule;
    this.streaming = b.streaming;
    this.attempt = b.attempt;
    this.usage = b.usage;
    this.usageEstimated = b.usageEstimated;
    this.cost = b.cost;
    this.computedCost = b.computedCost;
    this.providerReportedCost = b.providerReportedCost;
    this.charge = b.charge;
    this.costSource = b.costSource;
    this.priceVersion = b.priceVersion;
    this.latency = b.latency;
    this.timeToFirstByte = b.timeToFirstByte;
    this.status = b.status;
    this.httpStatus = b.httpStatus;
    this.errorType = b.errorType;
    this.errorMessage = b.errorMessage;
    this.providerRequestId = b.providerRequestId;
    this.budgetAction = b.budgetAction;
    this.budgetName = b.budgetName;
    this.budgetPercent = b.budgetPercent;
    this.dryRunAction = b.dryRunAction;
    this.deployment = b.deployment;
    this.keyFingerprint = b.keyFingerprint;
    this.traceId = b.traceId;
    this.spanId = b.spanId;
    this.attributes = b.attributes;
  }

  /**
   * A new builder; {@link Builder#startedAt(Instant)} must be set before {@link Builder#build()}.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this record's values, for a modified copy. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.id = id;
    b.startedAt = startedAt;
    b.endedAt = endedAt;
    b.context = context;
    b.contextSource = contextSource;
    b.provider = provider;
    b.operation = operation;
    b.serverHost = serverHost;
    b.requestedModel = requestedModel;
    b.effectiveModel = effectiveModel;
    b.responseModel = responseModel;
    b.route = route;
    b.routeRule = routeRule;
    b.streaming = streaming;
    b.attempt = attempt;
    b.usage = usage;
    b.usageEstimated = usageEstimated;
    b.cost = cost;
    b.computedCost = computedCost;
    b.providerReportedCost = providerReportedCost;
    b.charge = charge;
    b.costSource = costSource;
    b.priceVersion = priceVersion;
    b.latency = latency;
    b.timeToFirstByte = timeToFirstByte;
    b.status = status;
    b.httpStatus = httpStatus;
    b.errorType = errorType;
    b.errorMessage = errorMessage;
    b.providerRequestId = providerRequestId;
    b.budgetAction = budgetAction;
    b.budgetName = budgetName;
    b.budgetPercent = budgetPercent;
    b.dryRunAction = dryRunAction;
    b.deployment = deployment;
    b.keyFingerprint = keyFingerprint;
    b.traceId = traceId;
    b.spanId = spanId;
    b.attributes = attributes;
    return b;
  }

  /**
   * A new time-ordered UUID (version 7) for {@code at}: 48 bits of Unix milliseconds, then random
   * bits, so ids sort by creation time.
   */
  public static UUID newId(Instant at) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long ms = at.toEpochMilli() & 0xFFFF_FFFF_FFFFL;
    long msb = (ms << 16) | 0x7000L | (r.nextLong() & 0x0FFFL);
    long lsb = (r.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb);
  }

  /**
   * Unique, time-ordered (UUIDv7) id of this record; generated when not set. Sinks use it to make
   * writes idempotent.
   */
  public UUID id() {
    return id;
  }

  /** When the call started (the interceptor saw the request). */
  public Instant startedAt() {
    return startedAt;
  }

  /**
   * When the call ended (response read, stream finished or abandoned); defaults to {@link
   * #startedAt()}.
   */
  public Instant endedAt() {
    return endedAt;
  }

  /** Who the call is for; empty when unattributed. */
  public AttributionContext context() {
    return context;
  }

  /** Where the context came from. */
  public ContextSource contextSource() {
    return contextSource;
  }

  /**
   * Provider id, e.g. {@code openai}, {@code anthropic}, {@code gcp.gemini}, {@code
   * azure.ai.openai}, {@code meter} for a custom meter reading; {@code null} for a call to an
   * endpoint the engine does not recognise (recorded only when asked for, never priced).
   */
  public @Nullable String provider() {
    return provider;
  }

  /**
   * Operation, e.g. {@code chat}, {@code responses}, {@code embeddings}, {@code completions},
   * {@code messages}, {@code generate_content}, {@code meter}; {@code null} when it is unknown (a
   * call to an endpoint the engine does not recognise).
   */
  public @Nullable String operation() {
    return operation;
  }

  /** Host the call went to (after any reroute), or {@code null}. */
  public @Nullable String serverHost() {
    return serverHost;
  }

  /** Model the application asked for, or {@code null} when the request named none. */
  public @Nullable String requestedModel() {
    return requestedModel;
  }

  /**
   * Model actually sent upstream after downgrade or reroute; equals the requested model when
   * nothing was rewritten.
   */
  public @Nullable String effectiveModel() {
    return effectiveModel;
  }

  /** Model the provider says answered, or {@code null}. */
  public @Nullable String responseModel() {
    return responseModel;
  }

  /** Name of the route the call took when routing applied, or {@code null}. */
  public @Nullable String route() {
    return route;
  }

  /** Name of the routing rule that chose {@link #route()}, or {@code null}. */
  public @Nullable String routeRule() {
    return routeRule;
  }

  /** Whether the response was streamed (server-sent events). */
  public boolean streaming() {
    return streaming;
  }

  /** Attempt number, 1 for the first try; retries by the SDK count up. */
  public int attempt() {
    return attempt;
  }

  /** Token counts, normalised (see {@link TokenUsage}). */
  public TokenUsage usage() {
    return usage;
  }

  /** Whether {@link #usage()} was estimated rather than reported by the provider. */
  public boolean usageEstimated() {
    return usageEstimated;
  }

  /**
   * Cost that counts for this record, split by category, with its currency; {@code null} when it is
   * unknown (no price for the model, or usage that failed validation: see {@link #costSource()} and
   * the {@code usage_invalid} attribute). Unknown is never zero.
   */
  public @Nullable CostBreakdown cost() {
    return cost;
  }

  /**
   * The cost computed from the price catalog, in the cost's currency, when the provider's reported
   * cost is what counts ({@link CostSource#PROVIDER_REPORTED}); else {@code null}.
   */
  public @Nullable BigDecimal computedCost() {
    return computedCost;
  }

  /**
   * Cost the provider reported (e.g. OpenRouter {@code usage.cost}), kept next to the computed one,
   * or {@code null}.
   */
  public @Nullable BigDecimal providerReportedCost() {
    return providerReportedCost;
  }

  /**
   * Price charged to the customer (sell price), in the cost's currency, when a plan price is
   * configured; else {@code null}.
   */
  public @Nullable BigDecimal charge() {
    return charge;
  }

  /** Where the cost came from. */
  public CostSource costSource() {
    return costSource;
  }

  /** Version or hash of the price data used, or {@code null} when not priced. */
  public @Nullable String priceVersion() {
    return priceVersion;
  }

  /** Total time of the call, request sent to response finished. */
  public Duration latency() {
    return latency;
  }

  /** Time from request to the first response byte, or {@code null}. */
  public @Nullable Duration timeToFirstByte() {
    return timeToFirstByte;
  }

  /** How the call ended. */
  public CallStatus status() {
    return status;
  }

  /**
   * HTTP status of the provider's response, or {@code null} when no response came over the network:
   * the call was blocked before it was sent (the application got the local 429 answer, see {@link
   * #status()}), it failed in transport, or the record is a meter reading.
   */
  public @Nullable Integer httpStatus() {
    return httpStatus;
  }

  /**
   * Error type (provider error type, exception class or {@code budget_exceeded}), or {@code null}.
   */
  public @Nullable String errorType() {
    return errorType;
  }

  /**
   * Error message, at most {@value #MAX_ERROR_MESSAGE_LENGTH} characters, never prompt text, or
   * {@code null}.
   */
  public @Nullable String errorMessage() {
    return errorMessage;
  }

  /** The provider's request or response id, or {@code null}. */
  public @Nullable String providerRequestId() {
    return providerRequestId;
  }

  /** What budget enforcement did. */
  public BudgetAction budgetAction() {
    return budgetAction;
  }

  /** The budget (or loop guard) whose threshold decided the action, or {@code null}. */
  public @Nullable String budgetName() {
    return budgetName;
  }

  /**
   * Percentage of the budget's limit (spend plus reservations) that triggered the action, or {@code
   * null}.
   */
  public @Nullable BigDecimal budgetPercent() {
    return budgetPercent;
  }

  /**
   * The action a dry-run budget would have taken ({@link BudgetAction#NOTIFY} or stronger), had it
   * been enforcing; {@code null} when no dry-run budget would have acted. {@link #budgetAction()}
   * is then {@link BudgetAction#NONE} for that budget, and {@link #budgetName()} and {@link
   * #budgetPercent()} name it.
   */
  public @Nullable BudgetAction dryRunAction() {
    return dryRunAction;
  }

  /**
   * The Azure OpenAI deployment named in the request path, or {@code null} for other providers.
   * {@link #requestedModel()} holds the model it serves when a mapping names one, else the
   * deployment name too.
   */
  public @Nullable String deployment() {
    return deployment;
  }

  /**
   * Fingerprint of the API key used (last four characters and a short hash), never the key; or
   * {@code null}.
   */
  public @Nullable String keyFingerprint() {
    return keyFingerprint;
  }

  /** Trace id of the active span when the call ran, or {@code null}. */
  public @Nullable String traceId() {
    return traceId;
  }

  /** Span id of the active span when the call ran, or {@code null}. */
  public @Nullable String spanId() {
    return spanId;
  }

  /**
   * Further named values that have no field of their own (e.g. a custom meter's name and quantity);
   * sorted, unmodifiable.
   */
  public Map<String, String> attributes() {
    return attributes;
  }

  /** The tenant id of {@link #context()}, or {@code null}. */
  public @Nullable String tenantId() {
    return context.tenantId();
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof UsageRecord)) {
      return false;
    }
    UsageRecord r = (UsageRecord) o;
    return Objects.equals(id, r.id)
        && Objects.equals(startedAt, r.startedAt)
        && Objects.equals(endedAt, r.endedAt)
        && Objects.equals(context, r.context)
        && Objects.equals(contextSource, r.contextSource)
        && Objects.equals(provider, r.provider)
        && Objects.equals(operation, r.operation)
        && Objects.equals(serverHost, r.serverHost)
        && Objects.equals(requestedModel, r.requestedModel)
        && Objects.equals(effectiveModel, r.effectiveModel)
        && Objects.equals(responseModel, r.responseModel)
        && Objects.equals(route, r.route)
        && Objects.equals(routeRule, r.routeRule)
        && streaming == r.streaming
        && attempt == r.attempt
        && Objects.equals(usage, r.usage)
        && usageEstimated == r.usageEstimated
        && Objects.equals(cost, r.cost)
        && sameAmount(computedCost, r.computedCost)
        && sameAmount(providerReportedCost, r.providerReportedCost)
        && sameAmount(charge, r.charge)
        && Objects.equals(costSource, r.costSource)
        && Objects.equals(priceVersion, r.priceVersion)
        && Objects.equals(latency, r.latency)
        && Objects.equals(timeToFirstByte, r.timeToFirstByte)
        && Objects.equals(status, r.status)
        && Objects.equals(httpStatus, r.httpStatus)
        && Objects.equals(errorType, r.errorType)
        && Objects.equals(errorMessage, r.errorMessage)
        && Objects.equals(providerRequestId, r.providerRequestId)
        && Objects.equals(budgetAction, r.budgetAction)
        && Objects.equals(budgetName, r.budgetName)
        && sameAmount(budgetPercent, r.budgetPercent)
        && Objects.equals(dryRunAction, r.dryRunAction)
        && Objects.equals(deployment, r.deployment)
        && Objects.equals(keyFingerprint, r.keyFingerprint)
        && Objects.equals(traceId, r.traceId)
        && Objects.equals(spanId, r.spanId)
        && Objects.equals(attributes, r.attributes);
  }

  private static boolean sameAmount(@Nullable BigDecimal a, @Nullable BigDecimal b) {
    return a == null ? b == null : b != null && a.compareTo(b) == 0;
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "UsageRecord{id="
        + id
        + " provider="
        + provider
        + " operation="
        + operation
        + " model="
        + effectiveModel
        + " status="
        + status
        + " "
        + context
        + " "
        + usage
        + " cost="
        + (cost == null ? "unknown" : cost.total().toPlainString() + ' ' + cost.currency())
        + " source="
        + costSource
        + " budget="
        + budgetAction
        + '}';
  }

  /** Builds a {@link UsageRecord}. Setters validate at once; {@link #build()} checks the rest. */
  public static final class Builder {
    private @Nullable UUID id;
    private @Nullable Instant startedAt;
    private @Nullable Instant endedAt;
    private AttributionContext context = AttributionContext.empty();
    private ContextSource contextSource = ContextSource.NONE;
    private @Nullable String provider;
    private @Nullable String operation;
    private @Nullable String serverHost;
    private @Nullable String requestedModel;
    private @Nullable String effectiveModel;
    private @Nullable String responseModel;
    private @Nullable String route;
    private @Nullable String routeRule;
    private boolean streaming = false;
    private int attempt = 1;
    private TokenUsage usage = TokenUsage.zero();
    private boolean usageEstimated = false;
    private @Nullable CostBreakdown cost = CostBreakdown.zero();
    private @Nullable BigDecimal computedCost;
    private @Nullable BigDecimal providerReportedCost;
    private @Nullable BigDecimal charge;
    private CostSource costSource = CostSource.COMPUTED;
    private @Nullable String priceVersion;
    private Duration latency = Duration.ZERO;
    private @Nullable Duration timeToFirstByte;
    private CallStatus status = CallStatus.OK;
    private @Nullable Integer httpStatus;
    private @Nullable String errorType;
    private @Nullable String errorMessage;
    private @Nullable String providerRequestId;
    private BudgetAction budgetAction = BudgetAction.NONE;
    private @Nullable String budgetName;
    private @Nullable BigDecimal budgetPercent;
    private @Nullable BudgetAction dryRunAction;
    private @Nullable String deployment;
    private @Nullable String keyFingerprint;
    private @Nullable String traceId;
    private @Nullable String spanId;
    private Map<String, String> attributes = Map.of();

    private Builder() {}

    /**
     * Unique, time-ordered (UUIDv7) id of this record; generated when not set. Sinks use it to make
     * writes idempotent.
     */
    public Builder id(UUID value) {
      this.id = Objects.requireNonNull(value, "id");
      return this;
    }

    /** When the call started (the interceptor saw the request). */
    public Builder startedAt(Instant value) {
      this.startedAt = Objects.requireNonNull(value, "startedAt");
      return this;
    }

    /**
     * When the call ended (response read, stream finished or abandoned); defaults to {@link
     * #startedAt()}.
     */
    public Builder endedAt(Instant value) {
      this.endedAt = Objects.requireNonNull(value, "endedAt");
      return this;
    }

    /** Who the call is for; empty when unattributed. */
    public Builder context(AttributionContext value) {
      this.context = Objects.requireNonNull(value, "context");
      return this;
    }

    /** Where the context came from. */
    public Builder contextSource(ContextSource value) {
      this.contextSource = Objects.requireNonNull(value, "contextSource");
      return this;
    }

    /**
     * Provider id, e.g. {@code openai}, {@code anthropic}, {@code gcp.gemini}, {@code
     * azure.ai.openai}; {@code null} (the default) for an unrecognised endpoint.
     *
     * @throws IllegalArgumentException if {@code value} is blank
     */
    public Builder provider(@Nullable String value) {
      this.provider = value == null ? null : nonBlank("provider", value);
      return this;
    }

    /**
     * Operation, e.g. {@code chat}, {@code responses}, {@code embeddings}, {@code completions},
     * {@code messages}, {@code generate_content}, {@code meter}; {@code null} (the default) when
     * unknown.
     *
     * @throws IllegalArgumentException if {@code value} is blank
     */
    public Builder operation(@Nullable String value) {
      this.operation = value == null ? null : nonBlank("operation", value);
      return this;
    }

    /** Host the call went to (after any reroute), or {@code null}. */
    public Builder serverHost(@Nullable String value) {
      this.serverHost = value;
      return this;
    }

    /** Model the application asked for, or {@code null} when the request named none. */
    public Builder requestedModel(@Nullable String value) {
      this.requestedModel = model(value);
      return this;
    }

    /**
     * Model actually sent upstream after downgrade or reroute; equals the requested model when
     * nothing was rewritten.
     */
    public Builder effectiveModel(@Nullable String value) {
      this.effectiveModel = model(value);
      return this;
    }

    /** Model the provider says answered, or {@code null}. */
    public Builder responseModel(@Nullable String value) {
      this.responseModel = model(value);
      return this;
    }

    /** Name of the route the call took when routing applied, or {@code null}. */
    public Builder route(@Nullable String value) {
      this.route = value;
      return this;
    }

    /** Name of the routing rule that chose {@link #route()}, or {@code null}. */
    public Builder routeRule(@Nullable String value) {
      this.routeRule = value;
      return this;
    }

    /** Whether the response was streamed (server-sent events). */
    public Builder streaming(boolean value) {
      this.streaming = value;
      return this;
    }

    /** Attempt number, 1 for the first try; retries by the SDK count up. */
    public Builder attempt(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("attempt must be at least 1, was " + value);
      }
      this.attempt = value;
      return this;
    }

    /** Token counts, normalised (see {@link TokenUsage}). */
    public Builder usage(TokenUsage value) {
      this.usage = Objects.requireNonNull(value, "usage");
      return this;
    }

    /** Whether {@link #usage()} was estimated rather than reported by the provider. */
    public Builder usageEstimated(boolean value) {
      this.usageEstimated = value;
      return this;
    }

    /**
     * Cost that counts for this record, split by category, with its currency; {@code null} when
     * unknown. Default zero.
     */
    public Builder cost(@Nullable CostBreakdown value) {
      this.cost = value;
      return this;
    }

    /** The catalog-computed cost kept beside a provider-reported one, or {@code null}. */
    public Builder computedCost(@Nullable BigDecimal value) {
      this.computedCost = value;
      return this;
    }

    /**
     * Cost the provider reported (e.g. OpenRouter {@code usage.cost}), kept next to the computed
     * one, or {@code null}.
     */
    public Builder providerReportedCost(@Nullable BigDecimal value) {
      this.providerReportedCost = value;
      return this;
    }

    /**
     * Price charged to the customer (sell price), in the cost's currency, when a plan price is
     * configured; else {@code null}.
     */
    public Builder charge(@Nullable BigDecimal value) {
      this.charge = value;
      return this;
    }

    /** Where the cost came from. */
    public Builder costSource(CostSource value) {
      this.costSource = Objects.requireNonNull(value, "costSource");
      return this;
    }

    /** Version or hash of the price data used, or {@code null} when not priced. */
    public Builder priceVersion(@Nullable String value) {
      this.priceVersion = value;
      return this;
    }

    /** Total time of the call, request sent to response finished. */
    public Builder latency(Duration value) {
      Objects.requireNonNull(value, "latency");
      if (value.isNegative()) {
        throw new IllegalArgumentException("latency must not be negative, was " + value);
      }
      this.latency = value;
      return this;
    }

    /** Time from request to the first response byte, or {@code null}. */
    public Builder timeToFirstByte(@Nullable Duration value) {
      if (value != null && value.isNegative()) {
        throw new IllegalArgumentException("timeToFirstByte must not be negative, was " + value);
      }
      this.timeToFirstByte = value;
      return this;
    }

    /** How the call ended. */
    public Builder status(CallStatus value) {
      this.status = Objects.requireNonNull(value, "status");
      return this;
    }

    /**
     * HTTP status of the provider's response, or {@code null} (the default) when no response came
     * over the network.
     *
     * @throws IllegalArgumentException if {@code value} is not in 100..599 (no response is {@code
     *     null}, never 0)
     */
    public Builder httpStatus(@Nullable Integer value) {
      if (value != null && (value < 100 || value > 599)) {
        throw new IllegalArgumentException(
            "httpStatus must be 100..599, or null for no response; was " + value);
      }
      this.httpStatus = value;
      return this;
    }

    /**
     * Error type (provider error type, exception class or {@code budget_exceeded}), or {@code
     * null}.
     */
    public Builder errorType(@Nullable String value) {
      this.errorType = value;
      return this;
    }

    /**
     * Error message, at most {@value #MAX_ERROR_MESSAGE_LENGTH} characters, never prompt text, or
     * {@code null}.
     */
    public Builder errorMessage(@Nullable String value) {
      this.errorMessage =
          value == null || value.length() <= MAX_ERROR_MESSAGE_LENGTH
              ? value
              : truncate(value, MAX_ERROR_MESSAGE_LENGTH);
      return this;
    }

    /** The provider's request or response id, or {@code null}. */
    public Builder providerRequestId(@Nullable String value) {
      this.providerRequestId = value;
      return this;
    }

    /** What budget enforcement did. */
    public Builder budgetAction(BudgetAction value) {
      this.budgetAction = Objects.requireNonNull(value, "budgetAction");
      return this;
    }

    /** The budget (or loop guard) whose threshold decided the action, or {@code null}. */
    public Builder budgetName(@Nullable String value) {
      this.budgetName = value;
      return this;
    }

    /**
     * Percentage of the budget's limit (spend plus reservations) that triggered the action, or
     * {@code null}.
     */
    public Builder budgetPercent(@Nullable BigDecimal value) {
      this.budgetPercent = value;
      return this;
    }

    /**
     * The action a dry-run budget would have taken, or {@code null} (the default) when none would
     * have acted.
     *
     * @throws IllegalArgumentException if {@code value} is {@link BudgetAction#NONE} (no action is
     *     {@code null})
     */
    public Builder dryRunAction(@Nullable BudgetAction value) {
      if (value == BudgetAction.NONE) {
        throw new IllegalArgumentException("dryRunAction NONE: no dry-run action is null");
      }
      this.dryRunAction = value;
      return this;
    }

    /**
     * The Azure OpenAI deployment named in the request path, or {@code null}; cut like a model name
     * to {@link UsageRecord#MAX_MODEL_LENGTH}.
     */
    public Builder deployment(@Nullable String value) {
      this.deployment = model(value);
      return this;
    }

    /**
     * Fingerprint of the API key used (last four characters and a short hash), never the key; or
     * {@code null}.
     */
    public Builder keyFingerprint(@Nullable String value) {
      this.keyFingerprint = value;
      return this;
    }

    /** Trace id of the active span when the call ran, or {@code null}. */
    public Builder traceId(@Nullable String value) {
      this.traceId = value;
      return this;
    }

    /** Span id of the active span when the call ran, or {@code null}. */
    public Builder spanId(@Nullable String value) {
      this.spanId = value;
      return this;
    }

    /**
     * Further named values that have no field of their own (e.g. a custom meter's name and
     * quantity); sorted, unmodifiable.
     */
    public Builder attributes(Map<String, String> value) {
      this.attributes = Collections.unmodifiableSortedMap(new TreeMap<>(value));
      return this;
    }

    /** Adds one entry to {@link UsageRecord#attributes()}. */
    public Builder attribute(String key, String value) {
      TreeMap<String, String> m = new TreeMap<>(attributes);
      m.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      this.attributes = Collections.unmodifiableSortedMap(m);
      return this;
    }

    /** The first characters of {@code value} and an ellipsis, never splitting a surrogate pair. */
    private static @Nullable String model(@Nullable String value) {
      return value == null || value.length() <= MAX_MODEL_LENGTH
          ? value
          : truncate(value, MAX_MODEL_LENGTH);
    }

    private static String truncate(String value, int max) {
      int end = max - 1;
      if (Character.isHighSurrogate(value.charAt(end - 1))) {
        end--;
      }
      return value.substring(0, end) + "\u2026";
    }

    private static String nonBlank(String field, String value) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException(field + " must not be blank");
      }
      return value;
    }

    /**
     * The immutable record.
     *
     * @throws IllegalStateException if {@code startedAt} is missing or {@code endedAt} is before it
     */
    public UsageRecord build() {
      Instant start = startedAt;
      if (start == null) {
        throw new IllegalStateException("startedAt must be set");
      }
      Instant end = endedAt == null ? start : endedAt;
      if (end.isBefore(start)) {
        throw new IllegalStateException("endedAt " + end + " is before startedAt " + start);
      }
      // Locals, not fields: a builder reused for a second record must not repeat the first id.
      UUID recordId = id == null ? newId(start) : id;
      return new UsageRecord(this, recordId, start, end);
    }
  }
}
