package dev.attribution.sink.otlp;

import static dev.attribution.sink.otlp.TelemetryNames.*;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.CallStatus;
import dev.attribution.api.CostBreakdown;
import dev.attribution.api.TokenUsage;
import dev.attribution.api.UsageRecord;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Maps a usage record to OpenTelemetry attributes: every field for the event, a subset for spans.
 */
final class UsageEventAttributes {

  private UsageEventAttributes() {}

  /** The GenAI convention's operation name for the library's operation name. */
  static @Nullable String genAiOperation(@Nullable String operation) {
    if (operation == null) {
      return null; // unknown: the attribute is left out, never a stand-in
    }
    switch (operation) {
      case "chat":
      case "messages":
      case "responses":
        return "chat";
      case "completions":
        return "text_completion";
      default:
        return operation;
    }
  }

  /** The model sent upstream: the effective model, else the requested one; {@code null} if none. */
  static @Nullable String requestModel(UsageRecord r) {
    return r.effectiveModel() != null ? r.effectiveModel() : r.requestedModel();
  }

  /** A low-cardinality error type for an unsuccessful call, or {@code null} when it succeeded. */
  static @Nullable String errorType(UsageRecord r) {
    if (r.status() == CallStatus.OK) {
      return null;
    }
    if (r.errorType() != null) {
      return r.errorType();
    }
    switch (r.status()) {
      case BLOCKED:
        return "budget_exceeded";
      case UPSTREAM_ERROR:
        Integer http = r.httpStatus();
        return http != null ? Integer.toString(http) : "_OTHER";
      default:
        return r.status().wireName();
    }
  }

  /** Every field of {@code r}, for the usage event. */
  static Attributes forEvent(UsageRecord r) {
    AttributesBuilder b = Attributes.builder();
    b.put(RECORD_ID, r.id().toString());
    b.put(STARTED_AT, r.startedAt().toString());
    putContext(b, r.context(), true);
    b.put(CONTEXT_SOURCE, r.contextSource().wireName());
    putCall(b, r);
    putIfSet(b, REQUESTED_MODEL, r.requestedModel());
    putIfSet(b, ROUTE, r.route());
    putIfSet(b, ROUTE_RULE, r.routeRule());
    b.put(STREAMING, r.streaming());
    b.put(ATTEMPT, (long) r.attempt());

    TokenUsage u = r.usage();
    putUsage(b, u);
    b.put(CACHE_WRITE_5M_TOKENS, u.cacheWrite5mTokens());
    b.put(CACHE_WRITE_1H_TOKENS, u.cacheWrite1hTokens());
    b.put(AUDIO_INPUT_TOKENS, u.audioInputTokens());
    b.put(AUDIO_OUTPUT_TOKENS, u.audioOutputTokens());
    b.put(IMAGE_INPUT_TOKENS, u.imageInputTokens());
    b.put(IMAGE_OUTPUT_TOKENS, u.imageOutputTokens());
    b.put(USAGE_ESTIMATED, r.usageEstimated());

    CostBreakdown c = r.cost();
    putCost(b, c);
    if (c != null) {
      b.put(COST_INPUT, c.input().toPlainString());
      b.put(COST_CACHED_INPUT, c.cachedInput().toPlainString());
      b.put(COST_CACHE_WRITE, c.cacheWrite().toPlainString());
      b.put(COST_OUTPUT, c.output().toPlainString());
      b.put(COST_REASONING, c.reasoning().toPlainString());
      b.put(COST_TOOLS, c.tools().toPlainString());
      b.put(COST_OTHER, c.other().toPlainString());
    }
    putIfSet(b, COMPUTED_COST, plain(r.computedCost()));
    b.put(COST_SOURCE, r.costSource().wireName());
    putIfSet(b, PROVIDER_REPORTED_COST, plain(r.providerReportedCost()));
    putIfSet(b, CHARGE, plain(r.charge()));
    putIfSet(b, PRICE_VERSION, r.priceVersion());

    b.put(LATENCY, seconds(r.latency()));
    if (r.timeToFirstByte() != null) {
      b.put(TIME_TO_FIRST_BYTE, seconds(r.timeToFirstByte()));
    }
    Integer http = r.httpStatus();
    if (http != null) {
      b.put(HTTP_RESPONSE_STATUS_CODE, (long) http);
    }
    putIfSet(b, ERROR_MESSAGE, r.errorMessage());
    putIfSet(b, GEN_AI_RESPONSE_ID, r.providerRequestId());
    b.put(BUDGET_ACTION, r.budgetAction().wireName());
    putIfSet(b, BUDGET_NAME, r.budgetName());
    if (r.budgetPercent() != null) {
      b.put(BUDGET_PERCENT, r.budgetPercent().doubleValue());
    }
    BudgetAction dryRun = r.dryRunAction();
    putIfSet(b, BUDGET_DRY_RUN_ACTION, dryRun == null ? null : dryRun.wireName());
    putIfSet(b, AZURE_DEPLOYMENT, r.deployment());
    putIfSet(b, KEY_FINGERPRINT, r.keyFingerprint());
    for (Map.Entry<String, String> e : r.attributes().entrySet()) {
      b.put(RECORD_ATTRIBUTE_PREFIX + e.getKey(), e.getValue());
    }
    return b.build();
  }

