package dev.attribution.benchmarks;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.CostBreakdown;
import dev.attribution.api.TokenUsage;
import dev.attribution.api.UsageRecord;
import dev.attribution.sink.otlp.OtelUsageSink;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Cost of turning one usage record into OpenTelemetry metrics and an event, on a real SDK whose
 * exporters discard, so the figure is the sink plus the SDK's in-process work, without the network
 * and without a batch worker competing for the CPU (a simple processor hands each event to the
 * discarding exporter on the calling thread). Runs on the pipeline worker, never on a request
 * thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class OtelSinkBenchmark {

  /** Whether the usage event is emitted as well as the metrics. */
  @Param({"true", "false"})
  public boolean events;

  private OpenTelemetrySdk sdk;
  private OtelUsageSink sink;
  private List<UsageRecord> batch;

  /** Starts an SDK with discarding exporters and a sink on it. */
  @Setup(Level.Trial)
  public void setUp() {
    sdk =
        OpenTelemetrySdk.builder()
            .setMeterProvider(
                SdkMeterProvider.builder()
                    .registerMetricReader(
                        PeriodicMetricReader.builder(new DiscardMetrics())
                            .setInterval(Duration.ofSeconds(10))
                            .build())
                    .build())
            .setLoggerProvider(
                SdkLoggerProvider.builder()
                    .addLogRecordProcessor(SimpleLogRecordProcessor.create(new Discard()))
                    .build())
            .build();
    sink = OtelUsageSink.builder(sdk).emitEvents(events).build();
    Instant t0 = Instant.parse("2026-11-28T12:00:00Z");
    batch =
        List.of(
            UsageRecord.builder()
                .startedAt(t0)
                .endedAt(t0.plusMillis(900))
                .context(
                    AttributionContext.builder()
                        .tenantId("acme")
                        .feature("support-bot")
                        .userId("u-1")
                        .threadId("t-1")
                        .build())
                .provider("openai")
                .operation("chat")
                .serverHost("api.openai.com")
                .requestedModel("gpt-4o")
                .effectiveModel("gpt-4o")
                .responseModel("gpt-4o-2024-08-06")
                .usage(
                    TokenUsage.builder()
                        .inputTokens(1200)
                        .cachedInputTokens(200)
                        .outputTokens(300)
                        .build())
                .cost(
                    CostBreakdown.builder()
                        .input(new BigDecimal("0.0025"))
                        .output(new BigDecimal("0.003"))
                        .build())
                .latency(Duration.ofMillis(900))
                .httpStatus(200)
                .traceId("0af7651916cd43dd8448eb211c80319c")
                .spanId("b7ad6b7169203331")
                .build());
  }

  /** Stops the SDK. */
  @TearDown(Level.Trial)
  public void tearDown() {
    sdk.close();
  }

  /** One record through the sink. */
  @Benchmark
  public void exportOneRecord() {
    sink.export(batch);
  }

  /** A metric exporter that drops everything. */
  static final class DiscardMetrics implements MetricExporter {
    @Override
    public CompletableResultCode export(Collection<MetricData> metrics) {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType type) {
      return AggregationTemporality.CUMULATIVE;
    }
  }

  /** A log exporter that drops everything. */
  static final class Discard implements LogRecordExporter {
    @Override
    public CompletableResultCode export(Collection<LogRecordData> logs) {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }
}
