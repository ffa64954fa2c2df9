package dev.attribution.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionScope;
import dev.attribution.api.CallStatus;
import dev.attribution.api.ContextSource;
import dev.attribution.api.CostSource;
import dev.attribution.api.TokenUsage;
import dev.attribution.api.UsageRecord;
import dev.attribution.core.routing.Route;
import dev.attribution.core.routing.RoutingRule;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import okio.Buffer;
import org.junit.jupiter.api.Test;

class PlainOkHttpTest {

  private static final MediaType JSON = MediaType.get("application/json");

  private static Request post(Harness h, String path, String body) {
    return new Request.Builder()
        .url(h.server.url(path))
        .header("Authorization", "Bearer sk-live-abcdefghijklmnop")
        .post(RequestBody.create(body, JSON))
        .build();
  }

  private static MockResponse body(String fixture, String contentType) {
    return new MockResponse()
        .setHeader("content-type", contentType)
        .setBody(new Buffer().write(Harness.fixture(fixture)));
  }

  @Test
  void enqueuedCallsKeepTheContextWhereTheyWereCreated() throws Exception {
    try (Harness h = new Harness("openai")) {
      // One dispatcher thread and one request at a time: later calls are queued and promoted
      // from other calls' threads, far from the scopes that created them.
      okhttp3.Dispatcher dispatcher = new okhttp3.Dispatcher();
      dispatcher.setMaxRequests(1);
      OkHttpClient client =
          AttributionOkHttp.instrument(Harness.client().dispatcher(dispatcher).build(), h.engine);
      int n = 6;
      for (int i = 0; i < n; i++) {
        h.server.enqueue(body("openai-chat.json", "application/json"));
      }
      CountDownLatch done = new CountDownLatch(n);
      for (int i = 0; i < n; i++) {
        try (AttributionScope s =
            Attribution.open(AttributionContext.builder().tenantId("t" + i).build())) {
          client
              .newCall(post(h, "/v1/chat/completions", "{\"model\":\"gpt-4o\",\"messages\":[]}"))
              .enqueue(
                  new Callback() {
                    @Override
                    public void onFailure(Call call, IOException e) {
                      done.countDown();
                    }

                    @Override
                    public void onResponse(Call call, Response response) throws IOException {
                      try (response) {
                        response.body().string();
                      }
                      done.countDown();
                    }
                  });
        }
      }
      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
      List<UsageRecord> rs = h.records(n);
      assertThat(rs)
          .extracting(r -> r.context().tenantId())
          .containsExactlyInAnyOrder("t0", "t1", "t2", "t3", "t4", "t5");
      assertThat(rs).allMatch(r -> r.contextSource() == ContextSource.SCOPE);
    }
  }

