package dev.attribution.testing;

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
import org.jspecify.annotations.Nullable;

/**
 * Usage records for tests: every field set, values spread over a few tenants, models and days;
 * instants at microsecond precision (what every supported database keeps).
 */
public final class UsageRecords {

  /** The instant the fixtures start from (a Monday, microsecond precision). */
  public static final Instant T0 = Instant.parse("2026-03-02T10:15:30.123456Z");

  /** The tenants {@link #full} spreads records over. */
  public static final List<String> TENANTS = List.of("acme", "globex", "initech", "umbrella");

  /** The features {@link #full} spreads records over. */
  public static final List<String> FEATURES = List.of("chat", "search", "summarise");

  /** The effective models {@link #full} spreads records over. */
  public static final List<String> MODELS = List.of("gpt-4o", "gpt-4o-mini", "claude-sonnet-4");

  /** The smallest amount a record carries: one billionth. */
  public static final BigDecimal SMALLEST = new BigDecimal("0.000000001");

  /** A large amount with all nine decimals used. */
  public static final BigDecimal LARGEST = new BigDecimal("999999999.999999999");

  /**
   * Text that breaks hand-written JSON writers: quotes, a backslash and a slash, NUL and other
   * control characters, DEL, a C1 control, line and paragraph separators, a byte-order mark, an
   * emoji (a surrogate pair), lone high and low surrogates, and a high surrogate at the very end.
   */
  public static final String HOSTILE_TEXT =
      "q\"b\\s/ nul\u0000 c0\u0001\u001f del\u007f c1\u0085 ls\u2028 ps\u2029 bom\uFEFF"
          + " emoji\uD83D\uDE00 hi\uD800 lo\uDC00 end\uDBFF";

  private UsageRecords() {}

