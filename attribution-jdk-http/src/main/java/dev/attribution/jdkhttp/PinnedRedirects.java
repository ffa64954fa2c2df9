package dev.attribution.jdkhttp;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a request the engine pinned to its origin (it carries the engine's credential or goes to a
 * route's origin) so that it reaches no other origin. The JDK client follows redirects inside
 * {@code send}, after the wrapper, with every header the request carries (JDK 17 keeps even {@code
 * Authorization}), and has no per-request switch. So when the wrapped client follows redirects, a
 * pinned request is sent through a client derived from it that does not, and redirects are followed
 * here: those to the same scheme, host and port as the JDK follows them (method and body as its
 * {@code RedirectFilter}: 307 and 308 keep both, 301 and 302 turn a POST into a GET without a body,
 * 303 always gives a GET without one; the same limit, {@code jdk.httpclient.redirects.retrylimit},
 * 5 by default, after which the redirect itself is the answer), any other one handed to the
 * application as the upstream sent it.
 *
 * <p>The derived client is built once, when the first pinned call needs it, from the wrapped
 * client's own settings: connect timeout, proxy, SSL context and parameters, authenticator, cookie
 * handler, executor and version. What a {@link HttpClient} does not expose cannot be copied: its
 * priority, its local address (Java 19 and later) and its connections (the derived client opens its
 * own). A wrapped client that is not the JDK's own implementation is not copied (its behaviour is
 * its own): its pinned calls are sent through it as before, and a warning says so once.
 *
 * <p>A response reached through a redirect followed here has no {@code previousResponse()}, and its
 * {@code request()} is the last hop's.
 */
final class PinnedRedirects {

  private static final Logger LOG = LoggerFactory.getLogger(PinnedRedirects.class);

  /** The JDK's own limit ({@code RedirectFilter}): the redirect that reaches it is not followed. */
  static final int MAX_REDIRECTS = Integer.getInteger("jdk.httpclient.redirects.retrylimit", 5);

  private final HttpClient delegate;
  private final BiConsumer<String, Throwable> failure;
  private final AtomicBoolean unguardedReported = new AtomicBoolean();
  private final Object lock = new Object();
  private @Nullable HttpClient derived;
  private boolean derivedTried;
  private boolean shutDown;

  PinnedRedirects(HttpClient delegate, BiConsumer<String, Throwable> failure) {
    this.delegate = delegate;
    this.failure = failure;
  }

  /** Sends {@code request}, pinned to its origin; {@code handler} sees only the final answer. */
  <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws IOException, InterruptedException {
    HttpClient client = sender();
    if (client == null) {
      return delegate.send(request, handler);
    }
    HttpRequest hop = request;
    int redirects = 0;
    while (true) {
      Hop<T> h = new Hop<>(hop, handler, redirects);
      HttpResponse<T> response = client.send(hop, h);
      HttpRequest next = h.next();
      if (next == null) {
        return response;
      }
      hop = next;
      redirects++;
    }
  }

