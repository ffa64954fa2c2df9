package dev.attribution.spring.ai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionScope;
import dev.attribution.api.InMemoryUsageSink;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import dev.attribution.core.AttributionEngine;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.ai.anthropic.AnthropicChatModel;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

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
  @Autowired InMemoryUsageSink records;

  private static final AttributionContext ACME =
      AttributionContext.builder().tenantId("acme").feature("assistant").build();

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
      answer =
          String.join(
              "",
              ChatClient.create(openAi).prompt("Say hello.").stream()
                  .content()
                  .collectList()
                  .block(Duration.ofSeconds(10)));
    }
    assertThat(answer).isEqualTo("Hello.");
    UsageRecord r = onlyRecord();
    assertThat(r.streaming()).isTrue();
    // Spring AI starts a stream on another thread: the record has no context yet (README).
    assertThat(r.usage().inputTokens()).isEqualTo(20);
    assertThat(r.usage().outputTokens()).isEqualTo(2);
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
