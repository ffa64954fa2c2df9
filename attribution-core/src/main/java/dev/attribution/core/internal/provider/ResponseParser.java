package dev.attribution.core.internal.provider;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * Reads a non-streaming response body (and each parsed stream event): usage, response model and id,
 * provider-reported cost, error and per-call tool uses. It knows no provider: the endpoint's {@link
 * ProviderDialect#responseMember(String)} says what each member means, and its {@link UsageTally}
 * reads the usage objects. The body is walked token by token and each member's token type is
 * checked before anything is materialised: only scalar values of the expected type are read, a
 * {@code usage} that is not an object is skipped and flagged, and inside usage strings and arrays
 * are flagged without being read. Everything else (choices, content, embeddings) is skipped without
 * being decoded, so a hostile body costs no tree and no copy.
 */
public final class ResponseParser {

  /** Members kept per usage object; the rest are skipped. */
  private static final int MAX_USAGE_FIELDS = 64;

  /** Nesting kept inside a usage object ({@code prompt_tokens_details.cached_tokens}). */
  private static final int MAX_USAGE_DEPTH = 2;

  /** Nesting of wrappers followed ({@code response}, {@code message}, {@code x_groq}). */
  private static final int MAX_WRAPPER_DEPTH = 2;

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ResponseParser() {}

  /**
   * Parses {@code body} (a complete JSON response) of {@code endpoint}.
   *
   * @throws IOException if the body is not JSON
   */
  public static ParsedResponse parse(Endpoint endpoint, byte[] body, int length)
      throws IOException {
    return parse(endpoint, body, 0, length);
  }

  /**
   * Parses {@code body[off..off+len)} (a complete JSON response) of {@code endpoint}: read by
   * {@link JsonScanner} without Jackson's per-parser objects; a body the scanner declines (or
   * anything it fails on) is read again from the start by Jackson, which decides as before.
   *
   * @throws IOException if the body is not JSON
   */
  public static ParsedResponse parse(Endpoint endpoint, byte[] body, int off, int len)
      throws IOException {
    try {
      return parse(endpoint, new JsonScanner(body, off, len));
    } catch (IOException | RuntimeException declined) {
      return parseWithJackson(endpoint, body, off, len);
    }
  }

  /** {@link #parse(Endpoint, byte[], int, int)} with Jackson only: what the scanner must equal. */
  static ParsedResponse parseWithJackson(Endpoint endpoint, byte[] body, int off, int len)
      throws IOException {
    try (JsonParser p = JsonTrees.JSON.createParser(body, off, len)) {
      return parse(endpoint, new JacksonRequestReader(p));
    }
  }

  /** With the scanner only; throws where {@link #parse(Endpoint, byte[], int, int)} falls back. */
  static ParsedResponse parseWithScanner(Endpoint endpoint, byte[] body, int off, int len)
      throws IOException {
    return parse(endpoint, new JsonScanner(body, off, len));
  }

  /**
   * Parses the complete JSON response that {@code body} yields (the caller closes it).
   *
   * @throws IOException if the body is not JSON or cannot be read
   */
  public static ParsedResponse parse(Endpoint endpoint, java.io.InputStream body)
      throws IOException {
    try (JsonParser p = JsonTrees.JSON.createParser(body)) {
      return parse(endpoint, new JacksonRequestReader(p));
    }
  }