  /** As {@link #send}, asynchronously; cancelling the answer cancels the hop in flight. */
  <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request,
      HttpResponse.BodyHandler<T> handler,
      HttpResponse.@Nullable PushPromiseHandler<T> pushPromiseHandler) {
    HttpClient client = sender();
    if (client == null) {
      return delegate.sendAsync(request, handler, pushPromiseHandler);
    }
    CompletableFuture<HttpResponse<T>> answer = new CompletableFuture<>();
    hopAsync(client, request, handler, pushPromiseHandler, 0, answer);
    return answer;
  }

  private <T> void hopAsync(
      HttpClient client,
      HttpRequest request,
      HttpResponse.BodyHandler<T> handler,
      HttpResponse.@Nullable PushPromiseHandler<T> pushPromiseHandler,
      int redirects,
      CompletableFuture<HttpResponse<T>> answer) {
    Hop<T> h = new Hop<>(request, handler, redirects);
    CompletableFuture<HttpResponse<T>> sent;
    try {
      sent = client.sendAsync(request, h, pushPromiseHandler);
    } catch (RuntimeException e) {
      answer.completeExceptionally(e);
      return;
    }
    answer.whenComplete(
        (r, e) -> {
          if (answer.isCancelled()) {
            sent.cancel(true);
          }
        });
    sent.whenComplete(
        (r, e) -> {
          if (e != null) {
            answer.completeExceptionally(
                e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
            return;
          }
          HttpRequest next;
          try {
            next = h.next();
          } catch (IOException invalid) {
            answer.completeExceptionally(invalid);
            return;
          }
          if (next == null) {
            answer.complete(r);
          } else if (!answer.isDone()) {
            hopAsync(client, next, handler, pushPromiseHandler, redirects + 1, answer);
          }
        });
  }

  /** The client pinned calls go through, or {@code null} to send them through the wrapped one. */
  private @Nullable HttpClient sender() {
    synchronized (lock) {
      if (!derivedTried && !shutDown) {
        derivedTried = true;
        try {
          derived = derive(delegate);
        } catch (RuntimeException | LinkageError e) {
          failure.accept("deriving a client that does not follow redirects", e);
        }
        if (derived == null && unguardedReported.compareAndSet(false, true)) {
          LOG.warn(
              "A routed call or one carrying a CredentialResolver key is sent through a HttpClient"
                  + " ({}) that follows redirects and that the wrapper cannot copy without"
                  + " redirects, so its redirects are followed by that client, with the route's"
                  + " headers. Wrap the JDK's own HttpClient, or one built with Redirect.NEVER."
                  + " Logged once.",
              delegate.getClass().getName());
        }
      }
      return shutDown ? null : derived;
    }
  }

  /** {@code client}'s settings, without redirects; {@code null} when it is not the JDK's own. */
  static @Nullable HttpClient derive(HttpClient client) {
    if (!client.getClass().getName().startsWith("jdk.internal.net.http.")) {
      return null;
    }
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .version(client.version())
            .sslContext(client.sslContext())
            .sslParameters(client.sslParameters());
    client.connectTimeout().ifPresent(b::connectTimeout);
    client.proxy().ifPresent(b::proxy);
    client.authenticator().ifPresent(b::authenticator);
    client.cookieHandler().ifPresent(b::cookieHandler);
    client.executor().ifPresent(b::executor);
    return b.build();
  }

  /** The derived client, if one was built (for the Java 21 lifecycle methods). */
  @Nullable HttpClient derived() {
    synchronized (lock) {
      return derived;
    }
  }

  /** After the wrapper is shut down no client is derived; pinned calls go to the wrapped one. */
  void shutDown() {
    synchronized (lock) {
      shutDown = true;
    }
  }

  /**
   * One hop: the final answer goes to the application's handler; a redirect followed from here is
   * discarded unread.
   */
  private static final class Hop<T> implements HttpResponse.BodyHandler<T> {
    private final HttpRequest sent;
    private final HttpResponse.BodyHandler<T> handler;
    private final int redirects;
    private volatile @Nullable HttpRequest next;
    private volatile boolean invalid;

    Hop(HttpRequest sent, HttpResponse.BodyHandler<T> handler, int redirects) {
      this.sent = sent;
      this.handler = handler;
      this.redirects = redirects;
    }

    @Override
    public HttpResponse.BodySubscriber<T> apply(HttpResponse.ResponseInfo info) {
      int code = info.statusCode();
      if (isRedirecting(code) && redirects + 1 < MAX_REDIRECTS) {
        Optional<String> location = info.headers().firstValue("Location");
        if (location.isEmpty()) {
          // The JDK fails such a call with "Invalid redirection".
          invalid = true;
          return HttpResponse.BodySubscribers.replacing(null);
        }
        HttpRequest follow = null;
        try {
          follow = sameOriginFollowUp(sent, code, location.get());
        } catch (RuntimeException e) {
          // An unreadable Location: the application gets the redirect as it came.
        }
        if (follow != null) {
          next = follow;
          return HttpResponse.BodySubscribers.replacing(null);
        }
      }
      return handler.apply(info);
    }

    /** The request to send next, or {@code null} when the answer was the final one. */
    @Nullable HttpRequest next() throws IOException {
      if (invalid) {
        throw new IOException("Invalid redirection");
      }
      return next;
    }
  }

  /** The JDK's {@code RedirectFilter.isRedirecting}: 300, 304, 305 and 306 are not followed. */
  static boolean isRedirecting(int code) {
    return code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
  }

  /**
   * The request the JDK would send after a {@code code} redirect to {@code location}, when that is
   * the same scheme, host and port as {@code sent}; {@code null} for another origin.
   */
  static @Nullable HttpRequest sameOriginFollowUp(HttpRequest sent, int code, String location) {
    URI from = sent.uri();
    URI to = from.resolve(URI.create(location));
    if (!sameOrigin(from, to)) {
      return null;
    }
    String method = redirectedMethod(code, sent.method());
    // HttpRequestImpl.newInstanceForRedirection: the body goes along unless the answer is a 303 or
    // the method changed; every header the request had goes along.
    boolean keepBody = code != 303 && method.equals(sent.method());
    HttpRequest.Builder b = HttpRequest.newBuilder(sent, (name, value) -> true).uri(to);
    Optional<HttpRequest.BodyPublisher> body = sent.bodyPublisher();
    if (keepBody && body.isPresent()) {
      b.method(method, body.get());
    } else if (method.equals("GET")) {
      b.GET();
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return b.build();
  }

  /** The JDK's {@code RedirectFilter.redirectedMethod}. */
  static String redirectedMethod(int code, String method) {
    switch (code) {
      case 301:
      case 302:
        return method.equals("POST") ? "GET" : method;
      case 303:
        return "GET";
      default:
        return method;
    }
  }

  static boolean sameOrigin(URI a, URI b) {
    String as = a.getScheme();
    String bs = b.getScheme();
    return as != null
        && bs != null
        && as.equalsIgnoreCase(bs)
        && a.getHost() != null
        && b.getHost() != null
        && a.getHost().equalsIgnoreCase(b.getHost())
        && port(a) == port(b);
  }

  private static int port(URI u) {
    if (u.getPort() >= 0) {
      return u.getPort();
    }
    return u.getScheme().toLowerCase(Locale.ROOT).equals("http") ? 80 : 443;
  }
}
