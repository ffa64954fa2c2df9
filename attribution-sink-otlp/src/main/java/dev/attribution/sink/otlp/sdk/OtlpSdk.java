package dev.attribution.sink.otlp.sdk;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.common.ComponentLoader;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporterBuilder;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporterBuilder;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.AggregationTemporalitySelector;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * An OpenTelemetry SDK that exports metrics and logs as OTLP over HTTP/protobuf, for applications
 * that have no OpenTelemetry set up of their own. Pass {@link #openTelemetry()} to {@code
 * OtelUsageSink.builder(..)}; {@link #close()} it at shutdown.
 *
 * <p>It always uses the JDK's {@code java.net.http} client (artifact {@code
 * opentelemetry-exporter-sender-jdk}), never the OkHttp sender, even when both are on the class
 * path: the OkHttp sender pulls OkHttp 5 ({@code okhttp-jvm}) next to the OkHttp 4 most LLM SDKs
 * use. Declare {@code opentelemetry-exporter-otlp} with {@code
 * opentelemetry-exporter-sender-okhttp} excluded, plus {@code opentelemetry-exporter-sender-jdk}
 * and {@code opentelemetry-sdk}.
 *
 * <p>Settings come, in order of precedence, from the builder, the system properties ({@code
 * otel.exporter.otlp.endpoint} ...), the environment ({@code OTEL_EXPORTER_OTLP_ENDPOINT} ...), and
 * the OpenTelemetry defaults. Honoured: {@code OTEL_EXPORTER_OTLP_ENDPOINT} (base URL; {@code
 * /v1/metrics} and {@code /v1/logs} are appended), {@code
 * OTEL_EXPORTER_OTLP_{METRICS,LOGS}_ENDPOINT} (used as given), {@code
 * OTEL_EXPORTER_OTLP[_{METRICS,LOGS}]_HEADERS}, {@code _TIMEOUT} (ms), {@code _COMPRESSION} ({@code
 * gzip} or {@code none}), {@code _PROTOCOL} (must be {@code http/protobuf}), {@code
 * OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE} ({@code cumulative}, {@code delta}, {@code
 * lowmemory}), {@code OTEL_SERVICE_NAME}, {@code OTEL_RESOURCE_ATTRIBUTES}, {@code
 * OTEL_METRIC_EXPORT_INTERVAL} and {@code OTEL_BLRP_SCHEDULE_DELAY}, {@code _MAX_QUEUE_SIZE},
 * {@code _MAX_EXPORT_BATCH_SIZE}, {@code _EXPORT_TIMEOUT}.
 *
 * <p>Nothing here blocks the caller: metrics are aggregated in memory and read periodically, and
 * log records go through a bounded batch queue that drops on overflow; {@link #droppedLogRecords()}
 * says how many were dropped.
 */
public final class OtlpSdk implements AutoCloseable {

  /** Default base endpoint: {@value}. */
  public static final String DEFAULT_ENDPOINT = "http://localhost:4318";

  /** Default metric export interval: {@value} ms. */
  public static final long DEFAULT_METRIC_INTERVAL_MILLIS = 60_000;

  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  // Attribute names of the SDK's own (legacy) processor and exporter counters.
  private static final AttributeKey<Boolean> DROPPED = AttributeKey.booleanKey("dropped");
  private static final AttributeKey<Boolean> SUCCESS = AttributeKey.booleanKey("success");

  private final OpenTelemetrySdk sdk;
  private final SdkMeterProvider selfTelemetry;
  private final SelfTelemetryReader selfReader;
  private final String metricsEndpoint;
  private final String logsEndpoint;

  private OtlpSdk(
      OpenTelemetrySdk sdk,
      SdkMeterProvider selfTelemetry,
      SelfTelemetryReader selfReader,
      String metricsEndpoint,
      String logsEndpoint) {
    this.sdk = sdk;
    this.selfTelemetry = selfTelemetry;
    this.selfReader = selfReader;
    this.metricsEndpoint = metricsEndpoint;
    this.logsEndpoint = logsEndpoint;
  }

  /** A builder reading the process's system properties and environment. */
  public static Builder builder() {
    return new Builder(OtlpEnvironment.system());
  }

  /**
   * A builder that reads settings from {@code environment} (variable name to value, {@code null}
   * when unset) instead of the process's; for tests and for configuration held elsewhere.
   */
  public static Builder builder(UnaryOperator<@Nullable String> environment) {
    return new Builder(new OtlpEnvironment(Objects.requireNonNull(environment, "environment")));
  }

  /** The SDK, to hand to {@code OtelUsageSink.builder(..)} or to other instrumentation. */
  public OpenTelemetry openTelemetry() {
    return sdk;
  }

  /** The URL metrics are posted to. */
  public String metricsEndpoint() {
    return metricsEndpoint;
  }

  /** The URL log records are posted to. */
  public String logsEndpoint() {
    return logsEndpoint;
  }

  /**
   * How many log records the batch processor dropped because its queue was full, since start.
   * Metrics have no queue (they are aggregated in place) and never drop.
   */
  public long droppedLogRecords() {
    return selfReader.sumLongPoints(DROPPED, true);
  }

  /**
   * How many items (log records and metric points) the exporters failed to deliver after their
   * retries, since start: the collector was unreachable or refused them.
   */
  public long failedExportItems() {
    return selfReader.sumLongPoints(SUCCESS, false);
  }

  /**
   * Exports everything pending now.
   *
   * @return whether it finished successfully within {@code timeout}
   */
  public boolean forceFlush(Duration timeout) {
    CompletableResultCode metrics = sdk.getSdkMeterProvider().forceFlush();
    CompletableResultCode logs = sdk.getSdkLoggerProvider().forceFlush();
    return CompletableResultCode.ofAll(List.of(metrics, logs))
        .join(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .isSuccess();
  }

  /** Flushes and shuts the SDK down, waiting at most 10 seconds. */
  @Override
  public void close() {
    sdk.shutdown().join(10, TimeUnit.SECONDS);
    selfTelemetry.shutdown().join(1, TimeUnit.SECONDS);
  }

  /**
   * Builds an {@link OtlpSdk}. Setters validate at once; {@link #build()} resolves the environment
   * and fails on a value it cannot use, naming the variable.
   */
  public static final class Builder {
    private final OtlpEnvironment env;
    private @Nullable String endpoint;
    private @Nullable String metricsEndpoint;
    private @Nullable String logsEndpoint;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private @Nullable Duration timeout;
    private @Nullable String compression;
    private @Nullable String serviceName;
    private final Map<String, String> resourceAttributes = new LinkedHashMap<>();
    private @Nullable Duration metricInterval;
    private @Nullable Integer logQueueSize;
    private @Nullable Integer logBatchSize;
    private @Nullable Duration logScheduleDelay;

    private Builder(OtlpEnvironment env) {
      this.env = env;
    }

    /**
     * Base URL of the collector, e.g. {@code http://collector:4318}; {@code /v1/metrics} and {@code
     * /v1/logs} are appended. Default {@value OtlpSdk#DEFAULT_ENDPOINT}.
     */
    public Builder endpoint(String url) {
      this.endpoint = checkUrl("endpoint", url);
      return this;
    }

    /** Full URL for metrics, used as given (overrides {@link #endpoint(String)} for metrics). */
    public Builder metricsEndpoint(String url) {
      this.metricsEndpoint = checkUrl("metricsEndpoint", url);
      return this;
    }

    /** Full URL for logs, used as given (overrides {@link #endpoint(String)} for logs). */
    public Builder logsEndpoint(String url) {
      this.logsEndpoint = checkUrl("logsEndpoint", url);
      return this;
    }

    /** A header sent with every export (e.g. an API key); wins over the environment's. */
    public Builder header(String name, String value) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("header name must not be blank");
      }
      headers.put(name, Objects.requireNonNull(value, "header value"));
      return this;
    }

    /** Timeout of one export request (default 10 s). */
    public Builder timeout(Duration value) {
      this.timeout = positive("timeout", value);
      return this;
    }

    /** {@code gzip} or {@code none} (default {@code none}). */
    public Builder compression(String value) {
      this.compression = checkCompression("compression", value);
      return this;
    }

    /** The {@code service.name} resource attribute; wins over {@code OTEL_SERVICE_NAME}. */
    public Builder serviceName(String value) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException("serviceName must not be blank");
      }
      this.serviceName = value;
      return this;
    }

    /** A resource attribute; wins over {@code OTEL_RESOURCE_ATTRIBUTES}. */
    public Builder resourceAttribute(String key, String value) {
      if (key == null || key.isBlank()) {
        throw new IllegalArgumentException("resourceAttribute key must not be blank");
      }
      resourceAttributes.put(key, Objects.requireNonNull(value, "resourceAttribute value"));
      return this;
    }

    /**
     * How often metrics are exported (default {@value OtlpSdk#DEFAULT_METRIC_INTERVAL_MILLIS} ms).
     */
    public Builder metricExportInterval(Duration value) {
      this.metricInterval = positive("metricExportInterval", value);
      return this;
    }

    /** Capacity of the log record queue; records beyond it are dropped (default 2048). */
    public Builder logQueueSize(int value) {
      this.logQueueSize = positiveInt("logQueueSize", value);
      return this;
    }

    /** Largest batch of log records per export (default 512). */
    public Builder logBatchSize(int value) {
      this.logBatchSize = positiveInt("logBatchSize", value);
      return this;
    }

    /** How long the log batch processor waits between exports (default 1 s). */
    public Builder logScheduleDelay(Duration value) {
      this.logScheduleDelay = positive("logScheduleDelay", value);
      return this;
    }

    /**
     * Resolves the settings and starts the SDK.
     *
     * @throws IllegalArgumentException when a setting or an environment variable is invalid
     * @throws IllegalStateException when the protocol is not http/protobuf or the JDK sender is
     *     missing from the class path
     */
    public OtlpSdk build() {
      checkProtocol("METRICS");
      checkProtocol("LOGS");
      String base = endpoint != null ? endpoint : env.get("OTEL_EXPORTER_OTLP_ENDPOINT");
      String baseUrl =
          checkUrl("OTEL_EXPORTER_OTLP_ENDPOINT", base != null ? base : DEFAULT_ENDPOINT);
      String metricsUrl =
          signalEndpoint(
              metricsEndpoint, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", baseUrl, "metrics");
      String logsUrl =
          signalEndpoint(logsEndpoint, "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", baseUrl, "logs");

      ComponentLoader loader = JdkSenderOnly.loader(OtlpSdk.class.getClassLoader());
      JdkSenderOnly.requireJdkSender(loader);

      SelfTelemetryReader selfReader = new SelfTelemetryReader();
      SdkMeterProvider self = SdkMeterProvider.builder().registerMetricReader(selfReader).build();

      OtlpHttpMetricExporterBuilder metrics =
          OtlpHttpMetricExporter.builder()
              .setEndpoint(metricsUrl)
              .setComponentLoader(loader)
              .setMeterProvider(() -> self)
              .setAggregationTemporalitySelector(temporality());
      signalHeaders("METRICS").forEach(metrics::addHeader);
      Duration metricsTimeout = signalTimeout("METRICS");
      if (metricsTimeout != null) {
        metrics.setTimeout(metricsTimeout);
      }
      metrics.setCompression(signalCompression("METRICS"));

      OtlpHttpLogRecordExporterBuilder logs =
          OtlpHttpLogRecordExporter.builder()
              .setEndpoint(logsUrl)
              .setComponentLoader(loader)
              .setMeterProvider(() -> self);
      signalHeaders("LOGS").forEach(logs::addHeader);
      Duration logsTimeout = signalTimeout("LOGS");
      if (logsTimeout != null) {
        logs.setTimeout(logsTimeout);
      }
      logs.setCompression(signalCompression("LOGS"));

      Duration interval =
          metricInterval != null
              ? metricInterval
              : orDefault(
                  env.millis("OTEL_METRIC_EXPORT_INTERVAL", env.get("OTEL_METRIC_EXPORT_INTERVAL")),
                  Duration.ofMillis(DEFAULT_METRIC_INTERVAL_MILLIS));
      Resource resource = resource();

      var processor = BatchLogRecordProcessor.builder(logs.build()).setMeterProvider(self);
      Integer queue =
          logQueueSize != null ? logQueueSize : env.positiveInt("OTEL_BLRP_MAX_QUEUE_SIZE");
      if (queue != null) {
        processor.setMaxQueueSize(queue);
      }
      Integer batch =
          logBatchSize != null ? logBatchSize : env.positiveInt("OTEL_BLRP_MAX_EXPORT_BATCH_SIZE");
      if (batch != null) {
        processor.setMaxExportBatchSize(queue != null ? Math.min(batch, queue) : batch);
      }
      Duration delay =
          logScheduleDelay != null
              ? logScheduleDelay
              : env.millis("OTEL_BLRP_SCHEDULE_DELAY", env.get("OTEL_BLRP_SCHEDULE_DELAY"));
      if (delay != null) {
        processor.setScheduleDelay(delay);
      }
      Duration exportTimeout =
          env.millis("OTEL_BLRP_EXPORT_TIMEOUT", env.get("OTEL_BLRP_EXPORT_TIMEOUT"));
      if (exportTimeout != null) {
        processor.setExporterTimeout(exportTimeout);
      }

      OpenTelemetrySdk sdk =
          OpenTelemetrySdk.builder()
              .setMeterProvider(
                  SdkMeterProvider.builder()
                      .setResource(resource)
                      .registerMetricReader(
                          PeriodicMetricReader.builder(metrics.build())
                              .setInterval(interval)
                              .build())
                      .build())
              .setLoggerProvider(
                  SdkLoggerProvider.builder()
                      .setResource(resource)
                      .addLogRecordProcessor(processor.build())
                      .build())
              .build();
      return new OtlpSdk(sdk, self, selfReader, metricsUrl, logsUrl);
    }

    private void checkProtocol(String signal) {
      String p = env.signal(signal, "PROTOCOL");
      if (p != null && !p.equals("http/protobuf")) {
        throw new IllegalStateException(
            "OTEL_EXPORTER_OTLP_"
                + signal
                + "_PROTOCOL (or OTEL_EXPORTER_OTLP_PROTOCOL) is '"
                + p
                + "', but OtlpSdk exports only http/protobuf: point it at the collector's"
                + " OTLP/HTTP port (usually 4318) and unset the protocol, or build your own SDK");
      }
    }

    private String signalEndpoint(
        @Nullable String explicit, String variable, String baseUrl, String path) {
      if (explicit != null) {
        return explicit;
      }
      String specific = env.get(variable);
      if (specific != null) {
        return checkUrl(variable, specific);
      }
      return (baseUrl.endsWith("/") ? baseUrl : baseUrl + "/") + "v1/" + path;
    }

    private Map<String, String> signalHeaders(String signal) {
      Map<String, String> out =
          new LinkedHashMap<>(
              OtlpEnvironment.keyValues(
                  "OTEL_EXPORTER_OTLP_HEADERS", env.get("OTEL_EXPORTER_OTLP_HEADERS")));
      String specific = "OTEL_EXPORTER_OTLP_" + signal + "_HEADERS";
      out.putAll(OtlpEnvironment.keyValues(specific, env.get(specific)));
      out.putAll(headers);
      return out;
    }

    private @Nullable Duration signalTimeout(String signal) {
      if (timeout != null) {
        return timeout;
      }
      return env.millis("OTEL_EXPORTER_OTLP_" + signal + "_TIMEOUT", env.signal(signal, "TIMEOUT"));
    }

    private String signalCompression(String signal) {
      if (compression != null) {
        return compression;
      }
      String v = env.signal(signal, "COMPRESSION");
      return v == null ? "none" : checkCompression("OTEL_EXPORTER_OTLP_COMPRESSION", v);
    }

    private AggregationTemporalitySelector temporality() {
      String v = env.get("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE");
      if (v == null) {
        return AggregationTemporalitySelector.alwaysCumulative();
      }
      switch (v.toLowerCase(Locale.ROOT)) {
        case "cumulative":
          return AggregationTemporalitySelector.alwaysCumulative();
        case "delta":
          return AggregationTemporalitySelector.deltaPreferred();
        case "lowmemory":
          return AggregationTemporalitySelector.lowMemory();
        default:
          throw new IllegalArgumentException(
              "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE must be cumulative, delta or"
                  + " lowmemory, was '"
                  + v
                  + "'");
      }
    }

    private Resource resource() {
      AttributesBuilder b = Attributes.builder();
      OtlpEnvironment.keyValues("OTEL_RESOURCE_ATTRIBUTES", env.get("OTEL_RESOURCE_ATTRIBUTES"))
          .forEach(b::put);
      resourceAttributes.forEach(b::put);
      String name = serviceName != null ? serviceName : env.get("OTEL_SERVICE_NAME");
      if (name != null) {
        b.put(SERVICE_NAME, name);
      }
      return Resource.getDefault().merge(Resource.create(b.build()));
    }

    private static <T> T orDefault(@Nullable T value, T fallback) {
      return value != null ? value : fallback;
    }

    private static String checkUrl(String field, String url) {
      if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
        throw new IllegalArgumentException(
            field + " must be an http:// or https:// URL, was '" + url + "'");
      }
      try {
        URI.create(url);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(field + " is not a valid URL: '" + url + "'", e);
      }
      return url;
    }

    private static String checkCompression(String field, String value) {
      if (!"gzip".equals(value) && !"none".equals(value)) {
        throw new IllegalArgumentException(field + " must be gzip or none, was '" + value + "'");
      }
      return value;
    }

    private static Duration positive(String field, Duration value) {
      Objects.requireNonNull(value, field);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(field + " must be positive, was " + value);
      }
      return value;
    }

    private static int positiveInt(String field, int value) {
      if (value < 1) {
        throw new IllegalArgumentException(field + " must be at least 1, was " + value);
      }
      return value;
    }
  }
}
