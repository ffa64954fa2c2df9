package dev.attribution.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.embeddings.EmbeddingModel;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionHeaders;
import dev.attribution.api.AttributionScope;
import dev.attribution.api.CallStatus;
import dev.attribution.api.ContextSource;
import dev.attribution.api.TokenUsage;
import dev.attribution.api.UsageRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The real openai-java SDK, with the interceptor added the way the README says. */
class OpenAiSdkTest {

  private final Harness h = new Harness("openai");
  private final OpenAIClient client =
      OpenAIOkHttpClient.builder()
          .baseUrl(h.baseUrl("/v1"))
          .apiKey("sk-test-0123456789abcdef")
          .addInterceptor(AttributionOkHttp.interceptor(h.engine))
          .build();

  private static final AttributionContext ACME =
      AttributionContext.builder()
          .tenantId("acme")
          .userId("u-1")
          .feature("support-chat")
          .threadId("th-9")
          .tag("plan", "pro")
          .build();

  @AfterEach
  void close() throws Exception {
    client.close();
    h.close();
  }

  private static MockResponse json(String fixture) {
    return new MockResponse()
        .setHeader("content-type", "application/json")
        .setHeader("x-request-id", "req_abc")
        .setBody(new String(Harness.fixture(fixture), StandardCharsets.UTF_8));
  }

  private static MockResponse sse(String fixture) {
    return new MockResponse()
        .setHeader("content-type", "text/event-stream")
        .setChunkedBody(new String(Harness.fixture(fixture), StandardCharsets.UTF_8), 97);
  }

  private static ChatCompletionCreateParams chat(String model) {
    return ChatCompletionCreateParams.builder().model(model).addUserMessage("Say hello").build();
  }

  @Test
  void syncChatIsAttributedFromTheThreadScope() throws Exception {
    h.server.enqueue(json("openai-chat.json"));
    ChatCompletion completion;
    try (AttributionScope s = Attribution.open(ACME)) {
      completion = client.chat().completions().create(chat("gpt-4o"));
    }
    assertThat(completion.choices().get(0).message().content())
        .get()
        .asString()
        .startsWith("The image");

    UsageRecord r = h.onlyRecord();
    assertThat(r.context()).isEqualTo(ACME);
    assertThat(r.contextSource()).isEqualTo(ContextSource.SCOPE);
    assertThat(r.provider()).isEqualTo("openai");
    assertThat(r.operation()).isEqualTo("chat");
    assertThat(r.requestedModel()).isEqualTo("gpt-4o");
    assertThat(r.effectiveModel()).isEqualTo("gpt-4o");
    assertThat(r.responseModel()).isEqualTo("gpt-4o-2024-08-06");
    assertThat(r.usage())
        .isEqualTo(
            TokenUsage.builder()
                .inputTokens(1117)
                .cachedInputTokens(1024)
                .outputTokens(46)
                .build());
    assertThat(r.status()).isEqualTo(CallStatus.OK);
    assertThat(r.httpStatus()).isEqualTo(200);
    assertThat(r.attempt()).isEqualTo(1);
    assertThat(r.streaming()).isFalse();
    assertThat(r.providerRequestId()).isEqualTo("chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG");
    assertThat(r.latency()).isPositive();
    assertThat(r.timeToFirstByte()).isNotNull();
    assertThat(r.keyFingerprint()).startsWith("...cdef#").doesNotContain("sk-test");
  }

  @Test
  void asyncChatCarriesContextInHeadersThatNeverLeaveTheProcess() throws Exception {
    h.server.enqueue(json("openai-chat.json"));
    ChatCompletionCreateParams params =
        chat("gpt-4o").toBuilder()
            .putAllAdditionalHeaders(AttributionHeaders.forOpenAi(ACME))
            .build();
    client.async().chat().completions().create(params).get();

    RecordedRequest sent = h.server.takeRequest();
    assertThat(sent.getHeaders().names())
        .noneMatch(n -> n.toLowerCase(java.util.Locale.ROOT).startsWith("x-attribution-"));
    UsageRecord r = h.onlyRecord();
    assertThat(r.context()).isEqualTo(ACME);
    assertThat(r.contextSource()).isEqualTo(ContextSource.HEADER);
  }

