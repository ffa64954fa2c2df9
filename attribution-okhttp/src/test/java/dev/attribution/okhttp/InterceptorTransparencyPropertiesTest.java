package dev.attribution.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.SocketPolicy;
import okio.Buffer;

/**
 * Whatever the server answers (encoding right, wrong or absent; any content type; any size; cut
 * short anywhere), the application sees the same status, the same bytes and the same failure with
 * the interceptor as without it (reading it all, or abandoning it part way), the interceptor
 * allocates a bounded amount beyond what the application itself reads, and each call makes at most
 * one record.
 */
class InterceptorTransparencyPropertiesTest {

  private static final long MAX_PEEK = 64 * 1024;

  /** How the body is encoded on the wire. */
  enum Encoding {
    NONE,
    GZIP,
    /** Labelled {@code Content-Encoding: gzip}, but plain. */
    MISLABELLED_GZIP,
    /** Labelled with an encoding nobody here decodes ({@code br}), plain. */
    UNKNOWN_LABEL
  }

  /** How the body is delivered. */
  enum Delivery {
    WHOLE,
    CHUNKED,
    /** The server closes the connection part way through a body of announced length. */
    CLOSED_MID_BODY
  }

  private static Harness h;
  private static AttributionInterceptor interceptor;
  private static OkHttpClient plain;
  private static OkHttpClient instrumented;
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  @BeforeContainer
  static void start() {
    h = new Harness("openai");
    interceptor = AttributionInterceptor.builder(h.engine).maxPeekBytes(MAX_PEEK).build();
    plain = Harness.client().build();
    instrumented = Harness.client().addInterceptor(interceptor).build();
    // Load the classes of both paths once, so class loading does not count as a call's allocation.
    for (String type : new String[] {"application/json", "text/event-stream", ""}) {
      for (Encoding encoding : Encoding.values()) {
        for (OkHttpClient client : new OkHttpClient[] {plain, instrumented}) {
          byte[] body = payload(100, true, 1);
          byte[] wire = encoding == Encoding.GZIP ? HostileResponsesTest.gzip(body) : body;
          h.server.enqueue(response(wire, encoding, type, Delivery.WHOLE, 1, 0));
          HostileResponsesTest.Seen.of(client, request("/v1/chat/completions", false, true));
        }
      }
    }
  }

  @AfterContainer
  static void stop() throws IOException {
    h.close();
  }

  @Provide
  Arbitrary<String> contentTypes() {
    return Arbitraries.of(
        "application/json",
        "application/json; charset=utf-8",
        "text/event-stream",
        "application/x-ndjson",
        "application/octet-stream",
        "");
  }

  @Provide
  Arbitrary<Integer> sizes() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(0, 4096)),
        net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(4096, 256 * 1024)),
        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(256 * 1024, 2 << 20)));
  }

  @Property(tries = 200)
  void theAppSeesTheSameBytesAndOutcomeWithAndWithoutTheInterceptor(
      @ForAll Encoding encoding,
      @ForAll("contentTypes") String contentType,
      @ForAll("sizes") int size,
      @ForAll boolean jsonShaped,
      @ForAll Delivery delivery,
      @ForAll @IntRange(min = 0, max = 99) int cutPercent,
      @ForAll boolean appAcceptsGzip,
      @ForAll boolean streamRequested,
      @ForAll boolean llmEndpoint,
      @ForAll boolean appAbandonsTheBody,
      @ForAll long seed)
      throws Exception {
    byte[] payload = payload(size, jsonShaped, seed);
    byte[] wire = encoding == Encoding.GZIP ? HostileResponsesTest.gzip(payload) : payload;
    int chunk = 1 + (int) Math.floorMod(seed, 4096L);
    int sent = (int) ((long) wire.length * cutPercent / 100);
    Request request =
        request(
            llmEndpoint ? "/v1/chat/completions" : "/v1/files", streamRequested, appAcceptsGzip);
    int recordsBefore = records();
    long readAtMost = appAbandonsTheBody ? Math.floorMod(seed, 1 + wire.length) : Long.MAX_VALUE;

    h.server.enqueue(response(wire, encoding, contentType, delivery, chunk, sent));
    long start = THREADS.getCurrentThreadAllocatedBytes();
    HostileResponsesTest.Seen without = HostileResponsesTest.Seen.of(plain, request, readAtMost);
    long plainAllocated = THREADS.getCurrentThreadAllocatedBytes() - start;

    h.server.enqueue(response(wire, encoding, contentType, delivery, chunk, sent));
    start = THREADS.getCurrentThreadAllocatedBytes();
    HostileResponsesTest.Seen with =
        HostileResponsesTest.Seen.of(instrumented, request, readAtMost);
    long instrumentedAllocated = THREADS.getCurrentThreadAllocatedBytes() - start;

    assertThat(with).isEqualTo(without);
    assertThat(with.bytes()).isEqualTo(without.bytes());
    // Bounded by what is read: at most a constant beyond what the application's own reading
    // costs, whatever the body claims or expands to.
    assertThat(instrumentedAllocated - plainAllocated)
        .isLessThan(16 * MAX_PEEK + (4 << 20) + 2L * with.bytes().length);
    int made = records() - recordsBefore;
    assertThat(made).isEqualTo(llmEndpoint ? 1 : 0);
    assertThat(interceptor.internalFailures()).isZero();
  }

  private static int records() {
    h.engine.flush(Duration.ofSeconds(5));
    return h.sink.records().size();
  }

  private static byte[] payload(int size, boolean jsonShaped, long seed) {
    if (!jsonShaped) {
      byte[] b = new byte[size];
      new Random(seed).nextBytes(b);
      return b;
    }
    // The padding is in a member the parser reads (the id), so an unbounded read would cost
    // memory in proportion to the body.
    String head = "{\"id\":\"chatcmpl-";
    String tail =
        "\",\"model\":\"gpt-4o\","
            + "\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":7,\"total_tokens\":18}}";
    int pad = Math.max(0, size - head.length() - tail.length());
    return (head + "x".repeat(pad) + tail).getBytes(StandardCharsets.UTF_8);
  }

  private static Request request(String path, boolean stream, boolean acceptsGzip) {
    String body = stream ? "{\"model\":\"gpt-4o\",\"stream\":true}" : "{\"model\":\"gpt-4o\"}";
    Request.Builder b =
        new Request.Builder()
            .url(h.server.url(path))
            .post(RequestBody.create(body, MediaType.get("application/json")));
    if (acceptsGzip) {
      b.header("Accept-Encoding", "gzip");
    }
    return b.build();
  }

  private static MockResponse response(
      byte[] wire, Encoding encoding, String contentType, Delivery delivery, int chunk, int sent) {
    MockResponse r = new MockResponse();
    if (!contentType.isEmpty()) {
      r.setHeader("Content-Type", contentType);
    }
    if (encoding != Encoding.NONE) {
      r.setHeader("Content-Encoding", encoding == Encoding.UNKNOWN_LABEL ? "br" : "gzip");
    }
    switch (delivery) {
      case WHOLE -> r.setBody(new Buffer().write(wire));
      case CHUNKED -> r.setChunkedBody(new Buffer().write(wire), chunk);
      default ->
          r.setBody(new Buffer().write(wire, 0, sent))
              .setHeader("Content-Length", wire.length)
              .setSocketPolicy(SocketPolicy.DISCONNECT_AT_END);
    }
    return r;
  }
}