  /**
   * What goes on the call's span: the conventional call attributes, usage, cost and who the call
   * was for (no error message, no key fingerprint, no free-form attributes).
   */
  static Attributes forSpan(UsageRecord r) {
    AttributesBuilder b = Attributes.builder();
    putContext(b, r.context(), false);
    putCall(b, r);
    putUsage(b, r.usage());
    putCost(b, r.cost());
    b.put(BUDGET_ACTION, r.budgetAction().wireName());
    return b.build();
  }

  private static void putCall(AttributesBuilder b, UsageRecord r) {
    putIfSet(b, GEN_AI_OPERATION_NAME, genAiOperation(r.operation()));
    putIfSet(b, OPERATION, r.operation());
    putIfSet(b, GEN_AI_PROVIDER_NAME, r.provider());
    putIfSet(b, GEN_AI_REQUEST_MODEL, requestModel(r));
    putIfSet(b, GEN_AI_RESPONSE_MODEL, r.responseModel());
    putIfSet(b, SERVER_ADDRESS, r.serverHost());
    b.put(STATUS, r.status().wireName());
    putIfSet(b, ERROR_TYPE, errorType(r));
  }

  private static void putUsage(AttributesBuilder b, TokenUsage u) {
    b.put(GEN_AI_USAGE_INPUT_TOKENS, u.inputTokens());
    b.put(GEN_AI_USAGE_OUTPUT_TOKENS, u.outputTokens());
    b.put(GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, u.cachedInputTokens());
    b.put(GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS, u.cacheWriteTokens());
    b.put(GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, u.reasoningTokens());
  }

  private static void putCost(AttributesBuilder b, @Nullable CostBreakdown c) {
    if (c == null) {
      // Unknown cost: no amount at all (a 0 would read as free); the cost source says why.
      return;
    }
    // Backends that read gen_ai.usage.cost want a number; the exact decimal travels beside it.
    b.put(GEN_AI_USAGE_COST, money(c.total()));
    b.put(COST_TOTAL, c.total().toPlainString());
    b.put(COST_CURRENCY, c.currency());
  }

  private static void putContext(AttributesBuilder b, AttributionContext c, boolean withUser) {
    putIfSet(b, TENANT_ID, c.tenantId());
    putIfSet(b, FEATURE, c.feature());
    putIfSet(b, ASSISTANT_ID, c.assistantId());
    putIfSet(b, TRAFFIC_CLASS, c.trafficClass());
    putIfSet(b, GEN_AI_CONVERSATION_ID, c.threadId());
    if (withUser) {
      putIfSet(b, USER_ID, c.userId());
    }
    for (Map.Entry<String, String> e : c.tags().entrySet()) {
      b.put(TAG_PREFIX + e.getKey(), e.getValue());
    }
  }

  /** A one-line human summary for the event body; never prompt text. */
  static String summary(UsageRecord r) {
    String model = requestModel(r);
    // Plain concatenation: String.format costs more than the rest of the event on the worker.
    return (r.provider() == null ? "unrecognised" : r.provider())
        + ' '
        + (r.operation() == null ? "-" : r.operation())
        + ' '
        + (model == null ? "-" : model)
        + ' '
        + r.status().wireName()
        + ": "
        + r.usage().inputTokens()
        + " input / "
        + r.usage().outputTokens()
        + " output tokens, "
        + (r.cost() == null
            ? "cost unknown"
            : r.cost().total().toPlainString() + ' ' + r.cost().currency());
  }

  /**
   * The only place money leaves {@link BigDecimal}: OpenTelemetry measurements and numeric
   * attributes are {@code double}, so amounts are converted here, at the edge, after every sum was
   * done exactly. The rounding error (about 1e-16 relative) is far below the 1e-9 scale of stored
   * amounts; exact figures stay in the database and in the event's decimal-string attributes.
   */
  static double money(BigDecimal amount) {
    return amount.doubleValue();
  }

  static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  private static @Nullable String plain(@Nullable BigDecimal v) {
    return v == null ? null : v.toPlainString();
  }

  private static void putIfSet(
      AttributesBuilder b, AttributeKey<String> key, @Nullable String value) {
    if (value != null) {
      b.put(key, value);
    }
  }
}
