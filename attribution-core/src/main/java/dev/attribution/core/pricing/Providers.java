package dev.attribution.core.pricing;

import java.util.List;
import java.util.Map;

/**
 * Maps every alias and LiteLLM provider name onto the one provider vocabulary, the ids records show
 * ({@link dev.attribution.core.provider.Providers}), and says which other providers' prices a
 * provider may borrow when it has no entry of its own.
 */
final class Providers {

  static final String OPENAI = dev.attribution.core.provider.Providers.OPENAI;
  static final String ANTHROPIC = dev.attribution.core.provider.Providers.ANTHROPIC;
  static final String GEMINI = dev.attribution.core.provider.Providers.GEMINI;
  static final String VERTEX = "gcp.vertex_ai";
  static final String AZURE_OPENAI = dev.attribution.core.provider.Providers.AZURE_OPENAI;
  static final String AZURE_INFERENCE = "azure.ai.inference";
  static final String BEDROCK = dev.attribution.core.provider.Providers.BEDROCK;
  static final String OPENROUTER = dev.attribution.core.provider.Providers.OPENROUTER;
  static final String MISTRAL = dev.attribution.core.provider.Providers.MISTRAL;
  static final String DEEPSEEK = dev.attribution.core.provider.Providers.DEEPSEEK;
  static final String XAI = dev.attribution.core.provider.Providers.XAI;
  static final String GROQ = dev.attribution.core.provider.Providers.GROQ;
  static final String TOGETHER = dev.attribution.core.provider.Providers.TOGETHER;
  static final String FIREWORKS = dev.attribution.core.provider.Providers.FIREWORKS;

  private static final Map<String, String> ALIASES =
      Map.ofEntries(
          Map.entry("openai", OPENAI),
          Map.entry("text-completion-openai", OPENAI),
          Map.entry("anthropic", ANTHROPIC),
          Map.entry("gemini", GEMINI),
          Map.entry("google", GEMINI),
          Map.entry("google.gemini", GEMINI),
          Map.entry("gcp.gen_ai", GEMINI),
          Map.entry("gcp.gemini", GEMINI),
          Map.entry("vertex_ai", VERTEX),
          Map.entry("vertex", VERTEX),
          Map.entry("gcp.vertex_ai", VERTEX),
          Map.entry("azure", AZURE_OPENAI),
          Map.entry("azure_text", AZURE_OPENAI),
          Map.entry("azure_openai", AZURE_OPENAI),
          Map.entry("az.ai.openai", AZURE_OPENAI),
          Map.entry("azure.ai.openai", AZURE_OPENAI),
          Map.entry("azure_ai", AZURE_INFERENCE),
          Map.entry("az.ai.inference", AZURE_INFERENCE),
          Map.entry("azure.ai.inference", AZURE_INFERENCE),
          Map.entry("bedrock", BEDROCK),
          Map.entry("bedrock_converse", BEDROCK),
          Map.entry("aws_bedrock", BEDROCK),
          Map.entry("aws.bedrock", BEDROCK),
          Map.entry("mistral", MISTRAL),
          Map.entry("mistral_ai", MISTRAL),
          Map.entry("deepseek", DEEPSEEK),
          Map.entry("x_ai", XAI),
          Map.entry("x.ai", XAI),
          Map.entry("xai", XAI),
          Map.entry("groq", GROQ),
          Map.entry("together", TOGETHER),
          Map.entry("together_ai", TOGETHER),
          Map.entry("fireworks", FIREWORKS),
          Map.entry("fireworks_ai", FIREWORKS),
          Map.entry("openrouter", OPENROUTER));

  private static final Map<String, List<String>> FALLBACKS =
      Map.of(
          AZURE_OPENAI, List.of(OPENAI),
          VERTEX, List.of(GEMINI),
          GEMINI, List.of(VERTEX));

  private Providers() {}

  /** The canonical id of {@code id} (trimmed, lower case); unknown ids map to themselves. */
  static String canonical(String id) {
    String n = ModelPrice.normalise(id);
    String c = ALIASES.get(n);
    if (c != null) {
      return c;
    }
    if (n.startsWith("vertex_ai")) {
      return VERTEX;
    }
    return n;
  }

  /** Providers whose prices {@code canonical} borrows, in order, when it has none of its own. */
  static List<String> fallbacks(String canonical) {
    return FALLBACKS.getOrDefault(canonical, List.of());
  }
}
