package dev.attribution.sink.otlp;

import io.opentelemetry.api.common.AttributeKey;
import java.util.List;

/**
 * Every metric, attribute, unit and event name this module emits, in one place.
 *
 * <p>Names under {@code gen_ai.*}, {@code server.*}, {@code error.*}, {@code http.*} and {@code
 * user.*} follow the OpenTelemetry semantic conventions (the GenAI ones have <em>development</em>
 * status and may be renamed upstream; when they are, only this class changes). Names under {@code
 * attribution.*} are this library's own, used where no convention exists. {@code gen_ai.usage.cost}
 * is not a convention but the de-facto name several backends read.
 *
 * <p>Thread and user ids appear only on the usage event, never on metrics.
 */
public final class TelemetryNames {

  private TelemetryNames() {}

  /** Instrumentation scope name of the meter and the logger: {@value}. */
  public static final String INSTRUMENTATION_SCOPE = "dev.attribution";

  // ---- metrics ----

  /** Histogram of input and output tokens per call, unit {@value #UNIT_TOKEN}: {@value}. */
  public static final String METRIC_TOKEN_USAGE = "gen_ai.client.token.usage";

  /** Histogram of the client-observed call duration, unit {@value #UNIT_SECONDS}: {@value}. */
  public static final String METRIC_OPERATION_DURATION = "gen_ai.client.operation.duration";

  /**
   * Histogram of the time to the first response chunk of streamed calls only, unit {@value
   * #UNIT_SECONDS}: {@value}.
   */
  public static final String METRIC_TIME_TO_FIRST_CHUNK =
      "gen_ai.client.operation.time_to_first_chunk";

  /** Counter of money spent; its unit is the configured ISO 4217 currency code: {@value}. */
  public static final String METRIC_COST = "attribution.client.cost";

  /** Counter of calls (every status, blocked ones included), unit {@value #UNIT_REQUEST}. */
  public static final String METRIC_REQUESTS = "attribution.client.requests";

  /** Gauge of the money spent in a budget's current period, per budget and scope value. */
  public static final String METRIC_BUDGET_SPENT = "attribution.budget.spent";

  /** Gauge of the money left in a budget's current period (limit minus spent; may be negative). */
  public static final String METRIC_BUDGET_REMAINING = "attribution.budget.remaining";

  /** Unit of {@link #METRIC_TOKEN_USAGE}: {@value}. */
  public static final String UNIT_TOKEN = "{token}";

  /** Unit of the duration histograms: {@value}. */
  public static final String UNIT_SECONDS = "s";

  /** Unit of {@link #METRIC_REQUESTS}: {@value}. */
  public static final String UNIT_REQUEST = "{request}";

  /** The GenAI convention's bucket boundaries for {@link #METRIC_TOKEN_USAGE}. */
  public static final List<Long> TOKEN_USAGE_BUCKETS =
      List.of(
          1L, 4L, 16L, 64L, 256L, 1024L, 4096L, 16384L, 65536L, 262144L, 1048576L, 4194304L,
          16777216L, 67108864L);

  /** The GenAI convention's bucket boundaries, in seconds, for both duration histograms. */
  public static final List<Double> DURATION_BUCKETS =
      List.of(
          0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92);

  // ---- the event ----

  /**
   * Event name of the one log record emitted per usage record: {@value}. Deliberately not under
   * {@code gen_ai.*}: the conventions define no usage event and reserve that namespace.
   */
  public static final String EVENT_USAGE = "attribution.usage";

  // ---- GenAI convention attributes ----

  /**
   * {@code gen_ai.operation.name}: e.g. {@code chat}, {@code text_completion}, {@code embeddings}.
   */
  public static final AttributeKey<String> GEN_AI_OPERATION_NAME =
      AttributeKey.stringKey("gen_ai.operation.name");

  /**
   * {@code gen_ai.provider.name}: e.g. {@code openai}, {@code anthropic}, {@code gcp.gemini};
   * absent for a call to an unrecognised endpoint.
   */
  public static final AttributeKey<String> GEN_AI_PROVIDER_NAME =
      AttributeKey.stringKey("gen_ai.provider.name");

  /** {@code gen_ai.request.model}: the model sent upstream (after any downgrade or reroute). */
  public static final AttributeKey<String> GEN_AI_REQUEST_MODEL =
      AttributeKey.stringKey("gen_ai.request.model");

  /** {@code gen_ai.response.model}: the model the provider says answered. */
  public static final AttributeKey<String> GEN_AI_RESPONSE_MODEL =
      AttributeKey.stringKey("gen_ai.response.model");

