package dev.attribution.core.internal.provider;

import org.jspecify.annotations.Nullable;

/**
 * How a request changes to name another model: a new body (the model is a body member) or a new
 * path (Gemini names it in the path).
 *
 * @param body the new request body, or {@code null} when the body stays as it is
 * @param path the new request path, or {@code null} when the path stays as it is
 */
public record ModelEdit(byte @Nullable [] body, @Nullable String path) {

  /**
   * The edit for a dialect that names the model in a top-level JSON string member: that value
   * replaced, or {@code null} when the body was not read or has no such string.
   */
  public static @Nullable ModelEdit inBody(
      byte @Nullable [] body, RequestFacts facts, String model) {
    if (body == null) {
      return null;
    }
    byte[] b = RequestParser.withModel(body, facts, model);
    return b == null ? null : new ModelEdit(b, null);
  }
}
