package dev.attribution.okhttp;

import dev.attribution.core.internal.transport.UnclosedBodies;
import dev.attribution.core.transport.LlmCall;
import java.io.IOException;
import java.lang.ref.Reference;
import java.util.function.BiConsumer;
import okhttp3.MediaType;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;
import org.jspecify.annotations.Nullable;

/**
 * A response body that hands the application exactly the upstream bytes, as they arrive, and
 * finishes the call's record when the application is done with it. With {@code readUsage} the bytes
 * are also fed, as they are read, to the call ({@code LlmCall.onStreamBytes}); without it they are
 * only counted through. No byte is buffered ahead of the application, so the first byte arrives
 * when it would without us. The call is finished exactly once: at EOF, at {@code close()} (the
 * OpenAI SDK closes at {@code [DONE]} without reading to EOF), on a read error, or, when the
 * application drops the body unfinished (never closed), once it is unreachable ({@link
 * UnclosedBodies}; its source and streams keep it reachable while the application holds them). A
 * failure inside attribution (the tracker, the record) is reported to {@code onFailure} and never
 * reaches the application's read.
 */
final class TrackingResponseBody extends ResponseBody {

  private final ResponseBody delegate;
  private final LlmCall call;
  private final BiConsumer<String, Throwable> onFailure;
  private boolean feedStream;
  private @Nullable BufferedSource source;

  /** Finishes the call as abandoned if this body is dropped unfinished; released when finished. */
  private final UnclosedBodies.@Nullable Watch watch;

  TrackingResponseBody(
      ResponseBody delegate,
      LlmCall call,
      boolean readUsage,
      BiConsumer<String, Throwable> onFailure) {
    this.delegate = delegate;
    this.call = call;
    this.onFailure = onFailure;
    this.feedStream = readUsage && call.tracked();
    UnclosedBodies.Watch w = null;
    if (call.tracked()) {
      try {
        // Dropped unfinished, the delegate is closed too, so OkHttp discards the rest or retires
        // the connection instead of handing it, unread bytes and all, to the next call.
        w = UnclosedBodies.watch(this, call, delegate);
      } catch (Throwable e) {
        onFailure.accept("watching a response body", e);
      }
    }
    this.watch = w;
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
      finish(false, null);
    }
  }

  /** Finishes the record; whatever goes wrong in there is attribution's, not the app's. */
  private void finish(boolean reachedEnd, @Nullable Throwable error) {
    try {
      if (error != null) {
        call.failed(error);
      } else {
        call.completeStream(reachedEnd);
      }
    } catch (Throwable e) {
      onFailure.accept("recording a streamed response", e);
    } finally {
      // Finished: nothing left for the cleaner (its action is a no-op on a finished call).
      if (watch != null) {
        watch.finished();
      }
      Reference.reachabilityFence(this);
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
        finish(false, e);
        throw e;
      }
      if (n == -1) {
        eof = true;
        finish(true, null);
        return -1;
      }
      if (feedStream && n > 0) {
        feed(sink, sink.size() - n, n);
      }
      // The body is not unreachable (so abandoned) while a read is being fed to its call.
      Reference.reachabilityFence(TrackingResponseBody.this);
      return n;
    }

    private void feed(Buffer sink, long offset, long count) {
      try (Buffer.UnsafeCursor c = sink.readUnsafe(cursor)) {
        c.seek(offset);
        long remaining = count;
        while (remaining > 0 && c.data != null) {
          int len = (int) Math.min(c.end - c.start, remaining);
          call.onStreamBytes(c.data, c.start, len);
          remaining -= len;
          if (remaining > 0 && c.next() == -1) {
            break;
          }
        }
      } catch (Throwable e) {
        // Never let attribution break the application's read: stop reading usage from this
        // stream, say so on its record, and count it.
        feedStream = false;
        onFailure.accept("reading a streamed response", e);
        try {
          call.markUnreadable("internal_failure");
        } catch (Throwable ignored) {
          // already counted above
        }
      }
    }

    @Override
    public void close() throws IOException {
      try {
        super.close();
      } finally {
        finish(eof, null);
      }
    }
  }
}
