package dev.attribution.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionScope;
import dev.attribution.api.CallStatus;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.core.AttributionEngine;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetPeriod;
import dev.attribution.core.budget.Threshold;
import dev.attribution.okhttp.HostileResponsesTest.Seen;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Consumer;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.mockwebserver.MockResponse;
import okio.Buffer;
import org.junit.jupiter.api.Test;

/** Attacks on the interceptor's promises that found defects, each kept as a regression test. */
class AttackTest {

  private static final String CHAT = "/v1/chat/completions";

  /**
   * An Error a user's listener might throw that is neither an AssertionError nor a LinkageError.
   */
  static final class ListenerError extends Error {
    private static final long serialVersionUID = 1L;

    ListenerError(String message) {
      super(message);
    }
  }

  private static Request post(Harness h, String body) {
    return new Request.Builder()
        .url(h.server.url(CHAT))
        .post(RequestBody.create(body, MediaType.get("application/json")))
        .build();
  }

  private static MockResponse chatJson(byte[] json) {
    return new MockResponse()
        .setHeader("content-type", "application/json")
        .setBody(new Buffer().write(json));
  }

  @Test
  void anErrorFromTheUnpricedModelListenerStillLeavesOneRecordPerCall() throws Exception {
    try (Harness h =
        new Harness(
            "openai",
            b ->
                b.listener(
                    event -> {
                      throw new AssertionError("a user's listener failed");
                    }))) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      byte[] json = Harness.fixture("openai-chat.json");
      byte[] sse = Harness.fixture("openai-chat-stream.sse");
      h.server.enqueue(chatJson(json));
      h.server.enqueue(
          new MockResponse()
              .setHeader("content-type", "text/event-stream")
              .setChunkedBody(new Buffer().write(sse), 64));
      Seen a = Seen.of(client, post(h, "{\"model\":\"no-such-model-1\"}"));
      Seen b = Seen.of(client, post(h, "{\"model\":\"no-such-model-2\",\"stream\":true}"));
      assertThat(a).isEqualTo(new Seen(200, json, ""));
      assertThat(b).isEqualTo(new Seen(200, sse, ""));
      List<UsageRecord> records = h.records(2);
      assertThat(records).hasSize(2);
      assertThat(records)
          .allSatisfy(
              r -> {
                assertThat(r.status()).isEqualTo(CallStatus.OK);
                assertThat(r.cost()).isNull();
                assertThat(r.usage().totalTokens()).isPositive();
              });
    }
  }

  @Test
  void anErrorFromTheBudgetListenerNeitherLosesTheRecordNorOpensTheCap() throws Exception {
    Consumer<AttributionEngine.Builder> budgets =
        builder ->
            builder
                .listener(
                    e -> {
                      throw new ListenerError("a user's budget listener failed on " + e.type());
                    })
                .budget(
                    BudgetDefinition.builder("tenant-daily")
                        .each(ScopeDimension.TENANT)
                        .limit("0.000001")
                        .period(BudgetPeriod.calendarDay(ZoneOffset.UTC))
                        .thresholds(Threshold.notifyAt(50), Threshold.blockAt(100))
                        .build());
    try (Harness h = new Harness("openai", budgets);
        AttributionScope s =
            Attribution.open(AttributionContext.builder().tenantId("acme").build())) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      byte[] json = Harness.fixture("openai-chat.json");
      h.server.enqueue(chatJson(json));
      h.server.enqueue(chatJson(json));
      Seen first =
          Seen.of(client, post(h, "{\"model\":\"gpt-4o\",\"max_tokens\":1,\"messages\":[]}"));
      assertThat(first.code()).isIn(200, 429);
      Seen second =
          Seen.of(client, post(h, "{\"model\":\"gpt-4o\",\"max_tokens\":1,\"messages\":[]}"));
      // The cap is far below one call: whatever the listener throws, nothing reaches upstream.
      assertThat(h.server.getRequestCount()).isZero();
      assertThat(first.code()).isEqualTo(429);
      assertThat(second.code()).isEqualTo(429);
      assertThat(h.records(2))
          .hasSize(2)
          .allSatisfy(r -> assertThat(r.status()).isEqualTo(CallStatus.BLOCKED));
    }
  }

  private static MockResponse error(int status, String json) {
    return new MockResponse()
        .setResponseCode(status)
        .setHeader("content-type", "application/json")
        .setBody(json);
  }

  @Test
  void aProviderErrorCodeIsKeptBesideItsType() throws Exception {
    try (Harness h = new Harness("openai")) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      h.server.enqueue(
          error(
              400,
              "{\"error\":{\"message\":\"This model's maximum context length is 128000"
                  + " tokens.\",\"type\":\"invalid_request_error\",\"param\":\"messages\","
                  + "\"code\":\"context_length_exceeded\"}}"));
      assertThat(Seen.of(client, post(h, "{\"model\":\"gpt-4o\"}")).code()).isEqualTo(400);
      UsageRecord r = h.onlyRecord();
      assertThat(r.errorType()).isEqualTo("invalid_request_error");
      assertThat(r.attributes()).containsEntry("error_code", "context_length_exceeded");
    }
  }

  @Test
  void aGeminiErrorKeepsItsStatusAsTypeAndItsNumberAsCode() throws Exception {
    try (Harness h = new Harness("gemini")) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      h.server.enqueue(
          error(
              429,
              "{\"error\":{\"code\":429,\"message\":\"Resource has been exhausted\","
                  + "\"status\":\"RESOURCE_EXHAUSTED\"}}"));
      Request req =
          new Request.Builder()
              .url(h.server.url("/v1beta/models/gemini-2.0-flash:generateContent"))
              .post(RequestBody.create("{\"contents\":[]}", MediaType.get("application/json")))
              .build();
      assertThat(Seen.of(client, req).code()).isEqualTo(429);
      UsageRecord r = h.onlyRecord();
      assertThat(r.errorType()).isEqualTo("RESOURCE_EXHAUSTED");
      assertThat(r.attributes()).containsEntry("error_code", "429");
    }
  }

  @Test
  void aKeyInAnErrorTypeOrCodeNeverReachesTheRecord() throws Exception {
    String key = "sk-proj-Abcdefghij0123456789Klmnopqrst";
    try (Harness h = new Harness("openai")) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      h.server.enqueue(
          error(401, "{\"error\":{\"type\":\"" + key + "\",\"code\":\"" + key + "x\"}}"));
      h.server.enqueue(error(401, "{\"error\":{\"code\":\"" + key + "\"}}"));
      assertThat(Seen.of(client, post(h, "{\"model\":\"gpt-4o\"}")).code()).isEqualTo(401);
      assertThat(Seen.of(client, post(h, "{\"model\":\"gpt-4o\"}")).code()).isEqualTo(401);
      assertThat(h.records(2))
          .hasSize(2)
          .allSatisfy(
              r -> {
                assertThat(String.valueOf(r.errorType())).doesNotContain("Abcdefghij0123456789");
                assertThat(r.attributes().toString()).doesNotContain("Abcdefghij0123456789");
              });
    }
  }

  private static Consumer<AttributionEngine.Builder> tokenCap(long tokens) {
    return builder ->
        builder
            .listener(e -> {})
            .budget(
                BudgetDefinition.builder("tenant-tokens")
                    .each(ScopeDimension.TENANT)
                    .limit("1000")
                    .tokenLimit(tokens)
                    .period(BudgetPeriod.calendarDay(ZoneOffset.UTC))
                    .thresholds(Threshold.blockAt(100))
                    .build());
  }

  @Test
  void aTokenCapHoldsForRequestsThatSetNoMaxTokens() throws Exception {
    // Each answer has 1163 tokens. Without max_tokens the worst case must still count output (as
    // the money estimate does), or two calls that each reserve only their few input tokens settle
    // past the cap.
    Consumer<AttributionEngine.Builder> budgets = tokenCap(1500);
    try (Harness h = new Harness("openai", budgets);
        AttributionScope s =
            Attribution.open(AttributionContext.builder().tenantId("acme").build())) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      byte[] json = Harness.fixture("openai-chat.json");
      for (int i = 0; i < 3; i++) {
        h.server.enqueue(chatJson(json));
      }
      for (int i = 0; i < 3; i++) {
        Seen.of(
            client,
            post(
                h, "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
      }
      h.records(3);
      assertThat(h.engine.budgetStatuses())
          .singleElement()
          .satisfies(st -> assertThat(st.spentTokens()).isLessThanOrEqualTo(1500));
    }
  }

  @Test
  void aTokenCapHoldsForAnUnreadableRequestBody() throws Exception {
    // A one-shot body cannot be read ahead, so its input is unknown: it must reserve as much as
    // a full context window, not zero input tokens.
    Consumer<AttributionEngine.Builder> budgets = tokenCap(100_000);
    try (Harness h = new Harness("openai", budgets);
        AttributionScope s =
            Attribution.open(AttributionContext.builder().tenantId("acme").build())) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      h.server.enqueue(
          chatJson(
              ("{\"id\":\"c\",\"object\":\"chat.completion\",\"model\":\"gpt-4o\","
                      + "\"choices\":[],\"usage\":{\"prompt_tokens\":150000,"
                      + "\"completion_tokens\":10,\"total_tokens\":150010}}")
                  .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      byte[] padded =
          ("{\"model\":\"gpt-4o\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\","
                  + "\"content\":\""
                  + "word ".repeat(150_000)
                  + "\"}]}")
              .getBytes(java.nio.charset.StandardCharsets.UTF_8);
      RequestBody oneShot =
          new RequestBody() {
            @Override
            public MediaType contentType() {
              return MediaType.get("application/json");
            }

            @Override
            public boolean isOneShot() {
              return true;
            }

            @Override
            public void writeTo(okio.BufferedSink sink) throws java.io.IOException {
              sink.write(padded);
            }
          };
      Seen.of(client, new Request.Builder().url(h.server.url(CHAT)).post(oneShot).build());
      h.records(1);
      assertThat(h.engine.budgetStatuses())
          .singleElement()
          .satisfies(st -> assertThat(st.spentTokens()).isLessThanOrEqualTo(100_000));
    }
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {"2147483647", "-5", "99999999999999", "-2147483648"})
  void aHostileRetryCountStillLeavesARecordWithAPositiveAttempt(String retryCount)
      throws Exception {
    try (Harness h = new Harness("openai")) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      byte[] json = Harness.fixture("openai-chat.json");
      h.server.enqueue(chatJson(json));
      Request req =
          post(h, "{\"model\":\"gpt-4o\"}")
              .newBuilder()
              .header("x-stainless-retry-count", retryCount)
              .build();
      assertThat(Seen.of(client, req)).isEqualTo(new Seen(200, json, ""));
      assertThat(h.onlyRecord().attempt()).isPositive();
    }
  }

  @Test
  void aRequestBodyWhoseWriteToThrowsFailsTheSameWithTheInterceptor() throws Exception {
    RequestBody broken =
        new RequestBody() {
          @Override
          public MediaType contentType() {
            return MediaType.get("application/json");
          }

          @Override
          public void writeTo(okio.BufferedSink sink) throws java.io.IOException {
            sink.writeUtf8("{\"model\":");
            throw new java.io.IOException("the app's body failed");
          }
        };
    try (Harness h = new Harness("openai")) {
      OkHttpClient plain = Harness.client().build();
      OkHttpClient instrumented =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      byte[] json = Harness.fixture("openai-chat.json");
      h.server.enqueue(chatJson(json));
      h.server.enqueue(chatJson(json));
      Request req = new Request.Builder().url(h.server.url(CHAT)).post(broken).build();
      Seen without = Seen.of(plain, req);
      Seen with = Seen.of(instrumented, req);
      assertThat(with).isEqualTo(without);
    }
  }

  @Test
  void aHugeAttributionHeaderIsBoundedInTheRecord() throws Exception {
    try (Harness h = new Harness("openai")) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      byte[] json = Harness.fixture("openai-chat.json");
      h.server.enqueue(chatJson(json));
      Request req =
          post(h, "{\"model\":\"gpt-4o\"}")
              .newBuilder()
              .headers(
                  new okhttp3.Headers.Builder()
                      .add("x-attribution-tenant", "t".repeat(100_000))
                      .addUnsafeNonAscii("x-attribution-user", "u\u00e9\u0007\u202e")
                      .build())
              .build();
      assertThat(Seen.of(client, req)).isEqualTo(new Seen(200, json, ""));
      UsageRecord r = h.onlyRecord();
      assertThat(String.valueOf(r.context())).hasSizeLessThan(2_000);
    }
  }

  @Test
  void aClockRunningBackwardsNeverGivesNegativeTimes() throws Exception {
    java.util.concurrent.atomic.AtomicLong millis =
        new java.util.concurrent.atomic.AtomicLong(1_800_000_000_000L);
    java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong(0);
    java.time.Clock backwards =
        new java.time.Clock() {
          @Override
          public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
          }

          @Override
          public java.time.Instant instant() {
            return java.time.Instant.ofEpochMilli(millis.getAndAdd(-3_600_000L));
          }
        };
    try (Harness h =
        new Harness(
            "openai", b -> b.clock(backwards).nanoTime(() -> nanos.getAndAdd(-1_000_000_000L)))) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      byte[] json = Harness.fixture("openai-chat.json");
      h.server.enqueue(chatJson(json));
      assertThat(Seen.of(client, post(h, "{\"model\":\"gpt-4o\"}")))
          .isEqualTo(new Seen(200, json, ""));
      UsageRecord r = h.onlyRecord();
      assertThat(r.endedAt()).isAfterOrEqualTo(r.startedAt());
      assertThat(r.latency().isNegative()).isFalse();
      if (r.timeToFirstByte() != null) {
        assertThat(r.timeToFirstByte().isNegative()).isFalse();
      }
    }
  }

  private static byte[] gzip(byte[] in) {
    try {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out)) {
        gz.write(in);
      }
      return out.toByteArray();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Responses whose headers lie about their body. */
  static MockResponse lying(String kind) {
    byte[] json = Harness.fixture("openai-chat.json");
    MockResponse r = new MockResponse().setHeader("content-type", "application/json");
    switch (kind) {
      case "utf16-label":
        return r.setHeader("content-type", "application/json; charset=utf-16")
            .setBody(new Buffer().write(json));
      case "double-gzip":
        return r.setHeader("content-encoding", "gzip, gzip")
            .setBody(new Buffer().write(gzip(gzip(json))));
      case "gzip-twice-header":
        return r.addHeader("content-encoding", "gzip")
            .addHeader("content-encoding", "gzip")
            .setBody(new Buffer().write(gzip(gzip(json))));
      case "length-too-small":
        return r.setBody(new Buffer().write(json)).setHeader("content-length", "40");
      case "length-too-large":
        return r.setBody(new Buffer().write(json))
            .setHeader("content-length", Integer.toString(json.length + 500))
            .setSocketPolicy(okhttp3.mockwebserver.SocketPolicy.DISCONNECT_AT_END);
      case "204-with-body":
        return r.setResponseCode(204).setBody(new Buffer().write(json));
      case "chunked-and-length":
        return r.setChunkedBody(new Buffer().write(json), 50).addHeader("content-length", "10");
      case "event-stream-label-on-json":
        return r.setHeader("content-type", "text/event-stream").setBody(new Buffer().write(json));
      default:
        throw new IllegalArgumentException(kind);
    }
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {
        "utf16-label",
        "double-gzip",
        "gzip-twice-header",
        "length-too-small",
        "length-too-large",
        "204-with-body",
        "chunked-and-length",
        "event-stream-label-on-json"
      })
  void lyingResponseHeadersGiveTheAppTheSameOutcome(String kind) throws Exception {
    try (Harness h = new Harness("openai")) {
      OkHttpClient plain = Harness.client().build();
      OkHttpClient instrumented =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      h.server.enqueue(lying(kind));
      h.server.enqueue(lying(kind));
      Request req = post(h, "{\"model\":\"gpt-4o\"}");
      Seen without = Seen.of(plain, req);
      Seen with = Seen.of(instrumented, req);
      assertThat(with).isEqualTo(without);
      assertThat(h.records(1)).hasSize(1);
    }
  }

  @Test
  void anErrorFromTheCredentialResolverNeitherLosesTheRecordNorTheDowngrade() throws Exception {
    Consumer<AttributionEngine.Builder> budgets =
        builder ->
            builder
                .listener(event -> {})
                .budget(
                    BudgetDefinition.builder("tenant-daily")
                        .each(ScopeDimension.TENANT)
                        .limit("0.001")
                        .period(BudgetPeriod.calendarDay(ZoneOffset.UTC))
                        .thresholds(Threshold.downgradeAt(1), Threshold.blockAt(100000))
                        .downgrade("gpt-4o", "gpt-4o-mini")
                        .build());
    try (Harness h =
            new Harness(
                "openai",
                budgets.andThen(
                    c ->
                        c.credentials(
                            (ctx, provider, route) -> {
                              throw new ListenerError("a user's resolver failed");
                            })));
        AttributionScope s =
            Attribution.open(AttributionContext.builder().tenantId("acme").build())) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      byte[] json = Harness.fixture("openai-chat.json");
      h.server.enqueue(chatJson(json));
      assertThat(
              Seen.of(client, post(h, "{\"model\":\"gpt-4o\",\"max_tokens\":1,\"messages\":[]}")))
          .isEqualTo(new Seen(200, json, ""));
      assertThat(h.server.takeRequest().getBody().readUtf8()).contains("gpt-4o-mini");
      assertThat(h.onlyRecord().effectiveModel()).isEqualTo("gpt-4o-mini");
    }
  }

  @Test
  void aStreamTheAppNeverClosesIsChargedInFullAfterTheReservationTimeout() throws Exception {
    java.util.concurrent.atomic.AtomicLong now =
        new java.util.concurrent.atomic.AtomicLong(1_800_000_000_000L);
    java.time.Clock clock =
        new java.time.Clock() {
          @Override
          public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
          }

          @Override
          public java.time.Instant instant() {
            return java.time.Instant.ofEpochMilli(now.get());
          }
        };
    Consumer<AttributionEngine.Builder> budgets =
        builder ->
            builder
                .listener(event -> {})
                .clock(clock)
                .reservationTimeout(java.time.Duration.ofMinutes(10))
                .budget(
                    BudgetDefinition.builder("tenant-daily")
                        .each(ScopeDimension.TENANT)
                        .limit("100")
                        .period(BudgetPeriod.calendarDay(ZoneOffset.UTC))
                        .thresholds(Threshold.blockAt(100))
                        .build());
    try (Harness h = new Harness("openai", budgets);
        AttributionScope s =
            Attribution.open(AttributionContext.builder().tenantId("acme").build())) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      byte[] sse = Harness.fixture("openai-chat-stream.sse");
      h.server.enqueue(
          new MockResponse()
              .setHeader("content-type", "text/event-stream")
              .setChunkedBody(new Buffer().write(sse), 64));
      h.server.enqueue(chatJson(Harness.fixture("openai-chat.json")));
      // The app reads the first bytes of a stream and then forgets the response without closing.
      okhttp3.Response abandoned =
          client
              .newCall(post(h, "{\"model\":\"gpt-4o\",\"max_tokens\":100,\"stream\":true}"))
              .execute();
      assertThat(abandoned.body().source().readByteArray(16)).hasSize(16);
      assertThat(h.engine.budgetStatuses().get(0).reserved()).isPositive();
      now.addAndGet(java.time.Duration.ofMinutes(11).toMillis());
      Seen.of(client, post(h, "{\"model\":\"gpt-4o\",\"max_tokens\":100}"));
      h.records(1);
      dev.attribution.api.budget.BudgetStatus st = h.engine.budgetStatuses().get(0);
      // The second call settled its real cost; the abandoned one is charged its worst case, so
      // its headroom is never handed to other calls.
      assertThat(st.reserved()).isZero();
      assertThat(st.spent()).isGreaterThan(h.records(1).get(0).cost().total());
      abandoned.close();
    }
  }

  @Test
  void aRoutesKeyNeverFollowsARedirectToAnotherHost() throws Exception {
    String routeKey = "sk-ant-route-key-0123456789abcdef";
    try (okhttp3.mockwebserver.MockWebServer target = new okhttp3.mockwebserver.MockWebServer();
        okhttp3.mockwebserver.MockWebServer elsewhere = new okhttp3.mockwebserver.MockWebServer()) {
      target.start();
      elsewhere.start(java.net.InetAddress.getByName("127.0.0.2"), 0);
      dev.attribution.core.routing.Route route =
          dev.attribution.core.routing.Route.builder("alt")
              .baseUrl(target.url("/").toString())
              .provider("anthropic")
              .apiKey(routeKey)
              .build();
      try (Harness h =
          new Harness(
              "anthropic",
              b ->
                  b.route(route)
                      .routingRule(
                          dev.attribution.core.routing.RoutingRule.builder("all")
                              .route("alt")
                              .build()))) {
        OkHttpClient client =
            Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
        target.enqueue(
            new MockResponse()
                .setResponseCode(307)
                .setHeader("location", elsewhere.url("/v1/messages").toString()));
        elsewhere.enqueue(
            new MockResponse().setHeader("content-type", "application/json").setBody("{}"));
        Request req =
            new Request.Builder()
                .url(h.server.url("/v1/messages"))
                .post(
                    RequestBody.create(
                        "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":1,\"messages\":[]}",
                        MediaType.get("application/json")))
                .build();
        // The redirect to another origin reaches the application as the route's upstream sent
        // it; neither the route's key nor the prompt goes to the host it names.
        assertThat(Seen.of(client, req).code()).isEqualTo(307);
        assertThat(target.takeRequest().getHeader("x-api-key")).isEqualTo(routeKey);
        assertThat(elsewhere.getRequestCount()).isZero();
        assertThat(h.onlyRecord().httpStatus()).isEqualTo(307);
      }
    }
  }

  @Test
  void aLargeBodyOfUnknownLengthReachesUpstreamWhole() throws Exception {
    long size = 20L * 1024 * 1024;
    RequestBody big =
        new RequestBody() {
          @Override
          public MediaType contentType() {
            return MediaType.get("application/json");
          }

          @Override
          public void writeTo(okio.BufferedSink sink) throws java.io.IOException {
            byte[] chunk = new byte[8192];
            java.util.Arrays.fill(chunk, (byte) ' ');
            String head = "{\"model\":\"gpt-4o\",\"pad\":\"";
            sink.writeUtf8(head);
            long left = size - head.length() - 2;
            while (left > 0) {
              int n = (int) Math.min(chunk.length, left);
              sink.write(chunk, 0, n);
              left -= n;
            }
            sink.writeUtf8("\"}");
          }
        };
    try (Harness h = new Harness("openai")) {
      h.server.setBodyLimit(0);
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      byte[] json = Harness.fixture("openai-chat.json");
      h.server.enqueue(chatJson(json));
      assertThat(Seen.of(client, new Request.Builder().url(h.server.url(CHAT)).post(big).build()))
          .isEqualTo(new Seen(200, json, ""));
      assertThat(h.server.takeRequest().getBodySize()).isEqualTo(size);
      assertThat(h.records(1)).hasSize(1);
    }
  }

  @Test
  void aOneShotBodyIsNeverReplayedToTheFailoverRoute() throws Exception {
    java.util.concurrent.atomic.AtomicInteger writes =
        new java.util.concurrent.atomic.AtomicInteger();
    RequestBody oneShot =
        new RequestBody() {
          @Override
          public MediaType contentType() {
            return MediaType.get("application/json");
          }

          @Override
          public boolean isOneShot() {
            return true;
          }

          @Override
          public void writeTo(okio.BufferedSink sink) throws java.io.IOException {
            if (writes.incrementAndGet() > 1) {
              throw new IllegalStateException("one-shot body written twice");
            }
            sink.writeUtf8("{\"model\":\"gpt-4o\"}");
          }
        };
    try (okhttp3.mockwebserver.MockWebServer backup = new okhttp3.mockwebserver.MockWebServer()) {
      backup.start();
      try (Harness h =
          new Harness(
              "openai",
              b ->
                  b.route(
                          dev.attribution.core.routing.Route.builder("backup")
                              .baseUrl(backup.url("/v1").toString())
                              .provider("openai")
                              .build())
                      .failover("backup", true, 503))) {
        OkHttpClient client =
            Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
        h.server.enqueue(new MockResponse().setResponseCode(503).setBody("{}"));
        backup.enqueue(chatJson(Harness.fixture("openai-chat.json")));
        Seen seen =
            Seen.of(client, new Request.Builder().url(h.server.url(CHAT)).post(oneShot).build());
        // Without the interceptor the app sees the 503; a replay would write the body twice.
        assertThat(writes.get()).isEqualTo(1);
        assertThat(seen.code()).isEqualTo(503);
      }
    }
  }
}
