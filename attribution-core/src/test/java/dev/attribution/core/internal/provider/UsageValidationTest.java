package dev.attribution.core.internal.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.TokenUsage;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Usage a provider reports is checked before it is believed; hostile shapes cost nothing. */
class UsageValidationTest {

  private static ParsedResponse body(Endpoint dialect, String json) throws Exception {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    return ResponseParser.parse(dialect, b, b.length);
  }

  private static ParsedResponse stream(Endpoint dialect, String sse) {
    byte[] b = sse.getBytes(StandardCharsets.UTF_8);
    StreamUsageTracker t = Endpoints.tracker(dialect);
    t.feed(b, 0, b.length);
    return t.finish();
  }

  @Test
  void multiMegabyteUsageArrayIsSkippedWithBoundedAllocation() throws Exception {
    StringBuilder sb = new StringBuilder(6 << 20);
    sb.append("{\"id\":\"chatcmpl-1\",\"model\":\"gpt-4o\",\"usage\":[");
    while (sb.length() < 5 << 20) {
      sb.append("0,");
    }
    sb.append("0],\"choices\":[]}");
    byte[] b = sb.toString().getBytes(StandardCharsets.US_ASCII);
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().getId();
    ResponseParser.parse(Endpoints.OPENAI_CHAT, b, b.length); // warm up the classes once
    long before = mx.getThreadAllocatedBytes(tid);
    ParsedResponse r = ResponseParser.parse(Endpoints.OPENAI_CHAT, b, b.length);
    long allocated = mx.getThreadAllocatedBytes(tid) - before;

    System.out.println("5 MiB usage array: " + allocated + " bytes allocated by the parse");
    // 2.6 million array elements: a tree would take tens of megabytes. Skipping them costs only
    // the parser's fixed buffers.
    assertThat(allocated).isLessThan(512 * 1024);
    assertThat(r.usage()).isNull();
    assertThat(r.usageInvalid()).isEqualTo("not_object:usage");
    assertThat(r.responseModel()).isEqualTo("gpt-4o");
  }

  @Test
  void hugeUsageArrayInAStreamEventCostsNoTree() {
    StringBuilder sb = new StringBuilder(1 << 20);
    sb.append("data: {\"id\":\"c\",\"model\":\"gpt-4o\",\"choices\":[],\"usage\":[");
    while (sb.length() < 900 * 1024) {
      sb.append("0,");
    }
    sb.append("0]}\n\ndata: [DONE]\n\n");
    byte[] b = sb.toString().getBytes(StandardCharsets.US_ASCII);
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().getId();
    Endpoints.tracker(Endpoints.OPENAI_CHAT).feed(b, 0, b.length); // warm up
    long before = mx.getThreadAllocatedBytes(tid);
    StreamUsageTracker t = Endpoints.tracker(Endpoints.OPENAI_CHAT);
    t.feed(b, 0, b.length);
    ParsedResponse r = t.finish();
    long allocated = mx.getThreadAllocatedBytes(tid) - before;

    // The tracker's own line buffer (at most 1 MiB, grown by doubling) and no tree.
    assertThat(allocated).isLessThan(3L << 20);
    assertThat(r.usageInvalid()).isEqualTo("not_object:usage");
    assertThat(r.responseModel()).isEqualTo("gpt-4o");
  }

