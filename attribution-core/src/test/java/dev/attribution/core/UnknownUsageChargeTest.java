package dev.attribution.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.ContextSource;
import dev.attribution.api.InMemoryUsageSink;
import dev.attribution.api.UsageSink;
import dev.attribution.core.transport.CallRequest;
import dev.attribution.core.transport.LlmCall;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a budget is charged when a call's usage is unknown: the most tokens any of its budgets
 * reserved (an unreadable request's hard reserve included), and nothing for an error answer.
 */
class UnknownUsageChargeTest {

  @Test
  void anUnreadableRequestWithUnreadableUsageChargesTheTokensItReserved() {
    InMemoryUsageSink sink = UsageSink.inMemory();
    dev.attribution.core.budget.BudgetDefinition budget = tenantBudget(10_000_000L);
    try (AttributionEngine engine =
        AttributionEngine.builder().addSink(sink).shutdownHook(false).budget(budget).build()) {
      // The request body could not be read (one-shot / too large): no estimate, the hard budget
      // reserves the unreadable-request token reserve (200,000 by default).
      CallRequest req =
          TestCalls.post(
              "api.openai.com",
              "/v1/chat/completions",
              null,
              Map.of("content-type", "application/json"),
              AttributionContext.builder().tenantId("acme").build(),
              ContextSource.TAG);
      LlmCall call = engine.begin(req);
      assertThat(call.tracked()).isTrue();
      call.onResponse(200, name -> name.equals("content-type") ? "application/json" : null);
      call.markUnreadable("body_too_large");
      call.completeWithoutBody();
      dev.attribution.api.budget.BudgetStatus st = engine.budgetStatuses().get(0);
      assertThat(st.spentTokens())
          .as("tokens charged for unknown usage vs the 200,000 the hard budget reserved")
          .isGreaterThanOrEqualTo(200_000L);
    }
  }

  /**
   * An upstream error whose body carries a usage that is not an object: nothing ran, nothing
   * billed.
   */
  @Test
  void anUpstreamErrorWithABogusUsageMemberChargesNothing() {
    InMemoryUsageSink sink = UsageSink.inMemory();
    dev.attribution.core.budget.BudgetDefinition budget = tenantBudget(10_000_000L);
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
      call.onResponse(429, name -> name.equals("content-type") ? "application/json" : null);
      byte[] b =
          "{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit_error\"},\"usage\":\"n/a\"}"
              .getBytes(java.nio.charset.StandardCharsets.UTF_8);
      call.completeBody(b, b.length);
      dev.attribution.api.budget.BudgetStatus st = engine.budgetStatuses().get(0);
      assertThat(st.spentTokens()).as("tokens charged for a 429").isZero();
      assertThat(st.spent()).as("money charged for a 429").isZero();
    }
  }

  /** A per-tenant day budget of 1,000 in money and {@code tokens} tokens. */
  static dev.attribution.core.budget.BudgetDefinition tenantBudget(long tokens) {
    return dev.attribution.core.budget.BudgetDefinition.builder("tenant-daily")
        .each(dev.attribution.api.budget.ScopeDimension.TENANT)
        .limit("1000")
        .tokenLimit(tokens)
        .period(dev.attribution.core.budget.BudgetPeriod.calendarDay(java.time.ZoneOffset.UTC))
        .build();
  }
}
