package dev.attribution.api;

import org.jspecify.annotations.Nullable;

/**
 * Chooses the upstream API key for a call: per tenant (bring-your-own-key) or per route.
 *
 * <p>Called on the request thread before the call leaves the process; keep it fast (cache your
 * lookups). An exception is caught, counted and logged without the key, and is treated as no
 * answer. Keys are never stored in records or logs: records carry only a fingerprint.
 *
 * <p>A key it returns replaces every credential of the original request. Without an answer, a call
 * to the application's own endpoint keeps the application's key, but a call sent to a route
 * receives the route's key or none at all (unless the route opts in to the application's).
 */
@FunctionalInterface
public interface CredentialResolver {

  /**
   * The API key to use, or {@code null} for the default (the application's key, or the route's).
   *
   * @param context who the call is for
   * @param provider the provider id the call goes to, e.g. {@code openai}
   * @param route the route name when a routing rule or budget chose one, else {@code null}
   */
  @Nullable String apiKey(AttributionContext context, String provider, @Nullable String route);

  /** A resolver that always keeps the application's key. */
  static CredentialResolver none() {
    return (context, provider, route) -> null;
  }
}
