package dev.attribution.core.internal.transport;

import dev.attribution.core.transport.LlmCall;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;
import org.jspecify.annotations.Nullable;

/**
 * Watches the bytes of one response as the application reads them and finishes the call's record
 * exactly once: a single JSON document is copied (bounded) and parsed when the application is done
 * with it; an event stream is fed to the call ({@link LlmCall#onStreamBytes}); anything else is
 * only counted through. Nothing is read ahead of the application unless the adapter asks ({@link
 * #readAhead}). A body the application drops unfinished is finished as abandoned when the object it
 * held becomes unreachable ({@link #watch}, {@link UnclosedBodies}).
 *
 * <p>Shared by the adapters whose client hands them response bytes or a body stream
 * (attribution-anthropic, attribution-jdk-http); the OkHttp interceptor tees through Okio instead.
 */
public final class ResponseTap {

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

  /** The registration finishing the call if the application drops the body; released at the end. */
  private volatile UnclosedBodies.@Nullable Watch watch;

  private byte[] copy = new byte[0];

  /** A stream's bytes from a buffer without an array, on their way to the call; created on use. */
  private byte[] scratch = new byte[0];

  /** The first copy's size: the announced length when known, so a small body is copied once. */
  private int firstCopy = 8192;

  /** Whether {@link #firstCopy} is the response's announced length. */
  private boolean lengthAnnounced;

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
  public static @Nullable ResponseTap start(
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
    ResponseTap tap = new ResponseTap(call, Mode.JSON, gzip, maxBytes, onFailure);
    if (length > 0) {
      // Trusted only up to 64 KB: a server announcing more than it sends cannot make every call
      // allocate the limit.
      tap.firstCopy = (int) Math.min(length, 64 * 1024);
      tap.lengthAnnounced = true;
    }
    return tap;
  }

  /**
   * Finishes the call as abandoned ({@link LlmCall#abandoned()}) if {@code holder}, the object the
   * application holds while it reads the body, becomes unreachable before the body is finished.
   * Once per tap; nothing is registered for a finished body. Never throws.
   */
  public void watch(Object holder) {
    watch(holder, null);
  }

  /**
   * As {@link #watch(Object)}, and closes {@code release} (the client's own response or body
   * stream, which must not reference {@code holder}) once the abandoned call is finished, so the
   * client releases its connection.
   */
  public void watch(Object holder, @Nullable AutoCloseable release) {
    if (finished.get() || watch != null) {
      return;
    }
    try {
      watch = UnclosedBodies.watch(holder, call, release);
    } catch (Throwable e) {
      onFailure.accept("watching a response body", e);
    }
    if (finished.get()) {
      release();
    }
  }

  /** Drops the registration of a finished body (its action is then a no-op). */
  private void release() {
    UnclosedBodies.Watch w = watch;
    if (w != null) {
      w.finished();
    }
  }

  /** The bytes {@code buf[off..off+len)} reached the application. Never throws. */
  public void bytes(byte[] buf, int off, int len) {
    take(buf, null, off, len);
  }

  /**
   * The bytes remaining in {@code b} reached the application; its position is not moved. A body
   * copied for parsing is copied straight from the buffer, a direct or read-only one included (the
   * JDK {@code HttpClient} hands out such buffers), with no intermediate array. Never throws.
   */
  public void bytes(ByteBuffer b) {
    if (b.hasArray()) {
      take(b.array(), null, b.arrayOffset() + b.position(), b.remaining());
    } else {
      take(null, b, b.position(), b.remaining());
    }
  }

