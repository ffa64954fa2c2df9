package dev.attribution.core.internal.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.CostBreakdown;
import dev.attribution.api.CostSource;
import dev.attribution.api.TokenUsage;
import dev.attribution.core.pricing.MeterPrice;
import dev.attribution.core.pricing.ModelPrice;
import dev.attribution.core.pricing.PriceOverrides;
import dev.attribution.core.pricing.TokenRates;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every token category and provider semantic, priced against a hand-written catalog; expected
 * amounts are worked out by hand in each row (rates per million tokens, so amount = tokens x rate /
 * 1e6).
 */
class CostCalculationTest {

  static final Instant AT = Instant.parse("2026-06-01T00:00:00Z");

  static BigDecimal m(String perMillion) {
    return TokenRates.perMillion(new BigDecimal(perMillion));
  }

  /** A catalog with one model per semantic, rates as published by each provider. */
  static PriceCatalog handCatalog() {
    return PriceCatalog.builder()
        .version("hand")
        // OpenAI gpt-4o: $2.50 in, $1.25 cached, $10 out; batch half price; priority dearer.
        .put(
            ModelPrice.builder("openai", "gpt-4o")
                .rates(
                    TokenRates.builder()
                        .input(m("2.50"))
                        .cachedInput(m("1.25"))
                        .output(m("10"))
                        .build())
                .serviceTier(
                    "batch",
                    TokenRates.builder()
                        .input(m("1.25"))
                        .cachedInput(m("0.625"))
                        .output(m("5"))
                        .build())
                .serviceTier(
                    "priority",
                    TokenRates.builder()
                        .input(m("4.25"))
                        .cachedInput(m("2.125"))
                        .output(m("17"))
                        .build())
                .build())
        // OpenAI o3: reasoning has no own rate and falls back to output ($8).
        .put(
            ModelPrice.builder("openai", "o3")
                .rates(
                    TokenRates.builder().input(m("2")).cachedInput(m("0.5")).output(m("8")).build())
                .build())
        // OpenAI audio model: audio in $40, audio out $80, text $2.50/$10.
        .put(
            ModelPrice.builder("openai", "gpt-4o-audio-preview")
                .rates(
                    TokenRates.builder()
                        .input(m("2.50"))
                        .output(m("10"))
                        .audioInput(m("40"))
                        .audioOutput(m("80"))
                        .imageInput(m("5"))
                        .build())
                .build())
        // Anthropic Sonnet: $3 in, $0.30 read, $3.75 5m write, $6 1h write, $15 out; >200k:
        // $6/$22.50.
        .put(
            ModelPrice.builder("anthropic", "claude-sonnet-4-5")
                .rates(
                    TokenRates.builder()
                        .input(m("3"))
                        .cachedInput(m("0.30"))
                        .cacheWrite5m(m("3.75"))
                        .cacheWrite1h(m("6"))
                        .output(m("15"))
                        .build())
                .contextTier(
                    200_000,
                    TokenRates.builder()
                        .input(m("6"))
                        .cachedInput(m("0.60"))
                        .cacheWrite5m(m("7.50"))
                        .cacheWrite1h(m("12"))
                        .output(m("22.50"))
                        .build())
                .build())
        // Gemini 2.5 Pro: $1.25 in, $0.125 cached, $10 out (thoughts too); >200k: $2.50/$0.25/$15.
        .put(
            ModelPrice.builder("gcp.gemini", "gemini-2.5-pro")
                .rates(
                    TokenRates.builder()
                        .input(m("1.25"))
                        .cachedInput(m("0.125"))
                        .output(m("10"))
                        .build())
                .contextTier(
                    200_000,
                    TokenRates.builder()
                        .input(m("2.50"))
                        .cachedInput(m("0.25"))
                        .output(m("15"))
                        .build())
                .build())
        // Gemini Flash: reasoning priced on its own ($3.50) above output ($0.60).
        .put(
            ModelPrice.builder("gcp.gemini", "gemini-flash-thinking")
                .rates(
                    TokenRates.builder()
                        .input(m("0.15"))
                        .output(m("0.60"))
                        .reasoning(m("3.50"))
                        .build())
                .build())
        // DeepSeek: cache miss $0.28, cache hit $0.028, output $0.42.
        .put(
            ModelPrice.builder("deepseek", "deepseek-chat")
                .rates(
                    TokenRates.builder()
                        .input(m("0.28"))
                        .cachedInput(m("0.028"))
                        .output(m("0.42"))
                        .build())
                .build())
        // OpenRouter model with a $0.005 per-request fee.
        .put(
            ModelPrice.builder("openrouter", "perplexity/sonar")
                .rates(TokenRates.perMillion("1", "1"))
                .perCallFee(new BigDecimal("0.005"))
                .build())
        // A price change: $5/$15 until 2026-01-01, then $2.50/$10.
        .put(ModelPrice.builder("xai", "grok-x").rates(TokenRates.perMillion("5", "15")).build())
        .put(
            ModelPrice.builder("xai", "grok-x")
                .rates(TokenRates.perMillion("2.50", "10"))
                .effectiveFrom(Instant.parse("2026-01-01T00:00:00Z"))
                .build())
        .meter(MeterPrice.of("vector.read", new BigDecimal("0.0004"), 1000))
        .build();
  }

