package dev.attribution.core.internal.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.TokenUsage;
import java.math.BigDecimal;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ResponseParsingTest {

  static Stream<Arguments> bodies() {
    return Stream.of(
        // OpenAI chat: cached tokens are inside prompt_tokens; kept as a subset of input.
        Arguments.of(
            "openai-chat.json",
            Endpoints.OPENAI_CHAT,
            TokenUsage.builder().inputTokens(1117).cachedInputTokens(1024).outputTokens(46).build(),
            "gpt-4o-2024-08-06"),
        // Reasoning tokens are inside completion_tokens.
        Arguments.of(
            "openai-chat-reasoning.json",
            Endpoints.OPENAI_CHAT,
            TokenUsage.builder().inputTokens(250).outputTokens(1800).reasoningTokens(1536).build(),
            "o3-mini-2025-01-31"),
        Arguments.of(
            "openai-responses.json",
            Endpoints.OPENAI_RESPONSES,
            TokenUsage.of(36, 87),
            "gpt-4.1-2025-04-14"),
        Arguments.of(
            "openai-embeddings.json",
            Endpoints.OPENAI_EMBEDDINGS,
            TokenUsage.of(8, 0),
            "text-embedding-3-small"),
        // Anthropic: input_tokens excludes cache reads and writes; total input is the sum
        // 2095 + 10000 + 3000, with the writes split 5m/1h.
        Arguments.of(
            "anthropic-messages.json",
            Endpoints.ANTHROPIC_MESSAGES,
            TokenUsage.builder()
                .inputTokens(15095)
                .cachedInputTokens(10000)
                .cacheWrite5mTokens(2000)
                .cacheWrite1hTokens(1000)
                .outputTokens(503)
                .build(),
            "claude-sonnet-4-5-20250929"),
        // Gemini: thoughts are billed as output but sit outside candidatesTokenCount.
        Arguments.of(
            "gemini-generate.json",
            Endpoints.GEMINI_GENERATE,
            TokenUsage.builder()
                .inputTokens(1200)
                .cachedInputTokens(1000)
                .outputTokens(1300)
                .reasoningTokens(1000)
                .build(),
            "gemini-2.5-flash"),
        // DeepSeek reports cache hits in its own field.
        Arguments.of(
            "deepseek-chat.json",
            Endpoints.OPENAI_CHAT,
            TokenUsage.builder().inputTokens(1600).cachedInputTokens(1536).outputTokens(20).build(),
            "deepseek-chat"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bodies")
  void readsNormalisedUsageFromBody(
      String fixture, Endpoint dialect, TokenUsage expected, String model) throws Exception {
    byte[] body = Fixtures.bytes(fixture);
    ParsedResponse r = ResponseParser.parse(dialect, body, body.length);
    assertThat(r.usage()).isEqualTo(expected);
    assertThat(r.responseModel()).isEqualTo(model);
  }

  @Test
  void openRouterReportedCostIsKeptExactly() throws Exception {
    byte[] body = Fixtures.bytes("openrouter-chat.json");
    ParsedResponse r = ResponseParser.parse(Endpoints.OPENAI_CHAT, body, body.length);
    assertThat(r.providerCost()).isEqualByComparingTo(new BigDecimal("0.0000074"));
    assertThat(r.usage()).isEqualTo(TokenUsage.of(9, 10));
  }

  @Test
  void readsProviderErrors() throws Exception {
    byte[] openai = Fixtures.bytes("openai-error-429.json");
    ParsedResponse o = ResponseParser.parse(Endpoints.OPENAI_CHAT, openai, openai.length);
    assertThat(o.errorType()).isEqualTo("tokens");
    assertThat(o.errorMessage()).startsWith("Rate limit reached");
    assertThat(o.usage()).isNull();

    byte[] anthropic = Fixtures.bytes("anthropic-error-529.json");
    ParsedResponse a =
        ResponseParser.parse(Endpoints.ANTHROPIC_MESSAGES, anthropic, anthropic.length);
    assertThat(a.errorType()).isEqualTo("overloaded_error");
    assertThat(a.errorMessage()).isEqualTo("Overloaded");
  }

  static Stream<Arguments> streams() {
    return Stream.of(
        Arguments.of(
            "openai-chat-stream.sse",
            Endpoints.OPENAI_CHAT,
            TokenUsage.of(19, 10),
            "gpt-4o-mini-2024-07-18"),
        Arguments.of(
            "openai-responses-stream.sse",
            Endpoints.OPENAI_RESPONSES,
            TokenUsage.of(37, 11),
            "gpt-4.1-2025-04-14"),
        // message_start carries input (472 + 2048 cached); message_delta is cumulative: last wins.
        Arguments.of(
            "anthropic-messages-stream.sse",
            Endpoints.ANTHROPIC_MESSAGES,
            TokenUsage.builder().inputTokens(2520).cachedInputTokens(2048).outputTokens(42).build(),
            "claude-sonnet-4-5-20250929"),
        // Gemini repeats cumulative usage in every chunk: the last one counts, thoughts added.
        Arguments.of(
            "gemini-generate-stream.sse",
            Endpoints.GEMINI_GENERATE,
            TokenUsage.builder().inputTokens(9).outputTokens(112).reasoningTokens(100).build(),
            "gemini-2.5-flash"),
        Arguments.of(
            "groq-chat-stream.sse",
            Endpoints.OPENAI_CHAT,
            TokenUsage.of(18, 36),
            "llama-3.3-70b-versatile"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("streams")
  void readsUsageFromStreamHoweverItIsSplit(
      String fixture, Endpoint dialect, TokenUsage expected, String model) {
    byte[] sse = Fixtures.bytes(fixture);
    StreamUsageTracker whole = Endpoints.tracker(dialect);
    whole.feed(sse, 0, sse.length);
    ParsedResponse w = whole.finish();
    assertThat(w.usage()).isEqualTo(expected);
    assertThat(w.responseModel()).isEqualTo(model);
    assertThat(w.completed()).isTrue();

    Random random = new Random(42);
    for (int round = 0; round < 50; round++) {
      StreamUsageTracker split = Endpoints.tracker(dialect);
      int i = 0;
      while (i < sse.length) {
        int n = Math.min(sse.length - i, 1 + random.nextInt(40));
        split.feed(sse, i, n);
        i += n;
      }
      assertThat(split.finish()).isEqualTo(w);
    }
  }

  @Test
  void countsStreamedTextWhenUsageIsMissing() {
    byte[] sse = Fixtures.bytes("openai-chat-stream-no-usage.sse");
    StreamUsageTracker t = Endpoints.tracker(Endpoints.OPENAI_CHAT);
    t.feed(sse, 0, sse.length);
    ParsedResponse r = t.finish();
    assertThat(r.usage()).isNull();
    assertThat(r.streamedTextChars()).isEqualTo("Hello there, friend".length());
    assertThat(r.completed()).isTrue();
  }

  @Test
  void crlfLineEndingsAreUnderstood() {
    String sse =
        new String(
                Fixtures.bytes("openai-chat-stream.sse"), java.nio.charset.StandardCharsets.UTF_8)
            .replace("\n", "\r\n");
    byte[] b = sse.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    StreamUsageTracker t = Endpoints.tracker(Endpoints.OPENAI_CHAT);
    t.feed(b, 0, b.length);
    assertThat(t.finish().usage()).isEqualTo(TokenUsage.of(19, 10));
  }
}