  /** {@code gen_ai.response.id}: the provider's response or request id. */
  public static final AttributeKey<String> GEN_AI_RESPONSE_ID =
      AttributeKey.stringKey("gen_ai.response.id");

  /** {@code gen_ai.token.type}: {@link #TOKEN_TYPE_INPUT} or {@link #TOKEN_TYPE_OUTPUT}. */
  public static final AttributeKey<String> GEN_AI_TOKEN_TYPE =
      AttributeKey.stringKey("gen_ai.token.type");

  /**
   * {@code gen_ai.conversation.id}: the thread (conversation, session) id; events and spans only.
   */
  public static final AttributeKey<String> GEN_AI_CONVERSATION_ID =
      AttributeKey.stringKey("gen_ai.conversation.id");

  /** {@code gen_ai.usage.input_tokens}: all input tokens, cached included. */
  public static final AttributeKey<Long> GEN_AI_USAGE_INPUT_TOKENS =
      AttributeKey.longKey("gen_ai.usage.input_tokens");

  /** {@code gen_ai.usage.output_tokens}: all output tokens, reasoning included. */
  public static final AttributeKey<Long> GEN_AI_USAGE_OUTPUT_TOKENS =
      AttributeKey.longKey("gen_ai.usage.output_tokens");

  /** {@code gen_ai.usage.cache_read.input_tokens}: input tokens read from the prompt cache. */
  public static final AttributeKey<Long> GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS =
      AttributeKey.longKey("gen_ai.usage.cache_read.input_tokens");

  /** {@code gen_ai.usage.cache_write.input_tokens}: input tokens written to the prompt cache. */
  public static final AttributeKey<Long> GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS =
      AttributeKey.longKey("gen_ai.usage.cache_write.input_tokens");

  /** {@code gen_ai.usage.reasoning.output_tokens}: reasoning output tokens. */
  public static final AttributeKey<Long> GEN_AI_USAGE_REASONING_OUTPUT_TOKENS =
      AttributeKey.longKey("gen_ai.usage.reasoning.output_tokens");

  /**
   * {@code gen_ai.usage.cost}: the call's cost as a floating-point number in {@link #COST_CURRENCY}
   * (the exact decimal is in {@link #COST_TOTAL}).
   */
  public static final AttributeKey<Double> GEN_AI_USAGE_COST =
      AttributeKey.doubleKey("gen_ai.usage.cost");

  /** Value of {@link #GEN_AI_TOKEN_TYPE} for input tokens: {@value}. */
  public static final String TOKEN_TYPE_INPUT = "input";

  /** Value of {@link #GEN_AI_TOKEN_TYPE} for output tokens: {@value}. */
  public static final String TOKEN_TYPE_OUTPUT = "output";

  /** {@code server.address}: host the call went to. */
  public static final AttributeKey<String> SERVER_ADDRESS =
      AttributeKey.stringKey("server.address");

  /** {@code error.type}: set only when the call did not succeed. */
  public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  /**
   * {@code http.response.status_code}: HTTP status of the provider's response; events only, absent
   * when no response came over the network (blocked, transport failure, meter reading).
   */
  public static final AttributeKey<Long> HTTP_RESPONSE_STATUS_CODE =
      AttributeKey.longKey("http.response.status_code");

  /** {@code user.id}: the end user; events and spans only, never metrics. */
  public static final AttributeKey<String> USER_ID = AttributeKey.stringKey("user.id");

  // ---- this library's attributes ----

  /** {@code attribution.tenant.id}: the tenant (customer account). */
  public static final AttributeKey<String> TENANT_ID =
      AttributeKey.stringKey("attribution.tenant.id");

  /** {@code attribution.feature}: the product feature. */
  public static final AttributeKey<String> FEATURE = AttributeKey.stringKey("attribution.feature");

  /** {@code attribution.assistant.id}: the assistant, agent or workflow. */
  public static final AttributeKey<String> ASSISTANT_ID =
      AttributeKey.stringKey("attribution.assistant.id");

  /** {@code attribution.traffic_class}: the traffic class. */
  public static final AttributeKey<String> TRAFFIC_CLASS =
      AttributeKey.stringKey("attribution.traffic_class");

  /** Prefix of custom context tags: {@value} followed by the tag key. */
  public static final String TAG_PREFIX = "attribution.tag.";

  /** Prefix of the record's free-form attributes (events only): {@value} followed by the key. */
  public static final String RECORD_ATTRIBUTE_PREFIX = "attribution.attr.";

