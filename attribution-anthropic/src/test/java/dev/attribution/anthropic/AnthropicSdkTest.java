package dev.attribution.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.RateLimitException;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionScope;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.CallStatus;
import dev.attribution.api.ContextSource;
import dev.attribution.api.CostSource;
import dev.attribution.api.TokenUsage;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.contract.Loopback;
import dev.attribution.contract.TransportContractTest;
import dev.attribution.core.AttributionEngine;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetPeriod;
import dev.attribution.core.budget.Threshold;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The real anthropic-java SDK against a loopback Anthropic, with the interceptor installed. */
class AnthropicSdkTest {

  static final AttributionContext ACME = TransportContractTest.CONTEXT;

  /** A daily budget per tenant that no call fits in. */
  private static final BudgetDefinition TINY_DAILY =
      BudgetDefinition.builder("tenant-daily")
          .each(ScopeDimension.TENANT)
          .limit("0.000001")
          .period(BudgetPeriod.calendarDay(ZoneOffset.UTC))
          .build();

  private Loopback h = new Loopback("anthropic", b -> {});
  private AnthropicClient client = client(h, 2);

  static AnthropicClient client(Loopback h, int maxRetries) {
    return AnthropicOkHttpClient.builder()
        .baseUrl(h.baseUrl())
        .apiKey("sk-ant-test-0123456789abcdef")
        .maxRetries(maxRetries)
        .addInterceptor(AnthropicAttribution.interceptor(h.engine))
        .build();
  }

  private void restart(Consumer<AttributionEngine.Builder> customize) throws Exception {
    client.close();
    h.close();
    h = new Loopback("anthropic", b -> customize.accept(b));
    client = client(h, 2);
  }

  @AfterEach
  void close() throws Exception {
    client.close();
    h.close();
  }

  static MockResponse json(String fixture) {
    return new MockResponse()
        .setHeader("content-type", "application/json")
        .setHeader("request-id", "req_011CSHoEeqs5C35K2UUqR7Fy")
        .setBody(Loopback.fixture(fixture));
  }

  static MockResponse sse(String fixture) {
    return new MockResponse()
        .setHeader("content-type", "text/event-stream; charset=utf-8")
        .setChunkedBody(Loopback.fixture(fixture), 97);
  }

  static MessageCreateParams params(String model) {
    return MessageCreateParams.builder()
        .model(model)
        .maxTokens(1024)
        .addUserMessage("Hello, Claude")
        .build();
  }

  @Test
  void syncMessageIsAttributedFromTheThreadScopeWithEveryTokenCategoryPriced() throws Exception {
    h.server.enqueue(json("anthropic-messages.json"));
    Message m;
    try (AttributionScope s = Attribution.open(ACME)) {
      m = client.messages().create(params("claude-sonnet-4-5"));
    }
    assertThat(m.content().get(0).text().orElseThrow().text()).isEqualTo("Hi! My name is Claude.");

    UsageRecord r = h.onlyRecord();
    assertThat(r.context()).isEqualTo(ACME);
    assertThat(r.contextSource()).isEqualTo(ContextSource.SCOPE);
    assertThat(r.provider()).isEqualTo("anthropic");
    assertThat(r.requestedModel()).isEqualTo("claude-sonnet-4-5");
    assertThat(r.responseModel()).isEqualTo("claude-sonnet-4-5-20250929");
    // input_tokens excludes cache reads and writes: the record's input is all of them.
    assertThat(r.usage())
        .isEqualTo(
            TokenUsage.builder()
                .inputTokens(2095 + 10000 + 3000)
                .cachedInputTokens(10000)
                .cacheWrite5mTokens(2000)
                .cacheWrite1hTokens(1000)
                .outputTokens(503)
                .build());
    assertThat(r.costSource()).isEqualTo(CostSource.COMPUTED);
    assertThat(r.cost()).isNotNull();
    assertThat(r.cost().total()).isPositive();
    assertThat(r.status()).isEqualTo(CallStatus.OK);
    assertThat(r.httpStatus()).isEqualTo(200);
    assertThat(r.attempt()).isEqualTo(1);
    assertThat(r.streaming()).isFalse();
    assertThat(r.providerRequestId()).isEqualTo("msg_013Zva2CMHLNnXjNJJKqJ2EF");
    assertThat(r.keyFingerprint()).isNotNull().doesNotContain("sk-ant");
    assertThat(r.timeToFirstByte()).isNotNull();
  }

  @Test
  void asyncMessageCarriesContextInHeadersThatNeverLeaveTheProcess() throws Exception {
    h.server.enqueue(json("anthropic-messages.json"));
    MessageCreateParams p =
        params("claude-sonnet-4-5").toBuilder()
            .putAllAdditionalHeaders(AnthropicAttribution.headers(ACME))
            .build();
    // No scope is open: the async client's threads could not see one anyway.
    Message m = client.async().messages().create(p).get(10, TimeUnit.SECONDS);
    assertThat(m.id()).isEqualTo("msg_013Zva2CMHLNnXjNJJKqJ2EF");

    RecordedRequest sent = h.server.takeRequest();
    assertThat(sent.getHeaders().names())
        .noneMatch(n -> n.toLowerCase(Locale.ROOT).startsWith("x-attribution-"));
    UsageRecord r = h.onlyRecord();
    assertThat(r.context()).isEqualTo(ACME);
    assertThat(r.contextSource()).isEqualTo(ContextSource.HEADER);
    assertThat(r.usage().outputTokens()).isEqualTo(503);
  }

