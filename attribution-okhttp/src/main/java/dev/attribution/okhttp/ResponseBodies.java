package dev.attribution.okhttp;

import dev.attribution.core.transport.LlmCall;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.Okio;
import okio.Source;
import okio.Timeout;
import org.jspecify.annotations.Nullable;

/**
 * Response bodies the interceptor hands on: a bounded gunzip for the usage parser, and the replay
 * of a body whose transport failed while it was read ahead. Moved out of {@link
 * AttributionInterceptor} unchanged, to keep each file to one concern.
 */
final class ResponseBodies {

  private ResponseBodies() {}

  /**
   * The decompressed body for the parser, at most {@code limit} bytes of it: what a small gzip body
   * expands to is bounded by what we choose to read, not by what it claims. A body that is not gzip
   * after all, or expands beyond the limit, ends early and marks the record unreadable.
   */
  static final class BoundedGunzip extends InputStream {
    private final InputStream compressed;
    private final long limit;
    private final LlmCall call;
    private @Nullable InputStream gunzip;
    private long produced;
    private boolean done;

    BoundedGunzip(InputStream compressed, long limit, LlmCall call) {
      this.compressed = compressed;
      this.limit = limit;
      this.call = call;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (done || len == 0) {
        return done ? -1 : 0;
      }
      try {
        InputStream in = gunzip;
        if (in == null) {
          in = new GZIPInputStream(compressed);
          gunzip = in;
        }
        if (produced >= limit) {
          done = true;
          if (in.read() != -1) {
            call.markUnreadable("body_too_large");
          }
          return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, limit - produced));
        if (n == -1) {
          done = true;
        } else {
          produced += n;
        }
        return n;
      } catch (IOException | RuntimeException e) {
        // Labelled gzip but plain, empty or corrupt: what the application reads is its business.
        done = true;
        call.markUnreadable("undecodable_gzip");
        return -1;
      }
    }

    @Override
    public void close() throws IOException {
      compressed.close();
    }
  }

  /** A body yielding the bytes that arrived before the transport failed, then that failure. */
  static ResponseBody failedBody(ResponseBody body, Buffer arrived, IOException failure) {
    Source replay =
        new Source() {
          @Override
          public long read(Buffer sink, long byteCount) throws IOException {
            if (arrived.size() == 0) {
              throw failure;
            }
            return arrived.read(sink, Math.min(byteCount, arrived.size()));
          }

          @Override
          public Timeout timeout() {
            return Timeout.NONE;
          }

          @Override
          public void close() {
            body.close();
          }
        };
    return ResponseBody.create(Okio.buffer(replay), body.contentType(), body.contentLength());
  }
}
