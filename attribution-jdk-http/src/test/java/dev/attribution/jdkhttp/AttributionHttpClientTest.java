package dev.attribution.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionHeaders;
import dev.attribution.api.AttributionScope;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.CallStatus;
import dev.attribution.api.ContextSource;
import dev.attribution.api.TokenUsage;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.contract.Loopback;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetPeriod;
import dev.attribution.core.budget.Threshold;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;

/** The JDK HttpClient wrapper against a loopback provider. */
class AttributionHttpClientTest {

  static final AttributionContext ACME =
      AttributionContext.builder()
          .tenantId("acme")
          .userId("u-1")
          .feature("support-chat")
          .tag("plan", "pro")
          .build();

  static final String CHAT =
      "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}";

  static MockResponse json(String fixture) {
    return new MockResponse()
        .setHeader("content-type", "application/json")
        .setHeader("x-request-id", "req_abc")
        .setBody(Loopback.fixture(fixture));
  }

  static MockResponse sse(String fixture) {
    return new MockResponse()
        .setHeader("content-type", "text/event-stream")
        .setChunkedBody(Loopback.fixture(fixture), 97);
  }

  static HttpRequest.Builder post(Loopback h, String path, String body) {
    return HttpRequest.newBuilder(h.server.url(path).uri())
        .header("content-type", "application/json")
        .header("authorization", "Bearer sk-test-0123456789abcdef")
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  private static HttpClient client(Loopback h) {
    return AttributionHttpClient.wrap(HttpClient.newHttpClient(), h.engine);
  }

  @Test
  void sendDeliversTheBodyUnchangedAndRecordsUsageFromTheThreadScope() throws Exception {
    try (Loopback h = new Loopback("openai", b -> {})) {
      h.server.enqueue(json("openai-chat.json"));
      HttpResponse<String> resp;
      try (AttributionScope s = Attribution.open(ACME)) {
        resp =
            client(h)
                .send(
                    post(h, "/v1/chat/completions", CHAT).build(),
                    HttpResponse.BodyHandlers.ofString());
      }
      assertThat(resp.statusCode()).isEqualTo(200);
      assertThat(resp.body()).isEqualTo(Loopback.fixture("openai-chat.json"));
      UsageRecord r = h.onlyRecord();
      assertThat(r.context()).isEqualTo(ACME);
      assertThat(r.contextSource()).isEqualTo(ContextSource.SCOPE);
      assertThat(r.provider()).isEqualTo("openai");
      assertThat(r.requestedModel()).isEqualTo("gpt-4o");
      assertThat(r.usage())
          .isEqualTo(
              TokenUsage.builder()
                  .inputTokens(1117)
                  .cachedInputTokens(1024)
                  .outputTokens(46)
                  .build());
      assertThat(r.cost()).isNotNull();
      assertThat(r.cost().total()).isPositive();
      assertThat(r.status()).isEqualTo(CallStatus.OK);
      assertThat(r.keyFingerprint()).isNotNull().doesNotContain("sk-test");
    }
  }

  @Test
  void sendAsyncTakesContextFromHeadersThatNeverLeaveTheProcess() throws Exception {
    try (Loopback h = new Loopback("openai", b -> {})) {
      h.server.enqueue(json("openai-chat.json"));
      HttpRequest.Builder req = post(h, "/v1/chat/completions", CHAT);
      AttributionHeaders.toHeaders(ACME).forEach(req::header);
      HttpResponse<byte[]> resp =
          client(h)
              .sendAsync(req.build(), HttpResponse.BodyHandlers.ofByteArray())
              .get(10, TimeUnit.SECONDS);
      assertThat(resp.statusCode()).isEqualTo(200);
      RecordedRequest sent = h.server.takeRequest();
      assertThat(sent.getHeaders().names())
          .noneMatch(n -> n.toLowerCase(Locale.ROOT).startsWith("x-attribution-"));
      UsageRecord r = h.onlyRecord();
      assertThat(r.context()).isEqualTo(ACME);
      assertThat(r.contextSource()).isEqualTo(ContextSource.HEADER);
      assertThat(r.usage().inputTokens()).isEqualTo(1117);
    }
  }

  @Test
  void streamedChatIsReadAsTheApplicationReadsItAndAsksForUsage() throws Exception {
    try (Loopback h = new Loopback("openai", b -> {})) {
      h.server.enqueue(sse("openai-chat-stream.sse"));
      String body = CHAT.replace("\"gpt-4o\"", "\"gpt-4o-mini\",\"stream\":true");
      HttpResponse<java.util.stream.Stream<String>> resp;
      String text;
      try (AttributionScope s = Attribution.open(ACME)) {
        resp =
            client(h)
                .send(
                    post(h, "/v1/chat/completions", body).build(),
                    HttpResponse.BodyHandlers.ofLines());
        text = resp.body().collect(Collectors.joining("\n"));
      }
      assertThat(text).contains("[DONE]");
      assertThat(h.server.takeRequest().getBody().readUtf8()).contains("include_usage");
      UsageRecord r = h.onlyRecord();
      assertThat(r.streaming()).isTrue();
      assertThat(r.usage()).isEqualTo(TokenUsage.of(19, 10));
      assertThat(r.usageEstimated()).isFalse();
      assertThat(r.status()).isEqualTo(CallStatus.OK);
    }
  }

  @Test
  void abandonedInputStreamIsRecordedOnceWhenClosed() throws Exception {
    try (Loopback h = new Loopback("anthropic", b -> {})) {
      h.server.enqueue(sse("anthropic-messages-stream.sse"));
      String body =
          "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1024,\"stream\":true,"
              + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
      HttpResponse<InputStream> resp =
          client(h)
              .send(
                  post(h, "/v1/messages", body).build(), HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = resp.body();
          BufferedReader reader =
              new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        assertThat(reader.readLine()).isEqualTo("event: message_start");
      }
      UsageRecord r = h.onlyRecord();
      assertThat(r.streaming()).isTrue();
      assertThat(r.status()).isIn(CallStatus.CANCELLED, CallStatus.OK);
      assertThat(h.records(1)).hasSize(1);
    }
  }

  @Test
  void blockedCallIsAnsweredLocallyThroughTheApplicationsHandler() throws Exception {
    BudgetDefinition tiny =
        BudgetDefinition.builder("tenant-daily")
            .each(ScopeDimension.TENANT)
            .limit("0.000001")
            .period(BudgetPeriod.calendarDay(ZoneOffset.UTC))
            .build();
    try (Loopback h = new Loopback("openai", b -> b.budget(tiny))) {
      HttpResponse<String> resp;
      try (AttributionScope s = Attribution.open(ACME)) {
        resp =
            client(h)
                .sendAsync(
                    post(h, "/v1/chat/completions", CHAT).build(),
                    HttpResponse.BodyHandlers.ofString())
                .get(10, TimeUnit.SECONDS);
      }
      assertThat(resp.statusCode()).isEqualTo(429);
      assertThat(resp.headers().firstValue("x-should-retry")).hasValue("false");
      assertThat(resp.body()).contains("tenant-daily");
      assertThat(h.server.getRequestCount()).isZero();
      UsageRecord r = h.onlyRecord();
      assertThat(r.status()).isEqualTo(CallStatus.BLOCKED);
      assertThat(r.budgetAction()).isEqualTo(BudgetAction.BLOCK);
    }
  }

  @Test
  void downgradeRewritesTheBodyTheProviderReceives() throws Exception {
    BudgetDefinition monthly =
        BudgetDefinition.builder("tenant-monthly")
            .each(ScopeDimension.TENANT)
            .limit("0.000001")
            .period(BudgetPeriod.calendarMonth(ZoneOffset.UTC))
            .thresholds(Threshold.downgradeAt(1), Threshold.blockAt(1_000_000_000))
            .downgrade("gpt-4o", "gpt-4o-mini")
            .build();
    try (Loopback h = new Loopback("openai", b -> b.budget(monthly))) {
      h.server.enqueue(json("openai-chat.json"));
      try (AttributionScope s = Attribution.open(ACME)) {
        client(h)
            .send(
                post(h, "/v1/chat/completions", CHAT).build(),
                HttpResponse.BodyHandlers.ofString());
      }
      RecordedRequest sent = h.server.takeRequest();
      String body = sent.getBody().readUtf8();
      assertThat(body).contains("\"gpt-4o-mini\"");
      assertThat(sent.getHeader("content-length")).isEqualTo(Integer.toString(body.length()));
      UsageRecord r = h.onlyRecord();
      assertThat(r.budgetAction()).isEqualTo(BudgetAction.DOWNGRADE);
      assertThat(r.effectiveModel()).isEqualTo("gpt-4o-mini");
    }
  }

  @Test
  void unrecognisedTrafficPassesThroughUnread() throws Exception {
    try (Loopback h = new Loopback("openai", b -> {})) {
      h.server.enqueue(new MockResponse().setBody("plain"));
      HttpResponse<String> resp =
          client(h)
              .send(
                  HttpRequest.newBuilder(h.server.url("/health").uri()).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(resp.body()).isEqualTo("plain");
      h.engine.flush(java.time.Duration.ofSeconds(5));
      assertThat(h.sink.records()).isEmpty();
    }
  }

  @Test
  void closingTheWrapperBeforeJava21IsANoOpAndShutdownSaysItNeeds21() throws Exception {
    try (Loopback h = new Loopback("openai", b -> {})) {
      AttributionHttpClient c = AttributionHttpClient.wrap(HttpClient.newHttpClient(), h.engine);
      if (Runtime.version().feature() < 21) {
        c.close();
        org.assertj.core.api.Assertions.assertThatThrownBy(c::shutdown)
            .isInstanceOf(UnsupportedOperationException.class);
      } else {
        c.close();
        assertThat(c.isTerminated()).isTrue();
      }
    }
  }
}
