package dev.attribution.benchmarks;

import dev.attribution.api.InMemoryUsageSink;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import dev.attribution.core.AttributionEngine;
import dev.attribution.okhttp.AttributionOkHttp;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okio.BufferedSource;

/**
 * Heap while one long stream is read: a 50,000-event OpenAI chat stream read line by line (as the
 * SDKs do), bare and through the interceptor, sampling used heap after {@code System.gc()} every
 * 5,000 events. Flat means the tee keeps nothing per event. Not a JMH benchmark:
 *
 * <pre>
 * java -cp attribution-benchmarks/target/benchmarks.jar dev.attribution.benchmarks.StreamingHeapProbe
 * </pre>
 */
public final class StreamingHeapProbe {

  private static final int EVENTS = 50_000;
  private static final int EVERY = 5_000;

  private StreamingHeapProbe() {}

  /**
   * Runs the probe and prints used heap per sample.
   *
   * @param args ignored
   * @throws Exception if the loopback call fails
   */
  public static void main(String[] args) throws Exception {
    try (LoopbackHttpServer server =
        LoopbackHttpServer.chunked("text/event-stream", Loopback.chatStream(EVENTS))) {
      InMemoryUsageSink sink = UsageSink.inMemory();
      try (AttributionEngine engine = Loopback.engine(server.hostPort(), sink, false)) {
        OkHttpClient bare = Loopback.bareClient();
        OkHttpClient intercepted =
            bare.newBuilder().addInterceptor(AttributionOkHttp.interceptor(engine)).build();
        Request request = StreamingBenchmark.streamRequest(server.url("/v1/chat/completions"));
        // Warm both paths so class loading and JIT do not show up as heap growth.
        for (int i = 0; i < 3; i++) {
          read("warm-up bare", bare, request, false);
          read("warm-up intercepted", intercepted, request, false);
        }
        read("bare", bare, request, true);
        read("intercepted", intercepted, request, true);
        engine.flush(Duration.ofSeconds(5));
        List<UsageRecord> records = sink.records();
        UsageRecord last = records.get(records.size() - 1);
        System.out.println(
            "last record: status="
                + last.status()
                + " outputTokens="
                + last.usage().outputTokens()
                + " cost="
                + last.cost()
                + " records="
                + records.size());
      }
    }
  }

  private static void read(String label, OkHttpClient client, Request request, boolean sample)
      throws Exception {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    StringBuilder out = new StringBuilder(label).append(" used heap KiB after GC:");
    int events = 0;
    try (Response r = client.newCall(request).execute()) {
      BufferedSource source = r.body().source();
      String line;
      while ((line = source.readUtf8Line()) != null) {
        if (line.startsWith("data:")) {
          events++;
          if (sample && (events == 1 || events % EVERY == 0)) {
            out.append(' ').append(events).append('=').append(usedAfterGc(memory) / 1024);
          }
        }
      }
    }
    if (sample) {
      System.out.println(out.append(" (events read ").append(events).append(')'));
    }
  }

  private static long usedAfterGc(MemoryMXBean memory) throws InterruptedException {
    System.gc();
    System.gc();
    Thread.sleep(20);
    return memory.getHeapMemoryUsage().getUsed();
  }
}
