package dev.attribution.core.transport;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.ContextSource;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One outgoing HTTP request as the engine sees it, transport-neutral.
 *
 * @param method HTTP method, upper case
 * @param scheme {@code http} or {@code https}
 * @param host request host
 * @param port request port
 * @param path URL path (no query)
 * @param query raw query string, or {@code null}
 * @param body request body bytes, or {@code null} when there is none or it could not be read; may
 *     be the application's own array, which the engine only reads (an adapter that lends it and
 *     returns before the call finishes says so, see {@code LentRequestBodies})
 * @param headers looks up a request header by name (case-insensitive), {@code null} when absent
 * @param context the resolved attribution context
 * @param contextSource where the context came from
 * @param attempt attempt number, 1 for the first try
 * @param rejectedHeaders comma-separated names of attribution headers whose values failed
 *     validation and were dropped (recorded as the attribute {@code rejected_headers}); empty when
 *     none
 */
public record CallRequest(
    String method,
    String scheme,
    String host,
    int port,
    String path,
    @Nullable String query,
    byte @Nullable [] body,
    Function<String, @Nullable String> headers,
    AttributionContext context,
    ContextSource contextSource,
    int attempt,
    String rejectedHeaders) {

  /** Validates that the required parts are present. */
  public CallRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(scheme, "scheme");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(contextSource, "contextSource");
    Objects.requireNonNull(rejectedHeaders, "rejectedHeaders");
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be at least 1, was " + attempt);
    }
  }
}
