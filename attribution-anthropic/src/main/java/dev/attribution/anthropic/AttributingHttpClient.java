package dev.attribution.anthropic;

import com.anthropic.core.RequestOptions;
import com.anthropic.core.http.Headers;
import com.anthropic.core.http.HttpClient;
import com.anthropic.core.http.HttpRequest;
import com.anthropic.core.http.HttpRequestBody;
import com.anthropic.core.http.HttpResponse;
import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionHeaders;
import dev.attribution.api.ContextSource;
import dev.attribution.core.AttributionEngine;
import dev.attribution.core.internal.transport.ResponseTap;
import dev.attribution.core.transport.BlockedResponse;
import dev.attribution.core.transport.CallRequest;
import dev.attribution.core.transport.LlmCall;
import dev.attribution.core.transport.UpstreamRewrite;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * The SDK's next client wrapped: every attempt (the SDK's retry loop runs outside interceptors) is
 * described to the engine, blocked, rewritten or sent as is, and its response observed as the SDK
 * reads it.
 */
final class AttributingHttpClient implements HttpClient {

  private final HttpClient next;
  private final AnthropicAttribution owner;
  private final AttributionEngine engine;

  AttributingHttpClient(HttpClient next, AnthropicAttribution owner) {
    this.next = next;
    this.owner = owner;
    this.engine = owner.engine();
  }

  @Override
  public HttpResponse execute(HttpRequest original, RequestOptions options) {
    HttpRequest outgoing = stripAttributionHeaders(original);
    CallRequest request;
    LlmCall call;
    try {
      request = describe(original, outgoing);
      call = engine.begin(request);
    } catch (RuntimeException | Error e) {
      owner.failure("preparing the call", e);
      return next.execute(outgoing, options);
    }
    HttpResponse response;
    try {
      response = send(outgoing, options, call);
    } catch (RuntimeException e) {
      LlmCall failover = replayable(outgoing) ? failoverAfter(request, call, 0, e) : null;
      if (failover == null) {
        throw e;
      }
      return send(outgoing, options, failover);
    }
    if (call.blocked() == null && !success(response.statusCode()) && replayable(outgoing)) {
      LlmCall failover = failoverAfter(request, call, response.statusCode(), null);
      if (failover != null) {
        response.close();
        return send(outgoing, options, failover);
      }
    }
    return response;
  }

  @Override
  public CompletableFuture<HttpResponse> executeAsync(
      HttpRequest original, RequestOptions options) {
    HttpRequest outgoing = stripAttributionHeaders(original);
    CallRequest request;
    LlmCall call;
    try {
      request = describe(original, outgoing);
      call = engine.begin(request);
    } catch (RuntimeException | Error e) {
      owner.failure("preparing the call", e);
      return next.executeAsync(outgoing, options);
    }
    return sendAsync(outgoing, options, call)
        .handle(
            (response, error) -> {
              if (error != null) {
                Throwable cause = unwrap(error);
                LlmCall failover =
                    replayable(outgoing) ? failoverAfter(request, call, 0, cause) : null;
                if (failover == null) {
                  return CompletableFuture.<HttpResponse>failedFuture(cause);
                }
                return sendAsync(outgoing, options, failover);
              }
              if (call.blocked() == null
                  && !success(response.statusCode())
                  && replayable(outgoing)) {
                LlmCall failover = failoverAfter(request, call, response.statusCode(), null);
                if (failover != null) {
                  response.close();
                  return sendAsync(outgoing, options, failover);
                }
              }
              return CompletableFuture.completedFuture(response);
            })
        .thenCompose(f -> f);
  }

  @Override
  public void close() {
    next.close();
  }

  private @Nullable LlmCall failoverAfter(
      CallRequest request, LlmCall failed, int status, @Nullable Throwable error) {
    try {
      return engine.beginFailover(request, failed, status, error != null && timedOut(error));
    } catch (RuntimeException e) {
      owner.failure("starting a failover", e);
      return null;
    }
  }

  /** One attempt, synchronously: blocked, rewritten or as is; its response observed. */
  private HttpResponse send(HttpRequest outgoing, RequestOptions options, LlmCall call) {
    BlockedResponse blocked = call.blocked();
    if (blocked != null) {
      return new Blocked(blocked);
    }
    HttpRequest toSend = rewritten(outgoing, call);
    HttpResponse response;
    try {
      response =
          pinned(call)
              ? PinnedRedirects.execute(next, toSend, options)
              : next.execute(toSend, options);
    } catch (RuntimeException | Error e) {
      call.failed(e);
      throw e;
    }
    return observe(call, response);
  }

