package dev.attribution.core.internal.provider;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.attribution.api.TokenUsage;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The OpenAI wire shape, shared by every OpenAI-compatible API: {@code /chat/completions}, the
 * Responses API ({@code /responses}), {@code /embeddings} and legacy {@code /completions}, on
 * OpenAI, Azure OpenAI, OpenRouter, DeepSeek, Mistral, Groq, xAI, Together, Fireworks and any
 * mapped proxy or model server. Provider differences inside the shape: Azure names a deployment in
 * the path and takes its key in {@code api-key}; the deployment-to-model map is a constructor
 * parameter. Usage naming of the compatible providers (DeepSeek's {@code prompt_cache_hit_tokens},
 * OpenRouter's {@code cost} and cache writes, Groq's {@code x_groq}, Gemini's thinking tokens only
 * in {@code total_tokens}) is read whichever host answered.
 */
public final class OpenAiDialect implements ProviderDialect {

  /** Operation of {@code /chat/completions}. */
  public static final String CHAT = "chat";

  /** Operation of the Responses API, {@code /responses}. */
  public static final String RESPONSES = "responses";

  /** Operation of {@code /embeddings}. */
  public static final String EMBEDDINGS = "embeddings";

  /** Operation of legacy {@code /completions}. */
  public static final String COMPLETIONS = "completions";

  private static final Map<String, String> HOSTS =
      Map.ofEntries(
          Map.entry("api.openai.com", Providers.OPENAI),
          Map.entry("openrouter.ai", Providers.OPENROUTER),
          Map.entry("api.deepseek.com", Providers.DEEPSEEK),
          Map.entry("api.mistral.ai", Providers.MISTRAL),
          Map.entry("api.groq.com", Providers.GROQ),
          Map.entry("api.x.ai", Providers.XAI),
          Map.entry("api.together.xyz", Providers.TOGETHER),
          Map.entry("api.together.ai", Providers.TOGETHER),
          Map.entry("api.fireworks.ai", Providers.FIREWORKS));

  private static final String[] SUFFIXES = {
    "/chat/completions", "/responses", "/embeddings", "/completions"
  };

  private static final String[] OPERATIONS = {CHAT, RESPONSES, EMBEDDINGS, COMPLETIONS};

  private static final String DEPLOYMENTS = "/deployments/";

  private static final byte[] INCLUDE_USAGE =
      SseShape.key(",\"stream_options\":{\"include_usage\":true}");

  private static final ResponseMember CHOICES = ResponseMember.elements("finish_reason");
  private static final ResponseMember OUTPUT = ResponseMember.elements("type");

  private static final byte[][] ERROR_KEYS =
      SseShape.keys("\"error\"", "\"finish_reason\":\"error\"");

  private static final SseShape CHAT_STREAM =
      new SseShape(
          SseShape.keys("\"content\":\""),
          null,
          SseShape.key("\"usage"),
          SseShape.key("\"usage\":null"),
          ERROR_KEYS,
          SseShape.key("[DONE]"),
          e -> false,
          Set.of());

  private static final SseShape RESPONSES_STREAM =
      new SseShape(
          SseShape.keys("\"delta\":\""),
          null,
          SseShape.key("\"usage"),
          SseShape.key("\"usage\":null"),
          ERROR_KEYS,
          SseShape.key("[DONE]"),
          e ->
              e.startsWith("response.completed")
                  || e.equals("response.incomplete")
                  || e.equals("response.failed"),
          Set.of("response.completed"));

  private final Map<String, String> azureDeployments;

  /**
   * The dialect with Azure OpenAI deployments mapped to the models they serve (for pricing); an
   * unmapped deployment stands for a model of its own name.
   */
  public OpenAiDialect(Map<String, String> azureDeployments) {
    this.azureDeployments = Map.copyOf(azureDeployments);
  }

  @Override
  public String name() {
    return "openai";
  }

  @Override
  public @Nullable String providerOf(String host) {
    String p = HOSTS.get(host);
    if (p != null) {
      return p;
    }
    if (host.endsWith(".openai.azure.com") || host.endsWith(".cognitiveservices.azure.com")) {
      return Providers.AZURE_OPENAI;
    }
    return null;
  }

  @Override
  public @Nullable Endpoint recognize(String provider, String path) {
    String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    String operation = null;
    for (int i = 0; i < SUFFIXES.length; i++) {
      if (trimmed.endsWith(SUFFIXES[i])) {
        operation = OPERATIONS[i];
        break;
      }
    }
    if (operation == null) {
      return null;
    }
    String deployment = null;
    int d = trimmed.indexOf(DEPLOYMENTS);
    if (d >= 0) {
      int start = d + DEPLOYMENTS.length();
      int end = trimmed.indexOf('/', start);
      deployment = end > start ? trimmed.substring(start, end) : null;
    }
    return new Endpoint(provider, this, operation, deployment, false);
  }

