package dev.attribution.core.pricing;

import java.util.List;
import java.util.Map;

/**
 * Provider ids: the canonical id of every alias and LiteLLM provider name, and which other
 * providers' prices a provider may borrow when it has no entry of its own.
 */
final class Providers {

  static final String OPENAI = "openai";
  static final String ANTHROPIC = "anthropic";
  static final String GEMINI = "gcp.gemini";
  static final String VERTEX = "gcp.vertex_ai";
  static final String AZURE_OPENAI = "azure.ai.openai";
  static final String AZURE_INFERENCE = "azure.ai.inference";
  static final String BEDROCK = "aws.bedrock";
  static final String OPENROUTER = "openrouter";
  static final String MISTRAL = "mistral";
  static final String DEEPSEEK = "deepseek";
  static final String XAI = "xai";
  static final String GROQ = "groq";

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
