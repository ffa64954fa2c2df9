package dev.attribution.core.provider;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Set;

/**
 * Reads a non-streaming response body: usage, response model and id, provider-reported cost and
 * error. Only the few top-level members that matter are materialised; the rest (choices, content,
 * embeddings) is skipped token by token, so large bodies cost no tree.
 */
public final class ResponseParser {

  private static final Set<String> WANTED =
      Set.of(
          "usage", "usageMetadata", "x_groq", "model", "modelVersion", "id", "responseId", "error");

  private ResponseParser() {}

  /**
   * Parses {@code body} (a complete JSON response) of {@code dialect}.
   *
   * @throws IOException if the body is not JSON
   */
  public static ParsedResponse parse(Dialect dialect, byte[] body, int length) throws IOException {
    try (JsonParser p = JsonTrees.JSON.createParser(body, 0, length)) {
      return parse(dialect, p);
    }
  }

  /**
   * Parses the complete JSON response that {@code body} yields (the caller closes it).
   *
   * @throws IOException if the body is not JSON or cannot be read
   */
  public static ParsedResponse parse(Dialect dialect, java.io.InputStream body) throws IOException {
    try (JsonParser p = JsonTrees.JSON.createParser(body)) {
      return parse(dialect, p);
    }
  }

  private static ParsedResponse parse(Dialect dialect, JsonParser p) throws IOException {
    UsageAccumulator acc = new UsageAccumulator(dialect);
    JsonToken first = p.nextToken();
    if (first == JsonToken.START_ARRAY) {
      // Gemini's non-SSE streamGenerateContent answers with an array of chunks.
      while (p.nextToken() == JsonToken.START_OBJECT) {
        readObject(p, acc);
      }
    } else if (first == JsonToken.START_OBJECT) {
      readObject(p, acc);
    } else {
      throw new IOException("response body is not a JSON object");
    }
    acc.completed = true;
    return acc.result();
  }

  private static void readObject(JsonParser p, UsageAccumulator acc) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      if (WANTED.contains(name)) {
        acc.onField(name, JsonTrees.read(p));
      } else {
        p.skipChildren();
      }
    }
  }
}