  /** Takes {@code len} bytes at {@code off} of {@code buf}, or else of {@code from}. */
  private void take(byte @Nullable [] buf, @Nullable ByteBuffer from, int off, int len) {
    if (len <= 0 || finished.get()) {
      return;
    }
    try {
      if (mode == Mode.SSE) {
        if (feedStream) {
          if (buf == null) {
            // The stream's reader takes arrays: one scratch array per tap, reused.
            if (scratch.length < len) {
              scratch = new byte[Math.max(len, 8192)];
            }
            Objects.requireNonNull(from).get(off, scratch, 0, len);
            call.onStreamBytes(scratch, 0, len);
          } else {
            call.onStreamBytes(buf, off, len);
          }
        }
      } else if (mode == Mode.JSON && !overflow) {
        if (size + (long) len > maxBytes) {
          overflow = true;
          copy = new byte[0];
          return;
        }
        if (size + len > copy.length) {
          copy = Arrays.copyOf(copy, Math.max(size + len, Math.max(firstCopy, copy.length * 2)));
        }
        if (buf != null) {
          System.arraycopy(buf, off, copy, size, len);
        } else {
          Objects.requireNonNull(from).get(off, copy, size, len);
        }
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
  public void end(boolean eof) {
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
    } finally {
      release();
    }
  }

  /** Reading the body failed in transport; the record says so. Never throws. */
  public void failed(Throwable error) {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    try {
      call.failed(error);
    } catch (Throwable e) {
      onFailure.accept("recording a failed response", e);
    } finally {
      release();
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

  /** Whether the body is one JSON document, to be read ahead with {@link #readAhead}. */
  public boolean readsAhead() {
    return mode == Mode.JSON;
  }

  /**
   * Reads a JSON body ahead of the application (bounded by the limit), as the OkHttp transport
   * does, so a response the SDK closes unread (a retried error) still has its usage and error read;
   * finishes the record and returns a stream that yields exactly the same bytes. A transport
   * failure met while reading ahead is handed to the application where it would have met it, after
   * the bytes that arrived before it.
   */
  public InputStream readAhead(InputStream body) {
    // The announced length (trusted up to 64 KB) plus one, so a body that keeps its word is read
    // to its end in this one array; the tap then keeps the array itself, no second copy.
    byte[] buf = new byte[lengthAnnounced ? firstCopy + 1 : firstCopy];
    int n = 0;
    IOException failure = null;
    long limit = maxBytes + 1;
    try {
      while (n < limit) {
        if (n == buf.length) {
          buf = Arrays.copyOf(buf, (int) Math.min(limit, (long) buf.length * 2));
        }
        int r = body.read(buf, n, buf.length - n);
        if (r == -1) {
          break;
        }
        n += r;
      }
    } catch (IOException e) {
      failure = e;
    }
    InputStream arrived = new ByteArrayInputStream(buf, 0, n);
    if (failure != null) {
      failed(failure);
      IOException thrown = failure;
      return new java.io.SequenceInputStream(
          arrived,
          new InputStream() {
            @Override
            public int read() throws IOException {
              throw thrown;
            }

            @Override
            public void close() throws IOException {
              body.close();
            }
          });
    }
    if (n > maxBytes) {
      overflow = true;
      end(false);
      return new java.io.SequenceInputStream(arrived, body);
    }
    // The tap's copy is the array read ahead: both only read it from here on.
    copy = buf;
    size = n;
    end(true);
    return arrived;
  }

  /**
   * {@code body} as the application will read it: the same bytes, reported to {@code tap} as they
   * are read, the record finished at end of stream, on close, on a read failure, or as abandoned
   * when the returned stream is dropped unfinished ({@link #watch}).
   */
  public static InputStream tee(InputStream body, @Nullable ResponseTap tap) {
    if (tap == null) {
      return body;
    }
    TeeInputStream tee = new TeeInputStream(body, tap, null);
    // Not closed when dropped: the AWS SDK's Apache client reads a body to its end on close, which
    // would hold the one thread that closes dropped bodies for as long as the stream lasts.
    tap.watch(tee);
    return tee;
  }

  /**
   * As {@link #tee(InputStream, ResponseTap)}, for a body read through {@code owner} (a response
   * object the adapter {@link #watch watches}): the returned stream keeps {@code owner} reachable,
   * so the call is finished as abandoned only when both are dropped.
   */
  public static InputStream tee(InputStream body, ResponseTap tap, Object owner) {
    return new TeeInputStream(body, tap, owner);
  }

  /**
   * {@code body} unchanged, for an adapter whose client already shows the bytes to this tap (a body
   * subscriber): a stream of its own that the call is {@link #watch watched} through, so dropping
   * it unfinished finishes the call as abandoned even where the client itself keeps {@code body}
   * reachable (the JDK {@code HttpClient} holds its {@code ofInputStream()} subscriber while the
   * connection is open).
   */
  public InputStream watched(InputStream body) {
    InputStream out = new PassThrough(body);
    // Not closed when dropped: an application reading through its own body subscriber holds the
    // JDK's stream without this wrapper, and closing it would break that read.
    watch(out);
    return out;
  }

  /** Every read and close goes to the stream underneath. */
  private static final class PassThrough extends InputStream {
    private final InputStream in;

    PassThrough(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      try {
        return in.read();
      } finally {
        Reference.reachabilityFence(this);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return in.read(b, off, len);
      } finally {
        Reference.reachabilityFence(this);
      }
    }

    @Override
    public long skip(long n) throws IOException {
      try {
        return in.skip(n);
      } finally {
        Reference.reachabilityFence(this);
      }
    }

    @Override
    public int available() throws IOException {
      return in.available();
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  private static final class TeeInputStream extends InputStream {
    private final InputStream in;
    private final ResponseTap tap;

    /** Kept reachable while this stream is: the object whose loss means the body was dropped. */
    private final @Nullable Object owner;

    private boolean eof;

    TeeInputStream(InputStream in, ResponseTap tap, @Nullable Object owner) {
      this.in = in;
      this.tap = tap;
      this.owner = owner;
    }

    @Override
    public int read() throws IOException {
      int b;
      try {
        b = in.read();
      } catch (IOException | RuntimeException e) {
        tap.failed(e);
        throw e;
      }
      try {
        if (b == -1) {
          eof = true;
          tap.end(true);
        } else {
          tap.bytes(new byte[] {(byte) b}, 0, 1);
        }
      } finally {
        // Not unreachable (so abandoned) while a read is being recorded.
        Reference.reachabilityFence(this);
        Reference.reachabilityFence(owner);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n;
      try {
        n = in.read(b, off, len);
      } catch (IOException | RuntimeException e) {
        tap.failed(e);
        throw e;
      }
      try {
        if (n == -1) {
          eof = true;
          tap.end(true);
        } else {
          tap.bytes(b, off, n);
        }
      } finally {
        Reference.reachabilityFence(this);
        Reference.reachabilityFence(owner);
      }
      return n;
    }

    @Override
    public int available() throws IOException {
      return in.available();
    }

    @Override
    public void close() throws IOException {
      try {
        in.close();
      } finally {
        tap.end(eof);
      }
    }
  }
}
