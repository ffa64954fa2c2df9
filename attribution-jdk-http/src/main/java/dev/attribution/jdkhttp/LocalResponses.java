package dev.attribution.jdkhttp;

import dev.attribution.core.transport.BlockedResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import javax.net.ssl.SSLSession;

/**
 * The local answer to a blocked call, delivered through the application's own body handler as a
 * response of the JDK client's shape. Moved out of {@link AttributionHttpClient} unchanged, to keep
 * each file to one concern.
 */
final class LocalResponses {

  private LocalResponses() {}

  /** The provider-shaped local answer, delivered through the application's own handler. */
  static <T> CompletableFuture<HttpResponse<T>> blockedResponse(
      HttpRequest request, BlockedResponse blocked, HttpResponse.BodyHandler<T> handler) {
    Map<String, List<String>> map = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    blocked.headers().forEach((k, v) -> map.put(k, List.of(v)));
    map.put("content-type", List.of(blocked.contentType()));
    map.put("content-length", List.of(Integer.toString(blocked.body().length)));
    HttpHeaders headers = HttpHeaders.of(map, (k, v) -> true);
    HttpResponse.ResponseInfo info =
        new HttpResponse.ResponseInfo() {
          @Override
          public int statusCode() {
            return blocked.status();
          }

          @Override
          public HttpHeaders headers() {
            return headers;
          }

          @Override
          public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
          }
        };
    HttpResponse.BodySubscriber<T> subscriber = handler.apply(info);
    subscriber.onSubscribe(
        new Flow.Subscription() {
          @Override
          public void request(long n) {}

          @Override
          public void cancel() {}
        });
    subscriber.onNext(List.of(ByteBuffer.wrap(blocked.body())));
    subscriber.onComplete();
    return subscriber
        .getBody()
        .toCompletableFuture()
        .thenApply(body -> new LocalResponse<>(request, info, body));
  }

  private static final class LocalResponse<T> implements HttpResponse<T> {
    private final HttpRequest request;
    private final HttpResponse.ResponseInfo info;
    private final T body;

    LocalResponse(HttpRequest request, HttpResponse.ResponseInfo info, T body) {
      this.request = request;
      this.info = info;
      this.body = body;
    }

    @Override
    public int statusCode() {
      return info.statusCode();
    }

    @Override
    public HttpRequest request() {
      return request;
    }

    @Override
    public Optional<HttpResponse<T>> previousResponse() {
      return Optional.empty();
    }

    @Override
    public HttpHeaders headers() {
      return info.headers();
    }

    @Override
    public T body() {
      return body;
    }

    @Override
    public Optional<SSLSession> sslSession() {
      return Optional.empty();
    }

    @Override
    public URI uri() {
      return request.uri();
    }

    @Override
    public HttpClient.Version version() {
      return info.version();
    }
  }
}
