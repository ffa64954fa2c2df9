package dev.attribution.okhttp;

import dev.attribution.core.LlmCall;
import dev.attribution.core.provider.StreamUsageTracker;
import java.io.IOException;
import okhttp3.MediaType;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;
import org.jspecify.annotations.Nullable;

/**
 * A response body that hands the application exactly the upstream bytes while feeding them, as they
 * are read, to the call's stream tracker. No byte is buffered ahead of the application, so the
 * first byte arrives when it would without us. The call is finished exactly once: at EOF, at {@code
 * close()} (the OpenAI SDK closes at {@code [DONE]} without reading to EOF), or on a read error.
 */
final class TrackingResponseBody extends ResponseBody {

  private final ResponseBody delegate;
  private final LlmCall call;
  private final @Nullable StreamUsageTracker tracker;
  private @Nullable BufferedSource source;

  TrackingResponseBody(ResponseBody delegate, LlmCall call) {
    this.delegate = delegate;
    this.call = call;
    this.tracker = call.streamTracker();
  }

  @Override
  public @Nullable MediaType contentType() {
    return delegate.contentType();
  }

  @Override
  public long contentLength() {
    return delegate.contentLength();
  }

  @Override
  public BufferedSource source() {
    if (source == null) {
      source = Okio.buffer(new Tee(delegate.source()));
    }
    return source;
  }

  @Override
  public void close() {
    // Closing the body without reading the source closes the delegate; the tee's close is not
    // called then, so finish here too (finishing twice is a no-op).
    try {
      if (source != null) {
        source.close();
      } else {
        delegate.close();
      }
    } catch (IOException e) {
      // ResponseBody.close() swallows too.
    } finally {
      call.completeStream(false);
    }
  }

  private final class Tee extends ForwardingSource {
    private final Buffer.UnsafeCursor cursor = new Buffer.UnsafeCursor();
    private boolean eof;

    Tee(okio.Source delegate) {
      super(delegate);
    }

    @Override
    public long read(Buffer sink, long byteCount) throws IOException {
      long n;
      try {
        n = super.read(sink, byteCount);
      } catch (IOException | RuntimeException e) {
        call.failed(e);
        throw e;
      }
      if (n == -1) {
        eof = true;
        call.completeStream(true);
        return -1;
      }
      if (tracker != null && n > 0) {
        feed(sink, sink.size() - n, n);
      }
      return n;
    }

    private void feed(Buffer sink, long offset, long count) {
      try (Buffer.UnsafeCursor c = sink.readUnsafe(cursor)) {
        c.seek(offset);
        long remaining = count;
        while (remaining > 0 && c.data != null) {
          int len = (int) Math.min(c.end - c.start, remaining);
          tracker.feed(c.data, c.start, len);
          remaining -= len;
          if (remaining > 0 && c.next() == -1) {
            break;
          }
        }
      } catch (RuntimeException e) {
        // Never let attribution break the application's read.
      }
    }

    @Override
    public void close() throws IOException {
      try {
        super.close();
      } finally {
        call.completeStream(eof);
      }
    }
  }
}
