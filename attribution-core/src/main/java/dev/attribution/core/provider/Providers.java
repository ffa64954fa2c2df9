package dev.attribution.core.provider;

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

  /** Anything the registry does not know: passed through and recorded as unrecognised. */
  public static final String UNKNOWN = "unknown";

  private Providers() {}
}
