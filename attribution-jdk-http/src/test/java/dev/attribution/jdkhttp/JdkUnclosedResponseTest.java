package dev.attribution.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.CallStatus;
import dev.attribution.api.UsageRecord;
import dev.attribution.contract.Loopback;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import okhttp3.mockwebserver.MockResponse;
import okio.Buffer;
import org.junit.jupiter.api.Test;

/**
 * Responses the application drops unfinished through the JDK {@code HttpClient}. The client holds
 * its body subscriber (and so the tap) while the connection is open, so only what the application
 * holds can tell it dropped the body: an {@code ofInputStream()} body is watched through a stream
 * of the tap's own; an {@code ofLines()} stream is not, and is finished by the engine's close.
 */
class JdkUnclosedResponseTest {

  private static final Duration CLEANER_WAIT = Duration.ofSeconds(10);

  private static MockResponse longStream() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 500; i++) {
      sb.append("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",")
          .append("\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":")
          .append("\"word word word \"},\"finish_reason\":null}]}\n\n");
    }
    sb.append("data: [DONE]\n\n");
    return new MockResponse()
        .setHeader("content-type", "text/event-stream")
        .setChunkedBody(new Buffer().writeUtf8(sb.toString()), 1024);
  }

  private static HttpRequest request(Loopback h, String user) {
    return HttpRequest.newBuilder(h.server.url("/v1/chat/completions").uri())
        .header("content-type", "application/json")
        .header("x-attribution-user", user)
        .POST(
            HttpRequest.BodyPublishers.ofString(
                "{\"model\":\"gpt-4o\",\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
        .build();
  }

  private static void gcUntil(BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + CLEANER_WAIT.toNanos();
    while (!done.getAsBoolean() && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(20);
    }
  }

  private static List<UsageRecord> records(Loopback h) {
    h.engine.flush(Duration.ofSeconds(5));
    return h.sink.records();
  }

  private static void readHalfAndDrop(HttpClient client, HttpRequest request) throws Exception {
    InputStream in = client.send(request, HttpResponse.BodyHandlers.ofInputStream()).body();
    assertThat(in.readNBytes(2048)).hasSize(2048);
  }

  private static Iterator<String> readLinesAndKeepIterator(HttpClient client, HttpRequest request)
      throws Exception {
    Stream<String> lines = client.send(request, HttpResponse.BodyHandlers.ofLines()).body();
    Iterator<String> it = lines.iterator();
    assertThat(it.next()).startsWith("data: ");
    return it;
  }

  @Test
  void anInputStreamReadHalfwayAndDroppedIsRecordedCancelled() throws Exception {
    try (Loopback h = new Loopback("openai", b -> {})) {
      HttpClient client = AttributionHttpClient.wrap(HttpClient.newHttpClient(), h.engine);
      h.server.enqueue(longStream());
      readHalfAndDrop(client, request(h, "u1"));

      gcUntil(() -> !records(h).isEmpty());

      UsageRecord r = h.onlyRecord();
      assertThat(r.status()).isEqualTo(CallStatus.CANCELLED);
      assertThat(r.attributes()).containsEntry("abandoned", "unreachable");
      assertThat(r.usageEstimated()).isTrue();
      assertThat(r.usage().outputTokens()).isPositive();
    }
  }

  @Test
  void aLineStreamDroppedUnfinishedIsRecordedByTheEnginesClose() throws Exception {
    try (Loopback h = new Loopback("openai", b -> {})) {
      HttpClient client = AttributionHttpClient.wrap(HttpClient.newHttpClient(), h.engine);
      h.server.enqueue(longStream());
      h.server.enqueue(longStream());
      // Kept by the application only through an iterator: the stream object itself is
      // unreachable, which is why stream bodies are not watched (reading goes on).
      Iterator<String> lines = readLinesAndKeepIterator(client, request(h, "lines"));
      readHalfAndDrop(client, request(h, "dropped"));
      gcUntil(() -> !records(h).isEmpty());
      assertThat(records(h))
          .singleElement()
          .satisfies(r -> assertThat(r.context().userId()).isEqualTo("dropped"));
      assertThat(lines.next()).isEmpty();

      h.engine.close();

      List<UsageRecord> rs = h.sink.records();
      assertThat(rs).hasSize(2);
      UsageRecord r = rs.get(1);
      assertThat(r.context().userId()).isEqualTo("lines");
      assertThat(r.status()).isEqualTo(CallStatus.CANCELLED);
      assertThat(r.attributes()).containsEntry("abandoned", "engine_closed");
    }
  }
}