  @Test
  void hugeStringInsideUsageIsFlaggedWithoutBeingDecoded() throws Exception {
    String big = "9".repeat(4 << 20);
    byte[] b =
        ("{\"model\":\"gpt-4o\",\"usage\":{\"prompt_tokens\":\""
                + big
                + "\",\"completion_tokens\":5}}")
            .getBytes(StandardCharsets.US_ASCII);
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().getId();
    ResponseParser.parse(Endpoints.OPENAI_CHAT, b, b.length);
    long before = mx.getThreadAllocatedBytes(tid);
    ParsedResponse r = ResponseParser.parse(Endpoints.OPENAI_CHAT, b, b.length);
    long allocated = mx.getThreadAllocatedBytes(tid) - before;

    assertThat(allocated).isLessThan(512 * 1024);
    assertThat(r.usageInvalid()).isEqualTo("string:prompt_tokens");
    assertThat(r.usage()).isEqualTo(TokenUsage.of(0, 5));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "negative   | {\"prompt_tokens\":10,\"completion_tokens\":-5} | negative:completion_tokens",
        "fraction   | {\"prompt_tokens\":10.5,\"completion_tokens\":5} | non_integer:prompt_tokens",
        "string     | {\"prompt_tokens\":\"10\",\"completion_tokens\":5} | string:prompt_tokens",
        "trillions  | {\"prompt_tokens\":10,\"completion_tokens\":4000000000000} "
            + "| too_large:completion_tokens",
        "bignum     | {\"prompt_tokens\":10,\"completion_tokens\":1e40} | too_large:completion_tokens",
        "huge int   | {\"prompt_tokens\":99999999999999999999999,\"completion_tokens\":5} "
            + "| too_large:prompt_tokens",
        "object     | {\"prompt_tokens\":{\"n\":1},\"completion_tokens\":5} | not_number:prompt_tokens",
        "cached>all | {\"prompt_tokens\":10,\"completion_tokens\":5,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":500}} | cached_exceeds_input",
        "reasoning  | {\"prompt_tokens\":10,\"completion_tokens\":5,"
            + "\"completion_tokens_details\":{\"reasoning_tokens\":50}} | reasoning_exceeds_output",
      })
  void tokenCountsThatAreNotSaneIntegersAreFlagged(String name, String usage, String reason)
      throws Exception {
    ParsedResponse r =
        body(Endpoints.OPENAI_CHAT, "{\"model\":\"gpt-4o\",\"usage\":" + usage + "}");
    assertThat(r.usageInvalid()).isEqualTo(reason);
    // The bad value itself is never carried into the usage.
    assertThat(r.usage().totalTokens()).isLessThanOrEqualTo(15 + 500 + 50);
  }

  @Test
  void saneUsageIsNotFlagged() throws Exception {
    ParsedResponse r =
        body(
            Endpoints.OPENAI_CHAT,
            "{\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5.0,\"total_tokens\":15,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":null,\"audio_tokens\":0}}}");
    assertThat(r.usageInvalid()).isNull();
    assertThat(r.usage()).isEqualTo(TokenUsage.of(10, 5));
  }

  @Test
  void anthropicNegativeCacheReadIsFlagged() throws Exception {
    ParsedResponse r =
        body(
            Endpoints.ANTHROPIC_MESSAGES,
            "{\"type\":\"message\",\"model\":\"claude-sonnet-4-5\",\"usage\":{\"input_tokens\":10,"
                + "\"cache_read_input_tokens\":-100,\"output_tokens\":3}}");
    assertThat(r.usageInvalid()).isEqualTo("negative:cache_read_input_tokens");
    assertThat(r.usage()).isEqualTo(TokenUsage.of(10, 3));
  }

  @Test
  void anthropicErrorEventInsideStreamIsReportedWithUsageSoFar() {
    ParsedResponse r =
        stream(
            Endpoints.ANTHROPIC_MESSAGES,
            "event: message_start\n"
                + "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":"
                + "\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-20250929\","
                + "\"content\":[],\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}\n\n"
                + "event: content_block_delta\n"
                + "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
                + "\"text_delta\",\"text\":\"Hello\"}}\n\n"
                + "event: error\n"
                + "data: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                + "\"message\":\"Overloaded\"}}\n\n");
    assertThat(r.errorType()).isEqualTo("overloaded_error");
    assertThat(r.errorMessage()).isEqualTo("Overloaded");
    assertThat(r.usage()).isEqualTo(TokenUsage.of(25, 1));
  }

  @Test
  void openRouterMidStreamErrorChunkIsReported() {
    ParsedResponse r =
        stream(
            Endpoints.OPENAI_CHAT,
            "data: {\"id\":\"gen-1\",\"object\":\"chat.completion.chunk\",\"model\":"
                + "\"openai/gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n"
                + "data: {\"id\":\"gen-1\",\"object\":\"chat.completion.chunk\",\"model\":"
                + "\"openai/gpt-4o\",\"provider\":\"OpenAI\",\"error\":{\"code\":\"server_error\","
                + "\"message\":\"Provider disconnected\"},\"choices\":[{\"index\":0,\"delta\":"
                + "{\"content\":\"\"},\"finish_reason\":\"error\"}]}\n\n"
                + "data: [DONE]\n\n");
    assertThat(r.errorType()).isEqualTo("server_error");
    assertThat(r.errorMessage()).isEqualTo("Provider disconnected");
  }

  @Test
  void streamEndingWithFinishReasonErrorIsAnError() {
    ParsedResponse r =
        stream(
            Endpoints.OPENAI_CHAT,
            "data: {\"id\":\"gen-1\",\"model\":\"openai/gpt-4o\",\"choices\":[{\"index\":0,"
                + "\"delta\":{\"content\":\"Hi\"}}]}\n\n"
                + "data: {\"id\":\"gen-1\",\"model\":\"openai/gpt-4o\",\"choices\":[{\"index\":0,"
                + "\"delta\":{\"content\":\"\"},\"finish_reason\":\"error\"}]}\n\n"
                + "data: [DONE]\n\n");
    assertThat(r.errorType()).isEqualTo("error");
  }

  @Test
  void blankModelAndIdInAzureContentFilterChunkNeverWin() {
    ParsedResponse r =
        stream(
            Endpoints.OPENAI_CHAT,
            "data: {\"choices\":[],\"created\":0,\"id\":\"\",\"model\":\"\",\"object\":\"\","
                + "\"prompt_filter_results\":[{\"prompt_index\":0,\"content_filter_results\":{}}]}"
                + "\n\n"
                + "data: {\"choices\":[{\"delta\":{\"content\":\"\",\"role\":\"assistant\"},"
                + "\"finish_reason\":null,\"index\":0}],\"created\":1730000000,\"id\":"
                + "\"chatcmpl-AZ1\",\"model\":\"gpt-4o-2024-08-06\",\"object\":"
                + "\"chat.completion.chunk\"}\n\n"
                + "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null,"
                + "\"index\":0}],\"created\":1730000000,\"id\":\"chatcmpl-AZ1\",\"model\":"
                + "\"gpt-4o-2024-08-06\",\"object\":\"chat.completion.chunk\"}\n\n"
                + "data: [DONE]\n\n");
    assertThat(r.responseModel()).isEqualTo("gpt-4o-2024-08-06");
    assertThat(r.responseId()).isEqualTo("chatcmpl-AZ1");
  }

  @Test
  void blankModelInABodyIsNotAModel() throws Exception {
    ParsedResponse r =
        body(
            Endpoints.OPENAI_CHAT,
            "{\"id\":\" \",\"model\":\"\",\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}");
    assertThat(r.responseModel()).isNull();
    assertThat(r.responseId()).isNull();
  }

  @Test
  void geminiOpenAiCompatibleThinkingTokensAreCountedAsOutput() throws Exception {
    // Gemini's OpenAI-compatible endpoint: total_tokens includes thoughts, completion_tokens not.
    ParsedResponse r =
        body(
            Endpoints.OPENAI_CHAT,
            "{\"id\":\"x\",\"model\":\"gemini-2.5-flash\",\"object\":\"chat.completion\","
                + "\"usage\":{\"completion_tokens\":12,\"prompt_tokens\":21,"
                + "\"total_tokens\":93}}");
    assertThat(r.usage())
        .isEqualTo(
            TokenUsage.builder().inputTokens(21).outputTokens(72).reasoningTokens(60).build());
    assertThat(r.usageInvalid()).isNull();
  }

  @Test
  void openRouterCacheWriteTokensAreCacheWrites() throws Exception {
    ParsedResponse r =
        body(
            Endpoints.OPENAI_CHAT,
            "{\"id\":\"gen-1\",\"model\":\"anthropic/claude-sonnet-4.5\",\"usage\":{"
                + "\"prompt_tokens\":3000,\"completion_tokens\":50,\"total_tokens\":3050,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":1000,\"cache_write_tokens\":1500},"
                + "\"cost\":0.0123}}");
    assertThat(r.usage())
        .isEqualTo(
            TokenUsage.builder()
                .inputTokens(3000)
                .cachedInputTokens(1000)
                .cacheWrite5mTokens(1500)
                .outputTokens(50)
                .build());
    assertThat(r.usage().uncachedTextInputTokens()).isEqualTo(500);
  }

  @Test
  void responsesWebSearchCallItemsAreCounted() throws Exception {
    ParsedResponse r =
        body(
            Endpoints.OPENAI_RESPONSES,
            "{\"id\":\"resp_1\",\"object\":\"response\",\"model\":\"gpt-4.1-2025-04-14\","
                + "\"output\":[{\"type\":\"web_search_call\",\"id\":\"ws_1\",\"status\":"
                + "\"completed\",\"action\":{\"type\":\"search\",\"query\":\"q\"}},"
                + "{\"type\":\"web_search_call\",\"id\":\"ws_2\",\"status\":\"completed\"},"
                + "{\"type\":\"message\",\"id\":\"msg_1\",\"role\":\"assistant\",\"content\":[]}],"
                + "\"usage\":{\"input_tokens\":300,\"output_tokens\":100,\"total_tokens\":400}}");
    assertThat(r.webSearchRequests()).isEqualTo(2);
  }

  @Test
  void responsesStreamCountsWebSearchesOnceFromTheCompletedResponse() {
    String done =
        "{\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\",\"model\":\"gpt-4.1\","
            + "\"output\":[{\"type\":\"web_search_call\",\"id\":\"ws_1\"},{\"type\":\"message\"}],"
            + "\"usage\":{\"input_tokens\":30,\"output_tokens\":10}}}";
    ParsedResponse r =
        stream(
            Endpoints.OPENAI_RESPONSES,
            "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":"
                + "\"resp_1\",\"model\":\"gpt-4.1\",\"output\":[],\"usage\":null}}\n\n"
                + "event: response.output_item.done\ndata: {\"type\":\"response.output_item.done\","
                + "\"item\":{\"type\":\"web_search_call\",\"id\":\"ws_1\"}}\n\n"
                + "event: response.completed\ndata: "
                + done
                + "\n\n");
    assertThat(r.webSearchRequests()).isEqualTo(1);
    assertThat(r.usage()).isEqualTo(TokenUsage.of(30, 10));
  }
}
