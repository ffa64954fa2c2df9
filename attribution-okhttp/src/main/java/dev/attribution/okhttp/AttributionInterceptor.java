package dev.attribution.okhttp;

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionHeaders;
import dev.attribution.api.ContextSource;
import dev.attribution.api.internal.RateLimitedLogger;
import dev.attribution.core.AttributionEngine;
import dev.attribution.core.internal.transport.LentRequestBodies;
import dev.attribution.core.transport.BlockedResponse;
import dev.attribution.core.transport.CallRequest;
import dev.attribution.core.transport.LlmCall;
import dev.attribution.core.transport.UpstreamRewrite;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OkHttp interceptor: attributes, prices, enforces budgets on and routes every LLM call.
 *
 * <p>Add it as an application interceptor ({@code addInterceptor}, never {@code
 * addNetworkInterceptor}: added there it logs one warning and lets every call pass through
 * unattributed); it runs once per attempt, SDK retries included. For each request it
 *
 * <ol>
 *   <li>resolves the context: an {@link AttributionContext} request tag &gt; the context where the
 *       call was created (with {@link AttributionOkHttp#instrument}) &gt; the current thread's
 *       scope, with {@code x-attribution-*} headers (which it removes, so the provider never sees
 *       them) laid over it field by field; a header value that fails validation is dropped alone
 *       and named in the record's {@code rejected_headers} attribute;
 *   <li>asks the engine, which may block the call (a provider-shaped 429 with {@code
 *       x-should-retry: false}, so openai-java surfaces its rate-limit exception without retrying),
 *       rewrite the model, or send it to another route;
 *   <li>reads usage from the response without changing a byte of it: a bounded peek of single JSON
 *       documents from recognised LLM endpoints (the limit applies to decompressed bytes too), a
 *       tee over server-sent-event streams; everything else (NDJSON, binary, traffic to other
 *       hosts) passes through as it arrives, unbuffered. A body whose usage cannot be read (too
 *       large, not decodable, not JSON) is recorded with attribute {@code usage_unreadable}.
 * </ol>
 *
 * <p>Any failure inside attribution (errors from its own buffers included) is caught, counted
 * ({@link #internalFailures()}) and logged at most every 10 seconds; the call then proceeds exactly
 * as the application built it (minus the attribution headers). Transport errors reach the
 * application unchanged, where it would have met them without the interceptor: a failure while
 * reading the body ahead surfaces when the application reads that far, not from {@code execute()}.
 */
public final class AttributionInterceptor implements Interceptor {

  private static final Logger LOG = LoggerFactory.getLogger(AttributionInterceptor.class);

  /** Default largest JSON response body peeked for usage: {@value} bytes. */
  public static final long DEFAULT_MAX_PEEK_BYTES = 8L * 1024 * 1024;

  /** Default largest request body read for model and estimate: {@value} bytes. */
  public static final long DEFAULT_MAX_REQUEST_BYTES = 16L * 1024 * 1024;

  private final AttributionEngine engine;
  private final @Nullable ContextCapture capture;
  private final boolean blockWithException;
  private final long maxPeekBytes;
  private final long maxRequestBytes;
  private final AtomicLong internalFailures = new AtomicLong();
  private final AtomicBoolean misuseReported = new AtomicBoolean();
  private final RateLimitedLogger failureLog = new RateLimitedLogger(LOG, 10_000);
  private final PinnedSend pinnedSend = new PinnedSend(this);

  private AttributionInterceptor(Builder b, @Nullable ContextCapture capture) {
    this.engine = b.engine;
    this.capture = capture;
    this.blockWithException = b.blockWithException;
    this.maxPeekBytes = b.maxPeekBytes;
    this.maxRequestBytes = b.maxRequestBytes;
  }

  /** An interceptor with default settings. */
  public static AttributionInterceptor create(AttributionEngine engine) {
    return builder(engine).build();
  }

  /** A builder for an interceptor over {@code engine}. */
  public static Builder builder(AttributionEngine engine) {
    return new Builder(engine);
  }

  AttributionInterceptor withCapture(ContextCapture c) {
    Builder b = new Builder(engine);
    b.blockWithException = blockWithException;
    b.maxPeekBytes = maxPeekBytes;
    b.maxRequestBytes = maxRequestBytes;
    return new AttributionInterceptor(b, c);
  }

  /** Failures inside the interceptor itself since start (the calls proceeded untouched). */
  public long internalFailures() {
    return internalFailures.get();
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request original = chain.request();
    Request outgoing = OkHttpRequests.stripAttributionHeaders(original);
    if (chain.connection() != null) {
      // Only network interceptors see a connection. There, a local answer (a budget block) is an
      // IllegalStateException in OkHttp and retries and redirects are counted as calls: stay out
      // of the way and say so once.
      if (misuseReported.compareAndSet(false, true)) {
        LOG.warn(
            "AttributionInterceptor was added with addNetworkInterceptor(..), where it cannot work;"
                + " calls pass through unattributed. Add it with addInterceptor(..) instead (or use"
                + " AttributionOkHttp.instrument(..)).");
      }
      return chain.proceed(outgoing);
    }
    CallRequest request;
    LlmCall call;
    try {
      request = describe(chain.call(), original, outgoing);
      call = engine.begin(request);
    } catch (RuntimeException | Error e) {
      failure("preparing the call", e);
      return chain.proceed(outgoing);
    }
    Response response;
    try {
      response = send(chain, outgoing, call);
    } catch (IOException e) {
      if (!replayable(outgoing)) {
        throw e;
      }
      LlmCall failover =
          engine.beginFailover(request, call, 0, e instanceof InterruptedIOException);
      if (failover == null) {
        throw e;
      }
      return send(chain, outgoing, failover);
    }
    if (!response.isSuccessful() && call.blocked() == null && replayable(outgoing)) {
      LlmCall failover = engine.beginFailover(request, call, response.code(), false);
      if (failover != null) {
        response.close();
        return send(chain, outgoing, failover);
      }
    }
    return response;
  }

  /**
   * Whether the request can be sent a second time (to a failover route): a one-shot or duplex body
   * cannot, and writing it again would fail the app's call where it would have seen the error.
   */
  private static boolean replayable(Request request) {
    RequestBody rb = request.body();
    return rb == null || !(rb.isOneShot() || rb.isDuplex());
  }

  /** Sends one attempt as {@code call} decided (block, rewrite or as is) and observes it. */
  private Response send(Chain chain, Request outgoing, LlmCall call) throws IOException {
    BlockedResponse blocked = call.blocked();
    if (blocked != null) {
      if (blockWithException) {
        throw new BudgetExceededException(
            blocked.reason(), blocked.headers().get("x-attribution-blocked"));
      }
      return OkHttpRequests.blockedResponse(outgoing, blocked);
    }
    Request toSend = outgoing;
    boolean pinned = false;
    try {
      UpstreamRewrite rw = call.rewrite();
      if (rw != null) {
        toSend = OkHttpRequests.apply(outgoing, rw);
        pinned = rw.pinsOrigin();
      }
    } catch (RuntimeException | Error e) {
      failure("rewriting the request", e);
      toSend = outgoing;
    }
    Response response;
    try {
      // The engine's credential, or a route's origin: redirects to another origin are not followed.
      response = pinned ? pinnedSend.proceed(chain, toSend) : chain.proceed(toSend);
    } catch (IOException | RuntimeException e) {
      call.failed(e);
      throw e;
    }
    if (!call.tracked()) {
      return response;
    }
    try {
      return observe(call, response, OkHttpRequests.lendsItsArray(outgoing.body()));
    } catch (Throwable e) {
      // Attribution's own work only (observe() hands transport failures to the application
      // itself); the response's source still holds every byte read so far.
      failure("reading the response", e);
      try {
        call.markUnreadable("internal_failure");
        call.completeWithoutBody();
      } catch (Throwable again) {
        failure("recording the response", again);
      }
      return response;
    }
  }

  private CallRequest describe(Call okCall, Request original, Request outgoing) {
    AttributionContext ctx = AttributionContext.empty();
    ContextSource source = ContextSource.NONE;
    AttributionHeaders.Parsed fromHeaders = null;
    if (OkHttpRequests.hasAttributionHeaders(original.headers())) {
      fromHeaders = AttributionHeaders.parse(original::header);
    }
    AttributionContext captured = capture != null ? capture.take(okCall) : null;
    AttributionContext tag = original.tag(AttributionContext.class);
    if (tag != null && !tag.isEmpty()) {
      ctx = tag;
      source = ContextSource.TAG;
    } else if (captured != null) {
      ctx = captured;
      source = ContextSource.SCOPE;
    } else {
      AttributionContext current = Attribution.current();
      if (!current.isEmpty()) {
        ctx = current;
        source = ContextSource.SCOPE;
      }
    }
    // Headers win field by field over the tag or scope; a rejected header value drops alone.
    String rejected = "";
    if (fromHeaders != null && fromHeaders.present()) {
      rejected = fromHeaders.rejected();
      if (!fromHeaders.context().isEmpty()) {
        ctx = fromHeaders.context().mergedOnto(ctx);
        source = ContextSource.HEADER;
      }
    }
    HttpUrl url = outgoing.url();
    // OkHttp computes the encoded path (a substring) on every call: once here.
    String path = url.encodedPath();
    byte[] body = null;
    RequestBody rb = outgoing.body();
    if (rb != null && engine.recognises(outgoing.method(), url.host(), url.port(), path)) {
      body = OkHttpRequests.readRequestBody(rb, maxRequestBytes);
    }
    int attempt = 1;
    String retry = original.header("x-stainless-retry-count");
    if (retry != null) {
      try {
        attempt = Integer.parseInt(retry.trim()) + 1;
      } catch (NumberFormatException e) {
        attempt = 1;
      }
    }
    return new CallRequest(
        outgoing.method(),
        url.scheme(),
        url.host(),
        url.port(),
        path,
        url.encodedQuery(),
        body,
        outgoing::header,
        ctx,
        source,
        Math.max(1, attempt),
        rejected);
  }

  /**
   * Reads usage from the response without changing what the application receives. Only a single
   * JSON document from a recognised endpoint is buffered (bounded, ahead of the application); event
   * streams are read as the application reads them; anything else passes through as it arrives.
   * Never throws a transport failure: one met while buffering ahead is handed to the application
   * where it would have met it, after the bytes that arrived before it.
   */
  private Response observe(LlmCall call, Response response, boolean lentBody) {
    call.onResponse(response.code(), response::header);
    ResponseBody body = response.body();
    if (body == null) {
      call.completeWithoutBody();
      return response;
    }
    if (!call.recognised()) {
      // Not an LLM API: never buffered or read, recorded (when asked to) as it answers.
      call.completeWithoutBody();
      return response;
    }
    String type = contentType(response, body);
    String encoding = response.header("Content-Encoding");
    boolean identity =
        encoding == null || encoding.isBlank() || encoding.trim().equalsIgnoreCase("identity");
    boolean json = ContentTypes.isJson(type);
    boolean sse = ContentTypes.isEventStream(type);
    if (sse || (call.streamingRequested() && response.isSuccessful() && !json)) {
      if (!identity) {
        // The tracker reads event text; compressed bytes are passed through unread.
        call.markUnreadable("content_encoding");
      }
      keepRequestBody(call, lentBody);
      return response
          .newBuilder()
          .body(new TrackingResponseBody(body, call, identity, this::failure))
          .build();
    }
    boolean gzip = !identity && encoding.trim().equalsIgnoreCase("gzip");
    if (!json || !(identity || gzip) || body.contentLength() > maxPeekBytes) {
      // Not one JSON document we can read (NDJSON, octet-stream, none, an unknown encoding) or
      // announced too large: streamed through as it arrives, recorded when the application is
      // done with it.
      if (response.isSuccessful() || json) {
        call.markUnreadable(
            !json ? "content_type" : !(identity || gzip) ? "content_encoding" : "body_too_large");
      }
      keepRequestBody(call, lentBody);
      return response
          .newBuilder()
          .body(new TrackingResponseBody(body, call, false, this::failure))
          .build();
    }
    // Buffer the body (bounded) in the source the application will read from, then parse it in
    // place. Not through a clone: a clone marks the segments shared, and okio never returns shared
    // segments to its pool, which cost a fresh 8 KB segment on every later call.
    BufferedSource source = body.source();
    try {
      source.request(maxPeekBytes);
    } catch (IOException e) {
      // The transport failed while we read ahead. Without us the application would have met
      // this failure reading the body (or never, reading headers only): hand it the response,
      // whose body yields the bytes that arrived and then this same failure.
      call.failed(e);
      return response
          .newBuilder()
          .body(ResponseBodies.failedBody(body, source.getBuffer(), e))
          .build();
    }
    Buffer buffered = source.getBuffer();
    if (buffered.size() >= maxPeekBytes) {
      call.markUnreadable("body_too_large");
      call.completeWithoutBody();
      return response;
    }
    if (!gzip) {
      // A body that arrived in one segment (any answer up to 8 KB) is parsed where it lies: no
      // copy, no stream. The cursor only reads, and is closed before the application gets the body.
      try (Buffer.UnsafeCursor c = buffered.readUnsafe()) {
        if (c.seek(0) != -1 && c.data != null && c.end - c.start == buffered.size()) {
          call.completeBody(c.data, c.start, c.end - c.start);
          return response;
        }
      }
    }
    InputStream in = new BufferInput(buffered);
    if (gzip) {
      in = new ResponseBodies.BoundedGunzip(in, maxPeekBytes, call);
    }
    call.completeBody(in);
    return response;
  }

  /**
   * Before a response whose call finishes as the application reads it is handed over: the call
   * keeps its own copy of a request body that the engine was lent (the application's array, see
   * {@link OkHttpRequests#lendsItsArray}), which the application may reuse once {@code execute()}
   * returned. Calls finished before the interceptor returns read the lent array only until then.
   */
  private static void keepRequestBody(LlmCall call, boolean lentBody) {
    if (lentBody) {
      LentRequestBodies.keepCopy(call);
    }
  }

  /**
   * The response's content type without parsing a {@link MediaType} (OkHttp parses it with regular
   * expressions on every {@code contentType()} call): a network body's type is the header itself.
   */
  private static @Nullable String contentType(Response response, ResponseBody body) {
    if (body.getClass().getName().equals("okhttp3.internal.http.RealResponseBody")) {
      return response.header("Content-Type");
    }
    MediaType t = body.contentType();
    return t == null ? null : t.toString();
  }

  private void failure(String what, Throwable e) {
    internalFailures.incrementAndGet();
    failureLog.warn("Attribution failed while {}; the call proceeds untouched", what, e);
  }

  /** Builds an {@link AttributionInterceptor}. */
  public static final class Builder {
    private final AttributionEngine engine;
    private boolean blockWithException;
    private long maxPeekBytes = DEFAULT_MAX_PEEK_BYTES;
    private long maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;

    private Builder(AttributionEngine engine) {
      this.engine = Objects.requireNonNull(engine, "engine");
    }

    /**
     * Whether a blocked call throws {@link BudgetExceededException} instead of answering with a
     * local provider-shaped 429 response; default {@code false}.
     */
    public Builder blockWithException(boolean enabled) {
      this.blockWithException = enabled;
      return this;
    }

    /**
     * Largest JSON response body read for usage, default {@value #DEFAULT_MAX_PEEK_BYTES}, on the
     * wire and after decompression alike; larger bodies are passed through and recorded without
     * usage (attribute {@code usage_unreadable=body_too_large}).
     */
    public Builder maxPeekBytes(long bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxPeekBytes must be at least 1024, was " + bytes);
      }
      this.maxPeekBytes = bytes;
      return this;
    }

    /**
     * Largest request body read for its model and estimate; default {@value
     * #DEFAULT_MAX_REQUEST_BYTES}.
     */
    public Builder maxRequestBytes(long bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxRequestBytes must be at least 1024, was " + bytes);
      }
      this.maxRequestBytes = bytes;
      return this;
    }

    /** The interceptor. */
    public AttributionInterceptor build() {
      return new AttributionInterceptor(this, null);
    }
  }
}