  @Test
  void streamingMessageKeepsTheLastCumulativeOutputCount() throws Exception {
    h.server.enqueue(sse("anthropic-messages-stream.sse"));
    StringBuilder text = new StringBuilder();
    try (AttributionScope s = Attribution.open(ACME);
        StreamResponse<RawMessageStreamEvent> stream =
            client.messages().createStreaming(params("claude-sonnet-4-5"))) {
      stream.stream()
          .forEach(
              e ->
                  e.contentBlockDelta()
                      .ifPresent(d -> d.delta().text().ifPresent(t -> text.append(t.text()))));
    }
    assertThat(text.toString()).isEqualTo("Hello! How can I help?");
    UsageRecord r = h.onlyRecord();
    assertThat(r.streaming()).isTrue();
    assertThat(r.context()).isEqualTo(ACME);
    assertThat(r.usage())
        .isEqualTo(
            TokenUsage.builder()
                .inputTokens(472 + 2048)
                .cachedInputTokens(2048)
                .outputTokens(42)
                .build());
    assertThat(r.usageEstimated()).isFalse();
    assertThat(r.status()).isEqualTo(CallStatus.OK);
    assertThat(r.cost()).isNotNull();
  }

  @Test
  void asyncStreamingWithHeaderContextIsRecordedOnce() throws Exception {
    h.server.enqueue(sse("anthropic-messages-stream.sse"));
    MessageCreateParams p =
        params("claude-sonnet-4-5").toBuilder()
            .putAllAdditionalHeaders(AnthropicAttribution.headers(ACME))
            .build();
    StringBuilder text = new StringBuilder();
    client
        .async()
        .messages()
        .createStreaming(p)
        .subscribe(
            e ->
                e.contentBlockDelta()
                    .ifPresent(d -> d.delta().text().ifPresent(t -> text.append(t.text()))))
        .onCompleteFuture()
        .get(10, TimeUnit.SECONDS);
    assertThat(text.toString()).isEqualTo("Hello! How can I help?");
    UsageRecord r = h.onlyRecord();
    assertThat(r.context()).isEqualTo(ACME);
    assertThat(r.contextSource()).isEqualTo(ContextSource.HEADER);
    assertThat(r.usage().outputTokens()).isEqualTo(42);
    assertThat(r.status()).isEqualTo(CallStatus.OK);
  }

  @Test
  void eachRetryAttemptIsOneRecordNumberedByTheSdk() throws Exception {
    h.server.enqueue(
        new MockResponse()
            .setResponseCode(529)
            .setHeader("content-type", "application/json")
            .setHeader("retry-after-ms", "1")
            .setBody(Loopback.fixture("anthropic-error-529.json")));
    h.server.enqueue(json("anthropic-messages.json"));
    try (AttributionScope s = Attribution.open(ACME)) {
      client.messages().create(params("claude-sonnet-4-5"));
    }
    assertThat(h.server.getRequestCount()).isEqualTo(2);
    List<UsageRecord> rs = h.records(2);
    assertThat(rs).hasSize(2);
    assertThat(rs).extracting(UsageRecord::attempt).containsExactly(1, 2);
    assertThat(rs.get(0).status()).isEqualTo(CallStatus.UPSTREAM_ERROR);
    assertThat(rs.get(0).httpStatus()).isEqualTo(529);
    assertThat(rs.get(0).errorType()).isEqualTo("overloaded_error");
    assertThat(rs.get(0).usage().isZero()).isTrue();
    assertThat(rs.get(1).status()).isEqualTo(CallStatus.OK);
    assertThat(rs.get(1).usage().outputTokens()).isEqualTo(503);
    assertThat(rs).allMatch(r -> "acme".equals(r.context().tenantId()));
  }

  @Test
  void blockedCallSurfacesAsTheSdksRateLimitExceptionAfterExactlyOneAttempt() throws Exception {
    restart(b -> b.budget(TINY_DAILY));
    h.server.enqueue(json("anthropic-messages.json"));
    try (AttributionScope s = Attribution.open(ACME)) {
      assertThatThrownBy(() -> client.messages().create(params("claude-sonnet-4-5")))
          .isInstanceOf(RateLimitException.class)
          .hasMessageContaining("tenant-daily");
    }
    assertThat(h.server.getRequestCount()).isZero();
    UsageRecord r = h.onlyRecord();
    assertThat(r.status()).isEqualTo(CallStatus.BLOCKED);
    assertThat(r.attempt()).isEqualTo(1);
    assertThat(r.budgetAction()).isEqualTo(BudgetAction.BLOCK);
    assertThat(r.httpStatus()).as("blocked before the network").isNull();
    assertThat(r.cost().isZero()).isTrue();
  }

