package dev.attribution.okhttp;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import okio.Buffer;
import okio.BufferedSink;
import okio.ByteString;
import okio.Source;
import okio.Timeout;
import org.jspecify.annotations.Nullable;

/**
 * The sink a request body of OkHttp's own is written into to read it ({@link
 * OkHttpRequests#readRequestBody}): a {@link Buffer} that keeps the one array a body of bytes or a
 * string writes ({@code RequestBody.create(byte[]|String, ..)} writes its whole array with one
 * {@code write(byte[], int, int)}) instead of copying it, so {@link #bytes()} can answer that array
 * itself. Any other write, and any access to the buffer or a stream over it, first appends the kept
 * array to the buffer, so the bytes and their order are always what the body wrote.
 *
 * <p>Only for OkHttp's own body classes ({@link OkHttpRequests#lendsItsArray}): their arrays are
 * the body's content and never reused as scratch space between two writes, so appending a kept
 * array later gives the bytes it held when it was written.
 */
final class BodyCapture implements BufferedSink {

  /** Created on the first write that is not kept (the usual body never needs one). */
  private @Nullable Buffer buffer;

  private byte @Nullable [] kept;
  private int keptOffset;
  private int keptLength;

  /** Whether the buffer was handed out: from then on every write goes to it, in order. */
  private boolean exposed;

  /** The bytes written so far: the written array itself when it was one whole array alone. */
  byte[] bytes() {
    if (lent()) {
      return kept;
    }
    return spill().readByteArray();
  }

  /** Whether {@link #bytes()} answers the written array itself rather than a copy. */
  boolean lent() {
    byte[] k = kept;
    return k != null && buffer == null && keptOffset == 0 && keptLength == k.length;
  }

  /** How many bytes were written. */
  long size() {
    return (buffer != null ? buffer.size() : 0) + (kept != null ? keptLength : 0);
  }

  /** Empties the sink. */
  void clear() {
    kept = null;
    if (buffer != null) {
      buffer.clear();
    }
  }

  /** The buffer, with the kept array (if any) appended to it. */
  private Buffer spill() {
    Buffer buf = buffer;
    if (buf == null) {
      buf = new Buffer();
      buffer = buf;
    }
    byte[] k = kept;
    if (k != null) {
      kept = null;
      buf.write(k, keptOffset, keptLength);
    }
    return buf;
  }

  private Buffer expose() {
    exposed = true;
    return spill();
  }

  @Override
  public BufferedSink write(byte[] source, int offset, int byteCount) {
    if (!exposed && kept == null && (buffer == null || buffer.size() == 0)) {
      // Bounds checked as the buffer would check them, so a bad call fails the same way.
      if ((offset | byteCount) < 0 || offset > source.length - byteCount) {
        throw new ArrayIndexOutOfBoundsException(
            "size=" + source.length + " offset=" + offset + " byteCount=" + byteCount);
      }
      kept = source;
      keptOffset = offset;
      keptLength = byteCount;
      return this;
    }
    spill().write(source, offset, byteCount);
    return this;
  }

  @Override
  public BufferedSink write(byte[] source) {
    return write(source, 0, source.length);
  }

  @Override
  @Deprecated
  public Buffer buffer() {
    return expose();
  }

  @Override
  public Buffer getBuffer() {
    return expose();
  }

  @Override
  public OutputStream outputStream() {
    return expose().outputStream();
  }

  @Override
  public BufferedSink write(ByteString byteString) {
    spill().write(byteString);
    return this;
  }

  @Override
  public BufferedSink write(ByteString byteString, int offset, int byteCount) {
    spill().write(byteString, offset, byteCount);
    return this;
  }

  @Override
  public long writeAll(Source source) throws IOException {
    return spill().writeAll(source);
  }

  @Override
  public BufferedSink write(Source source, long byteCount) throws IOException {
    spill().write(source, byteCount);
    return this;
  }

  @Override
  public void write(Buffer source, long byteCount) {
    spill().write(source, byteCount);
  }

  @Override
  public int write(ByteBuffer source) throws IOException {
    return spill().write(source);
  }

  @Override
  public BufferedSink writeUtf8(String string) {
    spill().writeUtf8(string);
    return this;
  }

  @Override
  public BufferedSink writeUtf8(String string, int beginIndex, int endIndex) {
    spill().writeUtf8(string, beginIndex, endIndex);
    return this;
  }

  @Override
  public BufferedSink writeUtf8CodePoint(int codePoint) {
    spill().writeUtf8CodePoint(codePoint);
    return this;
  }

  @Override
  public BufferedSink writeString(String string, Charset charset) {
    spill().writeString(string, charset);
    return this;
  }

  @Override
  public BufferedSink writeString(String string, int beginIndex, int endIndex, Charset charset) {
    spill().writeString(string, beginIndex, endIndex, charset);
    return this;
  }

  @Override
  public BufferedSink writeByte(int b) {
    spill().writeByte(b);
    return this;
  }

  @Override
  public BufferedSink writeShort(int s) {
    spill().writeShort(s);
    return this;
  }

  @Override
  public BufferedSink writeShortLe(int s) {
    spill().writeShortLe(s);
    return this;
  }

  @Override
  public BufferedSink writeInt(int i) {
    spill().writeInt(i);
    return this;
  }

  @Override
  public BufferedSink writeIntLe(int i) {
    spill().writeIntLe(i);
    return this;
  }

  @Override
  public BufferedSink writeLong(long v) {
    spill().writeLong(v);
    return this;
  }

  @Override
  public BufferedSink writeLongLe(long v) {
    spill().writeLongLe(v);
    return this;
  }

  @Override
  public BufferedSink writeDecimalLong(long v) {
    spill().writeDecimalLong(v);
    return this;
  }

  @Override
  public BufferedSink writeHexadecimalUnsignedLong(long v) {
    spill().writeHexadecimalUnsignedLong(v);
    return this;
  }

  @Override
  public void flush() {}

  @Override
  public BufferedSink emit() {
    return this;
  }

  @Override
  public BufferedSink emitCompleteSegments() {
    return this;
  }

  @Override
  public Timeout timeout() {
    return Timeout.NONE;
  }

  @Override
  public boolean isOpen() {
    return true;
  }

  @Override
  public void close() {}
}
