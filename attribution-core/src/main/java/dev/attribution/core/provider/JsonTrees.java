package dev.attribution.core.provider;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * Builds small JSON trees straight from a streaming parser. The usage objects we keep are a few
 * dozen tokens; going through {@code ObjectMapper.readTree} costs a deserialization context per
 * call, which showed up in the interceptor's profile. Numbers with a fraction are kept exact
 * ({@code BigDecimal}), so a provider-reported cost is never rounded through a double.
 */
final class JsonTrees {

  static final JsonFactory JSON = JsonFactory.builder().build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private JsonTrees() {}

  /** The value whose first token is the parser's current token; leaves the parser on its last. */
  static JsonNode read(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == null) {
      throw new IOException("no JSON value");
    }
    switch (t) {
      case START_OBJECT:
        {
          ObjectNode o = NODES.objectNode();
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            o.set(name, read(p));
          }
          return o;
        }
      case START_ARRAY:
        {
          ArrayNode a = NODES.arrayNode();
          while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() == null) {
              throw new IOException("unterminated array");
            }
            a.add(read(p));
          }
          return a;
        }
      case VALUE_STRING:
        return NODES.textNode(p.getText());
      case VALUE_NUMBER_INT:
        return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
            ? NODES.numberNode(p.getBigIntegerValue())
            : NODES.numberNode(p.getLongValue());
      case VALUE_NUMBER_FLOAT:
        return NODES.numberNode(p.getDecimalValue());
      case VALUE_TRUE:
        return NODES.booleanNode(true);
      case VALUE_FALSE:
        return NODES.booleanNode(false);
      case VALUE_NULL:
        return NODES.nullNode();
      default:
        throw new IOException("unexpected JSON token " + t);
    }
  }

  /** Parses {@code len} bytes at {@code off} as one JSON value. */
  static JsonNode read(byte[] buf, int off, int len) throws IOException {
    try (JsonParser p = JSON.createParser(buf, off, len)) {
      p.nextToken();
      return read(p);
    }
  }
}
