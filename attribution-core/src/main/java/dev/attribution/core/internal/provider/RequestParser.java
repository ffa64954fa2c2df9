package dev.attribution.core.internal.provider;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Reads {@link RequestFacts} from a request body with a pull scanner (top-level members only;
 * nested values are skipped, never materialised), and splices the body when the engine changes it.
 * It knows no provider: the endpoint's {@link ProviderDialect#readRequestMember} says what each
 * member means. Rewrites splice bytes, so everything else in the body stays byte-for-byte as the
 * application wrote it.
 */
public final class RequestParser {

  private static final JsonFactory JSON = JsonFactory.builder().build();

  private RequestParser() {}

  /**
   * Parses {@code body} for {@code endpoint}. When the body names no model, the model the path
   * names (if any) stands in. The body is read by {@link JsonScanner}; a body it declines is read
   * by Jackson, which decides as before.
   *
   * @throws IOException if the body is not a JSON object
   */
  public static RequestFacts parse(Endpoint endpoint, byte[] body) throws IOException {
    try {
      return read(endpoint, new JsonScanner(body));
    } catch (IOException | RuntimeException declined) {
      return parseWithJackson(endpoint, body);
    }
  }

  /** {@link #parse} with Jackson only: what the scanner's result must equal. */
  static RequestFacts parseWithJackson(Endpoint endpoint, byte[] body) throws IOException {
    try (JsonParser p = JSON.createParser(body)) {
      return read(endpoint, new JacksonRequestReader(p));
    }
  }

  /** {@link #parse} with the scanner only; throws where {@link #parse} falls back to Jackson. */
  static RequestFacts parseWithScanner(Endpoint endpoint, byte[] body) throws IOException {
    return read(endpoint, new JsonScanner(body));
  }

  private static RequestFacts read(Endpoint endpoint, RequestReader p) throws IOException {
    ProviderDialect dialect = endpoint.dialect();
    Facts f = new Facts(endpoint.streamingByPath());
    int objectEnd = -1;
    if (p.nextToken() != JsonToken.START_OBJECT) {
      throw new IOException("request body is not a JSON object");
    }
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      if (v == null) {
        throw new IOException("truncated request body");
      }
      if (!dialect.readRequestMember(name, v, p, f)) {
        p.skipChildren();
      }
    }
    if (t == JsonToken.END_OBJECT) {
      objectEnd = p.tokenStart();
    }
    String model = f.model;
    if (model == null && endpoint.modelInPath() != null) {
      model = endpoint.modelInPath();
    }
    return new RequestFacts(
        model,
        f.stream,
        f.includeUsage,
        f.maxOut,
        f.modelStart,
        f.modelEnd,
        objectEnd,
        f.hasStreamOptions,
        f.outputs);
  }

  /**
   * What a dialect has read from a request so far ({@link ProviderDialect#readRequestMember}); the
   * parser turns it into {@link RequestFacts}.
   */
  public static final class Facts {
    private @Nullable String model;
    private boolean stream;
    private boolean includeUsage;
    private boolean hasStreamOptions;
    private long maxOut = -1;
    private long outputs = 1;
    private int modelStart = -1;
    private int modelEnd = -1;

    Facts(boolean streamingByPath) {
      this.stream = streamingByPath;
    }

    /**
     * The model member, whose value {@code v} is current: a string is kept with its byte offsets
     * (so {@link #withModel} can replace it), anything else is skipped.
     */
    public void model(RequestReader p, JsonToken v) throws IOException {
      if (v == JsonToken.VALUE_STRING) {
        modelStart = p.tokenStart();
        model = p.getRepeatedText();
        modelEnd = p.tokenEnd();
      } else {
        p.skipChildren();
      }
    }

    /** The request asks for a streamed response. */
    public void streaming() {
      stream = true;
    }

    /** The body has the member that asks for stream usage, asking for it or not. */
    public void streamOptions(boolean includeUsage) {
      this.hasStreamOptions = true;
      this.includeUsage = includeUsage;
    }

    /** An output cap; the largest one seen wins. */
    public void maxOutputTokens(long max) {
      maxOut = Math.max(maxOut, max);
    }

    /** A count of billed generations; the largest one seen wins. */
    public void outputCount(long count) {
      outputs = Math.max(outputs, count);
    }

    /**
     * A generation count whose value {@code v} is current: an integer, or a number or numeric
     * string the provider may coerce (read as its ceiling, so the worst case stays an upper bound);
     * anything else counts as 1.
     */
    public static long count(RequestReader p, JsonToken v) throws IOException {
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
   * {@code body} with {@code member} (a complete {@code ,"name":value}, leading comma included)
   * added as the last top-level member, or {@code null} when the body's end was not found. An empty
   * object takes the member without the comma.
   */
  public static byte @Nullable [] withMember(byte[] body, RequestFacts facts, byte[] member) {
    if (facts.objectEnd() < 1) {
      return null;
    }
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
    return JsonTrees.quote(s).getBytes(StandardCharsets.UTF_8);
  }
}
