package dev.attribution.core.transport;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * How the transport must change the request before it leaves: a new body (model rewritten or {@code
 * include_usage} added), a new URL (a route), headers to set and to remove (credentials). A {@code
 * null} component means "leave as is".
 *
 * @param body the body to send instead, or {@code null}
 * @param scheme new scheme, or {@code null}
 * @param host new host, or {@code null}
 * @param port new port, or -1
 * @param path new path, or {@code null}
 * @param setHeaders headers to set (replacing any value)
 * @param removeHeaders headers to remove (lower-case names)
 * @param removeQueryParameters query parameters to remove (e.g. {@code key}, a Gemini API key)
 * @param setQueryParameters query parameters to set, decoded, replacing any of the same name: those
 *     of a route's base URL (e.g. Azure OpenAI's {@code api-version})
 */
public record UpstreamRewrite(
    byte @Nullable [] body,
    @Nullable String scheme,
    @Nullable String host,
    int port,
    @Nullable String path,
    Map<String, String> setHeaders,
    Set<String> removeHeaders,
    Set<String> removeQueryParameters,
    Map<String, String> setQueryParameters) {

  /** Keeps the query parameters to set in their order, unmodifiable. */
  public UpstreamRewrite {
    setQueryParameters =
        setQueryParameters.isEmpty()
            ? Map.of()
            : Collections.unmodifiableMap(new LinkedHashMap<>(setQueryParameters));
  }

  /** Whether the URL changes. */
  public boolean changesUrl() {
    return host != null
        || scheme != null
        || port >= 0
        || path != null
        || !removeQueryParameters.isEmpty()
        || !setQueryParameters.isEmpty();
  }

  /**
   * The raw query the rewritten request carries, given the original's raw query ({@code null} for
   * none): the parameters to remove are gone, the ones to set replace those of the same name and
   * are added after the rest, encoded; {@code null} when nothing is left.
   */
  public @Nullable String query(@Nullable String rawQuery) {
    StringBuilder kept = new StringBuilder();
    if (rawQuery != null && !rawQuery.isEmpty()) {
      for (String part : rawQuery.split("&", -1)) {
        int eq = part.indexOf('=');
        String name = decode(eq >= 0 ? part.substring(0, eq) : part);
        if (!removeQueryParameters.contains(name) && !setQueryParameters.containsKey(name)) {
          kept.append(kept.length() == 0 ? "" : "&").append(part);
        }
      }
    }
    for (Map.Entry<String, String> p : setQueryParameters.entrySet()) {
      kept.append(kept.length() == 0 ? "" : "&")
          .append(encode(p.getKey()))
          .append('=')
          .append(encode(p.getValue()));
    }
    return kept.length() == 0 ? null : kept.toString();
  }

  /**
   * {@code url} as this rewrite changes it: scheme, host, port and path replaced where set (a new
   * host without a new port takes its scheme's default port), the query as {@link #query} says.
   *
   * @throws IllegalArgumentException if the result is not a valid URI
   */
  public URI applyTo(URI url) {
    String s = scheme != null ? scheme : url.getScheme();
    String h = host != null ? host : url.getHost();
    int p = port >= 0 ? port : host != null ? -1 : url.getPort();
    String pa = path != null ? path : url.getRawPath();
    String q = query(url.getRawQuery());
    StringBuilder b = new StringBuilder(s).append("://").append(h);
    if (p >= 0) {
      b.append(':').append(p);
    }
    b.append(pa == null || pa.isEmpty() ? "/" : pa);
    if (q != null) {
      b.append('?').append(q);
    }
    try {
      return new URI(b.toString());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("rewritten URI is invalid", e);
    }
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /**
   * Whether the rewritten request must reach no origin but the one it is sent to: the engine set a
   * credential on it (a route's or the {@code CredentialResolver}'s key) or sent it to a route's
   * origin. An adapter whose client follows redirects then follows only those to the same scheme,
   * host and port, and hands any other redirect to the application as it came: the engine's
   * credential and the application's prompt never reach a host nobody configured.
   */
  public boolean pinsOrigin() {
    return host != null || scheme != null || port >= 0 || !setHeaders.isEmpty();
  }

  /** Whether anything changes. */
  public boolean isEmpty() {
    return body == null && !changesUrl() && setHeaders.isEmpty() && removeHeaders.isEmpty();
  }
}
