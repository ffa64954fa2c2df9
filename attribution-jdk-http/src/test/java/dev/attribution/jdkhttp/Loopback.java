package dev.attribution.jdkhttp;

import dev.attribution.api.InMemoryUsageSink;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import dev.attribution.core.AttributionEngine;
import dev.attribution.core.pipeline.RecordPipeline;
import dev.attribution.core.provider.ProviderRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import okhttp3.mockwebserver.MockWebServer;

/** A loopback provider, an engine recording into memory, and helpers to read both. */
final class Loopback implements AutoCloseable {

  final MockWebServer server = new MockWebServer();
  final InMemoryUsageSink sink = UsageSink.inMemory();
  final RecordPipeline pipeline;
  final AttributionEngine engine;

  Loopback(String provider, Consumer<AttributionEngine.Builder> customize) {
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    pipeline =
        RecordPipeline.builder().addSink(sink).linger(Duration.ofMillis(5)).batchSize(64).build();
    AttributionEngine.Builder b =
        AttributionEngine.builder()
            .providers(
                ProviderRegistry.builder()
                    .mapHost(server.getHostName() + ":" + server.getPort(), provider)
                    .build())
            .pipeline(pipeline);
    customize.accept(b);
    engine = b.build();
  }

  String baseUrl() {
    String s = server.url("/").toString();
    return s.substring(0, s.length() - 1);
  }

  List<UsageRecord> records(int atLeast) {
    try {
      engine.flush(Duration.ofSeconds(5));
      return sink.awaitCount(atLeast, Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  UsageRecord onlyRecord() {
    List<UsageRecord> r = records(1);
    if (r.size() != 1) {
      throw new AssertionError("expected exactly one record, got " + r);
    }
    return r.get(0);
  }

  static String fixture(String name) {
    try (InputStream in = Loopback.class.getResourceAsStream("/fixtures/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    pipeline.close();
    server.shutdown();
  }
}