  static PricingEngine engine() {
    return PricingEngine.builder().baseCatalog(handCatalog()).build();
  }

  static CostBreakdown cost(
      String input,
      String cached,
      String cacheWrite,
      String output,
      String reasoning,
      String other) {
    return CostBreakdown.builder()
        .input(new BigDecimal(input))
        .cachedInput(new BigDecimal(cached))
        .cacheWrite(new BigDecimal(cacheWrite))
        .output(new BigDecimal(output))
        .reasoning(new BigDecimal(reasoning))
        .other(new BigDecimal(other))
        .build();
  }

  static Stream<Arguments> rows() {
    return Stream.of(
        Arguments.of(
            "openai: cached tokens are inside prompt tokens",
            "openai",
            "gpt-4o",
            null,
            // prompt 1000 of which cached 400; completion 500.
            TokenUsage.builder().inputTokens(1000).cachedInputTokens(400).outputTokens(500).build(),
            // 600 x 2.50 = 0.0015; 400 x 1.25 = 0.0005; 500 x 10 = 0.005
            cost("0.0015", "0.0005", "0", "0.005", "0", "0")),
        Arguments.of(
            "openai: reasoning is inside completion tokens and falls back to the output rate",
            "openai",
            "o3",
            null,
            TokenUsage.builder().inputTokens(2000).outputTokens(1500).reasoningTokens(1200).build(),
            // 2000 x 2 = 0.004; text out 300 x 8 = 0.0024; reasoning 1200 x 8 = 0.0096
            cost("0.004", "0", "0", "0.0024", "0.0096", "0")),
        Arguments.of(
            "openai batch tier: half price",
            "openai",
            "gpt-4o",
            "batch",
            TokenUsage.builder().inputTokens(1000).cachedInputTokens(400).outputTokens(500).build(),
            // 600 x 1.25 = 0.00075; 400 x 0.625 = 0.00025; 500 x 5 = 0.0025
            cost("0.00075", "0.00025", "0", "0.0025", "0", "0")),
        Arguments.of(
            "openai priority tier",
            "openai",
            "gpt-4o",
            "priority",
            TokenUsage.of(1000, 100),
            // 1000 x 4.25 = 0.00425; 100 x 17 = 0.0017
            cost("0.00425", "0", "0", "0.0017", "0", "0")),
        Arguments.of(
            "unknown service tier: standard rates",
            "openai",
            "gpt-4o",
            "flex",
            TokenUsage.of(1000, 100),
            // 1000 x 2.50 = 0.0025; 100 x 10 = 0.001
            cost("0.0025", "0", "0", "0.001", "0", "0")),
        Arguments.of(
            "openai audio and image tokens go to other",
            "openai",
            "gpt-4o-audio-preview",
            null,
            TokenUsage.builder()
                .inputTokens(1300)
                .audioInputTokens(200)
                .imageInputTokens(100)
                .outputTokens(400)
                .audioOutputTokens(150)
                .build(),
            // text in 1000 x 2.50 = 0.0025; text out 250 x 10 = 0.0025;
            // other: 200 x 40 = 0.008 + 100 x 5 = 0.0005 + 150 x 80 = 0.012 -> 0.0205
            cost("0.0025", "0", "0", "0.0025", "0", "0.0205")),
        Arguments.of(
            "anthropic: cache reads and 5m/1h writes (normalised into input)",
            "anthropic",
            "claude-sonnet-4-5",
            null,
            // Anthropic reported input 100, cache_read 2000, creation 5m 500, 1h 300 -> input 2900
            TokenUsage.builder()
                .inputTokens(2900)
                .cachedInputTokens(2000)
                .cacheWrite5mTokens(500)
                .cacheWrite1hTokens(300)
                .outputTokens(400)
                .build(),
            // 100 x 3 = 0.0003; 2000 x 0.30 = 0.0006; 500 x 3.75 = 0.001875 + 300 x 6 = 0.0018;
            // 400 x 15 = 0.006
            cost("0.0003", "0.0006", "0.003675", "0.006", "0", "0")),
        Arguments.of(
            "anthropic above 200k input: the whole request at tier rates",
            "anthropic",
            "claude-sonnet-4-5",
            null,
            TokenUsage.builder()
                .inputTokens(250_000)
                .cachedInputTokens(100_000)
                .cacheWrite5mTokens(10_000)
                .outputTokens(2000)
                .build(),
            // 140000 x 6 = 0.84; 100000 x 0.60 = 0.06; 10000 x 7.50 = 0.075; 2000 x 22.50 = 0.045
            cost("0.84", "0.06", "0.075", "0.045", "0", "0")),
        Arguments.of(
            "tier boundary: exactly 200k input is not above it",
            "anthropic",
            "claude-sonnet-4-5",
            null,
            TokenUsage.of(200_000, 1000),
            // 200000 x 3 = 0.6; 1000 x 15 = 0.015
            cost("0.6", "0", "0", "0.015", "0", "0")),
        Arguments.of(
            "gemini: thoughts (outside candidates) normalised into output, priced as output",
            "gcp.gemini",
            "gemini-2.5-pro",
            null,
            // prompt 10000 incl. cached 4000; candidates 300 + thoughts 700
            TokenUsage.builder()
                .inputTokens(10_000)
                .cachedInputTokens(4000)
                .outputTokens(1000)
                .reasoningTokens(700)
                .build(),
            // 6000 x 1.25 = 0.0075; 4000 x 0.125 = 0.0005; 300 x 10 = 0.003; 700 x 10 = 0.007
            cost("0.0075", "0.0005", "0", "0.003", "0.007", "0")),
        Arguments.of(
            "gemini above 200k: tier reprices input and output",
            "gcp.gemini",
            "gemini-2.5-pro",
            null,
            TokenUsage.builder()
                .inputTokens(300_000)
                .outputTokens(1000)
                .reasoningTokens(400)
                .build(),
            // 300000 x 2.50 = 0.75; 600 x 15 = 0.009; 400 x 15 = 0.006
            cost("0.75", "0", "0", "0.009", "0.006", "0")),
        Arguments.of(
            "reasoning with its own rate",
            "gcp.gemini",
            "gemini-flash-thinking",
            null,
            TokenUsage.builder().inputTokens(1000).outputTokens(1100).reasoningTokens(1000).build(),
            // 1000 x 0.15 = 0.00015; 100 x 0.60 = 0.00006; 1000 x 3.50 = 0.0035
            cost("0.00015", "0", "0", "0.00006", "0.0035", "0")),
        Arguments.of(
            "deepseek: cache hit and miss tokens",
            "deepseek",
            "deepseek-chat",
            null,
            // prompt_cache_hit 3000 + miss 1000 -> input 4000 cached 3000
            TokenUsage.builder()
                .inputTokens(4000)
                .cachedInputTokens(3000)
                .outputTokens(500)
                .build(),
            // 1000 x 0.28 = 0.00028; 3000 x 0.028 = 0.000084; 500 x 0.42 = 0.00021
            cost("0.00028", "0.000084", "0", "0.00021", "0", "0")),
        Arguments.of(
            "per-call fee goes to other",
            "openrouter",
            "perplexity/sonar",
            null,
            TokenUsage.of(1000, 1000),
            // 1000 x 1 = 0.001 each; fee 0.005
            cost("0.001", "0", "0", "0.001", "0", "0.005")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void pricesEveryCategoryAsWorkedOutByHand(
      String name,
      String provider,
      String model,
      String serviceTier,
      TokenUsage usage,
      CostBreakdown expected) {
    PriceResult r =
        engine().price(provider, model, usage, AT, PriceOptions.of(serviceTier, null, null, null));

    assertThat(r.costSource()).isEqualTo(CostSource.COMPUTED);
    assertThat(r.cost()).isEqualTo(expected);
    assertThat(r.computedCost()).isEqualTo(expected);
    assertThat(r.priceVersion()).isEqualTo("hand");
  }

  @Test
  void longContextTierIsReportedOnTheResult() {
    PriceResult r = engine().price("anthropic", "claude-sonnet-4-5", TokenUsage.of(200_001, 1), AT);
    assertThat(r.contextTierAbove()).isEqualTo(200_000);
    assertThat(
            engine()
                .price("anthropic", "claude-sonnet-4-5", TokenUsage.of(10, 1), AT)
                .contextTierAbove())
        .isZero();
  }

  @Test
  void providerReportedCostCountsByDefaultAndComputedIsKept() {
    TokenUsage u = TokenUsage.of(1000, 1000);
    PriceResult r =
        engine()
            .price(
                "openrouter",
                "perplexity/sonar",
                u,
                AT,
                PriceOptions.of(null, null, new BigDecimal("0.0123"), null));

    assertThat(r.costSource()).isEqualTo(CostSource.PROVIDER_REPORTED);
    assertThat(r.cost().total()).isEqualByComparingTo("0.0123");
    assertThat(r.providerReportedCost()).isEqualByComparingTo("0.0123");
    assertThat(r.computedCost()).isEqualTo(cost("0.001", "0", "0", "0.001", "0", "0.005"));
    // Split in proportion to the computed cost: 1/7, 1/7, 5/7 of 0.0123.
    assertThat(r.cost().input()).isEqualByComparingTo("0.001757143");
    assertThat(r.cost().output()).isEqualByComparingTo("0.001757143");
    assertThat(r.cost().other()).isEqualByComparingTo("0.008785714");
  }

  @Test
  void computedCostCountsWhenConfiguredAndReportedIsKeptBesideIt() {
    PricingEngine e =
        PricingEngine.builder()
            .baseCatalog(handCatalog())
            .costPreference(CostPreference.COMPUTED)
            .build();
    PriceResult r =
        e.price(
            "openrouter",
            "perplexity/sonar",
            TokenUsage.of(1000, 1000),
            AT,
            PriceOptions.of(null, null, new BigDecimal("0.0123"), null));

    assertThat(r.costSource()).isEqualTo(CostSource.COMPUTED);
    assertThat(r.cost().total()).isEqualByComparingTo("0.007");
    assertThat(r.providerReportedCost()).isEqualByComparingTo("0.0123");
  }

  @Test
  void reportedCostOfAnUnpricedModelCountsInOther() {
    PriceResult r =
        engine()
            .price(
                "openrouter",
                "brand/new-model",
                TokenUsage.of(10, 10),
                AT,
                PriceOptions.of(null, null, new BigDecimal("0.42"), null));
    assertThat(r.costSource()).isEqualTo(CostSource.PROVIDER_REPORTED);
    assertThat(r.cost()).isEqualTo(cost("0", "0", "0", "0", "0", "0.42"));
    assertThat(r.computedCost()).isNull();
  }

  @Test
  void priceInForceAtTheCallTimeIsUsed() {
    TokenUsage u = TokenUsage.of(1_000_000, 1_000_000);
    PricingEngine e = engine();
    assertThat(e.price("xai", "grok-x", u, Instant.parse("2025-12-31T23:59:59Z")).cost().total())
        .isEqualByComparingTo("20"); // 5 + 15
    assertThat(e.price("xai", "grok-x", u, Instant.parse("2026-01-01T00:00:00Z")).cost().total())
        .isEqualByComparingTo("12.5"); // 2.50 + 10
  }

  @Test
  void regionalUpliftMultipliesTheCost() {
    PricingEngine e =
        PricingEngine.builder()
            .baseCatalog(handCatalog())
            .overrides(
                PriceOverrides.builder()
                    .regionalUplift("gcp.gemini", "europe-west4", new BigDecimal("1.1"))
                    .build())
            .build();
    TokenUsage u = TokenUsage.of(100_000, 0);
    assertThat(
            e.price(
                    "gcp.gemini",
                    "gemini-2.5-pro",
                    u,
                    AT,
                    PriceOptions.of(null, "EUROPE-WEST4", null, null))
                .cost()
                .total())
        .isEqualByComparingTo("0.1375"); // 100000 x 1.25/M x 1.1
    assertThat(e.price("gcp.gemini", "gemini-2.5-pro", u, AT).cost().total())
        .isEqualByComparingTo("0.125");
  }

  @Test
  void modelDiscountWinsOverProviderDiscount() {
    PricingEngine e =
        PricingEngine.builder()
            .baseCatalog(handCatalog())
            .overrides(
                PriceOverrides.builder()
                    .discount("openai", new BigDecimal("10"))
                    .discount("openai", "o3", new BigDecimal("25"))
                    .build())
            .build();
    TokenUsage u = TokenUsage.of(1_000_000, 1_000_000);
    // gpt-4o: (2.50 + 10) x 0.90 = 11.25; o3: (2 + 8) x 0.75 = 7.5
    assertThat(e.price("openai", "gpt-4o", u, AT).cost().total()).isEqualByComparingTo("11.25");
    assertThat(e.price("openai", "o3", u, AT).cost().total()).isEqualByComparingTo("7.5");
    assertThat(e.priceVersion()).startsWith("hand+ovr-");
  }

  @Test
  void chargeAppliesThePlanMarkupWithProviderSpecificMarkupFirst() {
    PricingEngine e =
        PricingEngine.builder()
            .baseCatalog(handCatalog())
            .overrides(
                PriceOverrides.builder()
                    .plan("pro", new BigDecimal("30"))
                    .plan("pro", "anthropic", new BigDecimal("50"))
                    .build())
            .build();
    TokenUsage u = TokenUsage.of(1000, 0);
    // gpt-4o 0.0025 x 1.3 = 0.00325; sonnet 0.003 x 1.5 = 0.0045
    assertThat(
            e.price("openai", "gpt-4o", u, AT, PriceOptions.of(null, null, null, "pro")).charge())
        .isEqualByComparingTo("0.00325");
    assertThat(
            e.price(
                    "anthropic",
                    "claude-sonnet-4-5",
                    u,
                    AT,
                    PriceOptions.of(null, null, null, "pro"))
                .charge())
        .isEqualByComparingTo("0.0045");
    assertThat(
            e.price("openai", "gpt-4o", u, AT, PriceOptions.of(null, null, null, "free")).charge())
        .isNull();
    assertThat(e.price("openai", "gpt-4o", u, AT).charge()).isNull();
  }

  @Test
  void customSelfHostedAndFineTunedModelsArePricedFromOverrides() {
    PricingEngine e =
        PricingEngine.builder()
            .baseCatalog(handCatalog())
            .overrides(
                PriceOverrides.builder()
                    .selfHosted("vllm", "llama-3-70b")
                    .model(
                        ModelPrice.builder("openai", "ft:gpt-4o-mini:acme")
                            .rates(TokenRates.perMillion("0.30", "1.20"))
                            .build())
                    .build())
            .build();
    PriceResult self = e.price("vllm", "llama-3-70b", TokenUsage.of(5000, 5000), AT);
    assertThat(self.costSource()).isEqualTo(CostSource.COMPUTED);
    assertThat(self.cost().isZero()).isTrue();
    // 1000 x 0.30 = 0.0003; 1000 x 1.20 = 0.0012
    assertThat(
            e.price("openai", "FT:gpt-4o-mini:acme", TokenUsage.of(1000, 1000), AT).cost().total())
        .isEqualByComparingTo("0.0015");
  }

  @Test
  void meterQuantityIsPricedIntoOther() {
    PricingEngine e =
        PricingEngine.builder()
            .baseCatalog(handCatalog())
            .overrides(
                PriceOverrides.builder()
                    .meter(MeterPrice.of("gpu.second", new BigDecimal("0.0011"), 1))
                    .plan("pro", new BigDecimal("100"))
                    .build())
            .build();
    // 2500 reads x 0.0004 / 1000 = 0.001
    PriceResult reads = e.priceMeter("vector.read", new BigDecimal("2500"), AT, null);
    assertThat(reads.cost()).isEqualTo(cost("0", "0", "0", "0", "0", "0.001"));
    assertThat(reads.costSource()).isEqualTo(CostSource.COMPUTED);
    // 90.5 s x 0.0011 = 0.09955, charged x2
    PriceResult gpu = e.priceMeter("GPU.second", new BigDecimal("90.5"), AT, "pro");
    assertThat(gpu.cost().other()).isEqualByComparingTo("0.09955");
    assertThat(gpu.charge()).isEqualByComparingTo("0.1991");
    assertThat(e.priceMeter("memory.write", BigDecimal.ONE, AT, null).costSource())
        .isEqualTo(CostSource.UNPRICED);
  }
}
