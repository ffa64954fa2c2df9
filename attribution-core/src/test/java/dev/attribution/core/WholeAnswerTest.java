package dev.attribution.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.CallStatus;
import dev.attribution.api.ContextSource;
import dev.attribution.api.InMemoryUsageSink;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import dev.attribution.core.transport.CallRequest;
import dev.attribution.core.transport.LlmCall;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A non-streamed answer arrives whole with its 2xx status: closed or dropped unread it is ok, never
 * cancelled, whether or not its usage is known (Bedrock's header counts); a stream answer is
 * cancelled whatever the request said; an unknown usage charges the reserved tokens too; half a
 * Bedrock header report is no usage.
 */
class WholeAnswerTest {

  static final String MISTRAL = "mistral.mistral-large-2402-v1:0";

  private static CallRequest bedrockInvoke() {
    return TestCalls.post(
        "bedrock-runtime.us-east-1.amazonaws.com",
        "/model/" + MISTRAL + "/invoke",
        "{\"prompt\":\"<s>[INST] Capital of France? [/INST]\",\"max_tokens\":64}"
            .getBytes(StandardCharsets.UTF_8),
        Map.of("content-type", "application/json"),
        AttributionContext.empty(),
        ContextSource.NONE);
  }

  /** A JSON answer's headers with Bedrock's input and output counts, 14 and 9. */
  private static java.util.function.Function<String, String> withBedrockCounts() {
    return headers(
        Map.of(
            "Content-Type", "application/json",
            "X-Amzn-Bedrock-Input-Token-Count", "14",
            "X-Amzn-Bedrock-Output-Token-Count", "9"));
  }

  private static AttributionEngine engine(InMemoryUsageSink sink) {
    return AttributionEngine.builder().addSink(sink).shutdownHook(false).build();
  }

  private static java.util.function.Function<String, String> headers(Map<String, String> m) {
    Map<String, String> lower = new HashMap<>();
    m.forEach((k, v) -> lower.put(k.toLowerCase(java.util.Locale.ROOT), v));
    return name -> lower.get(name.toLowerCase(java.util.Locale.ROOT));
  }

  /**
   * A non-streamed 2xx Bedrock InvokeModel answer closed unread, its usage known from the header
   * counts: ok with that usage, not cancelled (as the same answer without the counts).
   */
  @Test
  void wholeAnswerClosedUnreadWithHeaderUsageIsNotCancelled() {
    InMemoryUsageSink sink = UsageSink.inMemory();
    try (AttributionEngine engine = engine(sink)) {
      LlmCall call = engine.begin(bedrockInvoke());
      assertThat(call.tracked()).isTrue();
      assertThat(call.recognised()).isTrue();
      call.onResponse(200, withBedrockCounts());
      // OkHttp's TrackingResponseBody closed before reading (body beyond the peek limit).
      call.markUnreadable("body_too_large");
      call.completeStream(false);
    }
    UsageRecord r = sink.records().get(0);
    assertThat(r.usage().outputTokens()).isEqualTo(9);
    assertThat(r.status()).as("a whole non-streamed answer closed unread").isEqualTo(CallStatus.OK);
  }

  /** The same, dropped and finished by engine.close(). */
  @Test
  void wholeAnswerAbandonedWithHeaderUsageIsNotCancelled() {
    InMemoryUsageSink sink = UsageSink.inMemory();
    AttributionEngine engine = engine(sink);
    LlmCall call = engine.begin(bedrockInvoke());
    call.onResponse(200, withBedrockCounts());
    engine.close();
    UsageRecord r = sink.records().get(0);
    assertThat(r.usage().outputTokens()).isEqualTo(9);
    assertThat(r.status()).as("a whole non-streamed answer abandoned").isEqualTo(CallStatus.OK);
  }

  /**
   * Only the output count header: no usage from the headers, never priced as exact with 0 input.
   */
  @Test
  void aMissingInputCountHeaderIsNotPricedAsZeroInput() {
    InMemoryUsageSink sink = UsageSink.inMemory();
    try (AttributionEngine engine = engine(sink)) {
      LlmCall call = engine.begin(bedrockInvoke());
      call.onResponse(
          200,
          headers(
              Map.of(
                  "Content-Type", "application/json",
                  "X-Amzn-Bedrock-Output-Token-Count", "9")));
      call.completeBody(
          "{\"outputs\":[{\"text\":\"Paris\"}]}".getBytes(StandardCharsets.UTF_8), 31);
    }
    UsageRecord r = sink.records().get(0);
    boolean flagged =
        r.usageEstimated() || r.cost() == null || r.attributes().containsKey("usage_invalid");
    assertThat(flagged)
        .as("usage %s priced %s as exact with an input count of 0", r.usage(), r.cost())
        .isTrue();
  }

  /**
   * A streaming request whose body could not be read (too large, one-shot), so the engine could not
   * see it asked for a stream: its event-stream answer, closed before the first byte, is cancelled
   * (the response's content type says it is a stream), not a whole answer.
   */
  @Test
  void anEventStreamClosedEarlyIsCancelledEvenWhenTheRequestBodyWasUnread() {
    InMemoryUsageSink sink = UsageSink.inMemory();
    try (AttributionEngine engine = engine(sink)) {
      CallRequest req =
          TestCalls.post(
              "api.openai.com",
              "/v1/chat/completions",
              null,
              Map.of(),
              AttributionContext.empty(),
              ContextSource.NONE);
      LlmCall call = engine.begin(req);
      call.onResponse(200, name -> name.equals("content-type") ? "text/event-stream" : null);
      call.completeStream(false);
    }
    UsageRecord r = sink.records().get(0);
    assertThat(r.status()).isEqualTo(CallStatus.CANCELLED);
  }

  /**
   * A whole answer closed unread keeps the worst case it reserved (README), in money and in tokens:
   * a token budget is charged the reserved tokens, not zero.
   */
  @Test
  void aWholeAnswerClosedUnreadChargesTheReservedTokensToATokenBudget() {
    InMemoryUsageSink sink = UsageSink.inMemory();
    dev.attribution.core.budget.BudgetDefinition budget =
        UnknownUsageChargeTest.tenantBudget(1_000_000L);
    try (AttributionEngine engine =
        AttributionEngine.builder().addSink(sink).shutdownHook(false).budget(budget).build()) {
      LlmCall call =
          engine.begin(
              TestCalls.openAiChat(
                  "{\"model\":\"gpt-4o\",\"max_tokens\":100,"
                      + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                  Map.of(),
                  AttributionContext.builder().tenantId("acme").build(),
                  ContextSource.TAG));
      java.math.BigDecimal reserved = engine.budgetStatuses().get(0).reserved();
      assertThat(reserved).isPositive();
      call.onResponse(200, name -> name.equals("content-type") ? "application/json" : null);
      call.markUnreadable("body_too_large");
      call.completeStream(false);
      dev.attribution.api.budget.BudgetStatus st = engine.budgetStatuses().get(0);
      assertThat(st.spent()).isEqualByComparingTo(reserved);
      assertThat(st.spentTokens()).as("tokens charged for a whole answer").isPositive();
    }
  }
}