  @Test
  void blockedAsyncCallFailsTheFutureWithTheRateLimitException() throws Exception {
    restart(b -> b.budget(TINY_DAILY));
    MessageCreateParams p =
        params("claude-sonnet-4-5").toBuilder()
            .putAllAdditionalHeaders(AnthropicAttribution.headers(ACME))
            .build();
    CompletableFuture<Message> f = client.async().messages().create(p);
    assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(RateLimitException.class);
    assertThat(h.server.getRequestCount()).isZero();
    assertThat(h.onlyRecord().status()).isEqualTo(CallStatus.BLOCKED);
  }

  @Test
  void downgradeRewritesTheModelInTheBodyTheProviderReceives() throws Exception {
    BudgetDefinition monthly =
        BudgetDefinition.builder("tenant-monthly")
            .each(ScopeDimension.TENANT)
            .limit("0.000001")
            .period(BudgetPeriod.calendarMonth(ZoneOffset.UTC))
            .thresholds(Threshold.downgradeAt(1), Threshold.blockAt(1_000_000_000))
            .downgrade("claude-sonnet-4-5", "claude-haiku-4-5")
            .build();
    restart(b -> b.budget(monthly));
    h.server.enqueue(json("anthropic-messages.json"));
    try (AttributionScope s = Attribution.open(ACME)) {
      client.messages().create(params("claude-sonnet-4-5"));
    }
    String sent = h.server.takeRequest().getBody().readString(StandardCharsets.UTF_8);
    assertThat(sent).contains("\"claude-haiku-4-5\"").doesNotContain("claude-sonnet-4-5");
    UsageRecord r = h.onlyRecord();
    assertThat(r.budgetAction()).isEqualTo(BudgetAction.DOWNGRADE);
    assertThat(r.requestedModel()).isEqualTo("claude-sonnet-4-5");
    assertThat(r.effectiveModel()).isEqualTo("claude-haiku-4-5");
  }

  @Test
  void abandonedStreamIsFinishedOnCloseExactlyOnce() throws Exception {
    h.server.enqueue(sse("anthropic-messages-stream.sse"));
    try (StreamResponse<RawMessageStreamEvent> stream =
        client.messages().createStreaming(params("claude-sonnet-4-5"))) {
      assertThat(stream.stream().limit(1).count()).isEqualTo(1);
    }
    UsageRecord r = h.onlyRecord();
    assertThat(r.streaming()).isTrue();
    assertThat(r.status()).isIn(CallStatus.CANCELLED, CallStatus.OK);
    assertThat(h.records(1)).hasSize(1);
  }

  /** Iterates one event of a long stream and drops the stream without closing it. */
  private void iterateOnceAndDrop() {
    StreamResponse<RawMessageStreamEvent> stream =
        client.messages().createStreaming(params("claude-sonnet-4-5"));
    java.util.Iterator<RawMessageStreamEvent> it = stream.stream().iterator();
    assertThat(it.hasNext()).isTrue();
    it.next();
  }

  @Test
  void aStreamDroppedWithoutCloseIsRecordedCancelledOnce() throws Exception {
    StringBuilder sse = new StringBuilder();
    sse.append("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{")
        .append("\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",")
        .append("\"content\":[],\"model\":\"claude-sonnet-4-5\",")
        .append("\"usage\":{\"input_tokens\":20,\"output_tokens\":1}}}\n\n");
    for (int i = 0; i < 500; i++) {
      sse.append("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",")
          .append("\"index\":0,\"delta\":{\"type\":\"text_delta\",")
          .append("\"text\":\"word word word \"}}\n\n");
    }
    sse.append("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{")
        .append("\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":2000}}\n\n")
        .append("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    h.server.enqueue(
        new MockResponse()
            .setHeader("content-type", "text/event-stream; charset=utf-8")
            .setChunkedBody(sse.toString(), 1024));
    iterateOnceAndDrop();

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      h.engine.flush(java.time.Duration.ofSeconds(5));
      if (!h.sink.records().isEmpty()) {
        break;
      }
      System.gc();
      Thread.sleep(20);
    }
    UsageRecord r = h.onlyRecord();
    assertThat(r.status()).isEqualTo(CallStatus.CANCELLED);
    // The SDK closes a stream response it finds phantom-reachable itself; the engine's cleaner
    // watches the response too. Whichever is first finishes the call; the other finds it finished.
    assertThat(r.attributes().getOrDefault("abandoned", "unreachable")).isEqualTo("unreachable");
    System.gc();
    assertThat(h.records(1)).hasSize(1);
    assertThat(r.usageEstimated()).isFalse();
    // The input arrived in message_start; the output is what message_start said so far, not the
    // 2000 at the end of the stream, which was never read.
    assertThat(r.usage().inputTokens()).isEqualTo(20);
    assertThat(r.usage().outputTokens()).isLessThan(2000);
  }
}
