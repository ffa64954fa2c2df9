package dev.attribution.spring.ai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionScope;
import dev.attribution.api.InMemoryUsageSink;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import dev.attribution.core.AttributionEngine;
import dev.attribution.spring.autoconfigure.AttributionThreadLocalAccessor;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.ai.anthropic.AnthropicChatModel;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.model.chat.client.autoconfigure.ChatClientBuilderConfigurer;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import reactor.core.publisher.Flux;

/**
 * Spring AI's own OpenAI and Anthropic chat models, configured only by properties, are attributed
 * through the customiser beans the starter contributes: no application code names the library. Two
 * loopback servers answer in the providers' documented shapes.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      "spring.ai.openai.api-key=test-key",
      "spring.ai.openai.chat.options.model=gpt-4o-mini",
      "spring.ai.anthropic.api-key=test-key",
      "spring.ai.anthropic.chat.options.model=claude-haiku-4-5",
      "spring.ai.retry.max-attempts=1"
    })
class SpringAiTest {

  @SpringBootApplication
  static class App {
    @Bean(destroyMethod = "")
    InMemoryUsageSink records() {
      return UsageSink.inMemory();
    }
  }

  private static final String OPENAI_COMPLETION =
      "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1700000000,"
          + "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"message\":"
          + "{\"role\":\"assistant\",\"content\":\"Hello.\",\"refusal\":null},"
          + "\"logprobs\":null,\"finish_reason\":\"stop\"}],"
          + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15}}";

  private static final String CHUNK =
      "{\"id\":\"chatcmpl-2\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
          + "\"model\":\"gpt-4o-mini-2024-07-18\",";

  private static final String OPENAI_STREAM =
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

  private static final String ANTHROPIC_MESSAGE =
      "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\","
          + "\"model\":\"claude-haiku-4-5-20251001\",\"content\":[{\"type\":\"text\","
          + "\"text\":\"Hello.\"}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,"
          + "\"usage\":{\"input_tokens\":14,\"output_tokens\":4}}";

  private static final String ANTHROPIC_STREAM =
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_2\","
          + "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-haiku-4-5-20251001\","
          + "\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,"
          + "\"usage\":{\"input_tokens\":14,\"output_tokens\":1}}}\n\n"
          + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
          + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
          + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
          + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello.\"}}\n\n"
          + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
          + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
          + "\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":4}}\n\n"
          + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

  private static final MockWebServer OPENAI = started();
  private static final MockWebServer ANTHROPIC = started();

  private static MockWebServer started() {
    MockWebServer server = new MockWebServer();
    try {
      server.start();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return server;
  }

  private static String authority(MockWebServer server) {
    return server.getHostName() + ":" + server.getPort();
  }

  @DynamicPropertySource
  static void providers(DynamicPropertyRegistry registry) {
    registry.add("spring.ai.openai.base-url", () -> "http://" + authority(OPENAI) + "/v1");
    registry.add("spring.ai.anthropic.base-url", () -> "http://" + authority(ANTHROPIC));
    registry.add("attribution.provider-hosts.[" + authority(OPENAI) + "]", () -> "openai");
    registry.add("attribution.provider-hosts.[" + authority(ANTHROPIC) + "]", () -> "anthropic");
  }

  @AfterAll
  static void stop() throws IOException {
    OPENAI.shutdown();
    ANTHROPIC.shutdown();
  }

  @Autowired OpenAiChatModel openAi;
  @Autowired AnthropicChatModel anthropic;
  @Autowired AttributionEngine engine;
  @Autowired ChatClientBuilderConfigurer chatClients;
  @Autowired InMemoryUsageSink records;

  private static final AttributionContext ACME =
      AttributionContext.builder().tenantId("acme").feature("assistant").build();

  /**
   * A {@code ChatClient} as Spring AI's {@code ChatClient.Builder} bean makes it (that bean needs a
   * single chat model; this application has two).
   */
  private ChatClient springClient(ChatModel model) {
    return chatClients.configure(ChatClient.builder(model)).build();
  }

  /** No {@code x-attribution-*} header reaches the provider. */
  private static void noAttributionHeaders(MockWebServer server) throws InterruptedException {
    RecordedRequest sent = server.takeRequest(10, TimeUnit.SECONDS);
    assertThat(sent).isNotNull();
    assertThat(sent.getHeaders().names())
        .noneMatch(n -> n.toLowerCase(Locale.ROOT).startsWith("x-attribution-"));
  }

  @BeforeEach
  void clear() {
    engine.flush(Duration.ofSeconds(10));
    records.clear();
  }

  private UsageRecord onlyRecord() {
    assertThat(engine.flush(Duration.ofSeconds(10))).isTrue();
    List<UsageRecord> all = records.records();
    assertThat(all).hasSize(1);
    return all.get(0);
  }

  @Test
  void openAiThroughChatClient() {
    OPENAI.enqueue(
        new MockResponse()
            .setHeader("Content-Type", "application/json")
            .setBody(OPENAI_COMPLETION));
    String answer;
    try (AttributionScope s = Attribution.openIsolated(ACME)) {
      answer = ChatClient.create(openAi).prompt("Say hello.").call().content();
    }
    assertThat(answer).isEqualTo("Hello.");
    UsageRecord r = onlyRecord();
    assertThat(r.provider()).isEqualTo("openai");
    assertThat(r.context().tenantId()).isEqualTo("acme");
    assertThat(r.usage().inputTokens()).isEqualTo(12);
    assertThat(r.cost()).isNotNull();
  }

  @Test
  void openAiStreamingThroughChatClient() {
    OPENAI.enqueue(
        new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(OPENAI_STREAM));
    String answer;
    try (AttributionScope s = Attribution.openIsolated(ACME)) {
      answer = streamed(ChatClient.create(openAi).prompt("Say hello.").stream().content());
    }
    assertThat(answer).isEqualTo("Hello.");
    UsageRecord r = onlyRecord();
    assertThat(r.streaming()).isTrue();
    // ChatClient.create(..) has no advisors: openai-java starts the call on the common pool, so
    // this record has usage and cost but no context (README).
    assertThat(r.usage().inputTokens()).isEqualTo(20);
    assertThat(r.usage().outputTokens()).isEqualTo(2);
  }

  @Test
  void openAiStreamThroughSpringsChatClientCarriesTheCallersContext() throws Exception {
    drain(OPENAI);
    OPENAI.enqueue(
        new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(OPENAI_STREAM));
    String answer;
    try (AttributionScope s = Attribution.openIsolated(ACME)) {
      answer = streamed(springClient(openAi).prompt("Say hello.").stream().content());
    }
    assertThat(answer).isEqualTo("Hello.");
    UsageRecord r = onlyRecord();
    assertThat(r.streaming()).isTrue();
    assertThat(r.context().tenantId()).isEqualTo("acme");
    assertThat(r.context().feature()).isEqualTo("assistant");
    assertThat(r.usage().inputTokens()).isEqualTo(20);
    assertThat(r.cost()).isNotNull();
    noAttributionHeaders(OPENAI);
  }

  @Test
  void openAiStreamTakesTheContextFromTheReactorContext() throws Exception {
    drain(OPENAI);
    OPENAI.enqueue(
        new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(OPENAI_STREAM));
    // No scope on this thread: the context is where the WebFlux filter puts it.
    String answer =
        streamed(
            springClient(openAi).prompt("Say hello.").stream()
                .content()
                .contextWrite(c -> c.put(AttributionThreadLocalAccessor.KEY, ACME)));
    assertThat(answer).isEqualTo("Hello.");
    UsageRecord r = onlyRecord();
    assertThat(r.context().tenantId()).isEqualTo("acme");
    assertThat(r.context().feature()).isEqualTo("assistant");
    noAttributionHeaders(OPENAI);
  }

  @Test
  void anthropicStreamThroughSpringsChatClientCarriesTheCallersContext() throws Exception {
    drain(ANTHROPIC);
    ANTHROPIC.enqueue(
        new MockResponse()
            .setHeader("Content-Type", "text/event-stream")
            .setBody(ANTHROPIC_STREAM));
    String answer;
    try (AttributionScope s = Attribution.openIsolated(ACME)) {
      answer = streamed(springClient(anthropic).prompt("Say hello.").stream().content());
    }
    assertThat(answer).isEqualTo("Hello.");
    UsageRecord r = onlyRecord();
    assertThat(r.provider()).isEqualTo("anthropic");
    assertThat(r.streaming()).isTrue();
    assertThat(r.context().tenantId()).isEqualTo("acme");
    assertThat(r.context().feature()).isEqualTo("assistant");
    assertThat(r.usage().inputTokens()).isEqualTo(14);
    assertThat(r.usage().outputTokens()).isEqualTo(4);
    noAttributionHeaders(ANTHROPIC);
  }

  /** The streamed text, joined. */
  private static String streamed(Flux<String> chunks) {
    return String.join("", chunks.collectList().block(Duration.ofSeconds(10)));
  }

  /** Takes the requests earlier tests left on {@code server}. */
  private static void drain(MockWebServer server) throws InterruptedException {
    while (server.takeRequest(0, TimeUnit.SECONDS) != null) {
      // discarded
    }
  }

  @Test
  void anthropicThroughChatClient() {
    ANTHROPIC.enqueue(
        new MockResponse()
            .setHeader("Content-Type", "application/json")
            .setBody(ANTHROPIC_MESSAGE));
    String answer;
    try (AttributionScope s = Attribution.openIsolated(ACME)) {
      answer = ChatClient.create(anthropic).prompt("Say hello.").call().content();
    }
    assertThat(answer).isEqualTo("Hello.");
    UsageRecord r = onlyRecord();
    assertThat(r.provider()).isEqualTo("anthropic");
    assertThat(r.context().tenantId()).isEqualTo("acme");
    assertThat(r.usage().inputTokens()).isEqualTo(14);
    assertThat(r.usage().outputTokens()).isEqualTo(4);
  }
}
