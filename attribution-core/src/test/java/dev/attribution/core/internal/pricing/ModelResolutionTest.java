package dev.attribution.core.internal.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.core.pricing.ModelPrice;
import dev.attribution.core.pricing.PriceOverrides;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Name resolution against the bundled catalog (real LiteLLM-derived names). */
class ModelResolutionTest {

  static final PricingEngine ENGINE =
      PricingEngine.builder()
          .overrides(
              PriceOverrides.builder().alias("azure", "Prod-GPT4o-EU", "gpt-4o-mini").build())
          .build();

  @ParameterizedTest(name = "{0} {1} -> {2}/{3}")
  @CsvSource({
    // a dated snapshot uses its own entry when there is one
    "openai, gpt-4o-2024-08-06, openai, gpt-4o-2024-08-06",
    // ... and the base name when there is none
    "openai, gpt-4o-2099-01-31, openai, gpt-4o",
    "anthropic, claude-sonnet-4-5-20991231, anthropic, claude-sonnet-4-5",
    "openai, gpt-4-0613, openai, gpt-4-0613",
    // provider prefixes
    "openai, openai/gpt-4o, openai, gpt-4o",
    "anthropic, anthropic/claude-sonnet-4-5, anthropic, claude-sonnet-4-5",
    "gcp.gemini, models/gemini-2.5-pro, gcp.gemini, gemini-2.5-pro",
    // case and whitespace
    "openai, '  GPT-4o  ', openai, gpt-4o",
    // provider aliases
    "gemini, gemini-2.5-flash, gcp.gemini, gemini-2.5-flash",
    "azure, gpt-4o, azure.ai.openai, gpt-4o",
    // Bedrock region prefixes and versions
    "aws.bedrock, us.anthropic.claude-sonnet-4-5-20250929-v1:0, aws.bedrock, us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    "aws.bedrock, ca.anthropic.claude-sonnet-4-5-20250929-v1:0, aws.bedrock, anthropic.claude-sonnet-4-5-20250929-v1:0",
    "aws.bedrock, amazon.nova-lite-v1:0, aws.bedrock, amazon.nova-lite-v1:0",
    "aws.bedrock, us.amazon.nova-pro-v1:0, aws.bedrock, us.amazon.nova-pro-v1:0",
    "aws.bedrock, eu.amazon.nova-micro-v1:0, aws.bedrock, eu.amazon.nova-micro-v1:0",
    "aws.bedrock, apac.amazon.nova-lite-v1:0, aws.bedrock, apac.amazon.nova-lite-v1:0",
    "aws.bedrock, global.amazon.nova-2-lite-v1:0, aws.bedrock, global.amazon.nova-2-lite-v1:0",
    "aws.bedrock, ca.amazon.nova-lite-v1:0, aws.bedrock, amazon.nova-lite-v1:0",
    "aws.bedrock, meta.llama3-8b-instruct-v1:0, aws.bedrock, meta.llama3-8b-instruct-v1:0",
    "aws.bedrock, us.meta.llama3-1-405b-instruct-v1:0, aws.bedrock, us.meta.llama3-1-405b-instruct-v1:0",
    "aws.bedrock, eu.meta.llama3-2-1b-instruct-v1:0, aws.bedrock, eu.meta.llama3-2-1b-instruct-v1:0",
    "aws.bedrock, us.meta.llama4-scout-17b-instruct-v1:0, aws.bedrock, us.meta.llama4-scout-17b-instruct-v1:0",
    "aws.bedrock, apac.meta.llama3-3-70b-instruct-v1:0, aws.bedrock, meta.llama3-3-70b-instruct-v1:0",
    // OpenRouter keeps vendor/model names
    "openrouter, openai/gpt-4o, openrouter, openai/gpt-4o",
    "deepseek, deepseek-chat, deepseek, deepseek-chat",
    "xai, grok-4, x_ai, grok-4",
    "x_ai, grok-4, x_ai, grok-4",
    "groq, llama-3.3-70b-versatile, groq, llama-3.3-70b-versatile",
    "mistral, mistral-large-latest, mistral_ai, mistral-large-latest",
    "mistral_ai, mistral-large-latest, mistral_ai, mistral-large-latest",
  })
  void resolvesRequestedNamesToCatalogEntries(
      String provider, String requested, String expectedProvider, String expectedModel) {
    ModelPrice p = ENGINE.resolve(provider, requested, Instant.now());
    assertThat(p).isNotNull();
    assertThat(p.provider()).isEqualTo(expectedProvider);
    assertThat(p.model()).isEqualTo(expectedModel);
  }

  @Test
  void azureDeploymentNamesMapThroughTheUserMapping() {
    ModelPrice p = ENGINE.resolve("azure.ai.openai", "prod-gpt4o-eu", Instant.now());
    assertThat(p).isNotNull();
    assertThat(p.model()).isEqualTo("gpt-4o-mini");
    assertThat(ENGINE.resolve("azure.ai.openai", "some-other-deployment", Instant.now())).isNull();
  }

  @Test
  void azureModelWithoutItsOwnEntryBorrowsOpenAisPrice() {
    ModelPrice p = ENGINE.resolve("azure.ai.openai", "o3", Instant.now());
    assertThat(p).isNotNull();
    assertThat(p.provider()).isIn("azure.ai.openai", "openai");
  }

  @Test
  void resultNamesTheResolvedModel() {
    PriceResult r =
        ENGINE.price(
            "openai", "gpt-4o-2099-01-31", dev.attribution.api.TokenUsage.of(1, 1), Instant.now());
    assertThat(r.resolvedModel()).isEqualTo("gpt-4o");
    assertThat(r.provider()).isEqualTo("openai");
  }

  @Test
  void unknownNamesStayUnresolved() {
    assertThat(ENGINE.isPriced("openai", "gpt-unknown")).isFalse();
    assertThat(ENGINE.isPriced("no-such-provider", "gpt-4o")).isFalse();
  }
}
