package dev.attribution.sink.jdbc;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.CallStatus;
import dev.attribution.api.ContextSource;
import dev.attribution.api.CostBreakdown;
import dev.attribution.api.CostSource;
import dev.attribution.api.TokenUsage;
import dev.attribution.api.UsageRecord;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Usage records for tests: every field set, values spread over a few tenants, models and days. */
final class TestRecords {

  static final Instant T0 = Instant.parse("2026-03-02T10:15:30.123456Z");
  static final String[] TENANTS = {"acme", "globex", "initech", "umbrella"};
  static final String[] FEATURES = {"chat", "search", "summarise"};
  static final String[] MODELS = {"gpt-4o", "gpt-4o-mini", "claude-sonnet-4"};

  private TestRecords() {}

  /** A record with every field set to a non-default value. */
  static UsageRecord full(int i, Random rnd) {
    Instant start =
        T0.plus(rnd.nextInt(40 * 24 * 60), ChronoUnit.MINUTES)
            .plusNanos(rnd.nextInt(1_000_000) * 1000L);
    TokenUsage usage =
        TokenUsage.builder()
            .inputTokens(1000 + rnd.nextInt(5000))
            .cachedInputTokens(rnd.nextInt(500))
            .cacheWrite5mTokens(rnd.nextInt(100))
            .cacheWrite1hTokens(rnd.nextInt(50))
            .outputTokens(200 + rnd.nextInt(2000))
            .reasoningTokens(rnd.nextInt(100))
            .audioInputTokens(rnd.nextInt(10))
            .audioOutputTokens(rnd.nextInt(10))
            .imageInputTokens(rnd.nextInt(10))
            .imageOutputTokens(rnd.nextInt(10))
            .build();
    CostBreakdown cost =
        CostBreakdown.builder()
            .input(nanos(rnd))
            .cachedInput(nanos(rnd))
            .cacheWrite(nanos(rnd))
            .output(nanos(rnd))
            .reasoning(nanos(rnd))
            .tools(nanos(rnd))
            .other(nanos(rnd))
            .currency("USD")
            .build();
    boolean ok = rnd.nextInt(10) != 0;
    return UsageRecord.builder()
        .id(UsageRecord.newId(start))
        .startedAt(start)
        .endedAt(start.plusMillis(1234).plusNanos(5000))
        .context(
            AttributionContext.builder()
                .tenantId(TENANTS[rnd.nextInt(TENANTS.length)])
                .userId("user-" + rnd.nextInt(20))
                .assistantId("assistant-" + rnd.nextInt(3))
                .threadId("thread-" + i)
                .feature(FEATURES[rnd.nextInt(FEATURES.length)])
                .trafficClass(AttributionContext.TRAFFIC_BACKGROUND)
                .tag("plan", "pro")
                .tag("region", "eu-west-1 \"quoted\" ü")
                .build())
        .contextSource(ContextSource.HEADER)
        .provider("openai")
        .operation("chat")
        .serverHost("api.openai.com")
        .requestedModel("gpt-4o")
        .effectiveModel(MODELS[rnd.nextInt(MODELS.length)])
        .responseModel("gpt-4o-2024-08-06")
        .route("primary")
        .routeRule("rule-1")
        .streaming(true)
        .attempt(2)
        .usage(usage)
        .usageEstimated(true)
        .cost(cost)
        .providerReportedCost(new BigDecimal("0.000123456"))
        .computedCost(nanos(rnd))
        .charge(nanos(rnd))
        .costSource(CostSource.PROVIDER_REPORTED)
        .priceVersion("prices-2026-01")
        .latency(Duration.ofMillis(1234))
        .timeToFirstByte(Duration.ofMillis(321))
        .status(ok ? CallStatus.OK : CallStatus.UPSTREAM_ERROR)
        .httpStatus(ok ? 200 : 503)
        .errorType(ok ? null : "server_error")
        .errorMessage(ok ? null : "upstream unavailable")
        .providerRequestId("req_" + i)
        .budgetAction(BudgetAction.NOTIFY)
        .budgetName("monthly-acme")
        .budgetPercent(new BigDecimal("81.5"))
        .keyFingerprint("…abcd#1a2b3c")
        .traceId("0af7651916cd43dd8448eb211c80319c")
        .spanId("b7ad6b7169203331")
        .attribute("meter", "images")
        .build();
  }

  /** A call whose cost is unknown (an unpriced model). */
  static UsageRecord unpriced(Instant at) {
    return UsageRecord.builder()
        .startedAt(at.truncatedTo(ChronoUnit.MICROS))
        .context(AttributionContext.builder().tenantId("acme").build())
        .provider("openai")
        .effectiveModel("in-house-7b")
        .usage(TokenUsage.of(100, 20))
        .cost(null)
        .costSource(CostSource.UNPRICED)
        .build();
  }

  /** A record with only the required fields. */
  static UsageRecord minimal(Instant at) {
    return UsageRecord.builder().startedAt(at.truncatedTo(ChronoUnit.MICROS)).build();
  }

  static List<UsageRecord> many(int n, long seed) {
    Random rnd = new Random(seed);
    List<UsageRecord> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(full(i, rnd));
    }
    return out;
  }

  /** A small random amount with all nine decimals used. */
  static BigDecimal nanos(Random rnd) {
    return BigDecimal.valueOf(rnd.nextInt(50_000_000), 9);
  }
}