  @Test
  void requestTagIsASourceOfContext() throws Exception {
    try (Harness h = new Harness("openai")) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      h.server.enqueue(body("openai-chat.json", "application/json"));
      AttributionContext tagged = AttributionContext.builder().tenantId("tagged").build();
      Request req =
          post(h, "/v1/chat/completions", "{\"model\":\"gpt-4o\"}")
              .newBuilder()
              .tag(AttributionContext.class, tagged)
              .build();
      try (Response r = client.newCall(req).execute()) {
        r.body().string();
      }
      UsageRecord rec = h.onlyRecord();
      assertThat(rec.context()).isEqualTo(tagged);
      assertThat(rec.contextSource()).isEqualTo(ContextSource.TAG);
    }
  }

  @Test
  void anthropicMessagesAndGeminiGenerateContentAreReadWithTheirOwnSemantics() throws Exception {
    try (Harness anthropic = new Harness("anthropic");
        Harness gemini = new Harness("gcp.gemini")) {
      OkHttpClient a =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(anthropic.engine)).build();
      anthropic.server.enqueue(body("anthropic-messages-stream.sse", "text/event-stream"));
      try (Response r =
          a.newCall(
                  post(
                      anthropic,
                      "/v1/messages",
                      "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1024,\"stream\":true,\"messages\":[]}"))
              .execute()) {
        assertThat(r.body().bytes()).isEqualTo(Harness.fixture("anthropic-messages-stream.sse"));
      }
      UsageRecord ar = anthropic.onlyRecord();
      assertThat(ar.operation()).isEqualTo("messages");
      assertThat(ar.usage())
          .isEqualTo(
              TokenUsage.builder()
                  .inputTokens(2520)
                  .cachedInputTokens(2048)
                  .outputTokens(42)
                  .build());
      // Anthropic streams were not touched: include_usage is an OpenAI-only knob.
      assertThat(anthropic.server.takeRequest().getBody().readUtf8())
          .doesNotContain("stream_options");

      OkHttpClient g =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(gemini.engine)).build();
      gemini.server.enqueue(body("gemini-generate.json", "application/json"));
      try (Response r =
          g.newCall(
                  post(
                      gemini,
                      "/v1beta/models/gemini-2.5-flash:generateContent",
                      "{\"contents\":[]}"))
              .execute()) {
        r.body().string();
      }
      UsageRecord gr = gemini.onlyRecord();
      assertThat(gr.requestedModel()).isEqualTo("gemini-2.5-flash");
      assertThat(gr.usage().outputTokens()).isEqualTo(1300);
      assertThat(gr.usage().reasoningTokens()).isEqualTo(1000);
    }
  }

  @Test
  void unrecognisedCallsPassThroughUntouchedAndAreRecordedUnpricedWithoutAProviderWhenAskedFor()
      throws Exception {
    try (Harness h = new Harness("openai", b -> b.recordUnrecognised(true))) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      h.server.enqueue(new MockResponse().setBody("plain"));
      h.server.enqueue(new MockResponse().setBody("listing"));
      try (Response r = client.newCall(post(h, "/v1/files", "{\"a\":1}")).execute()) {
        assertThat(r.body().string()).isEqualTo("plain");
      }
      try (Response r =
          client.newCall(new Request.Builder().url(h.server.url("/v1/models")).build()).execute()) {
        assertThat(r.body().string()).isEqualTo("listing");
      }
      RecordedRequest sent = h.server.takeRequest();
      assertThat(sent.getBody().readUtf8()).isEqualTo("{\"a\":1}");
      List<UsageRecord> rs = h.records(1);
      assertThat(rs).hasSize(1);
      UsageRecord unrecognised = rs.get(0);
      // Unrecognised: no provider, never priced (unknown, not free), the real HTTP status kept.
      assertThat(unrecognised.provider()).isNull();
      assertThat(unrecognised.cost()).isNull();
      assertThat(unrecognised.costSource()).isEqualTo(dev.attribution.api.CostSource.UNPRICED);
      assertThat(unrecognised.httpStatus()).isEqualTo(200);
      assertThat(unrecognised.deployment()).isNull();
    }
  }

  @Test
  void transportFailuresAreRecordedAndRethrownUnchanged() throws Exception {
    try (Harness h = new Harness("openai")) {
      OkHttpClient client =
          Harness.client()
              .readTimeout(200, TimeUnit.MILLISECONDS)
              .addInterceptor(AttributionOkHttp.interceptor(h.engine))
              .build();
      h.server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
      assertThatThrownBy(
              () ->
                  client
                      .newCall(post(h, "/v1/chat/completions", "{\"model\":\"gpt-4o\"}"))
                      .execute())
          .isInstanceOf(InterruptedIOException.class);
      UsageRecord r = h.onlyRecord();
      assertThat(r.status()).isEqualTo(CallStatus.FAILED);
      assertThat(r.errorType()).isEqualTo("SocketTimeoutException");
      // No usage arrived: the input is estimated from the request and the record says so.
      assertThat(r.costSource()).isEqualTo(CostSource.ESTIMATED);
      assertThat(r.cost()).isNotNull();
    }
  }

  @Test
  void routingRuleSendsBackgroundTrafficToACheaperRouteWithItsOwnKey() throws Exception {
    MockWebServer cheap = new MockWebServer();
    cheap.start();
    try (Harness h =
        new Harness(
            "openai",
            b ->
                b.route(
                        Route.builder("cheap")
                            .baseUrl(cheap.url("/compat/v1").toString())
                            .provider("deepseek")
                            .apiKey("sk-route-key-00001111")
                            .mapModel("gpt-4o", "deepseek-chat")
                            .build())
                    .routingRule(
                        RoutingRule.builder("background-to-cheap")
                            .trafficClass(AttributionContext.TRAFFIC_BACKGROUND)
                            .route("cheap")
                            .build()))) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      cheap.enqueue(body("deepseek-chat.json", "application/json"));
      try (AttributionScope s =
          Attribution.open(
              AttributionContext.builder()
                  .tenantId("acme")
                  .trafficClass(AttributionContext.TRAFFIC_BACKGROUND)
                  .build())) {
        try (Response r =
            client
                .newCall(post(h, "/v1/chat/completions", "{\"model\":\"gpt-4o\",\"messages\":[]}"))
                .execute()) {
          r.body().string();
        }
      }
      RecordedRequest sent = cheap.takeRequest();
      assertThat(sent.getPath()).isEqualTo("/compat/v1/chat/completions");
      assertThat(sent.getHeader("Authorization")).isEqualTo("Bearer sk-route-key-00001111");
      assertThat(sent.getBody().readUtf8())
          .isEqualTo("{\"model\":\"deepseek-chat\",\"messages\":[]}");
      assertThat(h.server.getRequestCount()).isZero();
      UsageRecord r = h.onlyRecord();
      assertThat(r.route()).isEqualTo("cheap");
      assertThat(r.routeRule()).isEqualTo("background-to-cheap");
      assertThat(r.provider()).isEqualTo("deepseek");
      assertThat(r.requestedModel()).isEqualTo("gpt-4o");
      assertThat(r.effectiveModel()).isEqualTo("deepseek-chat");
      assertThat(r.usage().cachedInputTokens()).isEqualTo(1536);
      assertThat(r.keyFingerprint()).startsWith("...1111#");
    } finally {
      cheap.shutdown();
    }
  }

  @Test
  void credentialResolverChoosesTheTenantsOwnKey() throws Exception {
    try (Harness h =
        new Harness(
            "openai",
            b ->
                b.credentials(
                    (ctx, provider, route) ->
                        "byok".equals(ctx.tenantId()) ? "sk-tenant-owned-key-9999" : null))) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      h.server.enqueue(body("openai-chat.json", "application/json"));
      h.server.enqueue(body("openai-chat.json", "application/json"));
      for (String tenant : new String[] {"byok", "other"}) {
        try (AttributionScope s =
                Attribution.open(AttributionContext.builder().tenantId(tenant).build());
            Response r =
                client
                    .newCall(post(h, "/v1/chat/completions", "{\"model\":\"gpt-4o\"}"))
                    .execute()) {
          r.body().string();
        }
      }
      assertThat(h.server.takeRequest().getHeader("Authorization"))
          .isEqualTo("Bearer sk-tenant-owned-key-9999");
      assertThat(h.server.takeRequest().getHeader("Authorization"))
          .isEqualTo("Bearer sk-live-abcdefghijklmnop");
      List<UsageRecord> rs = h.records(2);
      assertThat(rs.get(0).keyFingerprint()).startsWith("...9999#");
      assertThat(rs.get(1).keyFingerprint()).startsWith("...mnop#");
      assertThat(rs.toString()).doesNotContain("sk-tenant-owned-key").doesNotContain("sk-live");
    }
  }

  @Test
  void concurrentCallsFromAWrappedExecutorKeepTheirOwnContext() throws Exception {
    try (Harness h = new Harness("openai")) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      int n = 20;
      for (int i = 0; i < n; i++) {
        h.server.enqueue(body("openai-chat.json", "application/json"));
      }
      ExecutorService pool = Attribution.wrap(Executors.newFixedThreadPool(4));
      List<CompletableFuture<String>> fs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        try (AttributionScope s =
            Attribution.open(AttributionContext.builder().tenantId("tenant-" + (i % 3)).build())) {
          fs.add(
              CompletableFuture.supplyAsync(
                  () -> {
                    try (Response r =
                        client
                            .newCall(post(h, "/v1/chat/completions", "{\"model\":\"gpt-4o\"}"))
                            .execute()) {
                      return r.body().string();
                    } catch (IOException e) {
                      throw new IllegalStateException(e);
                    }
                  },
                  pool));
        }
      }
      CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
      pool.shutdown();
      List<UsageRecord> rs = h.records(n);
      assertThat(rs).hasSize(n);
      assertThat(rs.stream().filter(r -> "tenant-0".equals(r.context().tenantId())).count())
          .isEqualTo(7);
      assertThat(new String(Harness.fixture("openai-chat.json"), StandardCharsets.UTF_8))
          .isNotEmpty();
    }
  }
}
