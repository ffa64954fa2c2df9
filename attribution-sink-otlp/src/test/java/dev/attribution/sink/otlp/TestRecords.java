package dev.attribution.sink.otlp;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.CallStatus;
import dev.attribution.api.ContextSource;
import dev.attribution.api.CostBreakdown;
import dev.attribution.api.TokenUsage;
import dev.attribution.api.UsageRecord;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;

/** Usage records for each kind of call the sink must handle, built directly. */
public final class TestRecords {

  public static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");
  public static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
  public static final String SPAN_ID = "b7ad6b7169203331";

  private TestRecords() {}

  public static AttributionContext context(String tenant) {
    return AttributionContext.builder()
        .tenantId(tenant)
        .feature("support-bot")
        .userId("user-42")
        .threadId("thread-7")
        .assistantId("helper")
        .tag("plan", "pro")
        .build();
  }

  public static UsageRecord.Builder base(String tenant) {
    return UsageRecord.builder()
        .startedAt(T0)
        .endedAt(T0.plusMillis(1500))
        .context(context(tenant))
        .contextSource(ContextSource.SCOPE)
        .provider("openai")
        .serverHost("api.openai.com")
        .latency(Duration.ofMillis(1500))
        .httpStatus(200);
  }

  public static UsageRecord chat(String tenant) {
    return base(tenant)
        .operation("chat")
        .requestedModel("gpt-4o")
        .effectiveModel("gpt-4o")
        .responseModel("gpt-4o-2024-08-06")
        .usage(
            TokenUsage.builder()
                .inputTokens(1200)
                .cachedInputTokens(200)
                .outputTokens(300)
                .reasoningTokens(50)
                .build())
        .cost(
            CostBreakdown.builder()
                .input(new BigDecimal("0.0025"))
                .cachedInput(new BigDecimal("0.00025"))
                .output(new BigDecimal("0.003"))
                .build())
        .providerRequestId("chatcmpl-123")
        .keyFingerprint("…abcd#1f2e")
        .priceVersion("2026-11-01")
        .traceId(TRACE_ID)
        .spanId(SPAN_ID)
        .attribute("meter.name", "none")
        .build();
  }

  public static UsageRecord stream(String tenant) {
    return base(tenant)
        .operation("chat")
        .streaming(true)
        .requestedModel("gpt-4o-mini")
        .effectiveModel("gpt-4o-mini")
        .responseModel("gpt-4o-mini")
        .timeToFirstByte(Duration.ofMillis(250))
        .usage(TokenUsage.of(500, 800))
        .cost(
            CostBreakdown.builder()
                .input(new BigDecimal("0.000075"))
                .output(new BigDecimal("0.00048"))
                .build())
        .build();
  }

  public static UsageRecord embeddings(String tenant) {
    return base(tenant)
        .operation("embeddings")
        .requestedModel("text-embedding-3-small")
        .effectiveModel("text-embedding-3-small")
        .responseModel("text-embedding-3-small")
        .latency(Duration.ofMillis(80))
        .usage(TokenUsage.of(4000, 0))
        .cost(CostBreakdown.builder().input(new BigDecimal("0.00008")).build())
        .build();
  }

  public static UsageRecord upstreamError(String tenant) {
    return base(tenant)
        .operation("chat")
        .requestedModel("gpt-4o")
        .effectiveModel("gpt-4o")
        .latency(Duration.ofMillis(300))
        .status(CallStatus.UPSTREAM_ERROR)
        .httpStatus(429)
        .errorType("rate_limit_exceeded")
        .errorMessage("Rate limit reached")
        .build();
  }

  public static UsageRecord blocked(String tenant) {
    return base(tenant)
        .operation("chat")
        .requestedModel("gpt-4o")
        .effectiveModel("gpt-4o")
        .latency(Duration.ZERO)
        .httpStatus(429)
        .status(CallStatus.BLOCKED)
        .errorType("budget_exceeded")
        .budgetAction(BudgetAction.BLOCK)
        .budgetName("tenant-daily")
        .budgetPercent(new BigDecimal("100.5"))
        .build();
  }
}
