package dev.attribution.core.internal.provider;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import org.jspecify.annotations.Nullable;

/**
 * The part of a JSON pull parser that reading a request or response body needs ({@link
 * RequestParser}, {@link ProviderDialect#readRequestMember}, {@link ResponseParser}): the same
 * tokens and the same meaning as Jackson's {@code JsonParser} methods of the same names, plus the
 * current token's byte offsets. {@link JsonScanner} reads the common case without Jackson; anything
 * it declines is read by Jackson through the same interface.
 */
public interface RequestReader {

  /**
   * The next token, or {@code null} at the end of the input.
   *
   * @throws IOException if the input is not JSON (or, for {@link JsonScanner}, not a body it reads)
   */
  @Nullable JsonToken nextToken() throws IOException;

  /**
   * The member name the current {@code FIELD_NAME} token holds.
   *
   * @throws IOException if it cannot be decoded
   */
  String currentName() throws IOException;

  /**
   * The text of the current {@code VALUE_STRING} token.
   *
   * @throws IOException if it cannot be decoded
   */
  String getText() throws IOException;

  /**
   * {@link #getText()} of a value that repeats from call to call (a model name): equal, but may be
   * a string shared with earlier calls rather than a new one.
   */
  default String getRepeatedText() throws IOException {
    return getText();
  }

  /**
   * The value of the current {@code VALUE_NUMBER_INT} token.
   *
   * @throws IOException if it is outside the range of a {@code long}
   */
  long getLongValue() throws IOException;

  /**
   * The size class of the current {@code VALUE_NUMBER_INT} token: {@code INT}, {@code LONG} or
   * {@code BIG_INTEGER}.
   *
   * @throws IOException if it cannot be read
   */
  JsonParser.NumberType getNumberType() throws IOException;

  /**
   * The value of the current {@code VALUE_NUMBER_INT} token of type {@code INT}.
   *
   * @throws IOException if it cannot be read
   */
  int getIntValue() throws IOException;

  /**
   * The value of the current {@code VALUE_NUMBER_INT} token of type {@code BIG_INTEGER}.
   *
   * @throws IOException if it cannot be read
   */
  BigInteger getBigIntegerValue() throws IOException;

  /**
   * The exact value of the current number token.
   *
   * @throws IOException if it cannot be read
   */
  BigDecimal getDecimalValue() throws IOException;

  /**
   * The value of the current number token as a {@code double}.
   *
   * @throws IOException if it cannot be read
   */
  double getDoubleValue() throws IOException;

  /**
   * When the current token starts an object or an array, moves past its matching end; otherwise
   * does nothing.
   *
   * @throws IOException if the input is not JSON
   */
  void skipChildren() throws IOException;

  /** The byte offset where the current token starts (a string's opening quote). */
  int tokenStart();

  /**
   * The byte offset just past the current token (past a string's closing quote); for a string, call
   * it after {@link #getText()}.
   */
  int tokenEnd();
}