  /**
   * {@code attribution.record.id}: the usage record's id (UUIDv7), for joining with the database.
   */
  public static final AttributeKey<String> RECORD_ID =
      AttributeKey.stringKey("attribution.record.id");

  /**
   * {@code attribution.started_at}: ISO-8601 start of the call (the event's timestamp is its end).
   */
  public static final AttributeKey<String> STARTED_AT =
      AttributeKey.stringKey("attribution.started_at");

  /** {@code attribution.context.source}: where the context came from (header, tag, scope, none). */
  public static final AttributeKey<String> CONTEXT_SOURCE =
      AttributeKey.stringKey("attribution.context.source");

  /**
   * {@code attribution.operation}: the library's own operation name (e.g. {@code responses}, {@code
   * messages}).
   */
  public static final AttributeKey<String> OPERATION =
      AttributeKey.stringKey("attribution.operation");

  /**
   * {@code attribution.requested_model}: the model the application asked for, before any downgrade.
   */
  public static final AttributeKey<String> REQUESTED_MODEL =
      AttributeKey.stringKey("attribution.requested_model");

  /** {@code attribution.route}: the route taken. */
  public static final AttributeKey<String> ROUTE = AttributeKey.stringKey("attribution.route");

  /** {@code attribution.route.rule}: the routing rule that chose the route. */
  public static final AttributeKey<String> ROUTE_RULE =
      AttributeKey.stringKey("attribution.route.rule");

  /** {@code attribution.streaming}: whether the response was streamed. */
  public static final AttributeKey<Boolean> STREAMING =
      AttributeKey.booleanKey("attribution.streaming");

  /** {@code attribution.attempt}: attempt number, 1 for the first try. */
  public static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("attribution.attempt");

  /** {@code attribution.usage.cache_write_5m.input_tokens}: tokens written to a 5-minute cache. */
  public static final AttributeKey<Long> CACHE_WRITE_5M_TOKENS =
      AttributeKey.longKey("attribution.usage.cache_write_5m.input_tokens");

  /** {@code attribution.usage.cache_write_1h.input_tokens}: tokens written to a 1-hour cache. */
  public static final AttributeKey<Long> CACHE_WRITE_1H_TOKENS =
      AttributeKey.longKey("attribution.usage.cache_write_1h.input_tokens");

  /** {@code attribution.usage.audio.input_tokens}: audio input tokens. */
  public static final AttributeKey<Long> AUDIO_INPUT_TOKENS =
      AttributeKey.longKey("attribution.usage.audio.input_tokens");

  /** {@code attribution.usage.audio.output_tokens}: audio output tokens. */
  public static final AttributeKey<Long> AUDIO_OUTPUT_TOKENS =
      AttributeKey.longKey("attribution.usage.audio.output_tokens");

  /** {@code attribution.usage.image.input_tokens}: image input tokens. */
  public static final AttributeKey<Long> IMAGE_INPUT_TOKENS =
      AttributeKey.longKey("attribution.usage.image.input_tokens");

  /** {@code attribution.usage.image.output_tokens}: image output tokens. */
  public static final AttributeKey<Long> IMAGE_OUTPUT_TOKENS =
      AttributeKey.longKey("attribution.usage.image.output_tokens");

  /** {@code attribution.usage.estimated}: whether the token counts were estimated. */
  public static final AttributeKey<Boolean> USAGE_ESTIMATED =
      AttributeKey.booleanKey("attribution.usage.estimated");

  /** {@code attribution.cost.total}: exact total cost as a plain decimal string (scale 9). */
  public static final AttributeKey<String> COST_TOTAL =
      AttributeKey.stringKey("attribution.cost.total");

  /** {@code attribution.cost.input}: exact cost of plain input. */
  public static final AttributeKey<String> COST_INPUT =
      AttributeKey.stringKey("attribution.cost.input");

  /** {@code attribution.cost.cached_input}: exact cost of cached input reads. */
  public static final AttributeKey<String> COST_CACHED_INPUT =
      AttributeKey.stringKey("attribution.cost.cached_input");

  /** {@code attribution.cost.cache_write}: exact cost of cache writes. */
  public static final AttributeKey<String> COST_CACHE_WRITE =
      AttributeKey.stringKey("attribution.cost.cache_write");

  /** {@code attribution.cost.output}: exact cost of plain output. */
  public static final AttributeKey<String> COST_OUTPUT =
      AttributeKey.stringKey("attribution.cost.output");

