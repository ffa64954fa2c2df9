package dev.attribution.core.internal.provider;

import org.jspecify.annotations.Nullable;

/**
 * A recognised LLM endpoint: provider, dialect and what the URL itself says.
 *
 * @param provider provider id (see {@link Providers})
 * @param dialect the wire shape
 * @param modelInPath the model or deployment named in the path (Gemini, Azure deployments), or
 *     {@code null}
 * @param streamingByPath whether the path alone asks for a stream (Gemini {@code
 *     :streamGenerateContent})
 */
public record Endpoint(
    String provider, Dialect dialect, @Nullable String modelInPath, boolean streamingByPath) {

  /** The operation name, e.g. {@code chat}. */
  public String operation() {
    return dialect.operation();
  }
}
