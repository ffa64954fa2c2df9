package dev.attribution.sink.otlp.sdk;

import static dev.attribution.sink.otlp.TelemetryNames.*;
import static dev.attribution.sink.otlp.sdk.OtlpReceiver.attr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.attribution.api.UsageRecord;
import dev.attribution.sink.otlp.OtelUsageSink;
import dev.attribution.sink.otlp.TestRecords;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OtlpSdkEndToEndTest {

  private OtlpReceiver receiver;
  private final Map<String, String> env = new HashMap<>();

  @BeforeEach
  void start() throws Exception {
    receiver = new OtlpReceiver();
    env.put("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.baseUrl());
    env.put("OTEL_EXPORTER_OTLP_HEADERS", "x-api-key=s3cr%20t,x-team=llm");
    env.put("OTEL_SERVICE_NAME", "billing-e2e");
    env.put("OTEL_METRIC_EXPORT_INTERVAL", "3600000");
  }

  @AfterEach
  void stop() {
    receiver.close();
  }

  private OtlpSdk sdk() {
    return OtlpSdk.builder(env::get).build();
  }

  @Test
  void exportsChatStreamEmbeddingsErrorAndBlockedCallsOverOtlpHttp() {
    try (OtlpSdk sdk = sdk()) {
      assertThat(sdk.metricsEndpoint()).isEqualTo(receiver.baseUrl() + "/v1/metrics");
      OtelUsageSink sink = OtelUsageSink.create(sdk.openTelemetry());
      List<UsageRecord> batch =
          List.of(
              TestRecords.chat("acme"),
              TestRecords.stream("acme"),
              TestRecords.embeddings("globex"),
              TestRecords.upstreamError("acme"),
              TestRecords.blocked("globex"));
      sink.export(batch);
      assertThat(sdk.forceFlush(Duration.ofSeconds(10))).isTrue();

      assertThat(receiver.lastHeaders).containsEntry("x-api-key", "s3cr t");
      assertThat(attr(receiver.lastMetricResource().getAttributesList(), "service.name"))
          .isEqualTo("billing-e2e");

      Metric tokens = receiver.lastMetric(METRIC_TOKEN_USAGE);
      assertThat(tokens.getUnit()).isEqualTo("{token}");
      assertThat(tokens.getHistogram().getAggregationTemporality())
          .isEqualTo(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
      // chat in+out, stream in+out, embeddings in; nothing for the error or the blocked call
      assertThat(tokens.getHistogram().getDataPointsList()).hasSize(5);
      HistogramDataPoint chatInput = histogram(tokens, "gpt-4o", "input");
      assertThat(chatInput.getSum()).isEqualTo(1200.0);
      assertThat(chatInput.getExplicitBoundsList())
          .containsExactlyElementsOf(
              TOKEN_USAGE_BUCKETS.stream().map(Long::doubleValue).collect(Collectors.toList()));
      assertThat(attr(chatInput.getAttributesList(), "gen_ai.provider.name")).isEqualTo("openai");
      assertThat(attr(chatInput.getAttributesList(), "gen_ai.operation.name")).isEqualTo("chat");
      assertThat(attr(chatInput.getAttributesList(), "gen_ai.response.model"))
          .isEqualTo("gpt-4o-2024-08-06");
      assertThat(attr(chatInput.getAttributesList(), "server.address")).isEqualTo("api.openai.com");
      assertThat(histogram(tokens, "text-embedding-3-small", "input").getSum()).isEqualTo(4000.0);

      Metric duration = receiver.lastMetric(METRIC_OPERATION_DURATION);
      assertThat(duration.getUnit()).isEqualTo("s");
      assertThat(duration.getHistogram().getDataPointsList()).hasSize(4);
      HistogramDataPoint failed =
          duration.getHistogram().getDataPointsList().stream()
              .filter(p -> attr(p.getAttributesList(), "error.type") != null)
              .findFirst()
              .orElseThrow();
      assertThat(attr(failed.getAttributesList(), "error.type")).isEqualTo("rate_limit_exceeded");
      assertThat(failed.getSum()).isCloseTo(0.3, within(1e-9));
      assertThat(failed.getExplicitBoundsList()).containsExactlyElementsOf(DURATION_BUCKETS);

      Metric ttfc = receiver.lastMetric(METRIC_TIME_TO_FIRST_CHUNK);
      assertThat(ttfc.getHistogram().getDataPointsList())
          .singleElement()
          .satisfies(p -> assertThat(p.getSum()).isCloseTo(0.25, within(1e-9)));

      Metric cost = receiver.lastMetric(METRIC_COST);
      assertThat(cost.getUnit()).isEqualTo("USD");
      assertThat(cost.getSum().getIsMonotonic()).isTrue();
      double acme =
          cost.getSum().getDataPointsList().stream()
              .filter(p -> "acme".equals(attr(p.getAttributesList(), "attribution.tenant.id")))
              .mapToDouble(NumberDataPoint::getAsDouble)
              .sum();
      assertThat(acme).isCloseTo(0.00575 + 0.000555, within(1e-12));

      Metric requests = receiver.lastMetric(METRIC_REQUESTS);
      assertThat(requests.getUnit()).isEqualTo("{request}");
      assertThat(
              requests.getSum().getDataPointsList().stream()
                  .mapToLong(NumberDataPoint::getAsInt)
                  .sum())
          .isEqualTo(5);
      NumberDataPoint blocked =
          requests.getSum().getDataPointsList().stream()
              .filter(p -> "blocked".equals(attr(p.getAttributesList(), "attribution.status")))
              .findFirst()
              .orElseThrow();
      assertThat(attr(blocked.getAttributesList(), "attribution.tenant.id")).isEqualTo("globex");
      assertThat(attr(blocked.getAttributesList(), "attribution.feature")).isEqualTo("support-bot");
      assertThat(attr(blocked.getAttributesList(), "attribution.budget.action")).isEqualTo("block");
      assertThat(attr(blocked.getAttributesList(), "error.type")).isEqualTo("budget_exceeded");

      List<LogRecord> events = receiver.logRecords();
      assertThat(events).hasSize(5);
      assertThat(events).allSatisfy(e -> assertThat(e.getEventName()).isEqualTo(EVENT_USAGE));
      LogRecord chat = events.get(0);
      assertThat(HexFormat.of().formatHex(chat.getTraceId().toByteArray()))
          .isEqualTo(TestRecords.TRACE_ID);
      assertThat(HexFormat.of().formatHex(chat.getSpanId().toByteArray()))
          .isEqualTo(TestRecords.SPAN_ID);
      assertThat(attr(chat.getAttributesList(), "gen_ai.usage.input_tokens")).isEqualTo(1200L);
      assertThat(attr(chat.getAttributesList(), "gen_ai.usage.cost")).isEqualTo(0.00575);
      assertThat(attr(chat.getAttributesList(), "attribution.cost.total")).isEqualTo("0.005750000");
      assertThat(attr(chat.getAttributesList(), "user.id")).isEqualTo("user-42");
      assertThat(attr(chat.getAttributesList(), "gen_ai.conversation.id")).isEqualTo("thread-7");
      LogRecord stream = events.get(1);
      assertThat(attr(stream.getAttributesList(), "attribution.streaming")).isEqualTo(true);
      assertThat(attr(stream.getAttributesList(), "attribution.time_to_first_byte"))
          .isEqualTo(0.25);
      LogRecord error = events.get(3);
      assertThat(attr(error.getAttributesList(), "attribution.error.message"))
          .isEqualTo("Rate limit reached");
      assertThat(attr(error.getAttributesList(), "http.response.status_code")).isEqualTo(429L);
      LogRecord blockedEvent = events.get(4);
      assertThat(attr(blockedEvent.getAttributesList(), "attribution.status")).isEqualTo("blocked");
      assertThat(attr(blockedEvent.getAttributesList(), "attribution.budget.name"))
          .isEqualTo("tenant-daily");
      assertThat(blockedEvent.getSeverityNumber()).isEqualTo(SeverityNumber.SEVERITY_NUMBER_WARN);
      assertThat(blockedEvent.getSeverityText()).isEqualTo("WARN");
      assertThat(sdk.droppedLogRecords()).isZero();
      assertThat(sdk.failedExportItems()).isZero();
    }
  }

  @Test
  void countsLogRecordsDroppedWhenTheQueueOverflows() {
    receiver.logDelayMillis = 500;
    try (OtlpSdk sdk =
        OtlpSdk.builder(env::get)
            .logQueueSize(2)
            .logBatchSize(1)
            .logScheduleDelay(Duration.ofMillis(10))
            .build()) {
      OtelUsageSink sink = OtelUsageSink.create(sdk.openTelemetry());
      for (int i = 0; i < 50; i++) {
        sink.export(List.of(TestRecords.chat("acme")));
      }
      assertThat(sdk.droppedLogRecords()).isBetween(40L, 50L);
    }
  }

  @Test
  void signalSpecificEndpointIsUsedAsGiven() {
    env.put("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", receiver.baseUrl() + "/v1/logs");
    // The base has a path the collector does not serve (404, not retried): only logs arrive.
    env.put("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.baseUrl() + "/elsewhere/");
    try (OtlpSdk sdk = sdk()) {
      assertThat(sdk.logsEndpoint()).isEqualTo(receiver.baseUrl() + "/v1/logs");
      assertThat(sdk.metricsEndpoint()).isEqualTo(receiver.baseUrl() + "/elsewhere/v1/metrics");
      OtelUsageSink.create(sdk.openTelemetry()).export(List.of(TestRecords.chat("acme")));
      sdk.forceFlush(Duration.ofSeconds(5));
      assertThat(receiver.logRecords()).hasSize(1);
      assertThat(receiver.metricRequests).isEmpty();
      assertThat(sdk.failedExportItems()).isPositive();
    }
  }

  @Test
  void gzipCompressionFromTheEnvironmentIsDecodedByTheCollector() {
    env.put("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip");
    try (OtlpSdk sdk = sdk()) {
      OtelUsageSink.create(sdk.openTelemetry()).export(List.of(TestRecords.chat("acme")));
      assertThat(sdk.forceFlush(Duration.ofSeconds(10))).isTrue();
      assertThat(receiver.lastHeaders).containsEntry("content-encoding", "gzip");
      assertThat(receiver.logRecords()).hasSize(1);
    }
  }

  @Test
  void invalidEnvironmentFailsAtStartNamingTheVariable() {
    env.put("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc");
    assertThatThrownBy(this::sdk)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL")
        .hasMessageContaining("http/protobuf");
    env.remove("OTEL_EXPORTER_OTLP_PROTOCOL");

    env.put("OTEL_EXPORTER_OTLP_TIMEOUT", "ten seconds");
    assertThatThrownBy(this::sdk).hasMessageContaining("OTEL_EXPORTER_OTLP_METRICS_TIMEOUT");
    env.remove("OTEL_EXPORTER_OTLP_TIMEOUT");

    env.put("OTEL_EXPORTER_OTLP_HEADERS", "novalue");
    assertThatThrownBy(this::sdk).hasMessageContaining("OTEL_EXPORTER_OTLP_HEADERS");
    env.remove("OTEL_EXPORTER_OTLP_HEADERS");

    env.put("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318");
    assertThatThrownBy(this::sdk).hasMessageContaining("OTEL_EXPORTER_OTLP_ENDPOINT");

    assertThatThrownBy(() -> OtlpSdk.builder().logQueueSize(0))
        .hasMessageContaining("logQueueSize");
    assertThatThrownBy(() -> OtlpSdk.builder().compression("zstd"))
        .hasMessageContaining("compression");
  }

  @Test
  void exportersSeeOnlyTheJdkHttpSender() throws Exception {
    Class<?> spi = Class.forName(JdkSenderOnly.SENDER_SPI);
    List<String> providers = new java.util.ArrayList<>();
    JdkSenderOnly.loader(getClass().getClassLoader())
        .load(spi)
        .forEach(p -> providers.add(p.getClass().getName()));
    assertThat(providers).containsExactly(JdkSenderOnly.JDK_SENDER);
    assertThatThrownBy(
            () ->
                Class.forName(
                    "io.opentelemetry.exporter.sender.okhttp.internal.OkHttpHttpSenderProvider"))
        .isInstanceOf(ClassNotFoundException.class);
  }

  private static HistogramDataPoint histogram(Metric m, String model, String tokenType) {
    return m.getHistogram().getDataPointsList().stream()
        .filter(
            p ->
                model.equals(attr(p.getAttributesList(), "gen_ai.request.model"))
                    && tokenType.equals(attr(p.getAttributesList(), "gen_ai.token.type")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no point for " + model + " " + tokenType));
  }
}
