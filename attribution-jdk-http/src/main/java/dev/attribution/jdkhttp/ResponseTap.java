package dev.attribution.jdkhttp;

import dev.attribution.core.transport.LlmCall;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;
import org.jspecify.annotations.Nullable;

/**
 * Watches the bytes of one response as the application reads them and finishes the call's record
 * exactly once: a single JSON document is copied (bounded) and parsed when the application is done
 * with it; an event stream is fed to the call's stream tracker; anything else is only counted
 * through. Nothing is read ahead of the application.
 *
 * <p>This class and {@link AttributionHttpClient} are the only places that use core's transport
 * types ({@link LlmCall}, the stream tracker): re-point them here when those move. (The same class
 * serves attribution-anthropic; it belongs in core's transport package.)
 */
final class ResponseTap {

  private enum Mode {
    JSON,
    SSE,
    PASS
  }

  private final LlmCall call;
  private final Mode mode;
  private final boolean gzip;
  private final long maxBytes;
  private final BiConsumer<String, Throwable> onFailure;
  private final AtomicBoolean finished = new AtomicBoolean();
  private boolean feedStream;
  private byte[] copy = new byte[0];
  private int size;
  private boolean overflow;

  private ResponseTap(
      LlmCall call,
      Mode mode,
      boolean gzip,
      long maxBytes,
      BiConsumer<String, Throwable> onFailure) {
    this.call = call;
    this.mode = mode;
    this.gzip = gzip;
    this.maxBytes = maxBytes;
    this.onFailure = onFailure;
    if (mode == Mode.SSE) {
      this.feedStream = call.tracked();
    }
  }

  /**
   * Reports the response head to {@code call} and decides how its body will be read; {@code null}
   * when there is nothing more to do (the call is untracked or already finished).
   */
  static @Nullable ResponseTap start(
      LlmCall call,
      int status,
      Function<String, @Nullable String> headers,
      long maxBytes,
      BiConsumer<String, Throwable> onFailure) {
    if (!call.tracked()) {
      return null;
    }
    call.onResponse(status, headers);
    if (!call.recognised()) {
      // Not an LLM API: never read, recorded (when asked to) as it answers.
      call.completeWithoutBody();
      return null;
    }
    String type = lower(headers.apply("content-type"));
    String encoding = lower(headers.apply("content-encoding"));
    boolean identity = encoding == null || encoding.isBlank() || encoding.trim().equals("identity");
    boolean json = isJson(type);
    boolean sse = type != null && type.startsWith("text/event-stream");
    boolean success = status >= 200 && status < 300;
    if (sse || (call.streamingRequested() && success && !json)) {
      if (!identity) {
        call.markUnreadable("content_encoding");
        return new ResponseTap(call, Mode.PASS, false, maxBytes, onFailure);
      }
      return new ResponseTap(call, Mode.SSE, false, maxBytes, onFailure);
    }
    boolean gzip = !identity && encoding.trim().equals("gzip");
    long length = contentLength(headers.apply("content-length"));
    if (!json || !(identity || gzip) || length > maxBytes) {
      if (success || json) {
        call.markUnreadable(
            !json ? "content_type" : !(identity || gzip) ? "content_encoding" : "body_too_large");
      }
      return new ResponseTap(call, Mode.PASS, false, maxBytes, onFailure);
    }
    return new ResponseTap(call, Mode.JSON, gzip, maxBytes, onFailure);
  }

  /** The bytes {@code buf[off..off+len)} reached the application. Never throws. */
  void bytes(byte[] buf, int off, int len) {
    if (len <= 0 || finished.get()) {
      return;
    }
    try {
      if (mode == Mode.SSE) {
        if (feedStream) {
          call.onStreamBytes(buf, off, len);
        }
      } else if (mode == Mode.JSON && !overflow) {
        if (size + (long) len > maxBytes) {
          overflow = true;
          copy = new byte[0];
          return;
        }
        if (size + len > copy.length) {
          copy = Arrays.copyOf(copy, Math.max(size + len, Math.max(8192, copy.length * 2)));
        }
        System.arraycopy(buf, off, copy, size, len);
        size += len;
      }
    } catch (Throwable e) {
      // Never let attribution break the application's read: stop reading usage, say why.
      feedStream = false;
      overflow = true;
      onFailure.accept("reading a response", e);
      try {
        call.markUnreadable("internal_failure");
      } catch (Throwable ignored) {
        // counted above
      }
    }
  }

  /**
   * The application is done with the body: it reached the end ({@code eof}) or closed it early.
   * Finishes the record once. Never throws.
   */
  void end(boolean eof) {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    try {
      switch (mode) {
        case SSE:
          call.completeStream(eof);
          break;
        case JSON:
          if (overflow) {
            call.markUnreadable("body_too_large");
            call.completeWithoutBody();
          } else if (gzip) {
            call.completeBody(gunzip(copy, size));
          } else {
            call.completeBody(copy, size);
          }
          break;
        default:
          call.completeWithoutBody();
      }
    } catch (Throwable e) {
      onFailure.accept("recording a response", e);
    }
  }

  /** Reading the body failed in transport; the record says so. Never throws. */
  void failed(Throwable error) {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    try {
      call.failed(error);
    } catch (Throwable e) {
      onFailure.accept("recording a failed response", e);
    }
  }

  private InputStream gunzip(byte[] body, int length) {
    byte[] plain;
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body, 0, length))) {
      plain = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8L, maxBytes + 1));
    } catch (IOException | RuntimeException e) {
      call.markUnreadable("undecodable_gzip");
      return new ByteArrayInputStream(new byte[0]);
    }
    if (plain.length > maxBytes) {
      call.markUnreadable("body_too_large");
      return new ByteArrayInputStream(new byte[0]);
    }
    return new ByteArrayInputStream(plain);
  }

  private static @Nullable String lower(@Nullable String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }

  /** A single JSON document: {@code application/json} or {@code +json}, not NDJSON. */
  private static boolean isJson(@Nullable String type) {
    if (type == null) {
      return false;
    }
    int semi = type.indexOf(';');
    String mime = (semi >= 0 ? type.substring(0, semi) : type).trim();
    int slash = mime.indexOf('/');
    String sub = slash >= 0 ? mime.substring(slash + 1) : "";
    return sub.equals("json") || sub.endsWith("+json");
  }

  private static long contentLength(@Nullable String value) {
    if (value == null) {
      return -1;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
