package dev.attribution.okhttp;

import dev.attribution.api.InMemoryUsageSink;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import dev.attribution.core.AttributionEngine;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import okhttp3.mockwebserver.MockWebServer;

/** A loopback provider, an engine recording into memory, and helpers to read both. */
final class Harness implements AutoCloseable {

  final MockWebServer server = new MockWebServer();
  final InMemoryUsageSink sink = UsageSink.inMemory();
  final AttributionEngine engine;

  Harness(String provider) {
    this(provider, b -> {});
  }

  Harness(String provider, Consumer<AttributionEngine.Builder> customize) {
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

  /**
   * A client with TCP_NODELAY on, so loopback tests do not pay the 40 ms delayed-ACK stall that
   * Nagle's algorithm causes when headers and body are written separately.
   */
  static okhttp3.OkHttpClient.Builder client() {
    javax.net.SocketFactory plain = javax.net.SocketFactory.getDefault();
    return new okhttp3.OkHttpClient.Builder()
        .socketFactory(
            new javax.net.SocketFactory() {
              private java.net.Socket noDelay(java.net.Socket s) throws IOException {
                s.setTcpNoDelay(true);
                return s;
              }

              @Override
              public java.net.Socket createSocket() throws IOException {
                java.net.Socket s = plain.createSocket();
                s.setTcpNoDelay(true);
                return s;
              }

              @Override
              public java.net.Socket createSocket(String host, int port) throws IOException {
                return noDelay(plain.createSocket(host, port));
              }

              @Override
              public java.net.Socket createSocket(
                  String host, int port, java.net.InetAddress local, int localPort)
                  throws IOException {
                return noDelay(plain.createSocket(host, port, local, localPort));
              }

              @Override
              public java.net.Socket createSocket(java.net.InetAddress host, int port)
                  throws IOException {
                return noDelay(plain.createSocket(host, port));
              }

              @Override
              public java.net.Socket createSocket(
                  java.net.InetAddress host, int port, java.net.InetAddress local, int localPort)
                  throws IOException {
                return noDelay(plain.createSocket(host, port, local, localPort));
              }
            });
  }

  String baseUrl(String path) {
    return server.url(path).toString();
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

  static byte[] fixture(String name) {
    try (InputStream in = Harness.class.getResourceAsStream("/fixtures/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return in.readAllBytes();
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
