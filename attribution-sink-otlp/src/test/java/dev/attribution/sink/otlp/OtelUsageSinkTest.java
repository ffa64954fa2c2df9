package dev.attribution.sink.otlp;

import static dev.attribution.sink.otlp.TelemetryNames.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.attribution.api.CostBreakdown;
import dev.attribution.api.CostSource;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.budget.BudgetStatus;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.LoggerBuilder;
import io.opentelemetry.api.logs.LoggerProvider;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryLogRecordExporter;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OtelUsageSinkTest {

  private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
  private final InMemoryLogRecordExporter logs = InMemoryLogRecordExporter.create();
  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final OpenTelemetrySdk otel =
      OpenTelemetrySdk.builder()
          .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
          .setLoggerProvider(
              SdkLoggerProvider.builder()
                  .addLogRecordProcessor(SimpleLogRecordProcessor.create(logs))
                  .build())
          .setTracerProvider(
              SdkTracerProvider.builder()
                  .addSpanProcessor(SimpleSpanProcessor.create(spans))
                  .build())
          .build();

  @AfterEach
  void close() {
    otel.close();
  }

  @Test
  void recordsTokenUsageWithConventionAttributesUnitAndBuckets() {
    OtelUsageSink sink = OtelUsageSink.create(otel);
    sink.export(List.of(TestRecords.chat("acme")));

    MetricData m = metric(METRIC_TOKEN_USAGE);
    assertThat(m.getUnit()).isEqualTo("{token}");
    HistogramPointData input = histogramPoint(m, GEN_AI_TOKEN_TYPE.getKey(), "input");
    HistogramPointData output = histogramPoint(m, GEN_AI_TOKEN_TYPE.getKey(), "output");
    assertThat(input.getSum()).isEqualTo(1200.0);
    assertThat(output.getSum()).isEqualTo(300.0);
    assertThat(input.getBoundaries())
        .containsExactlyElementsOf(
            TOKEN_USAGE_BUCKETS.stream().map(Long::doubleValue).collect(Collectors.toList()));
    assertThat(input.getAttributes().asMap())
        .containsEntry(GEN_AI_OPERATION_NAME, "chat")
        .containsEntry(GEN_AI_PROVIDER_NAME, "openai")
        .containsEntry(GEN_AI_REQUEST_MODEL, "gpt-4o")
        .containsEntry(GEN_AI_RESPONSE_MODEL, "gpt-4o-2024-08-06")
        .containsEntry(SERVER_ADDRESS, "api.openai.com")
        .doesNotContainKey(ERROR_TYPE)
        .doesNotContainKey(TENANT_ID);
  }

  @Test
  void recordsDurationForEveryCallAndTimeToFirstChunkOnlyForStreams() {
    OtelUsageSink sink = OtelUsageSink.create(otel);
    sink.export(List.of(TestRecords.chat("acme"), TestRecords.stream("acme")));

    MetricData duration = metric(METRIC_OPERATION_DURATION);
    assertThat(duration.getUnit()).isEqualTo("s");
    assertThat(duration.getHistogramData().getPoints()).hasSize(2);
    HistogramPointData streamed =
        histogramPoint(duration, GEN_AI_REQUEST_MODEL.getKey(), "gpt-4o-mini");
    assertThat(streamed.getSum()).isCloseTo(1.5, within(1e-9));
    assertThat(streamed.getBoundaries()).containsExactlyElementsOf(DURATION_BUCKETS);

    MetricData ttfc = metric(METRIC_TIME_TO_FIRST_CHUNK);
    assertThat(ttfc.getUnit()).isEqualTo("s");
    assertThat(ttfc.getHistogramData().getPoints())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getSum()).isCloseTo(0.25, within(1e-9));
              assertThat(p.getAttributes().get(GEN_AI_REQUEST_MODEL)).isEqualTo("gpt-4o-mini");
            });
  }

  @Test
  void embeddingsRecordInputTokensOnly() {
    OtelUsageSink.create(otel).export(List.of(TestRecords.embeddings("acme")));

    MetricData m = metric(METRIC_TOKEN_USAGE);
    assertThat(m.getHistogramData().getPoints())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getAttributes().get(GEN_AI_TOKEN_TYPE)).isEqualTo("input");
              assertThat(p.getAttributes().get(GEN_AI_OPERATION_NAME)).isEqualTo("embeddings");
              assertThat(p.getSum()).isEqualTo(4000.0);
            });
  }

  @Test
  void errorCarriesErrorTypeOnDurationAndRequestsButHasNoTokenPoint() {
    OtelUsageSink.create(otel).export(List.of(TestRecords.upstreamError("acme")));

    assertThat(findMetric(METRIC_TOKEN_USAGE)).isEmpty();
    HistogramPointData d = single(metric(METRIC_OPERATION_DURATION));
    assertThat(d.getAttributes().get(ERROR_TYPE)).isEqualTo("rate_limit_exceeded");
    LongPointData req = metric(METRIC_REQUESTS).getLongSumData().getPoints().iterator().next();
    assertThat(req.getAttributes().get(STATUS)).isEqualTo("upstream_error");
    assertThat(req.getAttributes().get(ERROR_TYPE)).isEqualTo("rate_limit_exceeded");
  }

  @Test
  void blockedCallCountsAsRequestButRecordsNoProviderMetrics() {
    OtelUsageSink.create(otel).export(List.of(TestRecords.blocked("acme")));

    assertThat(findMetric(METRIC_TOKEN_USAGE)).isEmpty();
    assertThat(findMetric(METRIC_OPERATION_DURATION)).isEmpty();
    assertThat(findMetric(METRIC_COST)).isEmpty();
    LongPointData req = metric(METRIC_REQUESTS).getLongSumData().getPoints().iterator().next();
    assertThat(req.getValue()).isEqualTo(1);
    assertThat(req.getAttributes().asMap())
        .containsEntry(STATUS, "blocked")
        .containsEntry(BUDGET_ACTION, "block")
        .containsEntry(ERROR_TYPE, "budget_exceeded")
        .containsEntry(TENANT_ID, "acme")
        .containsEntry(FEATURE, "support-bot");
  }

  @Test
  void costCounterSumsInCurrencyUnitWithTenantAndFeature() {
    OtelUsageSink sink = OtelUsageSink.create(otel);
    sink.export(List.of(TestRecords.chat("acme"), TestRecords.chat("acme")));
    sink.export(List.of(TestRecords.stream("globex")));

    MetricData m = metric(METRIC_COST);
    assertThat(m.getUnit()).isEqualTo("USD");
    DoublePointData acme = doublePoint(m, TENANT_ID.getKey(), "acme");
    assertThat(acme.getValue()).isCloseTo(0.0115, within(1e-12));
    assertThat(acme.getAttributes().get(FEATURE)).isEqualTo("support-bot");
    assertThat(doublePoint(m, TENANT_ID.getKey(), "globex").getValue())
        .isCloseTo(0.000555, within(1e-12));
  }

  @Test
  void unknownCostHasNoCostPointAndNoCostAttribute() {
    UsageRecord unpriced =
        TestRecords.chat("acme").toBuilder().cost(null).costSource(CostSource.UNPRICED).build();
    OtelUsageSink.create(otel).export(List.of(unpriced));

    // A zero would read as "free"; unknown is no amount at all, with the source saying why.
    assertThat(findMetric(METRIC_COST)).isEmpty();
    assertThat(findMetric(METRIC_TOKEN_USAGE)).isPresent();
    LogRecordData e = logs.getFinishedLogRecordItems().get(0);
    assertThat(e.getAttributes().get(GEN_AI_USAGE_COST)).isNull();
    assertThat(e.getAttributes().get(COST_TOTAL)).isNull();
    assertThat(e.getAttributes().get(COST_CURRENCY)).isNull();
    assertThat(e.getAttributes().get(COST_SOURCE)).isEqualTo("unpriced");
    assertThat(e.getBodyValue().asString()).contains("cost unknown");
  }

  @Test
  void unknownOperationAndProviderAreLeftOutNeverAStandIn() {
    UsageRecord unrecognised =
        TestRecords.chat("acme").toBuilder()
            .provider(null)
            .operation(null)
            .cost(null)
            .costSource(CostSource.UNPRICED)
            .build();
    OtelUsageSink.create(otel).export(List.of(unrecognised));

    LogRecordData e = logs.getFinishedLogRecordItems().get(0);
    assertThat(e.getAttributes().get(GEN_AI_OPERATION_NAME)).isNull();
    assertThat(e.getAttributes().get(OPERATION)).isNull();
    assertThat(e.getAttributes().get(GEN_AI_PROVIDER_NAME)).isNull();
    assertThat(e.getAttributes().get(RECORD_ID)).isEqualTo(unrecognised.id().toString());
    assertThat(e.getBodyValue().asString()).startsWith("unrecognised - ");
    Collection<MetricData> all = metrics.collectAllMetrics();
    assertThat(all).as("the call is still counted").isNotEmpty();
    for (MetricData m : all) {
      m.getData()
          .getPoints()
          .forEach(
              p -> {
                assertThat(p.getAttributes().get(GEN_AI_OPERATION_NAME)).as(m.getName()).isNull();
                assertThat(p.getAttributes().get(GEN_AI_PROVIDER_NAME)).as(m.getName()).isNull();
              });
    }
  }

  @Test
  void recordsInAnotherCurrencyStayOutOfTheCostCounter() {
    OtelUsageSink sink = OtelUsageSink.builder(otel).currency("EUR").build();
    sink.export(List.of(TestRecords.chat("acme")));

    assertThat(findMetric(METRIC_COST)).isEmpty();
    assertThat(sink.otherCurrencySkips()).isEqualTo(1);
    assertThat(logs.getFinishedLogRecordItems()).hasSize(1);
  }

  @Test
  void foldsAttributeValuesBeyondTheCapIntoOther() {
    OtelUsageSink sink = OtelUsageSink.builder(otel).maxValuesPerAttribute(2).build();
    List<UsageRecord> batch = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      batch.add(TestRecords.chat("tenant-" + i));
    }
    sink.export(batch);
    sink.export(List.of(TestRecords.chat("tenant-0")));

    Set<String> tenants =
        metric(METRIC_REQUESTS).getLongSumData().getPoints().stream()
            .map(p -> p.getAttributes().get(TENANT_ID))
            .collect(Collectors.toSet());
    assertThat(tenants).containsExactlyInAnyOrder("tenant-0", "tenant-1", "other");
    assertThat(longPoint(metric(METRIC_REQUESTS), TENANT_ID.getKey(), "other").getValue())
        .isEqualTo(3);
    assertThat(longPoint(metric(METRIC_REQUESTS), TENANT_ID.getKey(), "tenant-0").getValue())
        .isEqualTo(2);
    assertThat(sink.foldedValues()).isEqualTo(3);
  }

  @Test
  void userAndThreadIdsNeverReachMetrics() {
    OtelUsageSink sink =
        OtelUsageSink.builder(otel)
            .metricAttributes("tenant", "feature", "assistant", "traffic_class", "tag.plan")
            .contextOnGenAiMetrics(true)
            .build();
    sink.export(List.of(TestRecords.chat("acme"), TestRecords.stream("acme")));

    Collection<MetricData> all = metrics.collectAllMetrics();
    List<Attributes> attributes = new ArrayList<>();
    for (MetricData m : all) {
      m.getData().getPoints().forEach(p -> attributes.add(p.getAttributes()));
    }
    assertThat(attributes).isNotEmpty();
    for (Attributes a : attributes) {
      assertThat(a.asMap().values()).doesNotContain("user-42", "thread-7");
    }
    assertThat(single(metric(METRIC_TOKEN_USAGE), "input", "gpt-4o").getAttributes().asMap())
        .containsEntry(TENANT_ID, "acme")
        .containsEntry(ASSISTANT_ID, "helper")
        .containsEntry(
            io.opentelemetry.api.common.AttributeKey.stringKey("attribution.tag.plan"), "pro");

    assertThatThrownBy(() -> OtelUsageSink.builder(otel).metricAttributes("tenant", "user"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'user' ids never go on metrics");
    assertThatThrownBy(() -> OtelUsageSink.builder(otel).metricAttributes("thread"))
        .hasMessageContaining("'thread'");
  }

  @Test
  void emitsOneEventPerRecordCarryingEveryFieldCorrelatedWithTheSpan() {
    OtelUsageSink.create(otel).export(List.of(TestRecords.chat("acme")));

    LogRecordData e = logs.getFinishedLogRecordItems().get(0);
    assertThat(logs.getFinishedLogRecordItems()).hasSize(1);
    assertThat(e.getEventName()).isEqualTo(EVENT_USAGE);
    assertThat(e.getSeverity()).isEqualTo(Severity.INFO);
    assertThat(e.getTimestampEpochNanos())
        .isEqualTo(TestRecords.T0.plusMillis(1500).toEpochMilli() * 1_000_000L);
    assertThat(e.getSpanContext().getTraceId()).isEqualTo(TestRecords.TRACE_ID);
    assertThat(e.getSpanContext().getSpanId()).isEqualTo(TestRecords.SPAN_ID);
    assertThat(e.getBodyValue().asString()).contains("gpt-4o").doesNotContain("user-42");
    assertThat(e.getAttributes().asMap())
        .containsEntry(GEN_AI_USAGE_INPUT_TOKENS, 1200L)
        .containsEntry(GEN_AI_USAGE_OUTPUT_TOKENS, 300L)
        .containsEntry(GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, 200L)
        .containsEntry(GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, 50L)
        .containsEntry(GEN_AI_RESPONSE_ID, "chatcmpl-123")
        .containsEntry(GEN_AI_CONVERSATION_ID, "thread-7")
        .containsEntry(USER_ID, "user-42")
        .containsEntry(TENANT_ID, "acme")
        .containsEntry(COST_TOTAL, "0.005750000")
        .containsEntry(COST_CACHED_INPUT, "0.000250000")
        .containsEntry(COST_CURRENCY, "USD")
        .containsEntry(COST_SOURCE, "computed")
        .containsEntry(PRICE_VERSION, "2026-11-01")
        .containsEntry(HTTP_RESPONSE_STATUS_CODE, 200L)
        .containsEntry(KEY_FINGERPRINT, "…abcd#1f2e")
        .containsEntry(CONTEXT_SOURCE, "scope")
        .containsEntry(STREAMING, false)
        .containsEntry(ATTEMPT, 1L)
        .containsEntry(BUDGET_ACTION, "none")
        .containsEntry(
            io.opentelemetry.api.common.AttributeKey.stringKey("attribution.attr.meter.name"),
            "none");
    assertThat(e.getAttributes().get(GEN_AI_USAGE_COST)).isCloseTo(0.00575, within(1e-15));
    assertThat(e.getAttributes().get(LATENCY)).isCloseTo(1.5, within(1e-9));
  }

  @Test
  void blockedEventIsAWarningWithBudgetFields() {
    OtelUsageSink.create(otel).export(List.of(TestRecords.blocked("acme")));

    LogRecordData e = logs.getFinishedLogRecordItems().get(0);
    assertThat(e.getSeverity()).isEqualTo(Severity.WARN);
    assertThat(e.getSpanContext().isValid()).isFalse();
    assertThat(e.getAttributes().asMap())
        .containsEntry(STATUS, "blocked")
        .containsEntry(BUDGET_NAME, "tenant-daily")
        .containsEntry(BUDGET_PERCENT, 100.5)
        .containsEntry(ERROR_TYPE, "budget_exceeded");
  }

  @Test
  void budgetGaugesReportSpentAndRemainingPerBudgetAndScope() {
    List<BudgetStatus> statuses =
        List.of(
            status("tenant-daily", "acme", new BigDecimal("7.5"), BigDecimal.TEN, "USD"),
            status("tenant-daily", "globex", new BigDecimal("12"), BigDecimal.TEN, "USD"),
            status("eu", "*", BigDecimal.ONE, BigDecimal.TEN, "EUR"));
    OtelUsageSink sink = OtelUsageSink.create(otel);
    sink.bindBudgetStatuses(() -> statuses);

    MetricData spent = metric(METRIC_BUDGET_SPENT);
    assertThat(spent.getUnit()).isEqualTo("USD");
    assertThat(gauge(spent, "acme").getValue()).isEqualTo(7.5);
    MetricData remaining = metric(METRIC_BUDGET_REMAINING);
    assertThat(gauge(remaining, "acme").getValue()).isEqualTo(2.5);
    assertThat(gauge(remaining, "globex").getValue()).isEqualTo(-2.0);
    assertThat(gauge(remaining, "acme").getAttributes().get(BUDGET_NAME)).isEqualTo("tenant-daily");
    assertThat(remaining.getDoubleGaugeData().getPoints()).hasSize(2);
    assertThat(sink.otherCurrencySkips()).isPositive();

    sink.shutdown();
    assertThat(findMetric(METRIC_BUDGET_SPENT)).isEmpty();
  }

  @Test
  void failingBudgetSourceLeavesOtherMetricsIntact() {
    OtelUsageSink sink = OtelUsageSink.create(otel);
    sink.bindBudgetStatuses(
        () -> {
          throw new IllegalStateException("engine down");
        });
    sink.export(List.of(TestRecords.chat("acme")));

    assertThat(findMetric(METRIC_BUDGET_SPENT)).isEmpty();
    assertThat(findMetric(METRIC_REQUESTS)).isPresent();
  }

  @Test
  void annotatesTheCallSpanOnlyWhenItIsCurrent() {
    OtelUsageSink sink = OtelUsageSink.builder(otel).annotateCurrentSpan(true).build();
    Span span = otel.getTracer("test").spanBuilder("chat gpt-4o").startSpan();
    String traceId = span.getSpanContext().getTraceId();
    String spanId = span.getSpanContext().getSpanId();
    UsageRecord own = TestRecords.chat("acme").toBuilder().traceId(traceId).spanId(spanId).build();
    Scope scope = span.makeCurrent();
    try {
      sink.export(List.of(TestRecords.stream("other-tenant"), own));
    } finally {
      scope.close();
    }
    span.end();

    SpanData data = spans.getFinishedSpanItems().get(0);
    assertThat(data.getAttributes().asMap())
        .containsEntry(GEN_AI_USAGE_INPUT_TOKENS, 1200L)
        .containsEntry(TENANT_ID, "acme")
        .containsEntry(COST_TOTAL, "0.005750000")
        .doesNotContainKey(USER_ID)
        .doesNotContainKey(KEY_FINGERPRINT);
  }

  @Test
  void builderRejectsInvalidOptionsNamingThem() {
    assertThatThrownBy(() -> OtelUsageSink.builder(otel).currency("usd"))
        .hasMessageContaining("currency");
    assertThatThrownBy(() -> OtelUsageSink.builder(otel).maxValuesPerAttribute(0))
        .hasMessageContaining("maxValuesPerAttribute");
    assertThatThrownBy(() -> OtelUsageSink.builder(otel).metricAttributes("tenant", "tenant"))
        .hasMessageContaining("twice");
    assertThatThrownBy(() -> OtelUsageSink.builder(otel).metricAttributes("region"))
        .hasMessageContaining("unknown context field 'region'");
    assertThatThrownBy(() -> status("b", "s", BigDecimal.ONE.negate(), BigDecimal.TEN, "USD"))
        .hasMessageContaining("spent");
  }

  @Test
  void withoutBoundBudgetStatusesThereAreNoBudgetGauges() {
    OtelUsageSink sink = OtelUsageSink.create(otel);
    sink.export(List.of(TestRecords.chat("acme")));
    assertThat(findMetric(METRIC_BUDGET_SPENT)).isEmpty();
    assertThat(findMetric(METRIC_REQUESTS)).isPresent();
  }

  private static BudgetStatus status(
      String name, String scope, BigDecimal spent, BigDecimal limit, String currency) {
    BigDecimal left = limit.subtract(spent).max(BigDecimal.ZERO);
    return new BudgetStatus(
        name, scope, limit, currency, spent, BigDecimal.ZERO, left, 0, 0, null, null, null, null);
  }

  @Test
  void zeroCostRecordsAddNoCostPoint() {
    UsageRecord free = TestRecords.chat("acme").toBuilder().cost(CostBreakdown.zero()).build();
    OtelUsageSink.create(otel).export(List.of(free));
    assertThat(findMetric(METRIC_COST)).isEmpty();
  }

  @Test
  void customMeterReadingCountsCostButNoGenAiHistograms() {
    UsageRecord meter =
        TestRecords.base("acme")
            .provider("custom")
            .operation("meter")
            .cost(CostBreakdown.builder().other(new BigDecimal("0.04")).build())
            .attribute("meter.name", "image.generated")
            .build();
    OtelUsageSink.create(otel).export(List.of(meter));

    assertThat(findMetric(METRIC_TOKEN_USAGE)).isEmpty();
    assertThat(findMetric(METRIC_OPERATION_DURATION)).isEmpty();
    assertThat(doublePoint(metric(METRIC_COST), TENANT_ID.getKey(), "acme").getValue())
        .isCloseTo(0.04, within(1e-12));
    assertThat(logs.getFinishedLogRecordItems().get(0).getAttributes().get(OPERATION))
        .isEqualTo("meter");
  }

  @Test
  void aFailingLoggerNeverBreaksTheBatchOrThrows() {
    LoggerBuilder broken =
        new LoggerBuilder() {
          @Override
          public LoggerBuilder setSchemaUrl(String url) {
            return this;
          }

          @Override
          public LoggerBuilder setInstrumentationVersion(String version) {
            return this;
          }

          @Override
          public Logger build() {
            return () -> {
              throw new IllegalStateException("logger broken");
            };
          }
        };
    OpenTelemetry faulty =
        new OpenTelemetry() {
          @Override
          public TracerProvider getTracerProvider() {
            return otel.getTracerProvider();
          }

          @Override
          public MeterProvider getMeterProvider() {
            return otel.getMeterProvider();
          }

          @Override
          public LoggerProvider getLogsBridge() {
            return name -> broken;
          }

          @Override
          public ContextPropagators getPropagators() {
            return ContextPropagators.noop();
          }
        };
    OtelUsageSink sink = OtelUsageSink.create(faulty);

    sink.export(List.of(TestRecords.chat("acme"), TestRecords.stream("acme")));

    assertThat(sink.failedRecords()).isEqualTo(2);
    assertThat(
            metric(METRIC_REQUESTS).getLongSumData().getPoints().stream()
                .mapToLong(LongPointData::getValue)
                .sum())
        .isEqualTo(2);
  }

  // ---- helpers ----

  private MetricData metric(String name) {
    return findMetric(name).orElseThrow(() -> new AssertionError("no metric " + name));
  }

  private Optional<MetricData> findMetric(String name) {
    return metrics.collectAllMetrics().stream().filter(m -> m.getName().equals(name)).findFirst();
  }

  private static HistogramPointData histogramPoint(MetricData m, String key, String value) {
    return m.getHistogramData().getPoints().stream()
        .filter(p -> value.equals(p.getAttributes().get(attr(key))))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no point with " + key + "=" + value));
  }

  private static HistogramPointData single(MetricData m) {
    assertThat(m.getHistogramData().getPoints()).hasSize(1);
    return m.getHistogramData().getPoints().iterator().next();
  }

  private static HistogramPointData single(MetricData m, String tokenType, String model) {
    return m.getHistogramData().getPoints().stream()
        .filter(
            p ->
                tokenType.equals(p.getAttributes().get(GEN_AI_TOKEN_TYPE))
                    && model.equals(p.getAttributes().get(GEN_AI_REQUEST_MODEL)))
        .findFirst()
        .orElseThrow();
  }

  private static DoublePointData doublePoint(MetricData m, String key, String value) {
    return m.getDoubleSumData().getPoints().stream()
        .filter(p -> value.equals(p.getAttributes().get(attr(key))))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no point with " + key + "=" + value));
  }

  private static LongPointData longPoint(MetricData m, String key, String value) {
    return m.getLongSumData().getPoints().stream()
        .filter(p -> value.equals(p.getAttributes().get(attr(key))))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no point with " + key + "=" + value));
  }

  private static DoublePointData gauge(MetricData m, String scope) {
    return m.getDoubleGaugeData().getPoints().stream()
        .filter(p -> scope.equals(p.getAttributes().get(BUDGET_SCOPE)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no gauge point for scope " + scope));
  }

  private static io.opentelemetry.api.common.AttributeKey<String> attr(String key) {
    return io.opentelemetry.api.common.AttributeKey.stringKey(key);
  }
}
