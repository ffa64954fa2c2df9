package dev.attribution.sink.otlp;

import static dev.attribution.sink.otlp.TelemetryNames.*;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.CallStatus;
import dev.attribution.api.ContextSource;
import dev.attribution.api.CostBreakdown;
import dev.attribution.api.CostSource;
import dev.attribution.api.TokenUsage;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import dev.attribution.testing.UsageSinkContractTest;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.testing.exporter.InMemoryLogRecordExporter;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;

/**
 * The sink contract against the OpenTelemetry SDK's in-memory exporters. The usage event carries
 * every field of the record, so {@link #readBack()} rebuilds records from the events alone; what
 * the event cannot say is listed in {@link #expectedReadBack(UsageRecord)}.
 */
class OtelUsageSinkContractTest extends UsageSinkContractTest {

  private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
  private final InMemoryLogRecordExporter logs = InMemoryLogRecordExporter.create();
  private final OpenTelemetrySdk otel =
      OpenTelemetrySdk.builder()
          .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
          .setLoggerProvider(
              SdkLoggerProvider.builder()
                  .addLogRecordProcessor(SimpleLogRecordProcessor.create(logs))
                  .build())
          .build();

  @AfterEach
  void closeSdk() {
    otel.close();
  }

  @Override
  protected UsageSink createSink() {
    return OtelUsageSink.create(otel);
  }

  @Override
  protected List<UsageRecord> readBack() {
    otel.getSdkLoggerProvider().forceFlush();
    List<UsageRecord> out = new ArrayList<>();
    for (LogRecordData event : logs.getFinishedLogRecordItems()) {
      if (EVENT_USAGE.equals(event.getEventName())) {
        out.add(fromEvent(event));
      }
    }
    return out;
  }

  /**
   * What the event cannot say: whether the effective model was unset (gen_ai.request.model then
   * holds the requested one), and an unsuccessful call's missing error type (the event derives one
   * for the low-cardinality error.type, e.g. the HTTP status).
   */
  @Override
  protected UsageRecord expectedReadBack(UsageRecord written) {
    return written.toBuilder()
        .effectiveModel(UsageEventAttributes.requestModel(written))
        .errorType(UsageEventAttributes.errorType(written))
        .build();
  }

