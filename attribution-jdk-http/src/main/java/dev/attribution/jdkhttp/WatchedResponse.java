package dev.attribution.jdkhttp;

import dev.attribution.core.internal.transport.ResponseTap;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.function.BiConsumer;
import javax.net.ssl.SSLSession;
import org.jspecify.annotations.Nullable;

/**
 * The client's response with its {@code InputStream} body handed out behind a stream the engine
 * watches (see {@code ResponseTap.watched}), made when the application first asks for the body: an
 * application that reads through the body subscriber it gave the client never calls {@link #body()}
 * and holds the client's stream itself, so nothing is watched for it (the call is finished at the
 * end of its stream, on close, or by the engine's {@code close()}). Everything else is the client's
 * response.
 */
final class WatchedResponse<T> implements HttpResponse<T> {
  private final HttpResponse<T> delegate;
  private final ResponseTap tap;
  private final BiConsumer<String, Throwable> onFailure;
  private @Nullable T body;

  WatchedResponse(
      HttpResponse<T> delegate, ResponseTap tap, BiConsumer<String, Throwable> onFailure) {
    this.delegate = delegate;
    this.tap = tap;
    this.onFailure = onFailure;
  }

  @Override
  public int statusCode() {
    return delegate.statusCode();
  }

  @Override
  public HttpRequest request() {
    return delegate.request();
  }

  @Override
  public Optional<HttpResponse<T>> previousResponse() {
    return delegate.previousResponse();
  }

  @Override
  public HttpHeaders headers() {
    return delegate.headers();
  }

  @Override
  @SuppressWarnings("unchecked")
  public synchronized T body() {
    T b = body;
    if (b == null) {
      b = delegate.body();
      try {
        b = (T) tap.watched((InputStream) b);
      } catch (RuntimeException e) {
        onFailure.accept("watching a response body", e);
      }
      body = b;
    }
    return b;
  }

  @Override
  public Optional<SSLSession> sslSession() {
    return delegate.sslSession();
  }

  @Override
  public URI uri() {
    return delegate.uri();
  }

  @Override
  public HttpClient.Version version() {
    return delegate.version();
  }

  @Override
  public String toString() {
    return delegate.toString();
  }
}
