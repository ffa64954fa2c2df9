package dev.attribution.core.routing;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A named upstream a call can be sent to instead of the one the application chose: e.g. a cheaper
 * provider, a regional deployment, or a free self-hosted model. A route speaks the same wire
 * dialect as the original call (OpenAI-compatible to OpenAI-compatible); only the base URL,
 * credentials and model change.
 *
 * <p>The request path keeps its operation suffix ({@code /chat/completions}, {@code /embeddings},
 * ...) appended to the route's base path: a call to {@code
 * https://api.openai.com/v1/chat/completions} routed to base URL {@code
 * http://vllm.internal:8000/v1} goes to {@code http://vllm.internal:8000/v1/chat/completions}.
 *
 * <p>Query parameters of the base URL are sent with every call on the route, replacing any of the
 * same name the application's request had: an Azure OpenAI deployment takes its {@code api-version}
 * this way, e.g. base URL {@code
 * https://my-resource.openai.azure.com/openai/deployments/gpt-4o?api-version=2024-10-21} for calls
 * the application sends to OpenAI.
 */
public final class Route {

  private final String name;
  private final URI baseUrl;
  private final String provider;
  private final @Nullable String apiKey;
  private final Map<String, String> modelMap;
  private final @Nullable String defaultModel;
  private final boolean forwardApplicationCredentials;

  private Route(Builder b) {
    this.name = b.name;
    this.baseUrl = Objects.requireNonNull(b.baseUrl);
    this.provider = Objects.requireNonNull(b.provider);
    this.apiKey = b.apiKey;
    this.modelMap = Map.copyOf(b.modelMap);
    this.defaultModel = b.defaultModel;
    this.forwardApplicationCredentials = b.forwardApplicationCredentials;
  }

  /** A builder for a route called {@code name}. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** The route's name, recorded in {@code UsageRecord.route()}. */
  public String name() {
    return name;
  }

  /** Base URL: scheme, host, port and base path. */
  public URI baseUrl() {
    return baseUrl;
  }

  /** The provider id calls on this route are priced and recorded under. */
  public String provider() {
    return provider;
  }

  /**
   * The API key for this route, or {@code null} to let the {@code CredentialResolver} choose. A
   * route with neither receives no credential at all, unless {@link
   * #forwardApplicationCredentials()} is set. Never logged.
   */
  public @Nullable String apiKey() {
    return apiKey;
  }

  /**
   * Whether a call on this route that gets no key (none on the route, none from the {@code
   * CredentialResolver}) keeps the application's own credentials as it sent them; default {@code
   * false}: every credential of the original request is removed.
   */
  public boolean forwardApplicationCredentials() {
    return forwardApplicationCredentials;
  }

  /** The model to send on this route for {@code requestedModel}. */
  public @Nullable String modelFor(@Nullable String requestedModel) {
    if (requestedModel != null) {
      String m = modelMap.get(requestedModel);
      if (m != null) {
        return m;
      }
    }
    return defaultModel != null ? defaultModel : requestedModel;
  }

  @Override
  public String toString() {
    return "Route{" + name + " -> " + baseUrl + " provider=" + provider + '}';
  }

  /** Builds a {@link Route}; validation happens at once. */
  public static final class Builder {
    private final String name;
    private @Nullable URI baseUrl;
    private @Nullable String provider;
    private @Nullable String apiKey;
    private final Map<String, String> modelMap = new LinkedHashMap<>();
    private @Nullable String defaultModel;
    private boolean forwardApplicationCredentials;

    private Builder(String name) {
      if (name == null || !name.matches("[A-Za-z0-9_.-]{1,64}")) {
        throw new IllegalArgumentException(
            "route name must be 1-64 characters of A-Z a-z 0-9 _ . -, was '" + name + "'");
      }
      this.name = name;
    }

    /**
     * The base URL, e.g. {@code https://api.deepseek.com/v1} or {@code http://localhost:11434/v1};
     * its query parameters (e.g. Azure's {@code ?api-version=2024-10-21}) go with every call.
     *
     * @throws IllegalArgumentException naming the route if it is not an absolute http(s) URL, its
     *     query is not decodable, or it is an Azure OpenAI deployment path ({@code
     *     /openai/deployments/...}) without an {@code api-version} (Azure's v1 API path {@code
     *     /openai/v1} needs none)
     */
    public Builder baseUrl(String url) {
      URI u;
      try {
        u = URI.create(url.trim());
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "route " + name + ": baseUrl '" + url + "' is not a URL");
      }
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null) {
        throw new IllegalArgumentException(
            "route " + name + ": baseUrl must be an absolute http or https URL, was '" + url + "'");
      }
      if (u.getRawQuery() != null) {
        try {
          java.net.URLDecoder.decode(u.getRawQuery(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "route " + name + ": the query of baseUrl '" + url + "' is not decodable");
        }
      }
      if (isAzureDeploymentPath(u) && !hasQueryParameter(u, "api-version")) {
        throw new IllegalArgumentException(
            "route "
                + name
                + ": baseUrl '"
                + url
                + "' is an Azure OpenAI deployment, which rejects every call without an"
                + " api-version; add one (e.g. '?api-version=2024-10-21') or use the v1 API path"
                + " '/openai/v1'");
      }
      this.baseUrl = u;
      return this;
    }

    private static boolean isAzureDeploymentPath(URI u) {
      String path = u.getRawPath() == null ? "" : u.getRawPath().toLowerCase(Locale.ROOT);
      return path.contains("/openai/deployments/");
    }

    private static boolean hasQueryParameter(URI u, String parameter) {
      String query = u.getRawQuery();
      if (query == null) {
        return false;
      }
      for (String pair : query.split("&", -1)) {
        int eq = pair.indexOf('=');
        String key = eq < 0 ? pair : pair.substring(0, eq);
        String value = eq < 0 ? "" : pair.substring(eq + 1);
        if (key.equals(parameter) && !value.isBlank()) {
          return true;
        }
      }
      return false;
    }

    /** The provider id for pricing and records, e.g. {@code deepseek} or {@code local}. */
    public Builder provider(String provider) {
      if (provider == null || provider.isBlank()) {
        throw new IllegalArgumentException("route " + name + ": provider must not be blank");
      }
      this.provider = provider.trim();
      return this;
    }

    /** The API key to send on this route; never logged or recorded. */
    public Builder apiKey(@Nullable String apiKey) {
      this.apiKey = apiKey;
      return this;
    }

    /**
     * Opts this route in to receiving the application's own credentials (authorization headers,
     * {@code x-api-key}, {@code api-key}, {@code x-goog-api-key}, {@code key=}) when neither the
     * route nor the {@code CredentialResolver} supplies a key; default {@code false}, so a key
     * meant for one provider never reaches another host by accident. Set it only for a host you
     * trust with that key, e.g. a second deployment of the same provider account.
     */
    public Builder forwardApplicationCredentials(boolean forward) {
      this.forwardApplicationCredentials = forward;
      return this;
    }

    /** Sends {@code to} when the application asked for {@code from}. */
    public Builder mapModel(String from, String to) {
      if (from == null || from.isBlank() || to == null || to.isBlank()) {
        throw new IllegalArgumentException(
            "route " + name + ": model map entries must not be blank");
      }
      modelMap.put(from, to);
      return this;
    }

    /** The model to send when the requested one is not in the model map. */
    public Builder defaultModel(@Nullable String model) {
      this.defaultModel = model;
      return this;
    }

    /**
     * The immutable route.
     *
     * @throws IllegalStateException naming the route when baseUrl or provider is missing
     */
    public Route build() {
      if (baseUrl == null) {
        throw new IllegalStateException("route " + name + ": baseUrl is required");
      }
      if (provider == null) {
        throw new IllegalStateException("route " + name + ": provider is required");
      }
      return new Route(this);
    }
  }
}
