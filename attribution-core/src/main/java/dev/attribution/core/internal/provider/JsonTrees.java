package dev.attribution.core.internal.provider;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;

/**
 * The JSON factory the response parsers share, and JSON string quoting. Its limits bound what one
 * parse can ever materialise, whatever a provider (or something pretending to be one) sends: a
 * string value we read (model, id, error message) of at most {@value #MAX_STRING} characters,
 * numbers of at most 1,000 digits, nesting of at most 1,000 levels. Values we skip are never
 * decoded, so they are not limited.
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

  /** {@code s} as a JSON string literal, quotes included. */
  public static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
  }
}