  private static ParsedResponse parse(Endpoint endpoint, RequestReader p) throws IOException {
    ProviderDialect dialect = endpoint.dialect();
    UsageAccumulator acc = new UsageAccumulator(endpoint);
    JsonToken first = p.nextToken();
    if (first == JsonToken.START_ARRAY) {
      // A stream sent as one JSON array of chunks (Gemini's streamGenerateContent without SSE).
      JsonToken t;
      while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
        if (t == JsonToken.START_OBJECT) {
          readObject(p, dialect, acc, 0, false);
        } else {
          p.skipChildren();
        }
      }
    } else if (first == JsonToken.START_OBJECT) {
      readObject(p, dialect, acc, 0, false);
    } else {
      throw new IOException("response body is not a JSON object");
    }
    acc.completed = true;
    return acc.result();
  }

  /** Applies one stream event's JSON payload, {@code buf[off..off+len)}, to {@code acc}. */
  static void readEvent(byte[] buf, int off, int len, ProviderDialect dialect, UsageAccumulator acc)
      throws IOException {
    // Jackson only: an event is applied to an accumulator shared by the whole stream, so a scanner
    // declining halfway through could not be retried without applying part of it twice.
    try (JsonParser p = JsonTrees.JSON.createParser(buf, off, len)) {
      RequestReader r = new JacksonRequestReader(p);
      if (r.nextToken() == JsonToken.START_OBJECT) {
        readObject(r, dialect, acc, 0, false);
      }
    }
  }

  /** Reads the members of the object whose START_OBJECT is current; leaves it on END_OBJECT. */
  private static void readObject(
      RequestReader p, ProviderDialect dialect, UsageAccumulator acc, int depth, boolean usageOnly)
      throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      ResponseMember member = dialect.responseMember(name);
      if (usageOnly
          && member.kind() != ResponseMember.Kind.USAGE
          && member.kind() != ResponseMember.Kind.USAGE_COUNT) {
        p.skipChildren();
        continue;
      }
      switch (member.kind()) {
        case USAGE:
          if (t == JsonToken.START_OBJECT) {
            acc.onUsage(name, readBounded(p, 0));
          } else {
            if (t != JsonToken.VALUE_NULL) {
              acc.invalid("not_object:" + name);
            }
            p.skipChildren();
          }
          break;
        case USAGE_COUNT:
          if (t == JsonToken.VALUE_NULL) {
            break;
          }
          ObjectNode count = new ObjectNode(NODES, new UsageMembers());
          count.set(name, boundedValue(p, t, MAX_USAGE_DEPTH));
          acc.onUsage(name, count);
          break;
        case MESSAGE:
          if (t == JsonToken.VALUE_STRING) {
            acc.onErrorMessage(p.getText());
          } else {
            readWrapper(p, dialect, acc, t, depth, false);
          }
          break;
        case WRAPPER:
        case USAGE_WRAPPER:
          readWrapper(
              p, dialect, acc, t, depth, member.kind() == ResponseMember.Kind.USAGE_WRAPPER);
          break;
        case MODEL:
          if (t == JsonToken.VALUE_STRING) {
            acc.onModel(p.getRepeatedText());
          } else {
            p.skipChildren();
          }
          break;
        case ID:
          if (t == JsonToken.VALUE_STRING) {
            acc.onId(p.getText());
          } else {
            p.skipChildren();
          }
          break;
        case TYPE:
          if (t == JsonToken.VALUE_STRING) {
            acc.onType(p.getRepeatedText());
          } else {
            p.skipChildren();
          }
          break;
        case ERROR:
          readError(p, acc, t);
          break;
        case ELEMENTS:
          readElements(p, acc, t, name, java.util.Objects.requireNonNull(member.elementKey()));
          break;
        default:
          p.skipChildren();
          break;
      }
    }
  }

  /** A wrapper object whose START_OBJECT is {@code t}, read when not nested too deep. */
  private static void readWrapper(
      RequestReader p,
      ProviderDialect dialect,
      UsageAccumulator acc,
      JsonToken t,
      int depth,
      boolean usageOnly)
      throws IOException {
    if (t == JsonToken.START_OBJECT && depth < MAX_WRAPPER_DEPTH) {
      readObject(p, dialect, acc, depth + 1, usageOnly);
    } else {
      p.skipChildren();
    }
  }

  private static void readError(RequestReader p, UsageAccumulator acc, JsonToken t)
      throws IOException {
    if (t == JsonToken.VALUE_STRING) {
      acc.onError(null, null, p.getText());
      return;
    }
    if (t != JsonToken.START_OBJECT) {
      p.skipChildren();
      return;
    }
    String type = null;
    String status = null;
    String code = null;
    String message = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      boolean scalar =
          v == JsonToken.VALUE_STRING
              || v == JsonToken.VALUE_NUMBER_INT
              || v == JsonToken.VALUE_NUMBER_FLOAT;
      if (!scalar) {
        p.skipChildren();
        continue;
      }
      switch (name) {
        case "type":
          type = p.getText();
          break;
        case "status":
          status = p.getText();
          break;
        case "code":
          code = p.getText();
          break;
        case "message":
          message = p.getText();
          break;
        default:
          break;
      }
    }
    String kind = type != null ? type : status != null ? status : code;
    acc.onError(kind, code, message);
  }

  /**
   * Walks the array whose START_ARRAY is current and hands {@code key}'s string value of each
   * element object to the accumulator; everything else is skipped.
   */
  private static void readElements(
      RequestReader p, UsageAccumulator acc, JsonToken t, String member, String key)
      throws IOException {
    if (t != JsonToken.START_ARRAY) {
      p.skipChildren();
      return;
    }
    acc.onElements(member);
    JsonToken e;
    while ((e = p.nextToken()) != JsonToken.END_ARRAY && e != null) {
      if (e != JsonToken.START_OBJECT) {
        p.skipChildren();
        continue;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (name.equals(key) && v == JsonToken.VALUE_STRING) {
          acc.onElement(member, p.getRepeatedText());
        } else {
          p.skipChildren();
        }
      }
    }
  }

  /**
   * Reads a usage object into a small tree. Numbers are kept (exactly); nested objects down to
   * {@value #MAX_USAGE_DEPTH} levels; strings, arrays and deeper objects are replaced by an empty
   * marker of their kind without being decoded, so the accumulator can flag them; at most {@value
   * #MAX_USAGE_FIELDS} members are kept per object.
   */
  private static ObjectNode readBounded(RequestReader p, int depth) throws IOException {
    ObjectNode o = new ObjectNode(NODES, new UsageMembers());
    int n = 0;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      if (n++ >= MAX_USAGE_FIELDS) {
        p.skipChildren();
        continue;
      }
      o.set(name, boundedValue(p, t, depth));
    }
    return o;
  }

  private static JsonNode boundedValue(RequestReader p, JsonToken t, int depth) throws IOException {
    switch (t) {
      case START_OBJECT:
        if (depth < MAX_USAGE_DEPTH) {
          return readBounded(p, depth + 1);
        }
        p.skipChildren();
        return NODES.objectNode();
      case START_ARRAY:
        p.skipChildren();
        return NODES.arrayNode();
      case VALUE_STRING:
        return NODES.textNode("");
      case VALUE_NUMBER_INT:
        switch (p.getNumberType()) {
          case BIG_INTEGER:
            return NODES.numberNode(p.getBigIntegerValue());
          case INT:
            // Jackson keeps one node per small int (the many zeros of a usage object).
            return NODES.numberNode(p.getIntValue());
          default:
            return NODES.numberNode(p.getLongValue());
        }
      case VALUE_NUMBER_FLOAT:
        return NODES.numberNode(p.getDecimalValue());
      case VALUE_TRUE:
        return NODES.booleanNode(true);
      case VALUE_FALSE:
        return NODES.booleanNode(false);
      default:
        return NODES.nullNode();
    }
  }
}
