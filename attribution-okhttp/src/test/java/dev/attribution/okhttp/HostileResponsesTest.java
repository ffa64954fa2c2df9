package dev.attribution.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.CallStatus;
import dev.attribution.api.InMemoryUsageSink;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import dev.attribution.core.AttributionEngine;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetPeriod;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.SocketPolicy;
import okio.Buffer;
import okio.BufferedSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile responses, one test per promise of "never breaks the call": attribution's own failures
 * stay inside, memory is bounded by what is read, only single JSON documents from LLM endpoints are
 * buffered, and misuse is reported instead of obeyed.
 */
class HostileResponsesTest {

  private static final String CHAT = "/v1/chat/completions";

  private static Request post(String url, String body) {
    return new Request.Builder()
        .url(url)
        .post(RequestBody.create(body, MediaType.get("application/json")))
        .build();
  }

  /** What the application saw: status, the bytes it read, and the failure that stopped it. */
  record Seen(int code, byte[] bytes, String failure) {
    static Seen of(OkHttpClient client, Request request) {
      return of(client, request, Long.MAX_VALUE);
    }

    /** Reads at most {@code atMost} bytes of the body, then closes it (abandons the rest). */
    static Seen of(OkHttpClient client, Request request, long atMost) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (Response r = client.newCall(request).execute()) {
        try (InputStream in = r.body().byteStream()) {
          byte[] buf = new byte[8192];
          for (int n;
              out.size() < atMost
                  && (n = in.read(buf, 0, (int) Math.min(buf.length, atMost - out.size())))
                      != -1; ) {
            out.write(buf, 0, n);
          }
        } catch (IOException e) {
          return new Seen(r.code(), out.toByteArray(), e.getClass().getName());
        }
        return new Seen(r.code(), out.toByteArray(), "");
      } catch (IOException e) {
        return new Seen(-1, out.toByteArray(), "execute: " + e.getClass().getName());
      }
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Seen s
          && s.code == code
          && Arrays.equals(s.bytes, bytes)
          && s.failure.equals(failure);
    }

