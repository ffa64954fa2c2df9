package dev.attribution.core.internal.provider;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Recognises LLM endpoints by host and path.
 *
 * <p>Built-in hosts: OpenAI, Azure OpenAI ({@code *.openai.azure.com}, {@code
 * *.cognitiveservices.azure.com}), Anthropic, Gemini (native and its OpenAI-compatible path),
 * OpenRouter, DeepSeek, Mistral, Groq, xAI, Together and Fireworks. Custom base URLs (internal
 * proxies, vLLM, Ollama, Azure resources on custom domains) are mapped with {@link
 * Builder#mapHost(String, String)}. The operation comes from the path: {@code /chat/completions},
 * {@code /responses}, {@code /embeddings}, {@code /completions}, Anthropic's {@code /messages},
 * Gemini's {@code :generateContent} / {@code :streamGenerateContent}. Anything else is not
 * recognised and passes through untouched.
 *
 * <p>Immutable and thread-safe; {@link #recognize} allocates only its result.
 */
public final class ProviderRegistry {

  private static final Map<String, String> BUILT_IN_HOSTS =
      Map.ofEntries(
          Map.entry("api.openai.com", Providers.OPENAI),
          Map.entry("api.anthropic.com", Providers.ANTHROPIC),
          Map.entry("generativelanguage.googleapis.com", Providers.GEMINI),
          Map.entry("openrouter.ai", Providers.OPENROUTER),
          Map.entry("api.deepseek.com", Providers.DEEPSEEK),
          Map.entry("api.mistral.ai", Providers.MISTRAL),
          Map.entry("api.groq.com", Providers.GROQ),
          Map.entry("api.x.ai", Providers.XAI),
          Map.entry("api.together.xyz", Providers.TOGETHER),
          Map.entry("api.together.ai", Providers.TOGETHER),
          Map.entry("api.fireworks.ai", Providers.FIREWORKS));

  private final Map<String, String> hosts;
  private final Map<String, String> azureDeployments;

  private ProviderRegistry(Builder b) {
    this.hosts = Map.copyOf(b.hosts);
    this.azureDeployments = Map.copyOf(b.azureDeployments);
  }

  /** The registry with only the built-in hosts. */
  public static ProviderRegistry defaults() {
    return builder().build();
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The endpoint a {@code POST} to {@code host:port/path} reaches, or {@code null} when it is not a
   * recognised LLM call.
   *
   * @param host the request host, any case
   * @param port the request port
   * @param path the URL path without query string
   */
  public @Nullable Endpoint recognize(String host, int port, String path) {
    String provider = providerFor(host.toLowerCase(Locale.ROOT), port);
    if (provider == null) {
      return null;
    }
    return endpointFor(provider, path);
  }

  /**
   * Whether {@code path} is an LLM API path this registry recognises on a known or mapped host
   * ({@code /chat/completions}, {@code /responses}, {@code /embeddings}, {@code /completions},
   * {@code /v1/messages}, {@code :generateContent}, {@code :streamGenerateContent}), whatever the
   * host. The engine uses it to warn about unmapped proxies and model servers.
   *
   * @param path the URL path without query string
   */
  public static boolean isLlmPath(String path) {
    return endpointFor("", path) != null; // the provider id is not looked at
  }

  /**
   * The model an Azure OpenAI deployment serves, as mapped with {@link
   * Builder#azureDeployment(String, String)}; the deployment name itself when unmapped (deployments
   * are often named after their model).
   */
  public String azureModel(String deployment) {
    String m = azureDeployments.get(deployment);
    return m != null ? m : deployment;
  }

  private @Nullable String providerFor(String host, int port) {
    String p = hosts.get(host + ":" + port);
    if (p != null) {
      return p;
    }
    p = hosts.get(host);
    if (p != null) {
      return p;
    }
    p = BUILT_IN_HOSTS.get(host);
    if (p != null) {
      return p;
    }
    if (host.endsWith(".openai.azure.com") || host.endsWith(".cognitiveservices.azure.com")) {
      return Providers.AZURE_OPENAI;
    }
    if (host.startsWith("bedrock-runtime.") && host.endsWith(".amazonaws.com")) {
      return Providers.BEDROCK;
    }
    return null;
  }

  static @Nullable Endpoint endpointFor(String provider, String path) {
    int colon = path.lastIndexOf(':');
    if (colon > 0) {
      String verb = path.substring(colon + 1);
      boolean stream = verb.equals("streamGenerateContent");
      if (stream || verb.equals("generateContent")) {
        int slash = path.lastIndexOf('/', colon);
        String model = slash >= 0 ? path.substring(slash + 1, colon) : null;
        return new Endpoint(provider, Dialect.GEMINI_GENERATE, emptyToNull(model), stream);
      }
      return null;
    }
    String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    Dialect dialect;
    if (trimmed.endsWith("/chat/completions")) {
      dialect = Dialect.OPENAI_CHAT;
    } else if (trimmed.endsWith("/responses")) {
      dialect = Dialect.OPENAI_RESPONSES;
    } else if (trimmed.endsWith("/embeddings")) {
      dialect = Dialect.OPENAI_EMBEDDINGS;
    } else if (trimmed.endsWith("/completions")) {
      dialect = Dialect.OPENAI_COMPLETIONS;
    } else if (trimmed.endsWith("/v1/messages") && !trimmed.contains("/threads/")) {
      dialect = Dialect.ANTHROPIC_MESSAGES;
    } else {
      return null;
    }
    String deployment = null;
    int d = trimmed.indexOf("/deployments/");
    if (d >= 0) {
      int start = d + "/deployments/".length();
      int end = trimmed.indexOf('/', start);
      deployment = end > start ? trimmed.substring(start, end) : null;
    }
    return new Endpoint(provider, dialect, deployment, false);
  }

  private static @Nullable String emptyToNull(@Nullable String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  /** Builds a {@link ProviderRegistry}. */
  public static final class Builder {
    private final Map<String, String> hosts = new HashMap<>();
    private final Map<String, String> azureDeployments = new HashMap<>();

    private Builder() {}

    /**
     * Treats calls to {@code host} (or {@code host:port}) as calls to {@code provider}: an internal
     * proxy, a self-hosted vLLM or Ollama server ({@code "local"} or any id you price), an Azure
     * resource on a custom domain ({@link Providers#AZURE_OPENAI}). User mappings win over built-in
     * hosts.
     *
     * @throws IllegalArgumentException if host or provider is blank or the host has a scheme or
     *     path
     */
    public Builder mapHost(String host, String provider) {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(provider, "provider");
      String h = host.trim().toLowerCase(Locale.ROOT);
      if (h.isEmpty() || h.contains("/")) {
        throw new IllegalArgumentException(
            "mapHost: host must be a bare host name or host:port, was '" + host + "'");
      }
      if (provider.isBlank()) {
        throw new IllegalArgumentException("mapHost: provider must not be blank for host " + host);
      }
      hosts.put(h, provider.trim());
      return this;
    }

    /** Maps an Azure OpenAI deployment name to the model it serves, for pricing. */
    public Builder azureDeployment(String deployment, String model) {
      if (deployment == null || deployment.isBlank() || model == null || model.isBlank()) {
        throw new IllegalArgumentException(
            "azureDeployment: deployment and model must not be blank");
      }
      azureDeployments.put(deployment.trim(), model.trim());
      return this;
    }

    /** The immutable registry. */
    public ProviderRegistry build() {
      return new ProviderRegistry(this);
    }
  }
}
