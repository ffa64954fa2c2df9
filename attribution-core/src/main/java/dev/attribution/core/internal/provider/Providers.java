package dev.attribution.core.internal.provider;

import dev.attribution.core.internal.pricing.ModelNames;
import java.util.List;
import java.util.Map;

/**
 * Provider ids as recorded in {@code UsageRecord.provider()}. Where the OpenTelemetry GenAI
 * conventions define a {@code gen_ai.provider.name} value, the id is that value.
 */
public final class Providers {

  /** OpenAI. */
  public static final String OPENAI = "openai";

  /** Anthropic. */
  public static final String ANTHROPIC = "anthropic";

  /** Google Gemini (AI Studio / Generative Language API). */
  public static final String GEMINI = "gcp.gemini";

  /** Azure OpenAI. */
  public static final String AZURE_OPENAI = "azure.ai.openai";

  /** AWS Bedrock. */
  public static final String BEDROCK = "aws.bedrock";

  /** OpenRouter. */
  public static final String OPENROUTER = "openrouter";

  /** DeepSeek. */
  public static final String DEEPSEEK = "deepseek";

  /** Mistral AI. */
  public static final String MISTRAL = "mistral_ai";

  /** Groq. */
  public static final String GROQ = "groq";

  /** xAI. */
  public static final String XAI = "x_ai";

  /** Together AI. */
  public static final String TOGETHER = "together";

  /** Fireworks AI. */
  public static final String FIREWORKS = "fireworks";

  /** Google Vertex AI. */
  public static final String VERTEX = "gcp.vertex_ai";

  /** Azure AI Inference (non-OpenAI models on Azure). */
  public static final String AZURE_INFERENCE = "azure.ai.inference";

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

  /**
   * The id the library uses for {@code id}, which may be an alias ({@code azure}, {@code mistral})
   * or the id records show; an unknown id is returned normalised.
   */
  public static String canonical(String id) {
    String n = ModelNames.normaliseId(id);
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
  /** Providers whose prices stand in for {@code canonical}'s when it has none (Azure: OpenAI). */
  public static List<String> fallbacks(String canonical) {
    return FALLBACKS.getOrDefault(canonical, List.of());
  }
}
