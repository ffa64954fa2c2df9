package dev.attribution.jdkhttp;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * The client's response with its body replaced by the same bytes behind a stream the engine watches
 * (see {@code ResponseTap.watched}); everything else is the client's response.
 */
final class WatchedResponse<T> implements HttpResponse<T> {
  private final HttpResponse<T> delegate;
  private final T body;

  WatchedResponse(HttpResponse<T> delegate, T body) {
    this.delegate = delegate;
    this.body = body;
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
  public T body() {
    return body;
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
