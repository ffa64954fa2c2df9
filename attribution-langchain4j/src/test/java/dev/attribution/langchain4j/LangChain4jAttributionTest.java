package dev.attribution.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionScope;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.CallStatus;
import dev.attribution.api.InMemoryUsageSink;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.core.AttributionEngine;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetPeriod;
import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.http.client.jdk.JdkHttpClientBuilder;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * LangChain4j's OpenAI module, unchanged, over the decorated JDK client against a loopback server
 * answering in OpenAI's documented shapes.
 */
class LangChain4jAttributionTest {

  private static final String COMPLETION =
      "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1700000000,"
          + "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"message\":"
          + "{\"role\":\"assistant\",\"content\":\"Hello.\"},\"finish_reason\":\"stop\"}],"
          + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15}}";

  private static final String CHUNK =
      "{\"id\":\"chatcmpl-2\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
          + "\"model\":\"gpt-4o-mini-2024-07-18\",";

  private static final String STREAM =
      "data: "
          + CHUNK
          + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"},"
          + "\"finish_reason\":null}],\"usage\":null}\n\n"
          + "data: "
          + CHUNK
          + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo.\"},"
          + "\"finish_reason\":\"stop\"}],\"usage\":null}\n\n"
          + "data: "
          + CHUNK
          + "\"choices\":[],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":2,"
          + "\"total_tokens\":22}}\n\n"
          + "data: [DONE]\n\n";

  private final MockWebServer server = new MockWebServer();
  private final InMemoryUsageSink sink = UsageSink.inMemory();
  private AttributionEngine engine;

  @BeforeEach
  void start() throws Exception {
    server.start();
    engine =
        AttributionEngine.builder()
            .mapHost(server.getHostName() + ":" + server.getPort(), "openai")
            .budget(
                BudgetDefinition.builder("trial")
                    .fixed(ScopeDimension.TENANT, "trial-co")
                    .limit("0.00001")
                    .period(BudgetPeriod.calendarDay(ZoneOffset.UTC))
                    .build())
            .addSink(sink)
            .shutdownHook(false)
            .build();
  }

  @AfterEach
  void stop() throws Exception {
    engine.close();
    server.shutdown();
  }

  private String baseUrl() {
    return server.url("/v1").toString();
  }

  private AttributionHttpClientBuilder http() {
    return AttributionHttpClientBuilder.wrap(new JdkHttpClientBuilder(), engine);
  }

  private List<UsageRecord> records(int n) {
    assertThat(engine.flush(Duration.ofSeconds(10))).isTrue();
    assertThat(sink.records()).hasSize(n);
    return sink.records();
  }

  @Test
  void aChatCallIsAttributedToTheScopeAndPriced() {
    server.enqueue(
        new MockResponse().setHeader("Content-Type", "application/json").setBody(COMPLETION));
    OpenAiChatModel model =
        OpenAiChatModel.builder()
            .httpClientBuilder(http())
            .baseUrl(baseUrl())
            .apiKey("test-key")
            .modelName("gpt-4o-mini")
            .maxRetries(0)
            .build();
    String answer;
    try (AttributionScope s =
        Attribution.openIsolated(AttributionContext.builder().tenantId("acme").build())) {
      answer = model.chat("Say hello.");
    }
    assertThat(answer).isEqualTo("Hello.");
    UsageRecord r = records(1).get(0);
    assertThat(r.context().tenantId()).isEqualTo("acme");
    assertThat(r.provider()).isEqualTo("openai");
    assertThat(r.usage().inputTokens()).isEqualTo(12);
    assertThat(r.usage().outputTokens()).isEqualTo(3);
    assertThat(r.cost()).isNotNull();
    assertThat(r.cost().total()).isPositive();
  }

  @Test
  void aBudgetBlocksTheCallBeforeItLeaves() {
    OpenAiChatModel model =
        OpenAiChatModel.builder()
            .httpClientBuilder(http())
            .baseUrl(baseUrl())
            .apiKey("test-key")
            .modelName("gpt-4o-mini")
            .maxRetries(0)
            .build();
    try (AttributionScope s =
        Attribution.openIsolated(AttributionContext.builder().tenantId("trial-co").build())) {
      assertThatThrownBy(() -> model.chat("Say hello."))
          .isInstanceOf(LangChain4jException.class)
          .hasMessageContaining("budget");
    }
    assertThat(server.getRequestCount()).isZero();
    UsageRecord r = records(1).get(0);
    assertThat(r.status()).isEqualTo(CallStatus.BLOCKED);
    assertThat(r.budgetAction()).isEqualTo(BudgetAction.BLOCK);
    assertThat(r.context().tenantId()).isEqualTo("trial-co");
  }

  @Test
  void aStreamIsObservedAsItIsRead() throws Exception {
    server.enqueue(
        new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(STREAM));
    OpenAiStreamingChatModel model =
        OpenAiStreamingChatModel.builder()
            .httpClientBuilder(http())
            .baseUrl(baseUrl())
            .apiKey("test-key")
            .modelName("gpt-4o-mini")
            .build();
    CompletableFuture<ChatResponse> done = new CompletableFuture<>();
    try (AttributionScope s =
        Attribution.openIsolated(AttributionContext.builder().tenantId("acme").build())) {
      model.chat(
          "Say hello.",
          new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {}

            @Override
            public void onCompleteResponse(ChatResponse response) {
              done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
              done.completeExceptionally(error);
            }
          });
    }
    assertThat(done.get(10, TimeUnit.SECONDS).aiMessage().text()).isEqualTo("Hello.");
    UsageRecord r = records(1).get(0);
    assertThat(r.streaming()).isTrue();
    assertThat(r.context().tenantId()).isEqualTo("acme");
    assertThat(r.usage().inputTokens()).isEqualTo(20);
    assertThat(r.usage().outputTokens()).isEqualTo(2);
  }
}
