package dev.attribution.sink.otlp;

import static dev.attribution.sink.otlp.TelemetryNames.*;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.CallStatus;
import dev.attribution.api.CostBreakdown;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import dev.attribution.api.budget.BudgetStatus;
import dev.attribution.api.budget.BudgetStatusSource;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.metrics.BatchCallback;
import io.opentelemetry.api.metrics.DoubleCounter;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableDoubleMeasurement;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * A {@link UsageSink} that turns each usage record into OpenTelemetry GenAI metrics and one log
 * event, through the application's own {@link OpenTelemetry} (the convention for instrumentation
 * libraries: this class needs {@code opentelemetry-api} only and never configures exporters).
 *
 * <p>Per record it emits:
 *
 * <ul>
 *   <li>{@value TelemetryNames#METRIC_TOKEN_USAGE} (one input and one output measurement), {@value
 *       TelemetryNames#METRIC_OPERATION_DURATION} and, for streams, {@value
 *       TelemetryNames#METRIC_TIME_TO_FIRST_CHUNK}, with the convention's attributes and bucket
 *       boundaries. Blocked calls never reached a provider and record none of these.
 *   <li>{@value TelemetryNames#METRIC_COST} (in the configured currency) and {@value
 *       TelemetryNames#METRIC_REQUESTS}, both carrying the allow-listed context attributes (default
 *       tenant and feature).
 *   <li>one log record with event name {@value TelemetryNames#EVENT_USAGE} carrying every field,
 *       correlated with the call's span when the record carries trace and span ids.
 * </ul>
 *
 * <p>Added to an engine that has budgets, the gauges {@value TelemetryNames#METRIC_BUDGET_SPENT}
 * and {@value TelemetryNames#METRIC_BUDGET_REMAINING} report every budget per scope value (the
 * engine binds its budget statuses through {@link #bindBudgetStatuses}).
 *
 * <p>Cardinality: only allow-listed context fields go on metrics; user and thread ids never do.
 * Each metric attribute admits at most {@link Builder#maxValuesPerAttribute(int)} distinct values;
 * later new values are recorded as {@value TelemetryNames#OTHER}. The event is not capped.
 *
 * <p>The record pipeline calls {@link #export(List)} on its worker thread. Everything here only
 * hands data to the OpenTelemetry API, which never blocks (a configured SDK batches and drops on
 * overflow). A record that cannot be mapped is counted ({@link #failedRecords()}) and logged
 * sparsely; the rest of the batch still goes out and nothing is thrown.
 */
public final class OtelUsageSink implements UsageSink {

  /** Default cap on distinct values per metric attribute: {@value}. */
  public static final int DEFAULT_MAX_VALUES_PER_ATTRIBUTE = 100;

  /** Context field name for the tenant in {@link Builder#metricAttributes}: {@value}. */
  public static final String FIELD_TENANT = "tenant";

  /** Context field name for the feature in {@link Builder#metricAttributes}: {@value}. */
  public static final String FIELD_FEATURE = "feature";

  /** Context field name for the assistant in {@link Builder#metricAttributes}: {@value}. */
  public static final String FIELD_ASSISTANT = "assistant";

  /** Context field name for the traffic class in {@link Builder#metricAttributes}: {@value}. */
  public static final String FIELD_TRAFFIC_CLASS = "traffic_class";

  /** Prefix that names a custom tag in {@link Builder#metricAttributes}: {@value}, then the key. */
  public static final String FIELD_TAG_PREFIX = "tag.";

  private static final String METER_OPERATION = "meter";

  private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(OtelUsageSink.class);

  private final List<ContextField> contextFields;
  private final boolean contextOnGenAiMetrics;
  private final String currency;
  private final boolean emitEvents;
  private final boolean annotateCurrentSpan;
  private final CardinalityLimiter limiter;
  private final LongHistogram tokenUsage;
  private final DoubleHistogram duration;
  private final DoubleHistogram timeToFirstChunk;
  private final DoubleCounter cost;
  private final LongCounter requests;
  private final Logger eventLogger;
  private final @Nullable BatchCallback budgetCallback;
  private volatile @Nullable BudgetStatusSource budgetSource;
  private final SinkWarnings recordFailures = new SinkWarnings(LOG);
  private final SinkWarnings budgetFailures = new SinkWarnings(LOG);
  private final AtomicLong otherCurrency = new AtomicLong();

  private OtelUsageSink(Builder b) {
    this.contextFields = List.copyOf(b.contextFields);
    this.contextOnGenAiMetrics = b.contextOnGenAiMetrics;
    this.currency = b.currency;
    this.emitEvents = b.emitEvents;
    this.annotateCurrentSpan = b.annotateCurrentSpan;
    this.limiter = new CardinalityLimiter(b.maxValuesPerAttribute);

    String version = OtelUsageSink.class.getPackage().getImplementationVersion();
    var meterBuilder = b.openTelemetry.meterBuilder(INSTRUMENTATION_SCOPE);
    var loggerBuilder = b.openTelemetry.getLogsBridge().loggerBuilder(INSTRUMENTATION_SCOPE);
    if (version != null) {
      meterBuilder.setInstrumentationVersion(version);
      loggerBuilder.setInstrumentationVersion(version);
    }
    Meter meter = meterBuilder.build();
    this.eventLogger = loggerBuilder.build();

    this.tokenUsage =
        meter
            .histogramBuilder(METRIC_TOKEN_USAGE)
            .setDescription("Number of input and output tokens used per GenAI call.")
            .setUnit(UNIT_TOKEN)
            .ofLongs()
            .setExplicitBucketBoundariesAdvice(TOKEN_USAGE_BUCKETS)
            .build();
    this.duration =
        meter
            .histogramBuilder(METRIC_OPERATION_DURATION)
            .setDescription("GenAI call duration as the client saw it.")
            .setUnit(UNIT_SECONDS)
            .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS)
            .build();
    this.timeToFirstChunk =
        meter
            .histogramBuilder(METRIC_TIME_TO_FIRST_CHUNK)
            .setDescription("Time from sending a streamed GenAI request to its first chunk.")
            .setUnit(UNIT_SECONDS)
            .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS)
            .build();
    this.cost =
        meter
            .counterBuilder(METRIC_COST)
            .setDescription("Money spent on GenAI calls, in " + currency + ".")
            .setUnit(currency)
            .ofDoubles()
            .build();
    this.requests =
        meter
            .counterBuilder(METRIC_REQUESTS)
            .setDescription("GenAI calls seen, by outcome and budget action.")
            .setUnit(UNIT_REQUEST)
            .build();

    {
      ObservableDoubleMeasurement spent =
          meter
              .gaugeBuilder(METRIC_BUDGET_SPENT)
              .setDescription("Money spent in the budget's current period.")
              .setUnit(currency)
              .buildObserver();
      ObservableDoubleMeasurement remaining =
          meter
              .gaugeBuilder(METRIC_BUDGET_REMAINING)
              .setDescription("Money left in the budget's current period; negative if overshot.")
              .setUnit(currency)
              .buildObserver();
      this.budgetCallback =
          meter.batchCallback(() -> observeBudgets(spent, remaining), spent, remaining);
    }
  }

  /**
   * A builder for a sink that emits through {@code openTelemetry} (usually the application's {@code
   * GlobalOpenTelemetry.get()} or its SDK instance).
   */
  public static Builder builder(OpenTelemetry openTelemetry) {
    return new Builder(Objects.requireNonNull(openTelemetry, "openTelemetry"));
  }

  /** A sink with every default: tenant and feature on metrics, USD, events on. */
  public static OtelUsageSink create(OpenTelemetry openTelemetry) {
    return builder(openTelemetry).build();
  }

  @Override
  public void export(List<UsageRecord> batch) {
    for (int i = 0; i < batch.size(); i++) {
      UsageRecord r = batch.get(i);
      try {
        record(r);
      } catch (RuntimeException e) {
        recordFailures.warn("could not emit usage record {} to OpenTelemetry", r.id(), e);
      }
    }
  }

  @Override
  public void shutdown() {
    if (budgetCallback != null) {
      budgetCallback.close();
    }
  }

  @Override
  public String name() {
    return "otel";
  }

  /**
   * Adds the record's conventional attributes (operation, provider, models, usage, cost, tenant,
   * feature, assistant, conversation) to {@code span}. For callers that hold the call's span, e.g.
   * an adapter finishing a call on the request thread; the sink itself does this only when {@link
   * Builder#annotateCurrentSpan(boolean)} is on. Never throws.
   */
  public static void annotate(Span span, UsageRecord record) {
    try {
      if (span.isRecording()) {
        span.setAllAttributes(UsageEventAttributes.forSpan(record));
      }
    } catch (RuntimeException e) {
      LOG.debug("could not annotate span", e);
    }
  }

  /** How many times a metric attribute value was folded into {@value TelemetryNames#OTHER}. */
  public long foldedValues() {
    return limiter.folded();
  }

  /** How many records could not be emitted because mapping them failed. */
  public long failedRecords() {
    return recordFailures.count();
  }

  /**
   * How many records (or budget statuses) were left out of the money metrics because their currency
   * differs from the configured one; their events still carry the cost.
   */
  public long otherCurrencySkips() {
    return otherCurrency.get();
  }

  private void record(UsageRecord r) {
    boolean blocked = r.status() == CallStatus.BLOCKED;
    @Nullable String operation = UsageEventAttributes.genAiOperation(r.operation());
    String model = UsageEventAttributes.requestModel(r);
    String rawError = UsageEventAttributes.errorType(r);
    String errorType = rawError == null ? null : limiter.admit(ERROR_TYPE.getKey(), rawError);

    AttributesBuilder base = Attributes.builder();
    put(base, GEN_AI_OPERATION_NAME, operation);
    put(base, GEN_AI_PROVIDER_NAME, r.provider());
    put(base, GEN_AI_REQUEST_MODEL, model);
    Attributes callBase = base.build();
    Attributes context = contextAttributes(r.context());

    // Blocked calls never reached a provider and custom meter readings are not GenAI calls: neither
    // belongs in the GenAI latency and token histograms.
    if (!blocked && !METER_OPERATION.equals(r.operation())) {
      AttributesBuilder genAi = callBase.toBuilder();
      put(genAi, GEN_AI_RESPONSE_MODEL, r.responseModel());
      put(genAi, SERVER_ADDRESS, r.serverHost());
      if (contextOnGenAiMetrics) {
        genAi.putAll(context);
      }
      Attributes ok = genAi.build();
      recordTokens(r, ok);
      Attributes withError = errorType == null ? ok : with(ok, ERROR_TYPE, errorType);
      duration.record(UsageEventAttributes.seconds(r.latency()), withError);
      if (r.streaming() && r.timeToFirstByte() != null) {
        timeToFirstChunk.record(UsageEventAttributes.seconds(r.timeToFirstByte()), withError);
      }
    }

    AttributesBuilder req = callBase.toBuilder().putAll(context);
    req.put(STATUS, r.status().wireName());
    req.put(BUDGET_ACTION, r.budgetAction().wireName());
    if (errorType != null) {
      req.put(ERROR_TYPE, errorType);
    }
    requests.add(1, req.build());

    CostBreakdown known = r.cost();
    if (known != null && known.total().signum() > 0) {
      if (known.currency().equals(currency)) {
        cost.add(
            UsageEventAttributes.money(known.total()),
            callBase.toBuilder().putAll(context).build());
      } else {
        otherCurrency.incrementAndGet();
      }
    }

    if (emitEvents) {
      emitEvent(r);
    }
    if (annotateCurrentSpan) {
      Span current = Span.current();
      // The pipeline worker rarely runs inside the call's span; annotate only that exact span.
      if (r.spanId() != null && r.spanId().equals(current.getSpanContext().getSpanId())) {
        annotate(current, r);
      }
    }
  }

  private void recordTokens(UsageRecord r, Attributes attributes) {
    if (r.usage().isZero() && r.status() != CallStatus.OK) {
      return; // a failed call with no reported usage has no token measurement
    }
    tokenUsage.record(
        r.usage().inputTokens(), with(attributes, GEN_AI_TOKEN_TYPE, TOKEN_TYPE_INPUT));
    boolean embeddings = "embeddings".equals(r.operation());
    if (!embeddings || r.usage().outputTokens() > 0) {
      tokenUsage.record(
          r.usage().outputTokens(), with(attributes, GEN_AI_TOKEN_TYPE, TOKEN_TYPE_OUTPUT));
    }
  }

  private void emitEvent(UsageRecord r) {
    Severity severity = r.status() == CallStatus.OK ? Severity.INFO : Severity.WARN;
    var event =
        eventLogger
            .logRecordBuilder()
            .setEventName(EVENT_USAGE)
            .setTimestamp(r.endedAt())
            .setSeverity(severity)
            .setSeverityText(severity == Severity.INFO ? "INFO" : "WARN")
            .setBody(UsageEventAttributes.summary(r))
            .setAllAttributes(UsageEventAttributes.forEvent(r));
    Context parent = spanContextOf(r);
    if (parent != null) {
      event.setContext(parent);
    }
    event.emit();
  }

  /** A context holding the call's span, from the ids the record carries, or {@code null}. */
  private static @Nullable Context spanContextOf(UsageRecord r) {
    if (r.traceId() == null || r.spanId() == null) {
      return null;
    }
    // The record does not carry the sampling flag; correlation needs only the ids.
    SpanContext sc =
        SpanContext.create(
            r.traceId(), r.spanId(), TraceFlags.getDefault(), TraceState.getDefault());
    return sc.isValid() ? Context.root().with(Span.wrap(sc)) : null;
  }

  /** Reports {@code source}'s statuses on the budget gauges from the next collection on. */
  @Override
  public void bindBudgetStatuses(BudgetStatusSource source) {
    this.budgetSource = Objects.requireNonNull(source, "source");
  }

  private void observeBudgets(ObservableDoubleMeasurement spent, ObservableDoubleMeasurement left) {
    BudgetStatusSource source = budgetSource;
    if (source == null) {
      return;
    }
    Collection<BudgetStatus> statuses;
    try {
      statuses = source.budgetStatuses();
    } catch (RuntimeException e) {
      budgetFailures.warn("budget status source failed; budget gauges skipped", e);
      return;
    }
    if (statuses == null) {
      return;
    }
    for (BudgetStatus s : statuses) {
      if (s == null) {
        continue;
      }
      if (!s.currency().equals(currency)) {
        otherCurrency.incrementAndGet();
        continue;
      }
      Attributes a =
          Attributes.of(
              BUDGET_NAME,
              limiter.admit(BUDGET_NAME.getKey(), s.budgetName()),
              BUDGET_SCOPE,
              limiter.admit(BUDGET_SCOPE.getKey(), s.scopeKey()));
      spent.record(UsageEventAttributes.money(s.spent()), a);
      left.record(UsageEventAttributes.money(s.limit().subtract(s.spent())), a);
    }
  }

  private Attributes contextAttributes(AttributionContext c) {
    if (contextFields.isEmpty()) {
      return Attributes.empty();
    }
    AttributesBuilder b = Attributes.builder();
    for (int i = 0; i < contextFields.size(); i++) {
      ContextField f = contextFields.get(i);
      put(b, f.key, f.reader.apply(c));
    }
    return b.build();
  }

  private void put(AttributesBuilder b, AttributeKey<String> key, @Nullable String value) {
    if (value != null) {
      b.put(key, limiter.admit(key.getKey(), value));
    }
  }

  private static Attributes with(Attributes a, AttributeKey<String> key, String value) {
    return a.toBuilder().put(key, value).build();
  }

  /** One allow-listed context field: its metric attribute and how to read it. */
  private static final class ContextField {
    final AttributeKey<String> key;
    final Function<AttributionContext, @Nullable String> reader;

    ContextField(AttributeKey<String> key, Function<AttributionContext, @Nullable String> reader) {
      this.key = key;
      this.reader = reader;
    }
  }

  /**
   * Builds an {@link OtelUsageSink}. Every setter validates at once and names the option in its
   * message; {@link #build()} creates the instruments.
   */
  public static final class Builder {
    private final OpenTelemetry openTelemetry;
    private final List<ContextField> contextFields = new ArrayList<>();
    private boolean contextOnGenAiMetrics = false;
    private int maxValuesPerAttribute = DEFAULT_MAX_VALUES_PER_ATTRIBUTE;
    private String currency = "USD";
    private boolean emitEvents = true;
    private boolean annotateCurrentSpan = false;

    private Builder(OpenTelemetry openTelemetry) {
      this.openTelemetry = openTelemetry;
      metricAttributes(FIELD_TENANT, FIELD_FEATURE);
    }

    /**
     * Which context fields go on the cost and request counters (default {@value
     * OtelUsageSink#FIELD_TENANT} and {@value OtelUsageSink#FIELD_FEATURE}); replaces the current
     * list. Accepted: {@value OtelUsageSink#FIELD_TENANT}, {@value OtelUsageSink#FIELD_FEATURE},
     * {@value OtelUsageSink#FIELD_ASSISTANT}, {@value OtelUsageSink#FIELD_TRAFFIC_CLASS} and {@code
     * tag.<key>} for a custom tag. No names means no context on metrics.
     *
     * @throws IllegalArgumentException for {@code user} or {@code thread} (unbounded, personal:
     *     never on metrics), an unknown name or a repeated one
     */
    public Builder metricAttributes(String... fields) {
      Objects.requireNonNull(fields, "metricAttributes");
      Set<String> seen = new LinkedHashSet<>();
      List<ContextField> parsed = new ArrayList<>();
      for (String f : fields) {
        if (f == null) {
          throw new IllegalArgumentException("metricAttributes must not contain null");
        }
        if (!seen.add(f)) {
          throw new IllegalArgumentException("metricAttributes lists '" + f + "' twice");
        }
        parsed.add(contextField(f));
      }
      contextFields.clear();
      contextFields.addAll(parsed);
      return this;
    }

    private static ContextField contextField(String f) {
      switch (f) {
        case FIELD_TENANT:
          return new ContextField(TENANT_ID, AttributionContext::tenantId);
        case FIELD_FEATURE:
          return new ContextField(FEATURE, AttributionContext::feature);
        case FIELD_ASSISTANT:
          return new ContextField(ASSISTANT_ID, AttributionContext::assistantId);
        case FIELD_TRAFFIC_CLASS:
          return new ContextField(TRAFFIC_CLASS, AttributionContext::trafficClass);
        case "user":
        case "thread":
          throw new IllegalArgumentException(
              "metricAttributes: '"
                  + f
                  + "' ids never go on metrics (unbounded cardinality, personal data); they are on"
                  + " the usage event");
        default:
          if (f.startsWith(FIELD_TAG_PREFIX) && f.length() > FIELD_TAG_PREFIX.length()) {
            String tag = f.substring(FIELD_TAG_PREFIX.length());
            return new ContextField(
                AttributeKey.stringKey(TAG_PREFIX + tag), c -> c.tags().get(tag));
          }
          throw new IllegalArgumentException(
              "metricAttributes: unknown context field '"
                  + f
                  + "'; expected tenant, feature, assistant, traffic_class or tag.<key>");
      }
    }

    /**
     * Whether the allow-listed context attributes also go on the three GenAI histograms (default
     * {@code false}: histograms hold a series per bucket, so tenant on them multiplies storage; the
     * counters carry tenant and feature either way).
     */
    public Builder contextOnGenAiMetrics(boolean value) {
      this.contextOnGenAiMetrics = value;
      return this;
    }

    /**
     * The most distinct values any one metric attribute may take (default {@value
     * #DEFAULT_MAX_VALUES_PER_ATTRIBUTE}); later new values are recorded as {@value
     * TelemetryNames#OTHER}.
     *
     * @throws IllegalArgumentException unless 1..100000
     */
    public Builder maxValuesPerAttribute(int value) {
      if (value < 1 || value > 100_000) {
        throw new IllegalArgumentException(
            "maxValuesPerAttribute must be between 1 and 100000, was " + value);
      }
      this.maxValuesPerAttribute = value;
      return this;
    }

    /**
     * The currency of the cost counter and budget gauges, which is also their unit (default {@code
     * USD}). Records in another currency still produce their event but are left out of the money
     * metrics and counted in {@link OtelUsageSink#otherCurrencySkips()}.
     *
     * @throws IllegalArgumentException unless three upper-case letters
     */
    public Builder currency(String code) {
      if (code == null || !code.matches("[A-Z]{3}")) {
        throw new IllegalArgumentException(
            "currency must be a three-letter upper-case ISO 4217 code, was '" + code + "'");
      }
      this.currency = code;
      return this;
    }

    /**
     * Whether to emit the {@value TelemetryNames#EVENT_USAGE} log record per usage record (default
     * on).
     */
    public Builder emitEvents(boolean value) {
      this.emitEvents = value;
      return this;
    }

    /**
     * Whether to add the record's attributes to the current span when it is the call's own span
     * (same span id as the record). Default off: the pipeline exports on its own worker thread,
     * where the call's span is normally not current; callers that hold the span use {@link
     * OtelUsageSink#annotate(Span, UsageRecord)}.
     */
    public Builder annotateCurrentSpan(boolean value) {
      this.annotateCurrentSpan = value;
      return this;
    }

    /** The sink; creates its instruments on the given {@link OpenTelemetry}. */
    public OtelUsageSink build() {
      return new OtelUsageSink(this);
    }
  }
}
