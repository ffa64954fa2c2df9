package dev.attribution.core.internal.provider;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Reads {@link RequestFacts} from a request body with a streaming JSON parser (top-level members
 * only; nested values are skipped, never materialised), and rewrites the two things the engine may
 * change: the model and {@code stream_options.include_usage}. Rewrites splice bytes, so everything
 * else in the body stays byte-for-byte as the application wrote it.
 */
public final class RequestParser {

  private static final JsonFactory JSON = JsonFactory.builder().build();

  private RequestParser() {}

  /**
   * Parses {@code body} for {@code endpoint}.
   *
   * @throws IOException if the body is not a JSON object
   */
  public static RequestFacts parse(Endpoint endpoint, byte[] body) throws IOException {
    String model = null;
    boolean stream = endpoint.streamingByPath();
    boolean includeUsage = false;
    boolean hasStreamOptions = false;
    long maxOut = -1;
    long outputs = 1;
    int modelStart = -1;
    int modelEnd = -1;
    int objectEnd = -1;
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("request body is not a JSON object");
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        switch (name) {
          case "model":
            if (v == JsonToken.VALUE_STRING) {
              modelStart = (int) p.currentTokenLocation().getByteOffset();
              model = p.getText();
              modelEnd = (int) p.currentLocation().getByteOffset();
            }
            break;
          case "stream":
            if (v == JsonToken.VALUE_TRUE) {
              stream = true;
            }
            break;
          case "stream_options":
            hasStreamOptions = true;
            if (v == JsonToken.START_OBJECT) {
              includeUsage = readIncludeUsage(p);
            } else {
              p.skipChildren();
            }
            break;
          case "max_tokens":
          case "max_completion_tokens":
          case "max_output_tokens":
            if (v == JsonToken.VALUE_NUMBER_INT) {
              maxOut = Math.max(maxOut, p.getLongValue());
            }
            break;
          case "n":
          case "best_of":
            // Output is billed per generation: best_of generations, of which n are returned.
            outputs = Math.max(outputs, count(p, v));
            break;
          case "generationConfig":
            if (v == JsonToken.START_OBJECT) {
              long[] g = readGenerationConfig(p);
              maxOut = Math.max(maxOut, g[0]);
              outputs = Math.max(outputs, g[1]);
            } else {
              p.skipChildren();
            }
            break;
          default:
            p.skipChildren();
        }
      }
      if (t == JsonToken.END_OBJECT) {
        objectEnd = (int) p.currentTokenLocation().getByteOffset();
      }
    }
    if (model == null && endpoint.modelInPath() != null) {
      model = endpoint.modelInPath();
    }
    return new RequestFacts(
        model,
        stream,
        includeUsage,
        maxOut,
        modelStart,
        modelEnd,
        objectEnd,
        hasStreamOptions,
        outputs);
  }

  /**
   * A generation count: an integer, or a number or numeric string the provider may coerce (read as
   * its ceiling, so the worst case stays an upper bound); anything else counts as 1.
   */
  private static long count(JsonParser p, JsonToken v) throws IOException {
    double d;
    if (v == JsonToken.VALUE_NUMBER_INT) {
      return Math.max(1, p.getLongValue());
    } else if (v == JsonToken.VALUE_NUMBER_FLOAT) {
      d = p.getDoubleValue();
    } else if (v == JsonToken.VALUE_STRING) {
      try {
        d = Double.parseDouble(p.getText().trim());
      } catch (NumberFormatException e) {
        return 1;
      }
    } else {
      p.skipChildren();
      return 1;
    }
    if (!(d >= 1)) {
      return 1;
    }
    return d >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) Math.ceil(d);
  }

  private static boolean readIncludeUsage(JsonParser p) throws IOException {
    boolean include = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String n = p.currentName();
      JsonToken v = p.nextToken();
      if (n.equals("include_usage")) {
        include = v == JsonToken.VALUE_TRUE;
      } else {
        p.skipChildren();
      }
    }
    return include;
  }

  /** Gemini's {@code maxOutputTokens} (or -1) and {@code candidateCount} (at least 1). */
  private static long[] readGenerationConfig(JsonParser p) throws IOException {
    long max = -1;
    long candidates = 1;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String n = p.currentName();
      JsonToken v = p.nextToken();
      if (n.equals("maxOutputTokens") && v == JsonToken.VALUE_NUMBER_INT) {
        max = p.getLongValue();
      } else if (n.equals("candidateCount")) {
        candidates = Math.max(candidates, count(p, v));
      } else {
        p.skipChildren();
      }
    }
    return new long[] {max, candidates};
  }

  /**
   * {@code body} with the top-level model replaced by {@code newModel}, or {@code null} when the
   * body has no string model to replace.
   */
  public static byte @Nullable [] withModel(byte[] body, RequestFacts facts, String newModel) {
    if (facts.modelStart() < 0 || facts.modelEnd() <= facts.modelStart()) {
      return null;
    }
    byte[] value = quote(newModel);
    return splice(body, facts.modelStart(), facts.modelEnd(), value);
  }

  /**
   * {@code body} with {@code "stream_options":{"include_usage":true}} added, or {@code null} when
   * it cannot be added without rewriting other members (the body already has {@code
   * stream_options}, or its end was not found).
   */
  public static byte @Nullable [] withIncludeUsage(byte[] body, RequestFacts facts) {
    if (facts.hasStreamOptions() || facts.objectEnd() < 1) {
      return null;
    }
    byte[] member =
        ",\"stream_options\":{\"include_usage\":true}".getBytes(StandardCharsets.US_ASCII);
    // An empty object "{}" takes the member without the leading comma.
    int i = facts.objectEnd() - 1;
    while (i >= 0 && isSpace(body[i])) {
      i--;
    }
    if (i >= 0 && body[i] == '{') {
      member = java.util.Arrays.copyOfRange(member, 1, member.length);
    }
    return splice(body, facts.objectEnd(), facts.objectEnd(), member);
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\n' || b == '\r' || b == '\t';
  }

  private static byte[] splice(byte[] body, int from, int to, byte[] insert) {
    byte[] out = new byte[body.length - (to - from) + insert.length];
    System.arraycopy(body, 0, out, 0, from);
    System.arraycopy(insert, 0, out, from, insert.length);
    System.arraycopy(body, to, out, from + insert.length, body.length - to);
    return out;
  }

  private static byte[] quote(String s) {
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
    return sb.append('"').toString().getBytes(StandardCharsets.UTF_8);
  }
}
