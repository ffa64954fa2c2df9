package dev.attribution.core.internal.provider;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * A JSON pull scanner over a body in memory, for {@link RequestParser} and {@link ResponseParser}:
 * it reads the same tokens Jackson does, without Jackson's per-parser objects (parser, I/O context,
 * text buffer, symbol table child, one read context per nesting level, location objects), which
 * were about a kilobyte per call.
 *
 * <p>It is deliberately stricter than Jackson and declines (throws {@link Declined}) whatever it is
 * not sure to read exactly as Jackson would: malformed JSON of any kind, a body that does not start
 * with an object (a byte-order mark, UTF-16), nesting deeper than {@value #MAX_DEPTH}, numbers
 * longer than {@value #MAX_NUMBER_LENGTH} characters, and names or string values it must decode
 * that hold an escape or a non-ASCII character, and strings or names beyond Jackson's length
 * bounds. The parser then reads the body with Jackson, so a declined body gives exactly what it
 * gave before. Strings it only skips (message text) are checked, not decoded: escapes must be valid
 * JSON escapes, control characters are refused, and UTF-8 must be well-formed. It never reads past
 * the top-level value.
 */
final class JsonScanner implements RequestReader {

  /** Nesting accepted; deeper bodies are left to Jackson (whose own limit is higher). */
  static final int MAX_DEPTH = 62;

  /** Number length accepted; longer numbers are left to Jackson (whose own limit is higher). */
  static final int MAX_NUMBER_LENGTH = 100;

  /** Names from this length are left to Jackson, which refuses them (its default name bound). */
  static final int MAX_NAME = com.fasterxml.jackson.core.StreamReadConstraints.DEFAULT_MAX_NAME_LEN;

  /** Names up to this length are kept in {@link #NAMES}. */
  private static final int MAX_CACHED_NAME = 48;

  /**
   * Member names seen, so a name is not a new string on every call (Jackson keeps such a table per
   * factory). Racy by design: strings are immutable and safely published, a lost write only costs a
   * later allocation, and a slot taken by another name is simply replaced.
   */
  private static final String[] NAMES = new String[512];

  /**
   * Values that repeat from call to call (model names, see {@link #getRepeatedText()}), kept as the
   * names are.
   */
  private static final String[] VALUES = new String[256];

  /** Why the scanner stopped; the parser then reads the body with Jackson. */
  static final class Declined extends IOException {
    private static final long serialVersionUID = 1L;

    Declined(String why) {
      super(why, null);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  private final byte[] b;
  private final int end;
  private int pos;

  private @Nullable JsonToken token;
  private int tokenStart;
  private int tokenEnd;

  /** Whether the current string token holds an escape or a non-ASCII byte. */
  private boolean complexString;

  /** Whether the current token is a {@code START_*} whose container is still empty. */
  private boolean justOpened;

  /** One bit per open container, bit {@code depth - 1}: set for an object, clear for an array. */
  private long objects;

  private int depth;

  /** Whether the top-level value has been read whole. */
  private boolean done;

  JsonScanner(byte[] body) {
    this(body, 0, body.length);
  }

  /** Scans {@code body[off..off+len)}; offsets it reports are indexes into {@code body}. */
  JsonScanner(byte[] body, int off, int len) {
    this.b = body;
    this.pos = off;
    this.end = off + len;
  }

  @Override
  public @Nullable JsonToken nextToken() throws IOException {
    if (done) {
      throw new Declined("past the top-level value");
    }
    skipWhitespace();
    if (token == JsonToken.FIELD_NAME) {
      return value();
    }
    if (token == null) {
      // The top level: only an object is read here.
      if (pos >= end || b[pos] != '{') {
        throw new Declined("not an object");
      }
      return value();
    }
    boolean inObject = (objects & (1L << (depth - 1))) != 0;
    if (pos >= end) {
      throw new Declined("truncated");
    }
    byte c = b[pos];
    if (c == (inObject ? '}' : ']')) {
      return close(inObject);
    }
    if (!justOpened) {
      if (c != ',') {
        throw new Declined("expected a comma");
      }
      pos++;
      skipWhitespace();
    }
    justOpened = false;
    return inObject ? name() : value();
  }

  private JsonToken close(boolean inObject) {
    justOpened = false;
    tokenStart = pos;
    pos++;
    tokenEnd = pos;
    depth--;
    objects &= ~(1L << depth);
    if (depth == 0) {
      done = true;
    }
    token = inObject ? JsonToken.END_OBJECT : JsonToken.END_ARRAY;
    return token;
  }

  private JsonToken name() throws IOException {
    if (pos >= end || b[pos] != '"') {
      throw new Declined("expected a name");
    }
    tokenStart = pos;
    string();
    skipWhitespace();
    if (pos >= end || b[pos] != ':') {
      throw new Declined("expected a colon");
    }
    pos++;
    token = JsonToken.FIELD_NAME;
    return token;
  }

  private JsonToken value() throws IOException {
    if (pos >= end) {
      throw new Declined("truncated");
    }
    tokenStart = pos;
    byte c = b[pos];
    switch (c) {
      case '{':
      case '[':
        if (depth >= MAX_DEPTH) {
          throw new Declined("deep");
        }
        if (c == '{') {
          objects |= 1L << depth;
        }
        depth++;
        pos++;
        tokenEnd = pos;
        justOpened = true;
        token = c == '{' ? JsonToken.START_OBJECT : JsonToken.START_ARRAY;
        return token;
      case '"':
        string();
        token = JsonToken.VALUE_STRING;
        break;
      case 't':
        literal("true");
        token = JsonToken.VALUE_TRUE;
        break;
      case 'f':
        literal("false");
        token = JsonToken.VALUE_FALSE;
        break;
      case 'n':
        literal("null");
        token = JsonToken.VALUE_NULL;
        break;
      default:
        token = number();
        break;
    }
    justOpened = false;
    if (depth == 0) {
      done = true;
    }
    return token;
  }

  private void literal(String word) throws Declined {
    int n = word.length();
    if (end - pos < n) {
      throw new Declined("truncated");
    }
    for (int i = 0; i < n; i++) {
      if (b[pos + i] != word.charAt(i)) {
        throw new Declined("bad literal");
      }
    }
    pos += n;
    tokenEnd = pos;
    delimiter();
  }

  /** The byte after a scalar must end it: whitespace, a comma or a closing bracket. */
  private void delimiter() throws Declined {
    if (pos >= end) {
      throw new Declined("truncated");
    }
    byte c = b[pos];
    if (!(c == ',' || c == '}' || c == ']' || isWhitespace(c))) {
      throw new Declined("bad delimiter");
    }
  }

  private JsonToken number() throws Declined {
    int i = pos;
    if (i < end && b[i] == '-') {
      i++;
    }
    if (i >= end) {
      throw new Declined("truncated");
    }
    if (b[i] == '0') {
      i++;
    } else if (b[i] >= '1' && b[i] <= '9') {
      i = digits(i);
    } else {
      throw new Declined("not a value");
    }
    boolean fraction = false;
    if (i < end && b[i] == '.') {
      fraction = true;
      i = digits(i + 1);
    }
    if (i < end && (b[i] == 'e' || b[i] == 'E')) {
      fraction = true;
      i++;
      if (i < end && (b[i] == '+' || b[i] == '-')) {
        i++;
      }
      i = digits(i);
    }
    if (i - pos > MAX_NUMBER_LENGTH) {
      throw new Declined("long number");
    }
    pos = i;
    tokenEnd = i;
    delimiter();
    return fraction ? JsonToken.VALUE_NUMBER_FLOAT : JsonToken.VALUE_NUMBER_INT;
  }

  /** The index after the digits starting at {@code i}; declines when there are none. */
  private int digits(int i) throws Declined {
    int from = i;
    while (i < end && isDigit(b[i])) {
      i++;
    }
    if (i == from) {
      throw new Declined("bad number");
    }
    return i;
  }

  /** Scans the string whose opening quote is at {@code pos}; leaves {@code pos} past its end. */
  private void string() throws Declined {
    int i = pos + 1;
    boolean complex = false;
    while (true) {
      if (i >= end) {
        throw new Declined("truncated");
      }
      int c = b[i];
      if (c == '"') {
        break;
      }
      if (c == '\\') {
        complex = true;
        i = escape(i + 1);
      } else if (c >= 0 && c < 0x20) {
        throw new Declined("control character");
      } else if (c < 0) {
        complex = true;
        i = utf8(i);
      } else {
        i++;
      }
    }
    pos = i + 1;
    tokenEnd = pos;
    complexString = complex;
  }

  /** Checks the escape whose letter is at {@code i}; returns the index after it. */
  private int escape(int i) throws Declined {
    if (i >= end) {
      throw new Declined("truncated");
    }
    switch (b[i]) {
      case '"':
      case '\\':
      case '/':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
        return i + 1;
      case 'u':
        if (end - i < 5) {
          throw new Declined("truncated");
        }
        for (int k = 1; k <= 4; k++) {
          if (Character.digit(b[i + k], 16) < 0) {
            throw new Declined("bad escape");
          }
        }
        return i + 5;
      default:
        throw new Declined("bad escape");
    }
  }

  /**
   * Checks the well-formed UTF-8 sequence starting at {@code i} (no overlong forms, no surrogates,
   * nothing past U+10FFFF); returns the index after it.
   */
  private int utf8(int i) throws Declined {
    int lead = b[i] & 0xFF;
    int n;
    int min;
    int cp;
    if (lead >= 0xC2 && lead <= 0xDF) {
      n = 1;
      min = 0x80;
      cp = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      n = 2;
      min = 0x800;
      cp = lead & 0x0F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      n = 3;
      min = 0x10000;
      cp = lead & 0x07;
    } else {
      throw new Declined("bad UTF-8");
    }
    if (end - i <= n) {
      throw new Declined("truncated");
    }
    for (int k = 1; k <= n; k++) {
      int cont = b[i + k] & 0xFF;
      if ((cont & 0xC0) != 0x80) {
        throw new Declined("bad UTF-8");
      }
      cp = (cp << 6) | (cont & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      throw new Declined("bad UTF-8");
    }
    return i + n + 1;
  }

  private void skipWhitespace() {
    while (pos < end && isWhitespace(b[pos])) {
      pos++;
    }
  }

  private static boolean isWhitespace(byte c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
  }

  private static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }

  @Override
  public String currentName() throws IOException {
    if (token != JsonToken.FIELD_NAME) {
      throw new Declined("not a name");
    }
    if (complexString) {
      throw new Declined("escaped or non-ASCII name");
    }
    int from = tokenStart + 1;
    int len = tokenEnd - 1 - from;
    if (len >= MAX_NAME) {
      throw new Declined("name beyond Jackson's bound");
    }
    if (len > MAX_CACHED_NAME) {
      return new String(b, from, len, StandardCharsets.ISO_8859_1);
    }
    int h = len;
    for (int i = 0; i < len; i++) {
      h = 31 * h + b[from + i];
    }
    return shared(NAMES, h, from, len);
  }

  /**
   * The string of bytes {@code [from, from + len)} (ASCII) as kept in {@code table} under hash
   * {@code h}: looked for in two neighbouring slots, so two strings of one call whose hashes meet
   * (OpenAI's {@code total_tokens} and {@code finish_reason} do) do not evict each other on every
   * call; a new one takes the first slot and moves its string to the second. Shared by all threads:
   * a slot holds an immutable string or nothing, so a race only costs a new string.
   */
  private String shared(String[] table, int h, int from, int len) {
    int mask = table.length - 1;
    int slot = (h ^ (h >>> 9)) & mask;
    int next = (slot + 1) & mask;
    String first = table[slot];
    if (first != null && sameAscii(first, from, len)) {
      return first;
    }
    String second = table[next];
    if (second != null && sameAscii(second, from, len)) {
      return second;
    }
    String s = new String(b, from, len, StandardCharsets.ISO_8859_1);
    if (first != null) {
      table[next] = first; // the older of the two goes, so two strings that meet both stay
    }
    table[slot] = s;
    return s;
  }

  private boolean sameAscii(String s, int from, int len) {
    if (s.length() != len) {
      return false;
    }
    for (int i = 0; i < len; i++) {
      if (s.charAt(i) != b[from + i]) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String getText() throws IOException {
    if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
      // As Jackson: a number's text is the number as written (an error's numeric code).
      return new String(b, tokenStart, tokenEnd - tokenStart, StandardCharsets.ISO_8859_1);
    }
    if (token != JsonToken.VALUE_STRING || complexString) {
      throw new Declined("text not read here");
    }
    if (tokenEnd - tokenStart - 2 >= JsonTrees.MAX_STRING) {
      // Jackson refuses to decode it (JsonTrees' bound): so must the scanner's result.
      throw new Declined("string beyond the bound");
    }
    return new String(b, tokenStart + 1, tokenEnd - tokenStart - 2, StandardCharsets.ISO_8859_1);
  }

  @Override
  public String getRepeatedText() throws IOException {
    if (token != JsonToken.VALUE_STRING || complexString) {
      return getText();
    }
    int from = tokenStart + 1;
    int len = tokenEnd - 1 - from;
    if (len > MAX_CACHED_NAME) {
      return getText();
    }
    int h = len;
    for (int i = 0; i < len; i++) {
      h = 31 * h + b[from + i];
    }
    return shared(VALUES, h, from, len);
  }

  @Override
  public long getLongValue() throws IOException {
    if (token != JsonToken.VALUE_NUMBER_INT) {
      throw new Declined("not an integer");
    }
    int i = tokenStart;
    boolean negative = b[i] == '-';
    if (negative) {
      i++;
    }
    // As Long.parseLong: accumulated negatively, so Long.MIN_VALUE fits.
    long limit = negative ? Long.MIN_VALUE : -Long.MAX_VALUE;
    long multmin = limit / 10;
    long v = 0;
    for (; i < tokenEnd; i++) {
      int d = b[i] - '0';
      if (v < multmin) {
        throw new Declined("out of range");
      }
      v *= 10;
      if (v < limit + d) {
        throw new Declined("out of range");
      }
      v -= d;
    }
    return negative ? v : -v;
  }

  /**
   * {@code INT} or {@code LONG} for an integer token; a larger one is declined (left to Jackson).
   */
  @Override
  public JsonParser.NumberType getNumberType() throws IOException {
    long v = getLongValue();
    return v == (int) v ? JsonParser.NumberType.INT : JsonParser.NumberType.LONG;
  }

  @Override
  public int getIntValue() throws IOException {
    long v = getLongValue();
    if (v != (int) v) {
      throw new Declined("out of int range");
    }
    return (int) v;
  }

  /** Declined: integers beyond a {@code long} are left to Jackson. */
  @Override
  public BigInteger getBigIntegerValue() throws IOException {
    throw new Declined("big integer");
  }

  @Override
  public BigDecimal getDecimalValue() throws IOException {
    if (token != JsonToken.VALUE_NUMBER_INT && token != JsonToken.VALUE_NUMBER_FLOAT) {
      throw new Declined("not a number");
    }
    return new BigDecimal(
        new String(b, tokenStart, tokenEnd - tokenStart, StandardCharsets.ISO_8859_1));
  }

  @Override
  public double getDoubleValue() throws IOException {
    if (token != JsonToken.VALUE_NUMBER_INT && token != JsonToken.VALUE_NUMBER_FLOAT) {
      throw new Declined("not a number");
    }
    return Double.parseDouble(
        new String(b, tokenStart, tokenEnd - tokenStart, StandardCharsets.ISO_8859_1));
  }

  @Override
  public void skipChildren() throws IOException {
    if (token != JsonToken.START_OBJECT && token != JsonToken.START_ARRAY) {
      return;
    }
    int target = depth - 1;
    while (depth > target) {
      nextToken();
    }
  }

  @Override
  public int tokenStart() {
    return tokenStart;
  }

  @Override
  public int tokenEnd() {
    return tokenEnd;
  }
}
