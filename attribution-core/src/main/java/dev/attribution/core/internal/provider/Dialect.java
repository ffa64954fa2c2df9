package dev.attribution.core.internal.provider;

/** The wire shape of a recognised endpoint, which decides how its bodies are parsed. */
public enum Dialect {
  /** OpenAI-style {@code /chat/completions} (and every OpenAI-compatible API). */
  OPENAI_CHAT("chat"),
  /** OpenAI Responses API, {@code /responses}. */
  OPENAI_RESPONSES("responses"),
  /** OpenAI-style {@code /embeddings}. */
  OPENAI_EMBEDDINGS("embeddings"),
  /** Legacy OpenAI-style {@code /completions}. */
  OPENAI_COMPLETIONS("completions"),
  /** Anthropic Messages API, {@code /v1/messages}. */
  ANTHROPIC_MESSAGES("messages"),
  /** Google Gemini {@code :generateContent} and {@code :streamGenerateContent}. */
  GEMINI_GENERATE("generate_content");

  private final String operation;

  Dialect(String operation) {
    this.operation = operation;
  }

  /** The operation name recorded in {@code UsageRecord.operation()}. */
  public String operation() {
    return operation;
  }

  /** Whether requests of this dialect carry the model in an OpenAI-style JSON {@code model}. */
  public boolean modelInBody() {
    return this != GEMINI_GENERATE;
  }
}
