package dev.attribution.core;

import dev.attribution.api.CredentialResolver;
import dev.attribution.core.internal.provider.Endpoint;
import dev.attribution.core.internal.provider.ModelEdit;
import dev.attribution.core.internal.provider.ProviderRegistry;
import dev.attribution.core.internal.provider.RequestFacts;
import dev.attribution.core.routing.Route;
import dev.attribution.core.transport.CallRequest;
import dev.attribution.core.transport.UpstreamRewrite;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The last stage of a decision: writes what was decided into the request that goes upstream (the
 * model, where the endpoint's dialect keeps it; the stream-usage option; the route's URL; the
 * credentials). A request signed over its body is never changed.
 */
final class UpstreamRewriter {

  private final ProviderRegistry registry;
  private final CredentialResolver credentials;
  private final boolean keepsKeys;
  private final boolean addStreamUsage;
  private final EngineFailures failures;

  UpstreamRewriter(
      ProviderRegistry registry,
      CredentialResolver credentials,
      boolean addStreamUsage,
      EngineFailures failures) {
    this.registry = registry;
    this.credentials = credentials;
    // none() is one non-capturing lambda, so the same instance every time it is asked for.
    this.keepsKeys = credentials == CredentialResolver.none();
    this.addStreamUsage = addStreamUsage;
    this.failures = failures;
  }

  /** The rewrite for an admitted, unblocked call. */
  Rewritten rewrite(Admitted admitted) {
    Routed routed = admitted.routed();
    Recognised call = routed.call();
    if (call.signed() || unchanged(admitted)) {
      return new Rewritten(null, false, call.originalKey(), Map.of());
    }
    Map<String, String> attrs = new HashMap<>();
    UpstreamRewrite rw = build(routed, attrs);
    boolean modelKept = "model_not_in_body".equals(attrs.get("rewrite_skipped"));
    return new Rewritten(rw, modelKept, finalKey(call.originalKey(), rw), attrs);
  }

  /**
   * Whether {@link #build} would certainly change nothing: same model, no route, no stream usage to
   * add, and no resolver that could replace the key. Most calls, so they skip its maps.
   */
  private boolean unchanged(Admitted admitted) {
    Routed routed = admitted.routed();
    Recognised call = routed.call();
    RequestFacts facts = call.facts();
    String sendModel = routed.sendModel();
    return keepsKeys
        && routed.route() == null
        && (sendModel == null || sendModel.equals(call.model()))
        && !(addStreamUsage && facts.streaming() && !facts.includeUsageRequested());
  }

  /** The key the sent request carries: a credential header set by the rewrite, or the original. */
  private @Nullable String finalKey(@Nullable String originalKey, @Nullable UpstreamRewrite rw) {
    String finalKey = originalKey;
    if (rw != null) {
      if (!rw.removeHeaders().isEmpty()) {
        finalKey = null;
      }
      for (Map.Entry<String, String> h : rw.setHeaders().entrySet()) {
        if (registry.credentialHeaders().contains(h.getKey().toLowerCase(Locale.ROOT))) {
          String v = h.getValue();
          finalKey = v.regionMatches(true, 0, "Bearer ", 0, 7) ? v.substring(7) : v;
        }
      }
    }
    return finalKey;
  }

