package dev.attribution.core.transport;

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
 */
public record UpstreamRewrite(
    byte @Nullable [] body,
    @Nullable String scheme,
    @Nullable String host,
    int port,
    @Nullable String path,
    Map<String, String> setHeaders,
    Set<String> removeHeaders,
    Set<String> removeQueryParameters) {

  /** Whether the URL changes. */
  public boolean changesUrl() {
    return host != null
        || scheme != null
        || port >= 0
        || path != null
        || !removeQueryParameters.isEmpty();
  }

  /** Whether anything changes. */
  public boolean isEmpty() {
    return body == null && !changesUrl() && setHeaders.isEmpty() && removeHeaders.isEmpty();
  }
}
