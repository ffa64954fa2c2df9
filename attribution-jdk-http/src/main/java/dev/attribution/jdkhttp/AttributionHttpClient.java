package dev.attribution.jdkhttp;

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionHeaders;
import dev.attribution.api.ContextSource;
import dev.attribution.api.internal.RateLimitedLogger;
import dev.attribution.core.AttributionEngine;
import dev.attribution.core.internal.transport.ResponseTap;
import dev.attribution.core.transport.BlockedResponse;
import dev.attribution.core.transport.CallRequest;
import dev.attribution.core.transport.LlmCall;
import dev.attribution.core.transport.UpstreamRewrite;
import java.io.IOException;
import java.io.InputStream;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link HttpClient} that attributes, prices, enforces budgets on and routes every LLM call the
 * client it wraps sends, for hand-rolled clients and LangChain4j's JDK transport.
 *
 * <pre>{@code
 * HttpClient http = AttributionHttpClient.wrap(HttpClient.newHttpClient(), engine);
 * }</pre>
 *
 * <p>{@code send} and {@code sendAsync} take the application's own body handler; the response bytes
 * reach it unchanged, and are teed to the record as they arrive (a JSON document copied, bounded;
 * an event stream fed to the usage tracker). The context is the caller's thread scope where {@code
 * send}/{@code sendAsync} was called, with {@code x-attribution-*} headers (removed before the
 * request leaves) laid over it. A blocked call is answered locally: the application's handler
 * receives the provider-shaped 429 ({@code x-should-retry: false}). A call that fails with one of
 * the engine's failover statuses (or times out, when the failover says so) is sent once more over
 * the failover route, as the OkHttp interceptor does: the failed answer is recorded and discarded
 * (the application's handler sees only the final one), and the failover request carries the route's
 * credential, never the application's unless the route opts in. A request whose body the JDK might
 * not publish twice is not failed over. A call the engine pinned to its origin (a route, or the
 * engine's credential) follows redirects only within that origin, even when the wrapped client
 * follows them; a redirect elsewhere reaches the application as it came (see {@code
 * PinnedRedirects}).
 *
 * <p>Any failure inside attribution is caught, counted ({@link #internalFailures()}) and logged at
 * most every 10 seconds; the call then proceeds as the application built it.
 */
public final class AttributionHttpClient extends HttpClient {

  private static final Logger LOG = LoggerFactory.getLogger(AttributionHttpClient.class);

  /** Largest JSON response body copied for usage: {@value} bytes. */
  public static final long MAX_PEEK_BYTES = 8L * 1024 * 1024;

  /** Largest request body read for model and estimate: {@value} bytes. */
  public static final long MAX_REQUEST_BYTES = 16L * 1024 * 1024;

  private final HttpClient delegate;
  private final AttributionEngine engine;
  private final AtomicLong internalFailures = new AtomicLong();
  private final RateLimitedLogger failureLog = new RateLimitedLogger(LOG, 10_000);
  final PinnedRedirects pinned;

  private AttributionHttpClient(HttpClient delegate, AttributionEngine engine) {
    this.delegate = Objects.requireNonNull(delegate, "client");
    this.engine = Objects.requireNonNull(engine, "engine");
    this.pinned = new PinnedRedirects(delegate, this::failure);
  }

  /**
   * {@code client} with attribution: a client that sends through it (sharing its connections,
   * executor and settings).
   */
  public static AttributionHttpClient wrap(HttpClient client, AttributionEngine engine) {
    return new AttributionHttpClient(client, engine);
  }

  /** Failures inside attribution itself since start (the calls proceeded untouched). */
  public long internalFailures() {
    return internalFailures.get();
  }

  @Override
  public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws IOException, InterruptedException {
    Prepared p = prepare(request);
    if (p.call == null) {
      return delegate.send(p.outgoing, handler);
    }
    Failover failover = p.failover();
    HttpResponse<T> first;
    try {
      first = sendOnce(p.outgoing, p.call, handler, failover);
    } catch (IOException e) {
      LlmCall next = failover == null ? null : failover.afterFailure(e);
      if (next == null) {
        throw e;
      }
      return sendOnce(p.outgoing, next, handler, null);
    }
    LlmCall next = failover == null ? null : failover.next;
    return next == null ? first : sendOnce(p.outgoing, next, handler, null);
  }

  /** One attempt as {@code call} decided: answered locally, or sent (rewritten) and observed. */
  private <T> HttpResponse<T> sendOnce(
      HttpRequest outgoing,
      LlmCall call,
      HttpResponse.BodyHandler<T> handler,
      @Nullable Failover failover)
      throws IOException, InterruptedException {
    BlockedResponse blocked = call.blocked();
    if (blocked != null) {
      return LocalResponses.blockedResponse(outgoing, blocked, handler).join();
    }
    HttpRequest toSend = rewritten(outgoing, call);
    try {
      Observing<T> observed = observing(call, handler, failover);
      // The engine's credential, or a route's origin: redirects to another origin are not followed.
      return observed.watched(
          pinsOrigin(call) ? pinned.send(toSend, observed) : delegate.send(toSend, observed));
    } catch (IOException | InterruptedException | RuntimeException e) {
      call.failed(e);
      throw e;
    }
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    return sendAsync(request, handler, null);
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request,
      HttpResponse.BodyHandler<T> handler,
      HttpResponse.@Nullable PushPromiseHandler<T> pushPromiseHandler) {
    Prepared p = prepare(request);
    if (p.call == null) {
      return delegate.sendAsync(p.outgoing, handler, pushPromiseHandler);
    }
    Failover failover = p.failover();
    CompletableFuture<HttpResponse<T>> first =
        sendOnceAsync(p.outgoing, p.call, handler, pushPromiseHandler, failover);
    if (failover == null) {
      return first;
    }
    return first
        .handle(
            (r, e) -> {
              Throwable cause =
                  e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                      ? e.getCause()
                      : e;
              LlmCall next =
                  cause == null
                      ? failover.next
                      : cause instanceof IOException ? failover.afterFailure(cause) : null;
              if (next != null) {
                return sendOnceAsync(p.outgoing, next, handler, pushPromiseHandler, null);
              }
              return cause == null ? first : CompletableFuture.<HttpResponse<T>>failedFuture(cause);
            })
        .thenCompose(f -> f);
  }

  private <T> CompletableFuture<HttpResponse<T>> sendOnceAsync(
      HttpRequest outgoing,
      LlmCall call,
      HttpResponse.BodyHandler<T> handler,
      HttpResponse.@Nullable PushPromiseHandler<T> pushPromiseHandler,
      @Nullable Failover failover) {
    BlockedResponse blocked = call.blocked();
    if (blocked != null) {
      return LocalResponses.blockedResponse(outgoing, blocked, handler);
    }
    HttpRequest toSend = rewritten(outgoing, call);
    CompletableFuture<HttpResponse<T>> sent;
    Observing<T> observed;
    try {
      observed = observing(call, handler, failover);
      sent =
          pinsOrigin(call)
              ? pinned.sendAsync(toSend, observed, pushPromiseHandler)
              : delegate.sendAsync(toSend, observed, pushPromiseHandler);
    } catch (RuntimeException e) {
      call.failed(e);
      throw e;
    }
    sent.whenComplete(
        (r, e) -> {
          if (e != null) {
            // A no-op when the body was already being observed (its tap finished the call).
            call.failed(
                e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                    ? e.getCause()
                    : e);
          }
        });
    return sent.thenApply(observed::watched);
  }

  /**
   * The failover decision of one call's first attempt: made when its status arrives (before the
   * application's handler sees anything) or when it fails in transport. The failover attempt goes
   * out with the engine's rewrite for the route, which carries the route's own credential and never
   * the application's unless the route opts in.
   */
  private final class Failover {
    final CallRequest request;
    final LlmCall call;
    volatile @Nullable LlmCall next;

    Failover(CallRequest request, LlmCall call) {
      this.request = request;
      this.call = call;
    }

    /** The failover call for an answer with {@code status}, or {@code null} to keep the answer. */
    @Nullable LlmCall afterStatus(int status) {
      if (status >= 200 && status < 300) {
        return null;
      }
      try {
        next = engine.beginFailover(request, call, status, false);
      } catch (RuntimeException | Error e) {
        failure("starting a failover", e);
      }
      return next;
    }

    /** The failover call after a transport failure, or {@code null} to let it reach the app. */
    @Nullable LlmCall afterFailure(Throwable e) {
      try {
        return engine.beginFailover(
            request, call, 0, e instanceof java.net.http.HttpTimeoutException);
      } catch (RuntimeException | Error again) {
        failure("starting a failover", again);
        return null;
      }
    }
  }

  /** The request without attribution headers, and the engine's call for it (or none). */
  private Prepared prepare(HttpRequest original) {
    HttpRequest outgoing = original;
    try {
      outgoing = stripAttributionHeaders(original);
      CallRequest described = describe(original, outgoing);
      return new Prepared(outgoing, described, engine.begin(described));
    } catch (RuntimeException | Error e) {
      failure("preparing the call", e);
      return new Prepared(outgoing, null, null);
    }
  }

  private final class Prepared {
    final HttpRequest outgoing;
    final @Nullable CallRequest request;
    final @Nullable LlmCall call;

    Prepared(HttpRequest outgoing, @Nullable CallRequest request, @Nullable LlmCall call) {
      this.outgoing = outgoing;
      this.request = request;
      this.call = call;
    }

    /**
     * The failover decision for this call, or {@code null} when it cannot fail over: blocked,
     * untracked, or a body the JDK might not publish twice (sending it again would fail the
     * application's call where it would have seen the first answer).
     */
    @Nullable Failover failover() {
      LlmCall c = call;
      if (c == null || request == null || !c.recognised() || c.blocked() != null) {
        return null;
      }
      Optional<HttpRequest.BodyPublisher> body = outgoing.bodyPublisher();
      if (body.isPresent()
          && !RequestBodies.rereadable(body.get())
          && body.get().contentLength() != 0) {
        return null;
      }
      return new Failover(request, c);
    }
  }

  private CallRequest describe(HttpRequest original, HttpRequest outgoing) {
    HttpHeaders headers = original.headers();
    AttributionContext ctx = AttributionContext.empty();
    ContextSource source = ContextSource.NONE;
    AttributionContext current = Attribution.current();
    if (!current.isEmpty()) {
      ctx = current;
      source = ContextSource.SCOPE;
    }
    String rejected = "";
    if (hasAttributionHeaders(headers)) {
      AttributionHeaders.Parsed parsed =
          AttributionHeaders.parse(name -> headers.firstValue(name).orElse(null));
      if (parsed.present()) {
        rejected = parsed.rejected();
        if (!parsed.context().isEmpty()) {
          ctx = parsed.context().mergedOnto(ctx);
          source = ContextSource.HEADER;
        }
      }
    }
    URI uri = outgoing.uri();
    String scheme =
        uri.getScheme() == null ? "https" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    String host = uri.getHost() == null ? "" : uri.getHost();
    int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("http") ? 80 : 443;
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String method = outgoing.method();
    byte[] body = null;
    Optional<HttpRequest.BodyPublisher> publisher = outgoing.bodyPublisher();
    if (publisher.isPresent() && engine.recognises(method, host, port, path)) {
      body = RequestBodies.read(publisher.get(), MAX_REQUEST_BYTES);
    }
    int attempt = 1;
    Optional<String> retry = headers.firstValue("x-stainless-retry-count");
    if (retry.isPresent()) {
      try {
        attempt = Integer.parseInt(retry.get().trim()) + 1;
      } catch (NumberFormatException e) {
        attempt = 1;
      }
    }
    HttpHeaders sent = outgoing.headers();
    return new CallRequest(
        method,
        scheme,
        host,
        port,
        path,
        uri.getRawQuery(),
        body,
        name -> sent.firstValue(name).orElse(null),
        ctx,
        source,
        Math.max(1, attempt),
        rejected);
  }

  private HttpRequest rewritten(HttpRequest outgoing, LlmCall call) {
    try {
      UpstreamRewrite rw = call.rewrite();
      return rw == null ? outgoing : apply(outgoing, rw);
    } catch (RuntimeException | Error e) {
      failure("rewriting the request", e);
      return outgoing;
    }
  }

  /**
   * Whether {@code call} goes out pinned to its origin and the wrapped client would follow its
   * redirects (with {@code Redirect.NEVER} every redirect reaches the application as it came).
   */
  private boolean pinsOrigin(LlmCall call) {
    try {
      UpstreamRewrite rw = call.rewrite();
      return rw != null && rw.pinsOrigin() && delegate.followRedirects() != Redirect.NEVER;
    } catch (RuntimeException | Error e) {
      failure("rewriting the request", e);
      return false;
    }
  }

  private static HttpRequest apply(HttpRequest request, UpstreamRewrite rw) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(
            request,
            (name, value) ->
                !rw.removeHeaders().contains(name.toLowerCase(java.util.Locale.ROOT))
                    && rw.setHeaders().keySet().stream().noneMatch(name::equalsIgnoreCase));
    if (rw.changesUrl()) {
      b.uri(rw.applyTo(request.uri()));
    }
    for (Map.Entry<String, String> h : rw.setHeaders().entrySet()) {
      b.setHeader(h.getKey(), h.getValue());
    }
    byte[] body = rw.body();
    if (body != null && request.bodyPublisher().isPresent()) {
      b.method(request.method(), HttpRequest.BodyPublishers.ofByteArray(body));
    }
    return b.build();
  }

  private static boolean hasAttributionHeaders(HttpHeaders headers) {
    for (String name : headers.map().keySet()) {
      if (AttributionHeaders.isAttributionHeader(name)) {
        return true;
      }
    }
    return false;
  }

  private static HttpRequest stripAttributionHeaders(HttpRequest request) {
    if (!hasAttributionHeaders(request.headers())) {
      return request;
    }
    return HttpRequest.newBuilder(
            request, (name, value) -> !AttributionHeaders.isAttributionHeader(name))
        .build();
  }

  /** The application's handler, its subscriber teed to the call's record. */
  private <T> Observing<T> observing(
      LlmCall call, HttpResponse.BodyHandler<T> handler, @Nullable Failover failover) {
    return new Observing<>(call, handler, failover);
  }

  /**
   * The application's handler, its subscriber teed to the call's record; remembers the tap of the
   * last answer it handled, so that answer's body can be {@link #watched watched}.
   */
  private final class Observing<T> implements HttpResponse.BodyHandler<T> {
    private final LlmCall call;
    private final HttpResponse.BodyHandler<T> handler;
    private final @Nullable Failover failover;
    private volatile @Nullable ResponseTap last;

    Observing(LlmCall call, HttpResponse.BodyHandler<T> handler, @Nullable Failover failover) {
      this.call = call;
      this.handler = handler;
      this.failover = failover;
    }

    @Override
    public HttpResponse.BodySubscriber<T> apply(HttpResponse.ResponseInfo info) {
      HttpResponse.BodySubscriber<T> s = subscriber(info);
      last = s instanceof TeeSubscriber ? ((TeeSubscriber<T>) s).tap() : null;
      return s;
    }

    /**
     * {@code response}, its {@code InputStream} body (from {@code ofInputStream()}) behind a stream
     * of the tap's own: the client holds its subscriber, and so the tap, while the connection is
     * open, so only a stream the application alone holds can tell that it was dropped unfinished
     * (then the call is finished as abandoned). Other bodies are handed on as they are.
     */
    @SuppressWarnings("unchecked")
    HttpResponse<T> watched(HttpResponse<T> response) {
      ResponseTap tap = last;
      T body = response.body();
      if (tap == null || !(body instanceof InputStream)) {
        return response;
      }
      return new WatchedResponse<>(response, tap, AttributionHttpClient.this::failure);
    }

    private HttpResponse.BodySubscriber<T> subscriber(HttpResponse.ResponseInfo info) {
      ResponseTap tap = null;
      try {
        HttpHeaders h = info.headers();
        tap =
            ResponseTap.start(
                call,
                info.statusCode(),
                name -> h.firstValue(name).orElse(null),
                MAX_PEEK_BYTES,
                AttributionHttpClient.this::failure);
      } catch (Throwable e) {
        failure("reading the response", e);
        try {
          call.markUnreadable("internal_failure");
          call.completeWithoutBody();
        } catch (Throwable again) {
          failure("recording the response", again);
        }
      }
      // An answer that fails over is recorded and discarded: the application's handler only ever
      // sees the answer it gets in the end.
      HttpResponse.BodySubscriber<T> inner =
          failover != null && failover.afterStatus(info.statusCode()) != null
              ? HttpResponse.BodySubscribers.<T>replacing(null)
              : handler.apply(info);
      return tap == null ? inner : new TeeSubscriber<>(inner, tap);
    }
  }

  void failure(String what, Throwable e) {
    internalFailures.incrementAndGet();
    failureLog.warn("Attribution failed while {}; the call proceeds untouched", what, e);
  }

  // Everything else is the wrapped client's.

  @Override
  public Optional<CookieHandler> cookieHandler() {
    return delegate.cookieHandler();
  }

  @Override
  public Optional<Duration> connectTimeout() {
    return delegate.connectTimeout();
  }

  @Override
  public Redirect followRedirects() {
    return delegate.followRedirects();
  }

  @Override
  public Optional<ProxySelector> proxy() {
    return delegate.proxy();
  }

  @Override
  public SSLContext sslContext() {
    return delegate.sslContext();
  }

  @Override
  public SSLParameters sslParameters() {
    return delegate.sslParameters();
  }

  @Override
  public Optional<Authenticator> authenticator() {
    return delegate.authenticator();
  }

  @Override
  public Version version() {
    return delegate.version();
  }

  @Override
  public Optional<Executor> executor() {
    return delegate.executor();
  }

  @Override
  public WebSocket.Builder newWebSocketBuilder() {
    return delegate.newWebSocketBuilder();
  }

  // Java 21 added shutdown, shutdownNow, awaitTermination, isTerminated and close to HttpClient.
  // Declared here (compiled for 17, so without @Override) they override those on 21 and pass to
  // the wrapped client, which would otherwise never be shut down through this wrapper, and to the
  // client pinned calls go through when one was derived from it.

  /** Passes to the wrapped client's {@code shutdown()} (Java 21 and later). */
  public void shutdown() {
    pinned.shutDown();
    invoke(delegate, "shutdown");
    HttpClient derived = pinned.derived();
    if (derived != null) {
      invoke(derived, "shutdown");
    }
  }

  /** Passes to the wrapped client's {@code shutdownNow()} (Java 21 and later). */
  public void shutdownNow() {
    pinned.shutDown();
    invoke(delegate, "shutdownNow");
    HttpClient derived = pinned.derived();
    if (derived != null) {
      invoke(derived, "shutdownNow");
    }
  }

  /** Passes to the wrapped client's {@code isTerminated()} (Java 21 and later). */
  public boolean isTerminated() {
    HttpClient derived = pinned.derived();
    return Boolean.TRUE.equals(invoke(delegate, "isTerminated"))
        && (derived == null || Boolean.TRUE.equals(invoke(derived, "isTerminated")));
  }

  /** Passes to the wrapped client's {@code awaitTermination(Duration)} (Java 21 and later). */
  public boolean awaitTermination(Duration duration) throws InterruptedException {
    long deadline = System.nanoTime() + duration.toNanos();
    boolean done = awaitTermination(delegate, duration);
    HttpClient derived = pinned.derived();
    if (derived == null) {
      return done;
    }
    Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    return awaitTermination(derived, left) && done;
  }

  private static boolean awaitTermination(HttpClient client, Duration duration)
      throws InterruptedException {
    try {
      Object r =
          HttpClient.class.getMethod("awaitTermination", Duration.class).invoke(client, duration);
      return r instanceof Boolean && (Boolean) r;
    } catch (java.lang.reflect.InvocationTargetException e) {
      if (e.getCause() instanceof InterruptedException) {
        throw (InterruptedException) e.getCause();
      }
      throw new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new UnsupportedOperationException("awaitTermination needs Java 21", e);
    }
  }

  /** Passes to the wrapped client's {@code close()} (Java 21 and later; nothing to do before). */
  public void close() {
    pinned.shutDown();
    HttpClient derived = pinned.derived();
    try {
      close(delegate);
    } finally {
      if (derived != null) {
        close(derived);
      }
    }
  }

  private static void close(HttpClient client) {
    try {
      HttpClient.class.getMethod("close").invoke(client);
    } catch (java.lang.reflect.InvocationTargetException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException) {
        throw (RuntimeException) c;
      }
      throw new IllegalStateException(c);
    } catch (ReflectiveOperationException e) {
      // Before Java 21 a HttpClient has no close(): nothing to release.
    }
  }

  private static @Nullable Object invoke(HttpClient client, String method) {
    try {
      return HttpClient.class.getMethod(method).invoke(client);
    } catch (java.lang.reflect.InvocationTargetException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException) {
        throw (RuntimeException) c;
      }
      throw new IllegalStateException(c);
    } catch (ReflectiveOperationException e) {
      throw new UnsupportedOperationException(method + " needs Java 21", e);
    }
  }
}
