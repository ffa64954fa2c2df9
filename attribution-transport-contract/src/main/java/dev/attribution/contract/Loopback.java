package dev.attribution.contract;

import dev.attribution.api.InMemoryUsageSink;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import dev.attribution.core.AttributionEngine;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import okhttp3.mockwebserver.MockWebServer;

/** A loopback provider, an engine recording into memory, and helpers to read both. */
public final class Loopback implements AutoCloseable {

  /** The loopback provider; enqueue its answers. */
  public final MockWebServer server = new MockWebServer();

  /** Where the engine's records land. */
  public final InMemoryUsageSink sink = UsageSink.inMemory();

  /** The engine, with the loopback's host:port mapped to the provider. */
  public final AttributionEngine engine;

  /**
   * Starts a loopback that answers as {@code provider} (a provider id such as {@code openai}).
   *
   * @param customize adds pricing, budgets or routes to the engine
   */
  public Loopback(String provider, Consumer<AttributionEngine.Builder> customize) {
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    AttributionEngine.Builder b =
        AttributionEngine.builder()
            .mapHost(server.getHostName() + ":" + server.getPort(), provider)
            .addSink(sink)
            .linger(Duration.ofMillis(5))
            .batchSize(64)
            .shutdownHook(false);
    customize.accept(b);
    engine = b.build();
  }

  /** The loopback's base URL, {@code http://host:port}, without a trailing slash. */
  public String baseUrl() {
    String s = server.url("/").toString();
    return s.substring(0, s.length() - 1);
  }

  /** The records so far, waiting (5 s at most) until there are at least {@code atLeast}. */
  public List<UsageRecord> records(int atLeast) {
    try {
      engine.flush(Duration.ofSeconds(5));
      return sink.awaitCount(atLeast, Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The one record there is; fails when there are none or several. */
  public UsageRecord onlyRecord() {
    List<UsageRecord> r = records(1);
    if (r.size() != 1) {
      throw new AssertionError("expected exactly one record, got " + r);
    }
    return r.get(0);
  }

  /** A shared provider fixture (attribution-core's test resources {@code /fixtures/}) as text. */
  public static String fixture(String name) {
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
    engine.close();
    server.shutdown();
  }
}