  @Override
  public @Nullable String deployment(Endpoint endpoint) {
    return endpoint.provider().equals(Providers.AZURE_OPENAI) ? endpoint.modelInPath() : null;
  }

  /** Azure OpenAI prices the model its deployment serves, whatever the body says. */
  @Override
  public @Nullable String model(Endpoint endpoint, RequestFacts facts) {
    String deployment = endpoint.modelInPath();
    if (endpoint.provider().equals(Providers.AZURE_OPENAI) && deployment != null) {
      return azureDeployments.getOrDefault(deployment, deployment);
    }
    return facts.model();
  }

  @Override
  public @Nullable ModelEdit withModel(
      Endpoint endpoint, String path, byte @Nullable [] body, RequestFacts facts, String model) {
    return ModelEdit.inBody(body, facts, model);
  }

  @Override
  public String operationPath(Endpoint endpoint, String path) {
    for (String s : SUFFIXES) {
      int i = path.lastIndexOf(s);
      if (i >= 0 && i + s.length() >= path.length() - 1) {
        return s;
      }
    }
    return ProviderDialect.super.operationPath(endpoint, path);
  }

  @Override
  public boolean readRequestMember(
      String name, JsonToken v, RequestReader p, RequestParser.Facts facts) throws IOException {
    switch (name) {
      case "model":
        facts.model(p, v);
        return true;
      case "stream":
        if (v == JsonToken.VALUE_TRUE) {
          facts.streaming();
        }
        return false;
      case "stream_options":
        facts.streamOptions(v == JsonToken.START_OBJECT && readIncludeUsage(p));
        return v == JsonToken.START_OBJECT;
      case "max_tokens":
      case "max_completion_tokens":
      case "max_output_tokens":
        if (v == JsonToken.VALUE_NUMBER_INT) {
          facts.maxOutputTokens(p.getLongValue());
        }
        return false;
      case "n":
      case "best_of":
        // Output is billed per generation: best_of generations, of which n are returned.
        facts.outputCount(RequestParser.Facts.count(p, v));
        return true;
      default:
        return false;
    }
  }