  private CompletableFuture<HttpResponse> sendAsync(
      HttpRequest outgoing, RequestOptions options, LlmCall call) {
    BlockedResponse blocked = call.blocked();
    if (blocked != null) {
      return CompletableFuture.completedFuture(new Blocked(blocked));
    }
    HttpRequest toSend = rewritten(outgoing, call);
    CompletableFuture<HttpResponse> sent;
    try {
      sent =
          pinned(call)
              ? PinnedRedirects.executeAsync(next, toSend, options)
              : next.executeAsync(toSend, options);
    } catch (RuntimeException | Error e) {
      call.failed(e);
      throw e;
    }
    return sent.handle(
            (response, error) -> {
              if (error != null) {
                Throwable cause = unwrap(error);
                call.failed(cause);
                return CompletableFuture.<HttpResponse>failedFuture(cause);
              }
              return CompletableFuture.completedFuture(observe(call, response));
            })
        .thenCompose(f -> f);
  }

  /** Whether the engine pinned the call to its origin: its redirects to others are not followed. */
  private static boolean pinned(LlmCall call) {
    UpstreamRewrite rw = call.rewrite();
    return rw != null && rw.pinsOrigin();
  }

  private HttpRequest rewritten(HttpRequest outgoing, LlmCall call) {
    try {
      UpstreamRewrite rw = call.rewrite();
      return rw == null ? outgoing : apply(outgoing, rw);
    } catch (RuntimeException | Error e) {
      owner.failure("rewriting the request", e);
      return outgoing;
    }
  }

  private HttpResponse observe(LlmCall call, HttpResponse response) {
    try {
      Headers h = response.headers();
      ResponseTap tap =
          ResponseTap.start(
              call,
              response.statusCode(),
              name -> first(h, name),
              owner.maxPeekBytes(),
              owner::failure);
      return tap == null ? response : new Observed(response, tap);
    } catch (Throwable e) {
      owner.failure("reading the response", e);
      try {
        call.markUnreadable("internal_failure");
        call.completeWithoutBody();
      } catch (Throwable again) {
        owner.failure("recording the response", again);
      }
      return response;
    }
  }

  private CallRequest describe(HttpRequest original, HttpRequest outgoing) {
    Headers headers = original.headers();
    AttributionContext ctx = AttributionContext.empty();
    ContextSource source = ContextSource.NONE;
    AttributionContext current = Attribution.current();
    if (!current.isEmpty()) {
      ctx = current;
      source = ContextSource.SCOPE;
    }
    String rejected = "";
    if (hasAttributionHeaders(headers)) {
      AttributionHeaders.Parsed parsed = AttributionHeaders.parse(name -> first(headers, name));
      if (parsed.present()) {
        rejected = parsed.rejected();
        if (!parsed.context().isEmpty()) {
          ctx = parsed.context().mergedOnto(ctx);
          source = ContextSource.HEADER;
        }
      }
    }
    URI url = URI.create(outgoing.url());
    String scheme = url.getScheme() == null ? "https" : url.getScheme();
    String host = url.getHost() == null ? "" : url.getHost();
    int port = url.getPort() >= 0 ? url.getPort() : scheme.equals("http") ? 80 : 443;
    String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    String method = outgoing.method().name();
    byte[] body = null;
    if (outgoing.body().isPresent() && engine.recognises(method, host, port, path)) {
      body = readBody(outgoing.body().get());
    }
    int attempt = 1;
    String retry = first(headers, "X-Stainless-Retry-Count");
    if (retry != null) {
      try {
        attempt = Integer.parseInt(retry.trim()) + 1;
      } catch (NumberFormatException e) {
        attempt = 1;
      }
    }
    Headers sent = outgoing.headers();
    return new CallRequest(
        method,
        scheme,
        host,
        port,
        path,
        url.getRawQuery(),
        body,
        name -> first(sent, name),
        ctx,
        source,
        Math.max(1, attempt),
        rejected);
  }

  /**
   * The request body, or {@code null} when reading it would consume it (not repeatable), it is
   * larger than the limit, or writing it fails.
   */
  private byte @Nullable [] readBody(HttpRequestBody body) {
    if (!body.repeatable() || body.contentLength() > owner.maxRequestBytes()) {
      return null;
    }
    long length = body.contentLength();
    // Sized by the announced length up to 64 KB: an announcement is no reason to allocate more.
    CappedBuffer buf =
        new CappedBuffer(
            owner.maxRequestBytes(), length > 0 ? (int) Math.min(length, 64 * 1024) : 1024);
    try {
      body.writeTo(buf);
    } catch (RuntimeException e) {
      return null;
    }
    return buf.overflowed ? null : buf.bytes();
  }

  /** Collects at most {@code max} bytes; anything beyond marks it overflowed. */
  private static final class CappedBuffer extends ByteArrayOutputStream {
    private final long max;
    boolean overflowed;

    CappedBuffer(long max, int expected) {
      super(expected);
      this.max = max;
    }

    /** The bytes written: the buffer itself when the body kept its announced length. */
    synchronized byte[] bytes() {
      return count == buf.length ? buf : Arrays.copyOf(buf, count);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      if (overflowed || count + (long) len > max) {
        overflowed = true;
        return;
      }
      super.write(b, off, len);
    }

