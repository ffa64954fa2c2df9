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