  @Test
  void streamingChatGetsUsageBecauseTheInterceptorAsksForIt() throws Exception {
    h.server.enqueue(sse("openai-chat-stream.sse"));
    StringBuilder text = new StringBuilder();
    try (AttributionScope s = Attribution.open(ACME);
        StreamResponse<ChatCompletionChunk> stream =
            client.chat().completions().createStreaming(chat("gpt-4o-mini"))) {
      stream.stream()
          .forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(text::append)));
    }
    assertThat(text.toString()).isEqualTo("Hello! How can I help you today?");
    RecordedRequest sent = h.server.takeRequest();
    assertThat(sent.getBody().readUtf8()).contains("\"stream_options\":{\"include_usage\":true}");

    UsageRecord r = h.onlyRecord();
    assertThat(r.streaming()).isTrue();
    assertThat(r.usage()).isEqualTo(TokenUsage.of(19, 10));
    assertThat(r.usageEstimated()).isFalse();
    assertThat(r.status()).isEqualTo(CallStatus.OK);
    assertThat(r.responseModel()).isEqualTo("gpt-4o-mini-2024-07-18");
    assertThat(r.context().tenantId()).isEqualTo("acme");
  }

  @Test
  void responsesApiAndEmbeddingsAreRecorded() throws Exception {
    h.server.enqueue(json("openai-responses.json"));
    h.server.enqueue(json("openai-embeddings.json"));
    try (AttributionScope s = Attribution.open(ACME)) {
      Response resp =
          client
              .responses()
              .create(
                  ResponseCreateParams.builder().model("gpt-4.1").input("Tell a story").build());
      assertThat(resp.id()).startsWith("resp_");
      CreateEmbeddingResponse emb =
          client
              .embeddings()
              .create(
                  EmbeddingCreateParams.builder()
                      .model(EmbeddingModel.TEXT_EMBEDDING_3_SMALL)
                      .input("hello")
                      .build());
      assertThat(emb.data()).hasSize(1);
    }
    List<UsageRecord> rs = h.records(2);
    assertThat(rs).extracting(UsageRecord::operation).containsExactly("responses", "embeddings");
    assertThat(rs.get(0).usage()).isEqualTo(TokenUsage.of(36, 87));
    assertThat(rs.get(1).usage()).isEqualTo(TokenUsage.of(8, 0));
    assertThat(rs.get(1).requestedModel()).isEqualTo("text-embedding-3-small");
  }

  @Test
  void eachRetryAttemptIsRecordedAndOnlyTheSuccessfulOneCarriesTokens() throws Exception {
    h.server.enqueue(
        new MockResponse()
            .setResponseCode(500)
            .setHeader("content-type", "application/json")
            .setBody(
                "{\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\"}}"));
    h.server.enqueue(json("openai-chat.json"));
    try (AttributionScope s = Attribution.open(ACME)) {
      client.chat().completions().create(chat("gpt-4o"));
    }
    List<UsageRecord> rs = h.records(2);
    assertThat(rs).hasSize(2);
    assertThat(rs).extracting(UsageRecord::attempt).containsExactly(1, 2);
    assertThat(rs.get(0).status()).isEqualTo(CallStatus.UPSTREAM_ERROR);
    assertThat(rs.get(0).httpStatus()).isEqualTo(500);
    assertThat(rs.get(0).errorType()).isEqualTo("server_error");
    assertThat(rs.get(0).usage().isZero()).isTrue();
    assertThat(rs.get(1).status()).isEqualTo(CallStatus.OK);
    assertThat(rs.get(1).usage().inputTokens()).isEqualTo(1117);
    // Both attempts were attributed by the thread scope: sync retries run on the caller's thread.
    assertThat(rs).allMatch(r -> "acme".equals(r.context().tenantId()));
  }

  @Test
  void abandonedStreamIsRecordedAsCancelledWithEstimatedUsage() throws Exception {
    h.server.enqueue(sse("openai-chat-stream-no-usage.sse"));
    try (StreamResponse<ChatCompletionChunk> stream =
        client.chat().completions().createStreaming(chat("gpt-4o-mini"))) {
      List<ChatCompletionChunk> first = stream.stream().limit(1).collect(Collectors.toList());
      assertThat(first).hasSize(1);
    }
    UsageRecord r = h.onlyRecord();
    assertThat(r.status()).isIn(CallStatus.CANCELLED, CallStatus.OK);
    assertThat(r.usageEstimated()).isTrue();
    assertThat(r.usage().inputTokens()).isPositive();
  }
}
