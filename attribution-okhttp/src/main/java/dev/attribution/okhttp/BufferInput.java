package dev.attribution.okhttp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import okio.Buffer;

/**
 * Reads a buffer's bytes without consuming them and without sharing its segments: a clone would
 * mark them shared, and okio never returns a shared segment to its pool. Each read copies straight
 * into the reader's array.
 */
final class BufferInput extends InputStream {

  private final Buffer buffer;
  private final long size;
  private long pos;
  private final ArrayOut out = new ArrayOut();

  BufferInput(Buffer buffer) {
    this.buffer = buffer;
    this.size = buffer.size();
  }

  @Override
  public int read() {
    return pos < size ? buffer.getByte(pos++) & 0xff : -1;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (pos >= size) {
      return -1;
    }
    int n = (int) Math.min(len, size - pos);
    out.target = b;
    out.at = off;
    buffer.copyTo(out, pos, n);
    pos += n;
    return n;
  }

  @Override
  public int available() {
    return (int) Math.min(Integer.MAX_VALUE, size - pos);
  }

  /** Writes into a given array from a given index. */
  private static final class ArrayOut extends OutputStream {
    private static final byte[] EMPTY = new byte[0];

    byte[] target = EMPTY;
    int at;

    @Override
    public void write(int b) {
      target[at++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      System.arraycopy(b, off, target, at, len);
      at += len;
    }
  }
}