    @Override
    public synchronized void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }
  }

  private static HttpRequest apply(HttpRequest request, UpstreamRewrite rw) {
    HttpRequest.Builder b = request.toBuilder();
    if (rw.changesUrl()) {
      URI base = URI.create(request.baseUrl());
      String scheme = rw.scheme() != null ? rw.scheme() : base.getScheme();
      String host = rw.host() != null ? rw.host() : base.getHost();
      int port = rw.port() >= 0 ? rw.port() : rw.host() != null ? -1 : base.getPort();
      String basePath = base.getRawPath() == null ? "" : base.getRawPath();
      String rwPath = rw.path();
      if (rwPath != null) {
        // The new path replaces the base URL's path and every segment after it.
        basePath = "";
        List<String> segments = new ArrayList<>();
        for (String s : rwPath.split("/")) {
          if (!s.isEmpty()) {
            segments.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
          }
        }
        b.replaceAllPathSegments(segments.toArray(new String[0]));
      }
      b.baseUrl(scheme + "://" + host + (port >= 0 ? ":" + port : "") + basePath);
      for (String q : rw.removeQueryParameters()) {
        b.removeQueryParams(q);
      }
      for (Map.Entry<String, String> q : rw.setQueryParameters().entrySet()) {
        b.replaceQueryParams(q.getKey(), q.getValue());
      }
    }
    for (String h : rw.removeHeaders()) {
      b.removeHeaders(h);
    }
    for (Map.Entry<String, String> h : rw.setHeaders().entrySet()) {
      b.replaceHeaders(h.getKey(), h.getValue());
    }
    byte[] body = rw.body();
    if (body != null && request.body().isPresent()) {
      b.body(new BytesBody(body, request.body().get().contentType()));
    }
    return b.build();
  }

  private static boolean hasAttributionHeaders(Headers headers) {
    for (String name : headers.names()) {
      if (AttributionHeaders.isAttributionHeader(name)) {
        return true;
      }
    }
    return false;
  }

  private static HttpRequest stripAttributionHeaders(HttpRequest request) {
    Headers headers = request.headers();
    if (!hasAttributionHeaders(headers)) {
      return request;
    }
    HttpRequest.Builder b = request.toBuilder();
    for (String name : headers.names()) {
      if (AttributionHeaders.isAttributionHeader(name)) {
        b.removeHeaders(name);
      }
    }
    return b.build();
  }

  private static @Nullable String first(Headers headers, String name) {
    List<String> v = headers.values(name);
    return v.isEmpty() ? null : v.get(0);
  }

  private static boolean replayable(HttpRequest request) {
    return request.body().map(HttpRequestBody::repeatable).orElse(true);
  }

  private static boolean success(int status) {
    return status >= 200 && status < 300;
  }

  private static boolean timedOut(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InterruptedIOException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** A repeatable in-memory request body (a rewritten model). */
  private static final class BytesBody implements HttpRequestBody {
    private final byte[] bytes;
    private final @Nullable String contentType;

    BytesBody(byte[] bytes, @Nullable String contentType) {
      this.bytes = bytes;
      this.contentType = contentType;
    }

    @Override
    public void writeTo(OutputStream out) {
      try {
        out.write(bytes);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public @Nullable String contentType() {
      return contentType;
    }

    @Override
    public long contentLength() {
      return bytes.length;
    }

    @Override
    public boolean repeatable() {
      return true;
    }

    @Override
    public void close() {}
  }

  /** The local, provider-shaped answer to a blocked call. */
  private static final class Blocked implements HttpResponse {
    private final BlockedResponse blocked;
    private final Headers headers;
    private final InputStream body;

    Blocked(BlockedResponse blocked) {
      this.blocked = blocked;
      Headers.Builder h = Headers.builder();
      blocked.headers().forEach(h::put);
      h.put("content-type", blocked.contentType());
      this.headers = h.build();
      this.body = new ByteArrayInputStream(blocked.body());
    }

    @Override
    public int statusCode() {
      return blocked.status();
    }

    @Override
    public Headers headers() {
      return headers;
    }

    @Override
    public InputStream body() {
      return body;
    }

    @Override
    public void close() {}
  }

  /**
   * The SDK's response, its body teed to the record. Dropped unfinished (a stream the application
   * stops iterating and never closes), it finishes the call as abandoned once neither it nor its
   * body stream is reachable.
   */
  private static final class Observed implements HttpResponse {
    private final HttpResponse delegate;
    private final ResponseTap tap;
    private @Nullable InputStream body;

    Observed(HttpResponse delegate, ResponseTap tap) {
      this.delegate = delegate;
      this.tap = tap;
      if (tap.readsAhead()) {
        this.body = tap.readAhead(delegate.body());
      }
      tap.watch(this, delegate);
    }

    @Override
    public int statusCode() {
      return delegate.statusCode();
    }

    @Override
    public Headers headers() {
      return delegate.headers();
    }

    @Override
    public synchronized InputStream body() {
      InputStream b = body;
      if (b == null) {
        b = ResponseTap.tee(delegate.body(), tap, this);
        body = b;
      }
      return b;
    }

    @Override
    public void close() {
      try {
        delegate.close();
      } finally {
        // Closing without reading to the end: the record is finished here (once).
        tap.end(false);
      }
    }
  }
}
