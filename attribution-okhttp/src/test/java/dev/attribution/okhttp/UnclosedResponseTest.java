package dev.attribution.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.CallStatus;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.budget.BudgetStatus;
import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetPeriod;
import dev.attribution.core.budget.Threshold;
import dev.attribution.testing.LogCapture;
import java.io.IOException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.Test;

/**
 * A response the application never closes (a stream read halfway and dropped, a body never read)
 * still gets its one record: from the unclosed-body cleaner once the garbage collector finds the
 * body unreachable, or from the engine's {@code close()}; never two. Real OkHttp against
 * MockWebServer on loopback; the cleaner is waited for with {@code System.gc()} and polling,
 * bounded at 10 seconds, never timed.
 */
class UnclosedResponseTest {

  private static final String CHAT = "/v1/chat/completions";
  private static final Duration CLEANER_WAIT = Duration.ofSeconds(10);

  /** An OpenAI chat stream of {@code chunks} text deltas, then its usage and [DONE]: ~64 KB. */
  private static byte[] longStream(int chunks) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < chunks; i++) {
      sb.append("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",")
          .append("\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":")
          .append("\"word word word \"},\"finish_reason\":null}]}\n\n");
    }
    sb.append("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",")
        .append("\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{\"prompt_tokens\":10,")
        .append("\"completion_tokens\":2000,\"total_tokens\":2010}}\n\ndata: [DONE]\n\n");
    return sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static MockResponse stream() {
    return new MockResponse()
        .setHeader("content-type", "text/event-stream")
        .setChunkedBody(new Buffer().write(longStream(500)), 1024);
  }

  private static Request streamRequest(Harness h, String user) {
    return new Request.Builder()
        .url(h.server.url(CHAT))
        .tag(
            AttributionContext.class,
            AttributionContext.builder().tenantId("acme").userId(user).build())
        .post(
            RequestBody.create(
                "{\"model\":\"gpt-4o\",\"max_tokens\":3000,\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                MediaType.get("application/json")))
        .build();
  }

  /** A non-streamed chat request without context. */
  private static Request plainChat(Harness h) {
    return new Request.Builder()
        .url(h.server.url(CHAT))
        .post(
            RequestBody.create(
                "{\"model\":\"gpt-4o\",\"messages\":[]}", MediaType.get("application/json")))
        .build();
  }

  private static OkHttpClient client(Harness h) {
    return Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
  }

  private static BudgetDefinition tenantBudget() {
    return BudgetDefinition.builder("tenant-daily")
        .each(ScopeDimension.TENANT)
        .limit("1000")
        .period(BudgetPeriod.calendarDay(ZoneOffset.UTC))
        .thresholds(Threshold.blockAt(100))
        .build();
  }

  /** Reads the first 2 KB of a ~64 KB stream and drops the response without closing it. */
  private static void readHalfAndDrop(OkHttpClient client, Request request) throws IOException {
    Response r = client.newCall(request).execute();
    assertThat(r.body().source().readByteArray(2048)).hasSize(2048);
  }

  /** Collects garbage until {@code done} holds, at most {@link #CLEANER_WAIT}. */
  private static void gcUntil(BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + CLEANER_WAIT.toNanos();
    while (!done.getAsBoolean() && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(20);
    }
  }

  private static int recordCount(Harness h) {
    h.engine.flush(Duration.ofSeconds(5));
    return h.sink.records().size();
  }

  @Test
  void aStreamReadHalfwayAndDroppedIsRecordedCancelledWithItsReservationSettled() throws Exception {
    try (Harness h = new Harness("openai", b -> b.budget(tenantBudget()));
        LogCapture log = new LogCapture()) {
      OkHttpClient client = client(h);
      h.server.enqueue(stream());
      readHalfAndDrop(client, streamRequest(h, "u1"));
      assertThat(h.engine.budgetStatuses().get(0).reserved()).isPositive();

      gcUntil(() -> recordCount(h) > 0);

      // OkHttp's own leak warning cannot fire (the body is closed for it): the engine says it,
      // once, with where the call went and the fix.
      assertThat(log.linesContaining("was dropped without close()"))
          .singleElement()
          .satisfies(
              line ->
                  assertThat(line)
                      .contains("WARN")
                      .contains("from localhost")
                      .contains("try-with-resources"));

      UsageRecord r = h.onlyRecord();
      assertThat(r.status()).isEqualTo(CallStatus.CANCELLED);
      assertThat(r.attributes()).containsEntry("abandoned", "unreachable");
      assertThat(r.usageEstimated()).isTrue();
      // Estimated from the text seen before the drop: some output, far below the 2000 reported
      // at the end of the stream (which was never read).
      assertThat(r.usage().outputTokens()).isPositive().isLessThan(2000);
      assertThat(r.cost()).isNotNull();
      BudgetStatus st = h.engine.budgetStatuses().get(0);
      assertThat(st.reserved()).isZero();
      assertThat(st.spent()).isEqualByComparingTo(r.cost().total());
    }
  }

  /**
   * A non-streamed answer dropped unread (beyond the peek limit, so nothing was read ahead) is
   * recorded once. Its 200 arrived with the whole answer generated and billed, so the call is not
   * cancelled and its cost is unknown, never the input-only estimate or zero: the budget keeps the
   * worst case it reserved.
   */
  @Test
  void aWholeAnswerDroppedUnreadIsRecordedOnceAtAnUnknownCostChargedAtTheReservation()
      throws Exception {
    try (Harness h = new Harness("openai", b -> b.budget(tenantBudget()))) {
      // Beyond the peek limit: handed to the application unread, recorded when it is done.
      OkHttpClient client =
          Harness.client()
              .addInterceptor(AttributionInterceptor.builder(h.engine).maxPeekBytes(1024).build())
              .build();
      StringBuilder json = new StringBuilder("{\"id\":\"chatcmpl-1\",\"pad\":\"");
      json.append("x".repeat(4096)).append("\",\"usage\":{\"prompt_tokens\":1}}");
      h.server.enqueue(
          new MockResponse()
              .setHeader("content-type", "application/json")
              .setBody(json.toString()));
      executeAndDrop(
          client,
          new Request.Builder()
              .url(h.server.url(CHAT))
              .tag(AttributionContext.class, AttributionContext.builder().tenantId("acme").build())
              .post(
                  RequestBody.create(
                      "{\"model\":\"gpt-4o\",\"max_tokens\":100,"
                          + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                      MediaType.get("application/json")))
              .build());
      java.math.BigDecimal reserved = h.engine.budgetStatuses().get(0).reserved();
      assertThat(reserved).isPositive();

      gcUntil(() -> recordCount(h) > 0);

      UsageRecord r = h.onlyRecord();
      assertThat(r.status()).isEqualTo(CallStatus.OK);
      assertThat(r.httpStatus()).isEqualTo(200);
      assertThat(r.attributes())
          .containsEntry("abandoned", "unreachable")
          .containsEntry("usage_unreadable", "body_too_large")
          .containsEntry("usage_invalid", "missing:usage")
          .containsEntry("budget_charge", "reservation");
      assertThat(r.usageEstimated()).isFalse();
      assertThat(r.cost()).isNull();
      BudgetStatus st = h.engine.budgetStatuses().get(0);
      assertThat(st.reserved()).isZero();
      assertThat(st.spent()).isEqualByComparingTo(reserved);
    }
  }

  /**
   * The same whole answer closed unread by the application: the same unknown cost, not cancelled.
   */
  @Test
  void aWholeAnswerClosedUnreadIsNotCancelledNorFree() throws Exception {
    try (Harness h = new Harness("openai")) {
      OkHttpClient client =
          Harness.client()
              .addInterceptor(AttributionInterceptor.builder(h.engine).maxPeekBytes(1024).build())
              .build();
      h.server.enqueue(
          new MockResponse()
              .setHeader("content-type", "application/json")
              .setBody("{\"id\":\"c\",\"pad\":\"" + "x".repeat(4096) + "\"}"));
      client.newCall(plainChat(h)).execute().close();

      UsageRecord r = h.onlyRecord();
      assertThat(r.status()).isEqualTo(CallStatus.OK);
      assertThat(r.cost()).isNull();
      assertThat(r.attributes()).containsEntry("usage_invalid", "missing:usage");
    }
  }

  private static void executeAndDrop(OkHttpClient client, Request request) throws IOException {
    assertThat(client.newCall(request).execute().code()).isEqualTo(200);
  }

  @Test
  void closingTheEngineRecordsAResponseStillOpen() throws Exception {
    try (Harness h = new Harness("openai", b -> b.budget(tenantBudget()))) {
      OkHttpClient client = client(h);
      h.server.enqueue(stream());
      try (Response open = client.newCall(streamRequest(h, "u1")).execute()) {
        assertThat(open.body().source().readByteArray(2048)).hasSize(2048);

        h.engine.close();

        // Written before the sinks drained: in the sink once close() returns.
        List<UsageRecord> rs = h.sink.records();
        assertThat(rs).hasSize(1);
        UsageRecord r = rs.get(0);
        assertThat(r.status()).isEqualTo(CallStatus.CANCELLED);
        assertThat(r.attributes()).containsEntry("abandoned", "engine_closed");
        assertThat(r.usageEstimated()).isTrue();
        assertThat(r.usage().outputTokens()).isPositive();
        // The application may go on reading; its close finds the call finished.
        assertThat(open.body().source().readByteArray(1024)).hasSize(1024);
      }
      assertThat(h.sink.records()).hasSize(1);
    }
  }

  @Test
  void aBodyClosedAfterAPartialReadIsRecordedOnceEvenAfterTheCleanerRuns() throws Exception {
    try (Harness h = new Harness("openai")) {
      OkHttpClient client = client(h);
      h.server.enqueue(stream());
      readHalfAndClose(client, streamRequest(h, "closed"));
      assertThat(recordCount(h)).isEqualTo(1);
      // A second response, dropped: once its record is there the cleaner has run after the first
      // body became unreachable too, and the first call must not have been recorded again.
      h.server.enqueue(stream());
      readHalfAndDrop(client, streamRequest(h, "dropped"));

      gcUntil(() -> recordCount(h) > 1);

      List<UsageRecord> rs = h.records(2);
      assertThat(rs).hasSize(2);
      assertThat(rs.get(0).context().userId()).isEqualTo("closed");
      assertThat(rs.get(0).attributes()).doesNotContainKey("abandoned");
      assertThat(rs.get(0).status()).isEqualTo(CallStatus.CANCELLED);
      assertThat(rs.get(1).context().userId()).isEqualTo("dropped");
      assertThat(rs.get(1).attributes()).containsEntry("abandoned", "unreachable");
      System.gc();
      assertThat(recordCount(h)).isEqualTo(2);
    }
  }

  /**
   * A dropped body's connection goes back to the pool clean, as if the application had closed it:
   * OkHttp 5 otherwise can hand a leaked connection, unread bytes and all, to a later call, which
   * fails with "Unexpected status line" (square/okhttp#9240). Without closing what the dropped body
   * read from, the connection stays allocated to the dead call and is never idle again.
   */
  @Test
  void aDroppedBodysConnectionIsReleasedCleanForTheNextCall() throws Exception {
    try (Harness h = new Harness("openai")) {
      OkHttpClient client = client(h);
      h.server.enqueue(stream());
      readHalfAndDrop(client, streamRequest(h, "dropped"));

      gcUntil(() -> recordCount(h) > 0 && client.connectionPool().idleConnectionCount() == 1);

      assertThat(h.sink.records()).hasSize(1);
      assertThat(client.connectionPool().idleConnectionCount()).isEqualTo(1);
      h.server.enqueue(
          new MockResponse()
              .setHeader("content-type", "application/json")
              .setBody(
                  "{\"id\":\"chatcmpl-2\",\"model\":\"gpt-4o\",\"choices\":[],"
                      + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}"));
      try (Response next = client.newCall(plainChat(h)).execute()) {
        assertThat(next.code()).isEqualTo(200);
        assertThat(next.body().string()).startsWith("{\"id\":\"chatcmpl-2\"");
      }
      h.server.takeRequest();
      // The second exchange on the first connection: the dropped one's was reused, cleanly.
      assertThat(h.server.takeRequest().getSequenceNumber()).isEqualTo(1);
      assertThat(recordCount(h)).isEqualTo(2);
    }
  }

  private static void readHalfAndClose(OkHttpClient client, Request request) throws IOException {
    try (Response r = client.newCall(request).execute()) {
      assertThat(r.body().source().readByteArray(2048)).hasSize(2048);
    }
  }

  /**
   * Many half-read streams, finished at the same time by every path: closed by application threads,
   * dropped for the cleaner while another thread collects garbage, and the engine closed in the
   * middle of it. Every call is recorded exactly once.
   */
  @Test
  void everyCallIsRecordedExactlyOnceWhenCloseCleanerAndEngineCloseRace() throws Exception {
    int calls = 120;
    try (Harness h = new Harness("openai", b -> b.budget(tenantBudget()).queueCapacity(10_000))) {
      h.server.setDispatcher(
          new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
              return stream();
            }
          });
      OkHttpClient client = client(h);
      List<Response> kept = new ArrayList<>();
      for (int i = 0; i < calls; i++) {
        if (i % 2 == 0) {
          readHalfAndDrop(client, streamRequest(h, "u" + i));
        } else {
          Response r = client.newCall(streamRequest(h, "u" + i)).execute();
          r.body().source().readByteArray(2048);
          kept.add(r);
        }
      }
      AtomicBoolean stop = new AtomicBoolean();
      CountDownLatch go = new CountDownLatch(1);
      Thread collector =
          new Thread(
              () -> {
                while (!stop.get()) {
                  System.gc();
                  Thread.onSpinWait();
                }
              });
      List<Thread> closers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        int from = t;
        closers.add(
            new Thread(
                () -> {
                  try {
                    go.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  for (int i = from; i < kept.size(); i += 3) {
                    kept.get(i).close();
                  }
                }));
      }
      collector.start();
      closers.forEach(Thread::start);
      go.countDown();
      h.engine.close();
      for (Thread c : closers) {
        c.join();
      }
      stop.set(true);
      collector.join();

      Map<String, Integer> perUser = new HashMap<>();
      for (UsageRecord r : h.sink.records()) {
        perUser.merge(r.context().userId(), 1, Integer::sum);
      }
      assertThat(perUser).hasSize(calls);
      assertThat(perUser.values()).allMatch(n -> n == 1);
      assertThat(h.sink.records())
          .allMatch(r -> r.status() == CallStatus.CANCELLED, "all cancelled");
      // Every reservation was settled by the record that finished its call.
      BudgetStatus st = h.engine.budgetStatuses().get(0);
      assertThat(st.reserved()).isZero();
      assertThat(st.spent())
          .isEqualByComparingTo(
              h.sink.records().stream()
                  .map(r -> r.cost().total())
                  .reduce(java.math.BigDecimal.ZERO, java.math.BigDecimal::add));
    }
  }
}