  private @Nullable UpstreamRewrite build(Routed routed, Map<String, String> attrs) {
    Recognised call = routed.call();
    CallRequest req = call.request();
    Endpoint endpoint = call.endpoint();
    RequestFacts facts = call.facts();
    byte[] body = call.body();
    String sendModel = routed.sendModel();
    Route route = routed.route();
    byte[] newBody = null;
    String newPath = null;
    boolean modelChanged = sendModel != null && !sendModel.equals(call.model());
    if (modelChanged) {
      ModelEdit edit = endpoint.dialect().withModel(endpoint, req.path(), body, facts, sendModel);
      if (edit != null) {
        newBody = edit.body();
        newPath = edit.path();
      } else if (body != null) {
        attrs.put("rewrite_skipped", "model_not_in_body");
      }
    }
    if (addStreamUsage && facts.streaming() && !facts.includeUsageRequested()) {
      byte[] base = newBody != null ? newBody : body;
      if (base != null) {
        try {
          byte[] withUsage =
              endpoint.dialect().withStreamUsage(endpoint, base, newBody != null ? null : facts);
          if (withUsage != null) {
            newBody = withUsage;
            attrs.put("include_usage_added", "true");
          }
        } catch (Exception e) {
          failures.parseFailure(endpoint.provider(), e);
        }
      }
    }
    String key = resolvedKey(routed);
    if (route == null && key == null && newBody == null && newPath == null) {
      // The common call: nothing to change, nothing allocated for it.
      return null;
    }
    String scheme = null;
    String host = null;
    int port = -1;
    Map<String, String> set = new LinkedHashMap<>();
    if (route != null) {
      scheme = route.baseUrl().getScheme();
      host = route.baseUrl().getHost();
      port = route.baseUrl().getPort() >= 0 ? route.baseUrl().getPort() : defaultPort(scheme);
      String base = route.baseUrl().getPath() == null ? "" : route.baseUrl().getPath();
      if (base.endsWith("/")) {
        base = base.substring(0, base.length() - 1);
      }
      String p = newPath != null ? newPath : req.path();
      newPath = base + endpoint.dialect().operationPath(endpoint, p);
    }
    if (key != null) {
      String target = route != null ? route.provider() : endpoint.provider();
      Map.Entry<String, String> header = endpoint.dialect().credential(target, key);
      set.put(header.getKey(), header.getValue());
    }
    // Every credential of the original request goes when a key replaces it, and when a route
    // (another host, maybe another provider) has no key of its own and was not opted in: a key
    // meant for one provider must never reach another by accident. Without a key the upstream
    // answers 401, which is the safe failure.
    boolean strip = key != null || (route != null && !route.forwardApplicationCredentials());
    if (strip && key == null && hasCredentials(req)) {
      attrs.put("credentials_stripped", "true");
    }
    UpstreamRewrite rw =
        new UpstreamRewrite(
            newBody,
            scheme,
            host,
            port,
            newPath,
            set,
            strip ? registry.credentialHeaders() : Set.of(),
            strip ? keyParameters(req.query()) : Set.of(),
            route != null ? baseQuery(route) : Map.of());
    return rw.isEmpty() ? null : rw;
  }

  /**
   * The key the engine sends {@code routed} with in place of the application's: the {@code
   * CredentialResolver}'s, else the route's own; {@code null} when neither has one.
   */
  private @Nullable String resolvedKey(Routed routed) {
    Route route = routed.route();
    String key = null;
    try {
      key =
          credentials.apiKey(
              routed.call().request().context(),
              routed.provider(),
              route != null ? route.name() : null);
    } catch (RuntimeException | Error e) {
      // The application's code: an Error escaping here would drop the whole decision (downgrade,
      // route, record) and send the call as built.
      failures.internalFailure("the credential resolver", e);
    }
    if (key == null && route != null) {
      key = route.apiKey();
    }
    return key;
  }

  /**
   * The key a blocked call would have been sent with, had it been admitted: what {@link #rewrite}
   * would have put on it (the resolver's or the route's key), else the application's own unless a
   * route strips it. Never sent anywhere; only its fingerprint is recorded.
   */
  @Nullable String keyWouldSend(Routed routed) {
    Recognised call = routed.call();
    if (call.signed()) {
      return call.originalKey();
    }
    String key = resolvedKey(routed);
    if (key != null) {
      return key;
    }
    Route route = routed.route();
    return route != null && !route.forwardApplicationCredentials() ? null : call.originalKey();
  }

  /**
   * The query parameters of a route's base URL, decoded, in order: sent with every call on the
   * route (an Azure OpenAI deployment needs its {@code api-version} whatever the application's
   * request to another provider carried).
   */
  private static Map<String, String> baseQuery(Route route) {
    String raw = route.baseUrl().getRawQuery();
    if (raw == null || raw.isEmpty()) {
      return Map.of();
    }
    Map<String, String> params = new LinkedHashMap<>();
    for (String part : raw.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String name = eq >= 0 ? part.substring(0, eq) : part;
      String value = eq >= 0 ? part.substring(eq + 1) : "";
      params.put(
          URLDecoder.decode(name, StandardCharsets.UTF_8),
          URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return params;
  }

  private boolean hasCredentials(CallRequest req) {
    for (String h : registry.credentialHeaders()) {
      if (req.headers().apply(h) != null) {
        return true;
      }
    }
    return !keyParameters(req.query()).isEmpty();
  }

  /** The key query parameters (of any dialect) that {@code query} has. */
  private Set<String> keyParameters(@Nullable String query) {
    if (query == null) {
      return Set.of();
    }
    Set<String> found = new LinkedHashSet<>();
    for (String part : query.split("&", -1)) {
      for (String param : registry.keyParameters()) {
        if (part.equals(param) || part.startsWith(param + "=")) {
          found.add(param);
        }
      }
    }
    return found;
  }

  private static int defaultPort(String scheme) {
    return "https".equals(scheme) ? 443 : 80;
  }
}
