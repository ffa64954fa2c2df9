package dev.attribution.core.internal.provider;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The JSON factory the response parsers share, and JSON string quoting (by Jackson, never by hand).
 * Its limits bound what one parse can ever materialise, whatever a provider (or something
 * pretending to be one) sends: a string value we read (model, id, error message) of at most {@value
 * #MAX_STRING} characters, numbers of at most 1,000 digits, nesting of at most 1,000 levels. Values
 * we skip are never decoded, so they are not limited.
 */
public final class JsonTrees {

  /** Longest string value the parsers decode, in characters: {@value}. */
  static final int MAX_STRING = 1 << 16;

  static final JsonFactory JSON =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxStringLength(MAX_STRING)
                  .maxNumberLength(1000)
                  .maxNestingDepth(1000)
                  .build())
          .build();

  private JsonTrees() {}

  /**
   * {@code s} as a JSON string literal, quotes included, written by Jackson's UTF-8 generator: it
   * escapes quotes, backslashes and control characters, and every surrogate as a hexadecimal
   * escape, so the literal is plain valid UTF-8 even when {@code s} holds a lone surrogate (which
   * would otherwise be sent as '?').
   */
  public static String quote(String s) {
    ByteArrayBuilder out = new ByteArrayBuilder(s.length() + 16);
    try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
      g.writeString(s);
    } catch (IOException e) {
      throw new IllegalStateException("cannot happen on an in-memory buffer", e);
    }
    return new String(out.toByteArray(), StandardCharsets.UTF_8);
  }
}
