package dev.attribution.core.internal.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.core.pricing.ModelPrice;
import dev.attribution.core.pricing.TokenRates;
import dev.attribution.core.pricing.UnpricedPolicy;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WorstCaseEstimateTest {

  static final Instant AT = CostCalculationTest.AT;
  static final PricingEngine ENGINE = CostCalculationTest.engine();

  @Test
  void openAiModelsAreCountedWithTheirRealTokenizer() {
    // o200k_base: "hello world" is two tokens; cl100k_base too, but differs on longer text.
    assertThat(ENGINE.estimateInputTokens("openai", "gpt-4o", "hello world")).isEqualTo(2);
    assertThat(ENGINE.estimateInputTokens("azure.ai.openai", "gpt-4", "hello world")).isEqualTo(2);
    assertThat(TokenEstimator.encodingFor("openai", "gpt-4o-mini"))
        .isEqualTo(com.knuddels.jtokkit.api.EncodingType.O200K_BASE);
    assertThat(TokenEstimator.encodingFor("openai", "gpt-3.5-turbo"))
        .isEqualTo(com.knuddels.jtokkit.api.EncodingType.CL100K_BASE);
    assertThat(TokenEstimator.encodingFor("openrouter", "openai/o3"))
        .isEqualTo(com.knuddels.jtokkit.api.EncodingType.O200K_BASE);
    assertThat(TokenEstimator.encodingFor("anthropic", "claude-sonnet-4-5")).isNull();
  }

  @Test
  void otherModelsUseOneTokenPerThreeCharactersRoundedUp() {
    assertThat(ENGINE.estimateInputTokens("anthropic", "claude-sonnet-4-5", "0123456789"))
        .isEqualTo(4);
    assertThat(ENGINE.estimateInputTokens("anthropic", "claude-sonnet-4-5", "")).isZero();
  }

  @Test
  void worstCaseIsEveryInputTokenAtFullRatePlusMaxOutput() {
    // "hello world" = 2 tokens x 2.50/M + 1000 x 10/M = 0.000005 + 0.01
    assertThat(ENGINE.estimateWorstCase("openai", "gpt-4o", "hello world", 1000, AT))
        .isEqualByComparingTo("0.010005");
  }

  @Test
  void severalGenerationsBillInputOnceAndOutputPerGeneration() {
    // 1000 input x 2.50/M once + 128 x 100 output x 10/M = 0.0025 + 0.128
    assertThat(ENGINE.estimateWorstCase("openai", "gpt-4o", 1000, 100, 128, AT))
        .isEqualByComparingTo("0.1305");
    // Absent maximum: the 4096 default per generation.
    assertThat(ENGINE.estimateWorstCase("openai", "gpt-4o", 0, -1, 2, AT))
        .isEqualByComparingTo("0.08192");
    assertThat(ENGINE.estimateWorstCase("openai", "gpt-4o", 0, 10, 0, AT))
        .isEqualByComparingTo("0.0001");
  }

  @Test
  void absentMaximumUsesTheDefaultCappedByTheModelsOwnMaximum() {
    // 4096 default x 10/M = 0.04096 (+ 2 input tokens)
    assertThat(ENGINE.estimateWorstCase("openai", "gpt-4o", "hello world", -1, AT))
        .isEqualByComparingTo("0.040965");
    PricingEngine capped =
        PricingEngine.builder()
            .baseCatalog(
                PriceCatalog.builder()
                    .put(
                        ModelPrice.builder("openai", "small")
                            .rates(TokenRates.perMillion("1", "1"))
                            .maxOutputTokens(100)
                            .build())
                    .build())
            .build();
    // 100 x 1/M + 4 chars "abcd" -> o200k... model "small" is OpenAI-family by provider
    assertThat(capped.estimateWorstCase("openai", "small", "", -1, AT))
        .isEqualByComparingTo("0.0001");
  }

  @Test
  void reasoningRateAboveOutputIsTheWorstCase() {
    // 1000 x 3.50/M = 0.0035; 9 chars -> 3 tokens x 0.15/M = 0.00000045
    assertThat(
            ENGINE.estimateWorstCase("gcp.gemini", "gemini-flash-thinking", "abcdefghi", 1000, AT))
        .isEqualByComparingTo("0.00350045");
  }

  @Test
  void longContextEstimateUsesTheTierRates() {
    String big = "x".repeat(3 * 200_001); // 200001 tokens by the heuristic
    // 200001 x 6/M = 1.200006; 0 output
    assertThat(ENGINE.estimateWorstCase("anthropic", "claude-sonnet-4-5", big, 0, AT))
        .isEqualByComparingTo("1.200006");
  }

  @Test
  void unpricedModelHasNoEstimateUnlessAFallbackRateIsSet() {
    assertThat(ENGINE.estimateWorstCase("openai", "mystery", "hi", 10, AT)).isNull();
    PricingEngine fallback =
        PricingEngine.builder()
            .baseCatalog(CostCalculationTest.handCatalog())
            .unpricedPolicy(UnpricedPolicy.FALLBACK_RATE)
            .fallbackRates(TokenRates.perMillion("100", "100"))
            .build();
    // "hi" is 1 o200k token + 10 output = 11 x 100/M
    assertThat(fallback.estimateWorstCase("openai", "mystery", "hi", 10, AT))
        .isEqualByComparingTo("0.0011");
  }
}