  /** Rebuilds a record from its usage event. */
  private static UsageRecord fromEvent(LogRecordData event) {
    Attributes a = event.getAttributes();
    AttributionContext.Builder c =
        AttributionContext.builder()
            .tenantId(a.get(TENANT_ID))
            .userId(a.get(USER_ID))
            .assistantId(a.get(ASSISTANT_ID))
            .threadId(a.get(GEN_AI_CONVERSATION_ID))
            .feature(a.get(FEATURE))
            .trafficClass(a.get(TRAFFIC_CLASS));
    UsageRecord.Builder b =
        UsageRecord.builder()
            .id(UUID.fromString(a.get(RECORD_ID)))
            .startedAt(Instant.parse(a.get(STARTED_AT)))
            .endedAt(Instant.EPOCH.plusNanos(event.getTimestampEpochNanos()))
            .contextSource(ContextSource.fromWireName(a.get(CONTEXT_SOURCE)))
            .provider(a.get(GEN_AI_PROVIDER_NAME))
            .operation(a.get(OPERATION))
            .serverHost(a.get(SERVER_ADDRESS))
            .requestedModel(a.get(REQUESTED_MODEL))
            .effectiveModel(a.get(GEN_AI_REQUEST_MODEL))
            .responseModel(a.get(GEN_AI_RESPONSE_MODEL))
            .route(a.get(ROUTE))
            .routeRule(a.get(ROUTE_RULE))
            .streaming(Boolean.TRUE.equals(a.get(STREAMING)))
            .attempt(Math.toIntExact(a.get(ATTEMPT)))
            .usage(
                TokenUsage.builder()
                    .inputTokens(a.get(GEN_AI_USAGE_INPUT_TOKENS))
                    .cachedInputTokens(a.get(GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS))
                    .cacheWrite5mTokens(a.get(CACHE_WRITE_5M_TOKENS))
                    .cacheWrite1hTokens(a.get(CACHE_WRITE_1H_TOKENS))
                    .outputTokens(a.get(GEN_AI_USAGE_OUTPUT_TOKENS))
                    .reasoningTokens(a.get(GEN_AI_USAGE_REASONING_OUTPUT_TOKENS))
                    .audioInputTokens(a.get(AUDIO_INPUT_TOKENS))
                    .audioOutputTokens(a.get(AUDIO_OUTPUT_TOKENS))
                    .imageInputTokens(a.get(IMAGE_INPUT_TOKENS))
                    .imageOutputTokens(a.get(IMAGE_OUTPUT_TOKENS))
                    .build())
            .usageEstimated(Boolean.TRUE.equals(a.get(USAGE_ESTIMATED)))
            .cost(cost(a))
            .computedCost(amount(a.get(COMPUTED_COST)))
            .providerReportedCost(amount(a.get(PROVIDER_REPORTED_COST)))
            .charge(amount(a.get(CHARGE)))
            .costSource(CostSource.fromWireName(a.get(COST_SOURCE)))
            .priceVersion(a.get(PRICE_VERSION))
            .latency(duration(a.get(LATENCY)))
            .status(CallStatus.fromWireName(a.get(STATUS)))
            .errorType(a.get(ERROR_TYPE))
            .errorMessage(a.get(ERROR_MESSAGE))
            .providerRequestId(a.get(GEN_AI_RESPONSE_ID))
            .budgetAction(BudgetAction.fromWireName(a.get(BUDGET_ACTION)))
            .budgetName(a.get(BUDGET_NAME))
            .keyFingerprint(a.get(KEY_FINGERPRINT));
    Double ttfb = a.get(TIME_TO_FIRST_BYTE);
    if (ttfb != null) {
      b.timeToFirstByte(duration(ttfb));
    }
    Long http = a.get(HTTP_RESPONSE_STATUS_CODE);
    if (http != null) {
      b.httpStatus(Math.toIntExact(http));
    }
    Double percent = a.get(BUDGET_PERCENT);
    if (percent != null) {
      b.budgetPercent(BigDecimal.valueOf(percent));
    }
    String dryRun = a.get(BUDGET_DRY_RUN_ACTION);
    if (dryRun != null) {
      b.dryRunAction(BudgetAction.fromWireName(dryRun));
    }
    b.deployment(a.get(AZURE_DEPLOYMENT));
    if (event.getSpanContext().isValid()) {
      b.traceId(event.getSpanContext().getTraceId()).spanId(event.getSpanContext().getSpanId());
    }
    for (Map.Entry<AttributeKey<?>, Object> e : a.asMap().entrySet()) {
      String key = e.getKey().getKey();
      if (key.startsWith(TAG_PREFIX)) {
        c.tag(key.substring(TAG_PREFIX.length()), (String) e.getValue());
      } else if (key.startsWith(RECORD_ATTRIBUTE_PREFIX)) {
        b.attribute(key.substring(RECORD_ATTRIBUTE_PREFIX.length()), (String) e.getValue());
      }
    }
    return b.context(c.build()).build();
  }

  private static @Nullable CostBreakdown cost(Attributes a) {
    String total = a.get(COST_TOTAL);
    if (total == null) {
      return null;
    }
    CostBreakdown c =
        CostBreakdown.builder()
            .input(new BigDecimal(a.get(COST_INPUT)))
            .cachedInput(new BigDecimal(a.get(COST_CACHED_INPUT)))
            .cacheWrite(new BigDecimal(a.get(COST_CACHE_WRITE)))
            .output(new BigDecimal(a.get(COST_OUTPUT)))
            .reasoning(new BigDecimal(a.get(COST_REASONING)))
            .tools(new BigDecimal(a.get(COST_TOOLS)))
            .other(new BigDecimal(a.get(COST_OTHER)))
            .currency(a.get(COST_CURRENCY))
            .build();
    if (c.total().compareTo(new BigDecimal(total)) != 0) {
      throw new AssertionError("event's cost total " + total + " is not its parts' sum " + c);
    }
    return c;
  }

  private static @Nullable BigDecimal amount(@Nullable String plain) {
    return plain == null ? null : new BigDecimal(plain);
  }

  private static Duration duration(double seconds) {
    return Duration.ofNanos(Math.round(seconds * 1e9));
  }
}
