package dev.attribution.core.internal.provider;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import org.jspecify.annotations.Nullable;

/**
 * {@link RequestReader} over a Jackson parser: the reader for bodies {@link JsonScanner} declines.
 */
final class JacksonRequestReader implements RequestReader {

  private final JsonParser p;

  JacksonRequestReader(JsonParser p) {
    this.p = p;
  }

  @Override
  public @Nullable JsonToken nextToken() throws IOException {
    return p.nextToken();
  }

  @Override
  public String currentName() throws IOException {
    return p.currentName();
  }

  @Override
  public String getText() throws IOException {
    return p.getText();
  }

  @Override
  public long getLongValue() throws IOException {
    return p.getLongValue();
  }

  @Override
  public JsonParser.NumberType getNumberType() throws IOException {
    return p.getNumberType();
  }

  @Override
  public int getIntValue() throws IOException {
    return p.getIntValue();
  }

  @Override
  public BigInteger getBigIntegerValue() throws IOException {
    return p.getBigIntegerValue();
  }

  @Override
  public BigDecimal getDecimalValue() throws IOException {
    return p.getDecimalValue();
  }

  @Override
  public double getDoubleValue() throws IOException {
    return p.getDoubleValue();
  }

  @Override
  public void skipChildren() throws IOException {
    p.skipChildren();
  }

  @Override
  public int tokenStart() {
    return (int) p.currentTokenLocation().getByteOffset();
  }

  @Override
  public int tokenEnd() {
    return (int) p.currentLocation().getByteOffset();
  }
}
