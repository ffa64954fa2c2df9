package dev.attribution.okhttp;

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionHeaders;
import dev.attribution.api.ContextSource;
import dev.attribution.core.AttributionEngine;
import dev.attribution.core.BlockedResponse;
import dev.attribution.core.CallRequest;
import dev.attribution.core.LlmCall;
import dev.attribution.core.UpstreamRewrite;
import dev.attribution.core.logging.RateLimitedLogger;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import okhttp3.Call;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Protocol;
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
 * addNetworkInterceptor}); it runs once per attempt, SDK retries included. For each request it
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
 *   <li>reads usage from the response without changing a byte of it: a bounded peek of JSON bodies,
 *       a tee over server-sent-event streams.
 * </ol>
 *
 * <p>Any failure inside attribution is caught, counted ({@link #internalFailures()}) and logged at
 * most every 10 seconds; the call then proceeds exactly as the application built it (minus the
 * attribution headers). Transport errors are rethrown unchanged.
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
  private final RateLimitedLogger failureLog = new RateLimitedLogger(LOG, 10_000);

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
    Request outgoing = stripAttributionHeaders(original);
    CallRequest request;
    LlmCall call;
    try {
      request = describe(chain.call(), original, outgoing);
      call = engine.begin(request);
    } catch (RuntimeException | LinkageError e) {
      failure("preparing the call", e);
      return chain.proceed(outgoing);
    }
    Response response;
    try {
      response = send(chain, outgoing, call);
    } catch (IOException e) {
      LlmCall failover =
          engine.beginFailover(request, call, 0, e instanceof InterruptedIOException);
      if (failover == null) {
        throw e;
      }
      return send(chain, outgoing, failover);
    }
    if (!response.isSuccessful() && call.blocked() == null) {
      LlmCall failover = engine.beginFailover(request, call, response.code(), false);
      if (failover != null) {
        response.close();
        return send(chain, outgoing, failover);
      }
    }
    return response;
  }

  /** Sends one attempt as {@code call} decided (block, rewrite or as is) and observes it. */
  private Response send(Chain chain, Request outgoing, LlmCall call) throws IOException {
    BlockedResponse blocked = call.blocked();
    if (blocked != null) {
      if (blockWithException) {
        throw new BudgetExceededException(
            blocked.reason(), blocked.headers().get("x-attribution-blocked"));
      }
      return blockedResponse(outgoing, blocked);
    }
    Request toSend = outgoing;
    try {
      UpstreamRewrite rw = call.rewrite();
      if (rw != null) {
        toSend = apply(outgoing, rw);
      }
    } catch (RuntimeException | LinkageError e) {
      failure("rewriting the request", e);
      toSend = outgoing;
    }
    Response response;
    try {
      response = chain.proceed(toSend);
    } catch (IOException | RuntimeException e) {
      call.failed(e);
      throw e;
    }
    if (!call.tracked()) {
      return response;
    }
    try {
      return observe(call, response);
    } catch (RuntimeException | LinkageError e) {
      failure("reading the response", e);
      call.completeWithoutBody();
      return response;
    }
  }

  private CallRequest describe(Call okCall, Request original, Request outgoing) throws IOException {
    AttributionContext ctx = AttributionContext.empty();
    ContextSource source = ContextSource.NONE;
    AttributionHeaders.Parsed fromHeaders = null;
    if (hasAttributionHeaders(original.headers())) {
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
    byte[] body = null;
    RequestBody rb = outgoing.body();
    if (rb != null && !rb.isOneShot() && !rb.isDuplex()) {
      long len = rb.contentLength();
      if (len <= maxRequestBytes) {
        Buffer buf = new Buffer();
        rb.writeTo(buf);
        if (buf.size() <= maxRequestBytes) {
          body = buf.readByteArray();
        }
      }
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
        url.encodedPath(),
        url.encodedQuery(),
        body,
        outgoing::header,
        ctx,
        source,
        Math.max(1, attempt),
        rejected);
  }

  private static boolean hasAttributionHeaders(Headers headers) {
    for (int i = 0, n = headers.size(); i < n; i++) {
      if (AttributionHeaders.isAttributionHeader(headers.name(i))) {
        return true;
      }
    }
    return false;
  }

  private static Request stripAttributionHeaders(Request request) {
    Headers headers = request.headers();
    if (!hasAttributionHeaders(headers)) {
      return request;
    }
    Request.Builder b = request.newBuilder();
    for (int i = 0, n = headers.size(); i < n; i++) {
      String name = headers.name(i);
      if (AttributionHeaders.isAttributionHeader(name)) {
        b.removeHeader(name);
      }
    }
    return b.build();
  }

  private static Request apply(Request request, UpstreamRewrite rw) {
    Request.Builder b = request.newBuilder();
    if (rw.changesUrl()) {
      HttpUrl.Builder u = request.url().newBuilder();
      if (rw.scheme() != null) {
        u.scheme(rw.scheme());
      }
      if (rw.host() != null) {
        u.host(rw.host());
      }
      if (rw.port() >= 0) {
        u.port(rw.port());
      }
      if (rw.path() != null) {
        u.encodedPath(rw.path());
      }
      b.url(u.build());
    }
    for (String h : rw.removeHeaders()) {
      b.removeHeader(h);
    }
    for (Map.Entry<String, String> h : rw.setHeaders().entrySet()) {
      b.header(h.getKey(), h.getValue());
    }
    byte[] body = rw.body();
    RequestBody old = request.body();
    if (body != null && old != null) {
      b.method(request.method(), RequestBody.create(body, old.contentType()));
    }
    return b.build();
  }

  private static Response blockedResponse(Request request, BlockedResponse blocked) {
    Headers.Builder h = new Headers.Builder();
    blocked.headers().forEach(h::add);
    h.add("content-type", blocked.contentType());
    long now = System.currentTimeMillis();
    return new Response.Builder()
        .request(request)
        .protocol(Protocol.HTTP_1_1)
        .code(blocked.status())
        .message("Too Many Requests")
        .headers(h.build())
        .body(ResponseBody.create(blocked.body(), MediaType.get(blocked.contentType())))
        .sentRequestAtMillis(now)
        .receivedResponseAtMillis(now)
        .build();
  }

  private Response observe(LlmCall call, Response response) throws IOException {
    call.onResponse(response.code(), response::header);
    ResponseBody body = response.body();
    if (body == null) {
      call.completeWithoutBody();
      return response;
    }
    MediaType type = body.contentType();
    boolean sse =
        type != null && type.type().equals("text") && type.subtype().equals("event-stream");
    if (sse || (call.streamingRequested() && response.isSuccessful() && !isJson(type))) {
      return response.newBuilder().body(new TrackingResponseBody(body, call)).build();
    }
    // Buffer the body (bounded) in the source the application will read from, then parse a
    // clone of that buffer: okio clones share segments, so the body is not copied to read it.
    BufferedSource source = body.source();
    try {
      source.request(maxPeekBytes);
    } catch (IOException e) {
      call.failed(e);
      throw e;
    }
    Buffer buffered = source.getBuffer();
    if (buffered.size() >= maxPeekBytes) {
      call.completeWithoutBody();
      return response;
    }
    InputStream in = buffered.clone().inputStream();
    if ("gzip".equalsIgnoreCase(response.header("Content-Encoding"))) {
      in = new GZIPInputStream(in);
    }
    call.completeBody(in);
    return response;
  }

  private static boolean isJson(@Nullable MediaType type) {
    return type != null && type.subtype().contains("json");
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
     * Largest JSON response body read for usage, default {@value #DEFAULT_MAX_PEEK_BYTES}; larger
     * bodies are passed through and recorded without usage.
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