  /** {@code attribution.cost.reasoning}: exact cost of reasoning output. */
  public static final AttributeKey<String> COST_REASONING =
      AttributeKey.stringKey("attribution.cost.reasoning");

  /** {@code attribution.cost.tools}: exact per-call fees of server-side tools (web searches). */
  public static final AttributeKey<String> COST_TOOLS =
      AttributeKey.stringKey("attribution.cost.tools");

  /**
   * {@code attribution.cost.computed}: the catalog-computed cost kept beside a provider-reported
   * one.
   */
  public static final AttributeKey<String> COMPUTED_COST =
      AttributeKey.stringKey("attribution.cost.computed");

  /** {@code attribution.cost.other}: exact cost of everything else. */
  public static final AttributeKey<String> COST_OTHER =
      AttributeKey.stringKey("attribution.cost.other");

  /** {@code attribution.cost.currency}: ISO 4217 code of every cost on the event. */
  public static final AttributeKey<String> COST_CURRENCY =
      AttributeKey.stringKey("attribution.cost.currency");

  /**
   * {@code attribution.cost.source}: where the cost came from (computed, provider_reported,
   * estimated, unpriced).
   */
  public static final AttributeKey<String> COST_SOURCE =
      AttributeKey.stringKey("attribution.cost.source");

  /**
   * {@code attribution.cost.provider_reported}: the provider's own cost figure, exact decimal
   * string.
   */
  public static final AttributeKey<String> PROVIDER_REPORTED_COST =
      AttributeKey.stringKey("attribution.cost.provider_reported");

  /** {@code attribution.charge}: the price charged to the customer, exact decimal string. */
  public static final AttributeKey<String> CHARGE = AttributeKey.stringKey("attribution.charge");

  /** {@code attribution.price_version}: version of the price data used. */
  public static final AttributeKey<String> PRICE_VERSION =
      AttributeKey.stringKey("attribution.price_version");

  /** {@code attribution.latency}: call latency in seconds. */
  public static final AttributeKey<Double> LATENCY = AttributeKey.doubleKey("attribution.latency");

  /** {@code attribution.time_to_first_byte}: time to the first response byte in seconds. */
  public static final AttributeKey<Double> TIME_TO_FIRST_BYTE =
      AttributeKey.doubleKey("attribution.time_to_first_byte");

  /**
   * {@code attribution.status}: how the call ended (ok, upstream_error, blocked, cancelled,
   * failed).
   */
  public static final AttributeKey<String> STATUS = AttributeKey.stringKey("attribution.status");

  /** {@code attribution.error.message}: the error message (never prompt text). */
  public static final AttributeKey<String> ERROR_MESSAGE =
      AttributeKey.stringKey("attribution.error.message");

  /**
   * {@code attribution.budget.action}: what budget enforcement did (none, notify, downgrade,
   * reroute, block).
   */
  public static final AttributeKey<String> BUDGET_ACTION =
      AttributeKey.stringKey("attribution.budget.action");

  /**
   * {@code attribution.budget.name}: the budget that decided the action, or that a budget gauge
   * reports.
   */
  public static final AttributeKey<String> BUDGET_NAME =
      AttributeKey.stringKey("attribution.budget.name");

  /** {@code attribution.budget.percent}: percentage of the budget that triggered the action. */
  public static final AttributeKey<Double> BUDGET_PERCENT =
      AttributeKey.doubleKey("attribution.budget.percent");

  /**
   * {@code attribution.budget.dry_run_action}: the action a dry-run budget would have taken (e.g.
   * {@code block}); absent when none would have acted. Events only.
   */
  public static final AttributeKey<String> BUDGET_DRY_RUN_ACTION =
      AttributeKey.stringKey("attribution.budget.dry_run_action");

  /**
   * {@code attribution.azure.deployment}: the Azure OpenAI deployment named in the request path;
   * absent for other providers. Events only.
   */
  public static final AttributeKey<String> AZURE_DEPLOYMENT =
      AttributeKey.stringKey("attribution.azure.deployment");

  /**
   * {@code attribution.budget.scope}: on budget gauges, the scope value (e.g. the tenant id) the
   * budget applies to.
   */
  public static final AttributeKey<String> BUDGET_SCOPE =
      AttributeKey.stringKey("attribution.budget.scope");

  /** {@code attribution.key_fingerprint}: fingerprint of the API key used (never the key). */
  public static final AttributeKey<String> KEY_FINGERPRINT =
      AttributeKey.stringKey("attribution.key_fingerprint");

  /** The value that replaces an attribute value once its cardinality cap is reached: {@value}. */
  public static final String OTHER = "other";
}
