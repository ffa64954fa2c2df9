package dev.attribution.core.internal.provider;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Recognises LLM endpoints by host and path, and holds the {@link ProviderDialect}s that read them.
 *
 * <p>The host gives the provider: a host mapped with {@link Builder#mapHost(String, String)} (an
 * internal proxy, vLLM, Ollama, an Azure resource on a custom domain), else the built-in host of a
 * dialect ({@link ProviderDialect#providerOf(String)}: OpenAI, Azure OpenAI, Anthropic, Gemini,
 * OpenRouter, DeepSeek, Mistral, Groq, xAI, Together, Fireworks). The path gives the dialect and
 * operation: the first dialect that {@linkplain ProviderDialect#recognize recognises} it, dialects
 * added with {@link Builder#dialect(ProviderDialect)} first, then OpenAI ({@code
 * /chat/completions}, {@code /responses}, {@code /embeddings}, {@code /completions}), Anthropic
 * ({@code /v1/messages}) and Gemini ({@code :generateContent}, {@code :streamGenerateContent}).
 * Anything else is not recognised and passes through untouched.
 *
 * <p>Immutable and thread-safe; {@link #recognize} allocates only its result.
 */
public final class ProviderRegistry {

  private static final List<ProviderDialect> BUILT_IN = builtIn(Map.of());

  private final Map<String, String> hosts;

  /**
   * The mappings of {@link #hosts} whose key is {@code host:port}, by host: the provider for each
   * port. Looked up without building the {@code host:port} string on every call.
   */
  private final Map<String, PortProviders> hostPorts;

  private final List<ProviderDialect> dialects;
  private final Set<String> credentialHeaders;
  private final List<String> keyParameters;
  private final OpenAiDialect openAi;

  private ProviderRegistry(Builder b) {
    this.hosts = Map.copyOf(b.hosts);
    this.hostPorts = byHostAndPort(hosts);
    List<ProviderDialect> all = new ArrayList<>(b.dialects);
    List<ProviderDialect> builtIn = builtIn(b.azureDeployments);
    this.openAi = (OpenAiDialect) builtIn.get(0);
    all.addAll(builtIn);
    this.dialects = List.copyOf(all);
    Set<String> headers = new LinkedHashSet<>();
    Set<String> params = new LinkedHashSet<>();
    for (ProviderDialect d : dialects) {
      for (String h : d.credentialHeaders()) {
        headers.add(h.toLowerCase(Locale.ROOT));
      }
      params.addAll(d.keyParameters());
    }
    this.credentialHeaders = Collections.unmodifiableSet(headers);
    this.keyParameters = List.copyOf(params);
  }

  /** The built-in dialects, in the order they are asked. */
  private static List<ProviderDialect> builtIn(Map<String, String> azureDeployments) {
    return List.of(
        new OpenAiDialect(azureDeployments),
        new AnthropicDialect(),
        new GeminiDialect(),
        new BedrockDialect());
  }

  /** The built-in dialects without settings, for what must be known before any registry exists. */
  public static List<ProviderDialect> builtInDialects() {
    return BUILT_IN;
  }

  /**
   * How a tracked call to an endpoint no dialect recognised is read: as an OpenAI-compatible chat,
   * the shape most model servers speak.
   */
  public Endpoint unrecognised(String provider) {
    return new Endpoint(provider, openAi, OpenAiDialect.CHAT, null, false);
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
   * Whether {@code path} is an LLM API path some dialect of this registry serves, whatever the
   * host. The engine uses it to warn about unmapped proxies and model servers.
   *
   * @param path the URL path without query string
   */
  public boolean isLlmPath(String path) {
    return endpointFor("", path) != null; // the provider id is not looked at
  }

  /** The dialects, in the order they are asked. */
  public List<ProviderDialect> dialects() {
    return dialects;
  }

  /**
   * Every header that carries an API key in any dialect, lower case: removed from a request whose
   * key is replaced or that is routed elsewhere.
   */
  public Set<String> credentialHeaders() {
    return credentialHeaders;
  }

  /** Every query parameter that carries an API key in any dialect ({@code key}). */
  public List<String> keyParameters() {
    return keyParameters;
  }

  /**
   * The API key a request carries, in the first dialect's header that has one, else in a key query
   * parameter; {@code null} when none.
   */
  public @Nullable String keyOf(
      Function<String, @Nullable String> headers, @Nullable String query) {
    for (ProviderDialect d : dialects) {
      String k = d.keyOf(headers);
      if (k != null) {
        return k;
      }
    }
    if (query != null) {
      for (String part : query.split("&")) {
        for (String param : keyParameters) {
          if (part.startsWith(param)
              && part.length() > param.length()
              && part.charAt(param.length()) == '=') {
            return part.substring(param.length() + 1);
          }
        }
      }
    }
    return null;
  }

  /**
   * The keys of {@code hosts} that {@code host + ":" + port} can equal, split at their last colon:
   * those whose part after it is an int as {@link Integer#toString(int)} writes it.
   */
  private static Map<String, PortProviders> byHostAndPort(Map<String, String> hosts) {
    Map<String, Map<Integer, String>> byHost = new HashMap<>();
    for (Map.Entry<String, String> e : hosts.entrySet()) {
      String key = e.getKey();
      int colon = key.lastIndexOf(':');
      if (colon < 0) {
        continue;
      }
      String digits = key.substring(colon + 1);
      int port;
      try {
        port = Integer.parseInt(digits);
      } catch (NumberFormatException notAPort) {
        continue;
      }
      if (Integer.toString(port).equals(digits)) {
        byHost
            .computeIfAbsent(key.substring(0, colon), h -> new HashMap<>())
            .put(port, e.getValue());
      }
    }
    Map<String, PortProviders> copy = new HashMap<>();
    byHost.forEach((h, ports) -> copy.put(h, new PortProviders(ports)));
    return Map.copyOf(copy);
  }

  /** One host's providers by port, looked up without boxing the port. */
  private static final class PortProviders {
    private final int[] ports;
    private final String[] providers;

    PortProviders(Map<Integer, String> byPort) {
      ports = new int[byPort.size()];
      providers = new String[byPort.size()];
      int i = 0;
      for (Map.Entry<Integer, String> e : byPort.entrySet()) {
        ports[i] = e.getKey();
        providers[i++] = e.getValue();
      }
    }

    @Nullable String get(int port) {
      for (int i = 0; i < ports.length; i++) {
        if (ports[i] == port) {
          return providers[i];
        }
      }
      return null;
    }
  }

  private @Nullable String providerFor(String host, int port) {
    // hosts.get(host + ":" + port), without the string.
    PortProviders ports = hostPorts.isEmpty() ? null : hostPorts.get(host);
    String p = ports == null ? null : ports.get(port);
    if (p != null) {
      return p;
    }
    p = hosts.get(host);
    if (p != null) {
      return p;
    }
    for (ProviderDialect d : dialects) {
      p = d.providerOf(host);
      if (p != null) {
        return p;
      }
    }
    return null;
  }

  private @Nullable Endpoint endpointFor(String provider, String path) {
    for (ProviderDialect d : dialects) {
      Endpoint e = d.recognize(provider, path);
      if (e != null) {
        return e;
      }
    }
    return null;
  }

  /** Builds a {@link ProviderRegistry}. */
  public static final class Builder {
    private final Map<String, String> hosts = new HashMap<>();
    private final Map<String, String> azureDeployments = new HashMap<>();
    private final List<ProviderDialect> dialects = new ArrayList<>();

    private Builder() {}

    /**
     * Adds a dialect, asked before the built-in ones: a provider with its own wire shape. Internal
     * hook (the engine's builder does not expose it); its hosts come from {@link
     * ProviderDialect#providerOf(String)} or {@link #mapHost(String, String)}.
     */
    public Builder dialect(ProviderDialect dialect) {
      dialects.add(Objects.requireNonNull(dialect, "dialect"));
      return this;
    }

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