    @Override
    public int hashCode() {
      return code * 31 + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "Seen[" + code + ", " + bytes.length + " bytes, " + failure + "]";
    }
  }

  static byte[] gzip(byte[] plain) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(plain);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return out.toByteArray();
  }

  /** The app asks for gzip itself, so OkHttp hands it (and us) the body as it came. */
  private static Request gzipAware(Harness h) {
    return post(h.baseUrl(CHAT), "{\"model\":\"gpt-4o\"}")
        .newBuilder()
        .header("Accept-Encoding", "gzip")
        .build();
  }

  private static MockResponse labelledGzip(byte[] body) {
    return new MockResponse()
        .setHeader("content-type", "application/json")
        .setHeader("Content-Encoding", "gzip")
        .setBody(new Buffer().write(body));
  }

  @ParameterizedTest
  @ValueSource(strings = {"plain", "empty", "truncated"})
  void gzipLabelledBodyThatIsNotGzipStillReachesTheApp(String kind) throws Exception {
    byte[] json = Harness.fixture("openai-chat.json");
    byte[] body =
        switch (kind) {
          case "plain" -> json;
          case "empty" -> new byte[0];
          default -> Arrays.copyOf(gzip(json), 20);
        };
    try (Harness h = new Harness("openai")) {
      AttributionInterceptor interceptor = AttributionOkHttp.interceptor(h.engine);
      OkHttpClient plain = Harness.client().build();
      OkHttpClient instrumented = Harness.client().addInterceptor(interceptor).build();
      h.server.enqueue(labelledGzip(body));
      h.server.enqueue(labelledGzip(body));
      Seen without = Seen.of(plain, gzipAware(h));
      Seen with = Seen.of(instrumented, gzipAware(h));
      assertThat(without.bytes()).isEqualTo(body);
      assertThat(with).isEqualTo(without);
      UsageRecord r = h.onlyRecord();
      assertThat(r.status()).isEqualTo(CallStatus.OK);
      assertThat(r.attributes()).containsEntry("usage_unreadable", "undecodable_gzip");
      assertThat(h.engine.stats().parseFailures()).isEqualTo(1);
      assertThat(interceptor.internalFailures()).isZero();
    }
  }

  @Test
  void correctlyGzippedJsonIsStillRead() throws Exception {
    try (Harness h = new Harness("openai")) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      byte[] body = gzip(Harness.fixture("openai-chat.json"));
      h.server.enqueue(labelledGzip(body));
      Seen seen = Seen.of(client, gzipAware(h));
      assertThat(seen.bytes()).isEqualTo(body);
      UsageRecord r = h.onlyRecord();
      assertThat(r.usage().inputTokens()).isEqualTo(1117);
      assertThat(r.attributes()).doesNotContainKey("usage_unreadable");
    }
  }

  @Test
  void aSmallGzipBodyThatExpandsHugelyIsReadOnlyUpToThePeekLimit() throws Exception {
    // 32 MiB of JSON in a ~32 KiB body: the peek limit bounds what we decompress and parse.
    // The padding is whitespace between members, which the parser skips without allocating, so
    // only the peek limit can stop the read.
    byte[] head = "{\"id\":\"chatcmpl-1\",".getBytes(StandardCharsets.UTF_8);
    byte[] tail =
        "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":7,\"total_tokens\":12}}"
            .getBytes(StandardCharsets.UTF_8);
    byte[] json = new byte[head.length + (32 << 20) + tail.length];
    System.arraycopy(head, 0, json, 0, head.length);
    Arrays.fill(json, head.length, json.length - tail.length, (byte) ' ');
    System.arraycopy(tail, 0, json, json.length - tail.length, tail.length);
    byte[] bomb = gzip(json);
    json = null;
    assertThat(bomb.length).isLessThan(1 << 20);
    try (Harness h = new Harness("openai")) {
      AttributionInterceptor interceptor =
          AttributionInterceptor.builder(h.engine).maxPeekBytes(1 << 20).build();
      OkHttpClient client = Harness.client().addInterceptor(interceptor).build();
      // Warm up the call path so class loading does not count as the call's allocation.
      h.server.enqueue(labelledGzip(gzip(Harness.fixture("openai-chat.json"))));
      Seen.of(client, gzipAware(h));
      h.server.enqueue(labelledGzip(bomb));
      com.sun.management.ThreadMXBean mx =
          (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long before = mx.getCurrentThreadAllocatedBytes();
      byte[] got;
      try (Response r = client.newCall(gzipAware(h)).execute()) {
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).isLessThan(24L << 20);
        got = r.body().bytes();
      }
      assertThat(got).isEqualTo(bomb);
      UsageRecord r = h.records(2).get(1);
      assertThat(r.attributes()).containsEntry("usage_unreadable", "body_too_large");
      assertThat(r.usage().totalTokens()).isZero();
      assertThat(interceptor.internalFailures()).isZero();
    }
  }

  @Test
  void bodyLargerThanThePeekLimitOnTheWireIsMarkedUnread() throws Exception {
    try (Harness h = new Harness("openai")) {
      OkHttpClient client =
          Harness.client()
              .addInterceptor(AttributionInterceptor.builder(h.engine).maxPeekBytes(1024).build())
              .build();
      byte[] body =
          ("{\"pad\":\""
                  + "x".repeat(4096)
                  + "\",\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":7}}")
              .getBytes(StandardCharsets.UTF_8);
      h.server.enqueue(
          new MockResponse()
              .setHeader("content-type", "application/json")
              .setChunkedBody(new Buffer().write(body), 100));
      assertThat(Seen.of(client, post(h.baseUrl(CHAT), "{\"model\":\"gpt-4o\"}")).bytes())
          .isEqualTo(body);
      assertThat(h.onlyRecord().attributes()).containsEntry("usage_unreadable", "body_too_large");
    }
  }

  private static MockResponse cutShort(byte[] body, int sent) {
    return new MockResponse()
        .setHeader("content-type", "application/json")
        .setBody(new Buffer().write(body, 0, sent))
        .setHeader("Content-Length", body.length)
        .setSocketPolicy(SocketPolicy.DISCONNECT_AT_END);
  }

  @Test
  void serverClosingMidBodyFailsTheAppsReadNotItsCall() throws Exception {
    byte[] body = Harness.fixture("openai-chat.json");
    try (Harness h = new Harness("openai")) {
      OkHttpClient plain = Harness.client().build();
      OkHttpClient instrumented =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      Request req = post(h.baseUrl(CHAT), "{\"model\":\"gpt-4o\"}");

      // An app that only looks at the status succeeds, with or without us.
      h.server.enqueue(cutShort(body, 100));
      try (Response r = instrumented.newCall(req).execute()) {
        assertThat(r.code()).isEqualTo(200);
      }

      // An app that reads the body meets the same failure after the same bytes.
      h.server.enqueue(cutShort(body, 100));
      h.server.enqueue(cutShort(body, 100));
      Seen without = Seen.of(plain, req);
      Seen with = Seen.of(instrumented, req);
      assertThat(without.failure()).isNotEmpty();
      assertThat(with).isEqualTo(without);
      assertThat(with.bytes()).hasSize(100);

      assertThat(h.records(2))
          .hasSize(2)
          .allSatisfy(r -> assertThat(r.status()).isEqualTo(CallStatus.FAILED));
    }
  }

  @Test
  void bodyTooSlowForTheReadTimeoutFailsTheAppsReadNotItsCall() throws Exception {
    byte[] body = Harness.fixture("openai-chat.json");
    try (Harness h = new Harness("openai")) {
      OkHttpClient plain = Harness.client().readTimeout(500, TimeUnit.MILLISECONDS).build();
      OkHttpClient instrumented =
          plain.newBuilder().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      Request req = post(h.baseUrl(CHAT), "{\"model\":\"gpt-4o\"}");
      for (int i = 0; i < 3; i++) {
        h.server.enqueue(
            new MockResponse()
                .setHeader("content-type", "application/json")
                .setBody(new Buffer().write(body))
                .throttleBody(100, 3, TimeUnit.SECONDS));
      }
      try (Response r = instrumented.newCall(req).execute()) {
        assertThat(r.code()).isEqualTo(200);
      }
      Seen without = Seen.of(plain, req);
      Seen with = Seen.of(instrumented, req);
      assertThat(without.failure()).isEqualTo("java.net.SocketTimeoutException");
      assertThat(with.failure()).isEqualTo(without.failure());
      assertThat(with.code()).isEqualTo(200);
      assertThat(h.records(2))
          .hasSize(2)
          .allSatisfy(r -> assertThat(r.errorType()).isEqualTo("SocketTimeoutException"));
    }
  }

  @Test
  void anErrorInsideAttributionNeverReachesTheApp() throws Exception {
    // The unpriced-model listener runs inside attribution's work; an Error thrown there (like an
    // OutOfMemoryError from our own buffers, which would also stop this test's JVM) stays inside.
    try (Harness h =
        new Harness(
            "openai",
            b ->
                b.listener(
                    event -> {
                      throw new StackOverflowError("simulated inside attribution");
                    }))) {
      AttributionInterceptor interceptor = AttributionOkHttp.interceptor(h.engine);
      OkHttpClient client = Harness.client().addInterceptor(interceptor).build();
      byte[] json = Harness.fixture("openai-chat.json");
      byte[] sse = Harness.fixture("openai-chat-stream.sse");
      h.server.enqueue(
          new MockResponse()
              .setHeader("content-type", "application/json")
              .setBody(new Buffer().write(json)));
      h.server.enqueue(
          new MockResponse()
              .setHeader("content-type", "text/event-stream")
              .setChunkedBody(new Buffer().write(sse), 64));
      Seen a = Seen.of(client, post(h.baseUrl(CHAT), "{\"model\":\"no-such-model-1\"}"));
      Seen b =
          Seen.of(client, post(h.baseUrl(CHAT), "{\"model\":\"no-such-model-2\",\"stream\":true}"));
      assertThat(a).isEqualTo(new Seen(200, json, ""));
      assertThat(b).isEqualTo(new Seen(200, sse, ""));
      // Contained where it was thrown, so both calls are still recorded (unpriced).
      assertThat(h.engine.stats().internalFailures()).isEqualTo(2);
      assertThat(h.records(2)).hasSize(2);
    }
  }

  /**
   * A one-response HTTP/1.1 server on loopback that sends the first part of a chunked body, then
   * waits until the client has seen it (at most 10 s) before sending the rest.
   */
  static final class TwoPartServer implements AutoCloseable {
    final ServerSocket socket;
    final CountDownLatch firstSeen = new CountDownLatch(1);
    volatile boolean restSentBeforeFirstSeen;
    private final Thread thread;

    TwoPartServer(String contentType, byte[] first, byte[] rest) throws IOException {
      socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
      thread =
          new Thread(
              () -> {
                try (Socket s = socket.accept()) {
                  readRequest(s.getInputStream());
                  OutputStream out = s.getOutputStream();
                  String head =
                      "HTTP/1.1 200 OK\r\n"
                          + (contentType.isEmpty() ? "" : "Content-Type: " + contentType + "\r\n")
                          + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
                  out.write(head.getBytes(StandardCharsets.US_ASCII));
                  chunk(out, first);
                  out.flush();
                  if (!firstSeen.await(10, TimeUnit.SECONDS)) {
                    restSentBeforeFirstSeen = true;
                  }
                  chunk(out, rest);
                  out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                  out.flush();
                } catch (IOException | InterruptedException e) {
                  // the test's assertions say what went wrong
                }
              },
              "two-part-server");
      thread.setDaemon(true);
      thread.start();
    }

    String url(String path) {
      return "http://127.0.0.1:" + socket.getLocalPort() + path;
    }

    private static void chunk(OutputStream out, byte[] data) throws IOException {
      out.write((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(data);
      out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    private static void readRequest(InputStream in) throws IOException {
      StringBuilder line = new StringBuilder();
      int length = 0;
      for (int c; (c = in.read()) != -1; ) {
        if (c != '\n') {
          line.append((char) c);
          continue;
        }
        String l = line.toString().trim();
        line.setLength(0);
        if (l.isEmpty()) {
          break;
        }
        if (l.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(l.substring(15).trim());
        }
      }
      in.readNBytes(length);
    }

    @Override
    public void close() throws IOException {
      firstSeen.countDown();
      socket.close();
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static AttributionEngine engineFor(
      TwoPartServer server, boolean mapped, InMemoryUsageSink sink) {
    AttributionEngine.Builder b = AttributionEngine.builder().addSink(sink).shutdownHook(false);
    if (mapped) {
      b.mapHost("127.0.0.1:" + server.socket.getLocalPort(), "openai");
    }
    return b.build();
  }

  /** The app reads the first part before the server sends the rest: nothing waits for the end. */
  private static void readInTwoParts(
      TwoPartServer server, AttributionEngine engine, String request, byte[] first, byte[] rest)
      throws IOException {
    OkHttpClient client =
        Harness.client().addInterceptor(AttributionOkHttp.interceptor(engine)).build();
    try (Response r = client.newCall(post(server.url(CHAT), request)).execute()) {
      BufferedSource source = r.body().source();
      assertThat(source.readByteArray(first.length)).isEqualTo(first);
      server.firstSeen.countDown();
      assertThat(source.readByteArray()).isEqualTo(rest);
    }
    assertThat(server.restSentBeforeFirstSeen).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"application/x-ndjson", "application/octet-stream", ""})
  void streamsThatAreNotOneJsonDocumentReachTheAppAsTheyArrive(String contentType)
      throws Exception {
    byte[] first =
        "{\"model\":\"llama3\",\"message\":{\"content\":\"Hel\"},\"done\":false}\n"
            .getBytes(StandardCharsets.UTF_8);
    byte[] rest =
        "{\"model\":\"llama3\",\"done\":true,\"prompt_eval_count\":26,\"eval_count\":2}\n"
            .getBytes(StandardCharsets.UTF_8);
    InMemoryUsageSink sink = UsageSink.inMemory();
    try (TwoPartServer server = new TwoPartServer(contentType, first, rest);
        AttributionEngine engine = engineFor(server, true, sink)) {
      readInTwoParts(server, engine, "{\"model\":\"llama3\"}", first, rest);
      engine.flush(Duration.ofSeconds(5));
      assertThat(sink.awaitCount(1, Duration.ofSeconds(5))).hasSize(1);
    }
  }

  @Test
  void trafficToOtherHostsIsNeitherBufferedNorRecordedByDefault() throws Exception {
    byte[] first = "{\"items\":[".getBytes(StandardCharsets.UTF_8);
    byte[] rest = "1,2,3]}".getBytes(StandardCharsets.UTF_8);
    InMemoryUsageSink sink = UsageSink.inMemory();
    try (TwoPartServer server = new TwoPartServer("application/json", first, rest);
        AttributionEngine engine = engineFor(server, false, sink)) {
      readInTwoParts(server, engine, "{\"q\":1}", first, rest);
      engine.flush(Duration.ofSeconds(5));
      assertThat(sink.records()).isEmpty();
    }
  }

  @Test
  void uploadsToOtherEndpointsAreSentAsTheAppStreamsThem() throws Exception {
    // A body that streams from an InputStream without saying it is one-shot: reading it ahead
    // would leave nothing for the real send. Only LLM request bodies are worth reading.
    byte[] upload = new byte[256 * 1024];
    new java.util.Random(5).nextBytes(upload);
    java.util.concurrent.atomic.AtomicInteger writes =
        new java.util.concurrent.atomic.AtomicInteger();
    InputStream stream = new java.io.ByteArrayInputStream(upload);
    RequestBody body =
        new RequestBody() {
          @Override
          public MediaType contentType() {
            return MediaType.get("application/octet-stream");
          }

          @Override
          public void writeTo(okio.BufferedSink sink) throws IOException {
            writes.incrementAndGet();
            sink.writeAll(okio.Okio.source(stream));
          }
        };
    try (Harness h = new Harness("openai", b -> b.recordUnrecognised(true))) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      h.server.enqueue(new MockResponse().setBody("{\"id\":\"file-1\"}"));
      Request req = new Request.Builder().url(h.baseUrl("/v1/files")).post(body).build();
      assertThat(Seen.of(client, req).code()).isEqualTo(200);
      assertThat(h.server.takeRequest().getBody().readByteArray()).isEqualTo(upload);
      assertThat(writes).hasValue(1);
      assertThat(h.onlyRecord().provider()).isNull();
    }
  }

  @Test
  void unrecognisedEndpointsAreRecordedOnlyWhenAskedFor() throws Exception {
    for (boolean asked : new boolean[] {false, true}) {
      // Not asking is the default: the first engine is built without the option.
      try (Harness h =
          new Harness(
              "openai",
              b -> {
                if (asked) {
                  b.recordUnrecognised(true);
                }
              })) {
        OkHttpClient client =
            Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
        h.server.enqueue(new MockResponse().setBody("{\"id\":\"file-1\"}"));
        assertThat(Seen.of(client, post(h.baseUrl("/v1/files"), "{}")).code()).isEqualTo(200);
        h.engine.flush(Duration.ofSeconds(5));
        assertThat(h.sink.records()).hasSize(asked ? 1 : 0);
      }
    }
  }

  @Test
  void installedAsANetworkInterceptorItSaysSoOnceAndStaysOutOfTheWay() throws Exception {
    // A budget that blocks every call: were the interceptor to act as a network interceptor, its
    // local 429 would surface as OkHttp's IllegalStateException.
    BudgetDefinition nothing =
        BudgetDefinition.builder("none-left")
            .limit("0.000001")
            .period(BudgetPeriod.calendarDay(ZoneOffset.UTC))
            .build();
    PrintStream err = System.err;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try (Harness h = new Harness("openai", b -> b.budget(nothing))) {
      OkHttpClient client =
          Harness.client().addNetworkInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      byte[] json = Harness.fixture("openai-chat.json");
      for (int i = 0; i < 2; i++) {
        h.server.enqueue(
            new MockResponse()
                .setHeader("content-type", "application/json")
                .setBody(new Buffer().write(json)));
      }
      System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
      Seen first;
      Seen second;
      try {
        Request req =
            post(h.baseUrl(CHAT), "{\"model\":\"gpt-4o\",\"max_tokens\":4096}")
                .newBuilder()
                .header("x-attribution-tenant", "acme")
                .build();
        first = Seen.of(client, req);
        second = Seen.of(client, req);
      } finally {
        System.setErr(err);
      }
      assertThat(first).isEqualTo(new Seen(200, json, ""));
      assertThat(second).isEqualTo(new Seen(200, json, ""));
      assertThat(h.server.getRequestCount()).isEqualTo(2);
      assertThat(h.server.takeRequest().getHeader("x-attribution-tenant")).isNull();
      String warned = log.toString(StandardCharsets.UTF_8);
      assertThat(warned.split("addNetworkInterceptor", -1)).hasSize(2);
      assertThat(warned).contains("WARN").contains("addInterceptor(..) instead");
      h.engine.flush(Duration.ofSeconds(5));
      assertThat(h.sink.records()).isEmpty();
    }
  }
}