  private static boolean readIncludeUsage(RequestReader p) throws IOException {
    boolean include = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String n = p.currentName();
      JsonToken v = p.nextToken();
      if (n.equals("include_usage")) {
        include = v == JsonToken.VALUE_TRUE;
      } else {
        p.skipChildren();
      }
    }
    return include;
  }

  /**
   * A chat stream reports usage only when asked: {@code "stream_options":{"include_usage":true}} is
   * added, unless the body already has {@code stream_options} (then it is left as written).
   */
  @Override
  public byte @Nullable [] withStreamUsage(
      Endpoint endpoint, byte[] body, @Nullable RequestFacts facts) throws IOException {
    if (!endpoint.operation().equals(CHAT)) {
      return null;
    }
    RequestFacts f = facts != null ? facts : RequestParser.parse(endpoint, body);
    if (f.hasStreamOptions()) {
      return null;
    }
    return RequestParser.withMember(body, f, INCLUDE_USAGE);
  }

  @Override
  public ResponseMember responseMember(String name) {
    switch (name) {
      case "usage":
        return ResponseMember.USAGE;
      case "x_groq":
        // Groq's x_groq carries the stream's usage.
        return ResponseMember.USAGE_WRAPPER;
      case "response":
        // Responses API stream events wrap the response.
        return ResponseMember.WRAPPER;
      case "model":
        return ResponseMember.MODEL;
      case "id":
        return ResponseMember.ID;
      case "type":
        return ResponseMember.TYPE;
      case "error":
        return ResponseMember.ERROR;
      case "choices":
        return CHOICES;
      case "output":
        return OUTPUT;
      default:
        return ResponseMember.SKIP;
    }
  }

  @Override
  public UsageTally newTally(Endpoint endpoint) {
    return new Tally(endpoint.operation().equals(RESPONSES));
  }

  @Override
  public StreamReader newStream(Endpoint endpoint) {
    return new StreamUsageTracker(
        endpoint, endpoint.operation().equals(RESPONSES) ? RESPONSES_STREAM : CHAT_STREAM);
  }

  @Override
  public String errorBody(String type, String message) {
    return "{\"error\":{\"message\":"
        + JsonTrees.quote(message)
        + ",\"type\":\""
        + type
        + "\",\"param\":null,\"code\":\""
        + type
        + "\"}}";
  }

  @Override
  public List<String> credentialHeaders() {
    return List.of("Authorization", "api-key");
  }

  /**
   * The last bearer header read and the key in it: an application sends the same header on every
   * call, so its key is not cut out of it again each time (the fingerprint memo keeps such keys
   * already).
   */
  private volatile @Nullable BearerKey lastBearer;

  /** A bearer header and the key in it. */
  private record BearerKey(String header, String key) {}

  /** A bearer token, or Azure's {@code api-key}. */
  @Override
  public @Nullable String keyOf(Function<String, @Nullable String> headers) {
    String auth = headers.apply("Authorization");
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      BearerKey last = lastBearer;
      if (last != null && last.header().equals(auth)) {
        return last.key();
      }
      String key = auth.substring(7).trim();
      lastBearer = new BearerKey(auth, key);
      return key;
    }
    String v = headers.apply("api-key");
    return v != null && !v.isBlank() ? v.trim() : null;
  }

  @Override
  public Map.Entry<String, String> credential(String provider, String key) {
    return provider.equals(Providers.AZURE_OPENAI)
        ? Map.entry("api-key", key)
        : Map.entry("Authorization", "Bearer " + key);
  }

  @Override
  public String keyPattern() {
    return "sk-[A-Za-z0-9_*.\\-]{4,}";
  }

  /** OpenAI-style usage: chat naming, or Responses naming ({@code input_tokens}). */
  private static final class Tally extends UsageTally {
    private final boolean responsesApi;
    private long promptTokens = -1;
    private long completionTokens = -1;
    private long totalTokens = -1;
    private long cachedTokens = -1;
    private long cacheWriteTokens = -1;
    private long reasoningTokens = -1;
    private long audioIn = -1;
    private long audioOut = -1;
    private long webSearches;

    Tally(boolean responsesApi) {
      this.responsesApi = responsesApi;
    }

    @Override
    protected void onUsage(String member, JsonNode u, UsageAccumulator acc) {
      if (u.has("input_tokens") || u.has("output_tokens")) {
        // Responses API naming (OpenAI semantics: cached inside input, reasoning inside output).
        promptTokens = pick(acc.count(u, "input_tokens"), promptTokens);
        completionTokens = pick(acc.count(u, "output_tokens"), completionTokens);
        cachedTokens = pick(acc.count(u, "input_tokens_details", "cached_tokens"), cachedTokens);
        reasoningTokens =
            pick(acc.count(u, "output_tokens_details", "reasoning_tokens"), reasoningTokens);
      } else {
        promptTokens = pick(acc.count(u, "prompt_tokens"), promptTokens);
        completionTokens = pick(acc.count(u, "completion_tokens"), completionTokens);
        totalTokens = pick(acc.count(u, "total_tokens"), totalTokens);
        long cached = acc.count(u, "prompt_tokens_details", "cached_tokens");
        if (cached < 0) {
          cached = acc.count(u, "prompt_cache_hit_tokens"); // DeepSeek
        }
        cachedTokens = pick(cached, cachedTokens);
        // OpenRouter: cache writes, inside prompt_tokens like cached reads.
        cacheWriteTokens =
            pick(acc.count(u, "prompt_tokens_details", "cache_write_tokens"), cacheWriteTokens);
        audioIn = pick(acc.count(u, "prompt_tokens_details", "audio_tokens"), audioIn);
        reasoningTokens =
            pick(acc.count(u, "completion_tokens_details", "reasoning_tokens"), reasoningTokens);
        audioOut = pick(acc.count(u, "completion_tokens_details", "audio_tokens"), audioOut);
      }
      JsonNode c = u.get("cost");
      if (c != null) {
        acc.cost(c);
      }
    }

    @Override
    protected void onType(String type, UsageAccumulator acc) {
      if (type.equals("response.completed")) {
        acc.complete();
      } else if (type.equals("error")) {
        acc.failed();
      }
    }

    /** The Responses API's output items are counted afresh each time the array is seen. */
    @Override
    protected void onElements(String member, UsageAccumulator acc) {
      if (responsesApi && member.equals("output")) {
        webSearches = 0;
      }
    }

    @Override
    protected void onElement(String member, String value, UsageAccumulator acc) {
      if (member.equals("choices")) {
        // OpenRouter ends a stream that failed midway with finish_reason "error".
        if (value.equals("error")) {
          acc.failed();
        }
      } else if (responsesApi && value.equals("web_search_call")) {
        webSearches++;
      }
    }

    @Override
    protected long webSearches() {
      return webSearches;
    }

    @Override
    protected TokenUsage usage() {
      long out = z(completionTokens);
      long reasoning = z(reasoningTokens);
      long excess = totalTokens - sum(promptTokens, completionTokens);
      if (totalTokens >= 0 && excess > 0 && promptTokens >= 0) {
        // Gemini's OpenAI-compatible endpoint leaves thinking tokens out of completion_tokens
        // but counts them in total_tokens: they are billed as output.
        out = sum(out, excess);
        reasoning = Math.min(out, Math.max(reasoning, excess));
      }
      return TokenUsage.builder()
          .inputTokens(z(promptTokens))
          .cachedInputTokens(z(cachedTokens))
          .cacheWrite5mTokens(z(cacheWriteTokens))
          .audioInputTokens(z(audioIn))
          .outputTokens(out)
          .reasoningTokens(reasoning)
          .audioOutputTokens(z(audioOut))
          .build();
    }
  }
}