  /**
   * A record with every field set to a non-default value, drawn from {@code rnd}.
   *
   * @param i a number that makes the thread id and provider request id distinct
   * @param rnd the source of the spread values
   */
  public static UsageRecord full(int i, Random rnd) {
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
                .tenantId(TENANTS.get(rnd.nextInt(TENANTS.size())))
                .userId("user-" + rnd.nextInt(20))
                .assistantId("assistant-" + rnd.nextInt(3))
                .threadId("thread-" + i)
                .feature(FEATURES.get(rnd.nextInt(FEATURES.size())))
                .trafficClass(AttributionContext.TRAFFIC_BACKGROUND)
                .tag("plan", "pro")
                .tag("region", "eu-west-1 \"quoted\" ü")
                .build())
        .contextSource(ContextSource.HEADER)
        .provider("openai")
        .operation("chat")
        .serverHost("api.openai.com")
        .requestedModel("gpt-4o")
        .effectiveModel(MODELS.get(rnd.nextInt(MODELS.size())))
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
        .dryRunAction(i % 2 == 0 ? BudgetAction.BLOCK : BudgetAction.DOWNGRADE)
        .deployment("deployment-" + i)
        .keyFingerprint("…abcd#1a2b3c")
        .traceId("0af7651916cd43dd8448eb211c80319c")
        .spanId("b7ad6b7169203331")
        .attribute("meter", "images")
        .build();
  }

  /** A call whose cost is unknown (an unpriced model): {@code cost} is null, never zero. */
  public static UsageRecord unpriced(Instant at) {
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

  /**
   * A call that says "unknown" the way records do, with null: an unrecognised endpoint (no
   * provider, no operation), no HTTP response (a transport failure), unpriced; beside it the typed
   * values a sink must keep, a dry-run action and an Azure deployment.
   *
   * @param dryRun the dry-run action to carry, or {@code null}
   */
  public static UsageRecord unknowns(Instant at, @Nullable BudgetAction dryRun) {
    return UsageRecord.builder()
        .startedAt(at.truncatedTo(ChronoUnit.MICROS))
        .context(AttributionContext.builder().tenantId("acme").build())
        .provider(null)
        .operation(null)
        .serverHost("llm.internal")
        .status(CallStatus.FAILED)
        .httpStatus(null)
        .errorType("IOException")
        .cost(null)
        .costSource(CostSource.UNPRICED)
        .dryRunAction(dryRun)
        .deployment(dryRun == null ? null : "prod-" + dryRun.wireName())
        .build();
  }

  /** A record with only the required fields. */
  public static UsageRecord minimal(Instant at) {
    return UsageRecord.builder().startedAt(at.truncatedTo(ChronoUnit.MICROS)).build();
  }

  /** {@code n} records from {@link #full}, reproducible from {@code seed}. */
  public static List<UsageRecord> many(int n, long seed) {
    Random rnd = new Random(seed);
    List<UsageRecord> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(full(i, rnd));
    }
    return out;
  }

  /** A small random amount with all nine decimals used. */
  public static BigDecimal nanos(Random rnd) {
    return BigDecimal.valueOf(rnd.nextInt(50_000_000), 9);
  }

  /**
   * A record whose amounts sit at the edges of what a record carries: {@link #SMALLEST} and {@link
   * #LARGEST} in the cost components and in the computed, provider-reported and charged amounts. A
   * sink that goes through {@code double}, or a column too narrow, changes them.
   */
  public static UsageRecord moneyExtremes(Instant at) {
    return UsageRecord.builder()
        .startedAt(at.truncatedTo(ChronoUnit.MICROS))
        .context(AttributionContext.builder().tenantId("acme").build())
        .provider("openai")
        .operation("chat")
        .effectiveModel("gpt-4o")
        .usage(TokenUsage.of(1, 1))
        .cost(
            CostBreakdown.builder()
                .input(SMALLEST)
                .cachedInput(SMALLEST)
                .output(LARGEST)
                .currency("USD")
                .build())
        .computedCost(SMALLEST)
        .providerReportedCost(LARGEST)
        .charge(LARGEST)
        .costSource(CostSource.COMPUTED)
        .build();
  }

  /** A 10 KB value made of {@code unit} repeated (cut so as not to split a surrogate pair). */
  public static String tenKilobytes(String unit) {
    StringBuilder sb = new StringBuilder(10_240 + unit.length());
    while (sb.length() < 10_240) {
      sb.append(unit);
    }
    return sb.toString();
  }

  /**
   * A record carrying hostile text wherever free text is allowed (the context's identifiers are
   * validated by its builder and cannot carry it): NUL and other control characters, ANSI escapes,
   * CR/LF, a line separator, lone surrogates, a right-to-left override, astral-plane characters,
   * quotes and backslashes, and 10 KB values. A sink must store it (exactly, or cut to a documented
   * length) or reject it with a clear message; it must never corrupt or lose the records exported
   * next to it.
   */
  public static UsageRecord hostile(Instant at) {
    String controls =
        "nul\u0000 bel\u0007 esc\u001b[31m cr\r lf\n tab\t del\u007f c1\u0085 ls\u2028"
            + " lone\uD800high lone\uDC00low";
    String unicode = "ü 中文 \uD83D\uDE00 rtl\u202Eevil \"quoted\" back\\slash '; DROP TABLE x; --";
    return UsageRecord.builder()
        .startedAt(at.truncatedTo(ChronoUnit.MICROS))
        .context(AttributionContext.builder().tenantId("acme").tag("plan", unicode).build())
        .provider("openai")
        .operation("chat")
        .serverHost("api.openai.com")
        .requestedModel("model " + unicode)
        .effectiveModel("gpt-4o")
        .responseModel(controls)
        .route(unicode)
        .routeRule(controls)
        .usage(TokenUsage.of(10, 5))
        .cost(CostBreakdown.builder().input(SMALLEST).currency("USD").build())
        .costSource(CostSource.COMPUTED)
        .priceVersion(unicode)
        .status(CallStatus.UPSTREAM_ERROR)
        .httpStatus(500)
        .errorType(controls)
        .errorMessage(controls + " " + tenKilobytes(unicode))
        .providerRequestId(tenKilobytes("\uD83D\uDE00"))
        .budgetName(controls)
        .deployment("deployment " + unicode)
        .attribute("controls", controls)
        .attribute("unicode", unicode)
        .attribute("large", tenKilobytes("x\u0000\"\\"))
        .attribute("key \u0000 \"with\" \\ escapes", "v")
        .build();
  }
}
