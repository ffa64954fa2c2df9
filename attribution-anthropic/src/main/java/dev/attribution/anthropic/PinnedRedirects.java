package dev.attribution.anthropic;

import com.anthropic.core.RequestOptions;
import com.anthropic.core.http.Headers;
import com.anthropic.core.http.HttpClient;
import com.anthropic.core.http.HttpMethod;
import com.anthropic.core.http.HttpRequest;
import com.anthropic.core.http.HttpResponse;
import com.anthropic.core.http.QueryParams;
import com.anthropic.errors.AnthropicIoException;
import java.net.ProtocolException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Sends a request the engine pinned to its origin (a route's, or carrying the engine's key) so that
 * it reaches no other origin: the SDK's client is told not to follow redirects for it ({@code
 * RequestOptions.followRedirects(false)}), redirects to the same scheme, host and port are followed
 * here as OkHttp follows them (307 and 308 keep method and body, 301, 302 and 303 turn into a GET
 * without a body, at most 20 follow-ups), and any other redirect reaches the SDK as sent.
 */
final class PinnedRedirects {

  /** The SDK's OkHttp client's own limit. */
  static final int MAX_FOLLOW_UPS = 20;

  private PinnedRedirects() {}

  /** {@code options} with the SDK's redirect following off, everything else kept. */
  static RequestOptions noRedirects(RequestOptions options) {
    return RequestOptions.builder().followRedirects(false).build().applyDefaults(options);
  }

  static HttpResponse execute(HttpClient next, HttpRequest request, RequestOptions options) {
    RequestOptions pinned = noRedirects(options);
    HttpRequest hop = request;
    for (int followUps = 0; ; ) {
      HttpResponse response = next.execute(hop, pinned);
      HttpRequest followUp = sameOriginFollowUp(hop, response);
      if (followUp == null) {
        return response;
      }
      response.close();
      if (++followUps > MAX_FOLLOW_UPS) {
        throw tooMany(followUps);
      }
      hop = followUp;
    }
  }

  static CompletableFuture<HttpResponse> executeAsync(
      HttpClient next, HttpRequest request, RequestOptions options) {
    return hopAsync(next, request, noRedirects(options), 0);
  }

  private static CompletableFuture<HttpResponse> hopAsync(
      HttpClient next, HttpRequest hop, RequestOptions pinned, int followUps) {
    return next.executeAsync(hop, pinned)
        .thenCompose(
            response -> {
              HttpRequest followUp = sameOriginFollowUp(hop, response);
              if (followUp == null) {
                return CompletableFuture.completedFuture(response);
              }
              response.close();
              if (followUps + 1 > MAX_FOLLOW_UPS) {
                return CompletableFuture.failedFuture(tooMany(followUps + 1));
              }
              return hopAsync(next, followUp, pinned, followUps + 1);
            });
  }

  /**
   * The request after {@code response} when it redirects to the origin {@code sent} went to; {@code
   * null} for anything else.
   */
  static @Nullable HttpRequest sameOriginFollowUp(HttpRequest sent, HttpResponse response) {
    int code = response.statusCode();
    if (!(code == 300 || code == 301 || code == 302 || code == 303 || code == 307 || code == 308)) {
      return null;
    }
    List<String> locations = response.headers().values("Location");
    if (locations.isEmpty()) {
      return null;
    }
    URI from = URI.create(sent.url());
    URI to;
    try {
      to = from.resolve(locations.get(0).trim());
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (to.getScheme() == null
        || !to.getScheme().equalsIgnoreCase(from.getScheme())
        || to.getHost() == null
        || !to.getHost().equalsIgnoreCase(from.getHost())
        || port(to) != port(from)) {
      return null;
    }
    String origin = from.getScheme() + "://" + from.getRawAuthority();
    String path = to.getRawPath() == null || to.getRawPath().isEmpty() ? "/" : to.getRawPath();
    QueryParams.Builder query = QueryParams.builder();
    if (to.getRawQuery() != null) {
      for (String part : to.getRawQuery().split("&")) {
        if (!part.isEmpty()) {
          int eq = part.indexOf('=');
          query.put(
              decode(eq >= 0 ? part.substring(0, eq) : part),
              decode(eq >= 0 ? part.substring(eq + 1) : ""));
        }
      }
    }
    boolean keepBody = code == 307 || code == 308 || sent.method() == HttpMethod.GET;
    HttpRequest.Builder b;
    if (keepBody) {
      b = sent.toBuilder();
    } else {
      Headers.Builder headers = Headers.builder().putAll(sent.headers());
      headers.remove("Content-Type").remove("Content-Length").remove("Transfer-Encoding");
      b = HttpRequest.builder().method(HttpMethod.GET).headers(headers.build());
    }
    return b.baseUrl(origin + path)
        .replaceAllPathSegments()
        .replaceAllQueryParams(query.build())
        .build();
  }

  /** What the SDK throws when its own client gives up on a redirect loop. */
  private static AnthropicIoException tooMany(int followUps) {
    String message = "Too many follow-up requests: " + followUps;
    return new AnthropicIoException("Request failed", new ProtocolException(message));
  }

  private static int port(URI u) {
    return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
