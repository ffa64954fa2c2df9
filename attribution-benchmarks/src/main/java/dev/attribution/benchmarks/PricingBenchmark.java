package dev.attribution.benchmarks;

import dev.attribution.api.TokenUsage;
import dev.attribution.core.internal.pricing.PriceOptions;
import dev.attribution.core.internal.pricing.PriceResult;
import dev.attribution.core.internal.pricing.PricingEngine;
import dev.attribution.core.pricing.PriceOverrides;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Resolving a model and pricing one call's usage on a warm engine over the bundled catalog: the
 * work the interceptor does on the request path. Target: at most 1 microsecond median.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PricingBenchmark {

  private PricingEngine engine;
  private TokenUsage openAiUsage;
  private TokenUsage anthropicUsage;
  private PriceOptions reportedWithPlan;
  private Instant at;
  private String prompt;

  /** Builds the engine and warms the resolution cache. */
  @Setup
  public void setUp() {
    engine =
        PricingEngine.builder()
            .overrides(PriceOverrides.builder().plan("pro", new BigDecimal("30")).build())
            .build();
    at = Instant.parse("2026-06-01T00:00:00Z");
    openAiUsage =
        TokenUsage.builder()
            .inputTokens(1850)
            .cachedInputTokens(1024)
            .outputTokens(420)
            .reasoningTokens(128)
            .build();
    anthropicUsage =
        TokenUsage.builder()
            .inputTokens(5200)
            .cachedInputTokens(4000)
            .cacheWrite5mTokens(900)
            .outputTokens(610)
            .build();
    reportedWithPlan = PriceOptions.of(null, null, new BigDecimal("0.00123"), "pro");
    prompt =
        "You are a helpful assistant. Summarise the following support ticket in two lines. "
            .repeat(8);
  }

  /** A dated OpenAI snapshot with cached and reasoning tokens. */
  @Benchmark
  public PriceResult priceOpenAiDatedSnapshot() {
    return engine.price("openai", "gpt-4o-2024-08-06", openAiUsage, at);
  }

  /** Anthropic with cache reads and writes, resolved from a dated name to its entry. */
  @Benchmark
  public PriceResult priceAnthropicCached() {
    return engine.price("anthropic", "claude-sonnet-4-5-20250929", anthropicUsage, at);
  }

  /** OpenRouter with a provider-reported cost split over components and a plan charge. */
  @Benchmark
  public PriceResult priceOpenRouterReportedWithCharge() {
    return engine.price("openrouter", "openai/gpt-4o", openAiUsage, at, reportedWithPlan);
  }

  /** Pre-call worst case of a ~650-character prompt with jtokkit o200k. */
  @Benchmark
  public BigDecimal estimateWorstCaseOpenAi() {
    return engine.estimateWorstCase("openai", "gpt-4o", prompt, 1024, at);
  }
}
