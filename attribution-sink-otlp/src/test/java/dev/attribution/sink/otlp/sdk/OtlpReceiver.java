package dev.attribution.sink.otlp.sdk;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;

/**
 * A minimal OTLP/HTTP collector on loopback: accepts protobuf at /v1/metrics and /v1/logs, decodes
 * with opentelemetry-proto and keeps what it received.
 */
final class OtlpReceiver implements AutoCloseable {

  private final HttpServer server;
  final List<ExportMetricsServiceRequest> metricRequests = new CopyOnWriteArrayList<>();
  final List<ExportLogsServiceRequest> logRequests = new CopyOnWriteArrayList<>();
  final Map<String, String> lastHeaders = new ConcurrentHashMap<>();
  volatile long logDelayMillis = 0;

  OtlpReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(2));
    server.createContext(
        "/v1/metrics",
        ex -> {
          metricRequests.add(ExportMetricsServiceRequest.parseFrom(body(ex)));
          reply(ex, ExportMetricsServiceResponse.getDefaultInstance().toByteArray());
        });
    server.createContext(
        "/v1/logs",
        ex -> {
          ExportLogsServiceRequest req = ExportLogsServiceRequest.parseFrom(body(ex));
          sleep(logDelayMillis);
          logRequests.add(req);
          reply(ex, ExportLogsServiceResponse.getDefaultInstance().toByteArray());
        });
    server.start();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private byte[] body(HttpExchange ex) throws IOException {
    ex.getRequestHeaders()
        .forEach((k, v) -> lastHeaders.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0)));
    if (!"application/x-protobuf".equals(ex.getRequestHeaders().getFirst("Content-Type"))) {
      throw new IOException("not protobuf: " + ex.getRequestHeaders().getFirst("Content-Type"));
    }
    InputStream in = ex.getRequestBody();
    if ("gzip".equals(ex.getRequestHeaders().getFirst("Content-Encoding"))) {
      in = new GZIPInputStream(in);
    }
    return in.readAllBytes();
  }

  private static void reply(HttpExchange ex, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "application/x-protobuf");
    ex.sendResponseHeaders(200, body.length);
    ex.getResponseBody().write(body);
    ex.close();
  }

  private static void sleep(long millis) {
    if (millis > 0) {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Every metric named {@code name} in the most recent metrics request that had it. */
  Metric lastMetric(String name) {
    for (int i = metricRequests.size() - 1; i >= 0; i--) {
      for (var rm : metricRequests.get(i).getResourceMetricsList()) {
        for (var sm : rm.getScopeMetricsList()) {
          for (Metric m : sm.getMetricsList()) {
            if (m.getName().equals(name)) {
              return m;
            }
          }
        }
      }
    }
    throw new AssertionError("no metric " + name + " received");
  }

  boolean hasMetric(String name) {
    try {
      lastMetric(name);
      return true;
    } catch (AssertionError e) {
      return false;
    }
  }

  Resource lastMetricResource() {
    return metricRequests.get(metricRequests.size() - 1).getResourceMetrics(0).getResource();
  }

  List<LogRecord> logRecords() {
    List<LogRecord> out = new ArrayList<>();
    for (ExportLogsServiceRequest r : logRequests) {
      r.getResourceLogsList()
          .forEach(rl -> rl.getScopeLogsList().forEach(sl -> out.addAll(sl.getLogRecordsList())));
    }
    return out;
  }

  /** A string, int, double or bool attribute value as a Java object, or {@code null}. */
  static Object attr(List<KeyValue> attributes, String key) {
    for (KeyValue kv : attributes) {
      if (kv.getKey().equals(key)) {
        var v = kv.getValue();
        switch (v.getValueCase()) {
          case STRING_VALUE:
            return v.getStringValue();
          case INT_VALUE:
            return v.getIntValue();
          case DOUBLE_VALUE:
            return v.getDoubleValue();
          case BOOL_VALUE:
            return v.getBoolValue();
          default:
            return v.toString();
        }
      }
    }
    return null;
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
