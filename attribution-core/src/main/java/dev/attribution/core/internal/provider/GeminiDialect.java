package dev.attribution.core.internal.provider;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.attribution.api.TokenUsage;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Google Gemini's native API, {@code models/<model>:generateContent} and {@code
 * :streamGenerateContent}: the model and streaming named in the path, the output cap and candidate
 * count under {@code generationConfig}, usage in {@code usageMetadata} (thinking tokens beside the
 * candidates' tokens, tool-use prompt tokens beside the prompt's), a stream that ends with a chunk
 * whose candidate has a {@code finishReason} (server-sent events with {@code alt=sse}, otherwise
 * one JSON array read as a body), and the key in {@code x-goog-api-key} or {@code ?key=}. Gemini's
 * OpenAI-compatible path is read by {@link OpenAiDialect}.
 */
public final class GeminiDialect implements ProviderDialect {

  /** The operation recorded for {@code :generateContent} and {@code :streamGenerateContent}. */
  public static final String GENERATE_CONTENT = "generate_content";

  private static final ResponseMember CANDIDATES = ResponseMember.elements("finishReason");

  private static final SseShape STREAM =
      new SseShape(
          SseShape.keys("\"text\":\"", "\"text\": \""),
          null,
          SseShape.key("\"usage"),
          SseShape.key("\"usage\":null"),
          SseShape.keys("\"error\""),
          null,
          e -> false,
          Set.of());

  /** The dialect; it has no settings. */
  public GeminiDialect() {}

  @Override
  public String name() {
    return "gemini";
  }

  @Override
  public @Nullable String providerOf(String host) {
    return host.equals("generativelanguage.googleapis.com") ? Providers.GEMINI : null;
  }

  @Override
  public @Nullable Endpoint recognize(String provider, String path) {
    int colon = path.lastIndexOf(':');
    if (colon <= 0) {
      return null;
    }
    String verb = path.substring(colon + 1);
    boolean stream = verb.equals("streamGenerateContent");
    if (!stream && !verb.equals("generateContent")) {
      return null;
    }
    int slash = path.lastIndexOf('/', colon);
    String model = slash >= 0 ? path.substring(slash + 1, colon) : null;
    return new Endpoint(
        provider, this, GENERATE_CONTENT, model == null || model.isEmpty() ? null : model, stream);
  }

  /** The model is named in the path: {@code .../models/<model>:generateContent}. */
  @Override
  public ModelEdit withModel(
      Endpoint endpoint, String path, byte @Nullable [] body, RequestFacts facts, String model) {
    int colon = path.lastIndexOf(':');
    int slash = path.lastIndexOf('/', colon);
    if (colon < 0 || slash < 0) {
      return new ModelEdit(null, path);
    }
    return new ModelEdit(null, path.substring(0, slash + 1) + model + path.substring(colon));
  }

  @Override
  public boolean readRequestMember(
      String name, JsonToken v, RequestReader p, RequestParser.Facts facts) throws IOException {
    if (!name.equals("generationConfig") || v != JsonToken.START_OBJECT) {
      return false;
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String n = p.currentName();
      JsonToken t = p.nextToken();
      if (n.equals("maxOutputTokens") && t == JsonToken.VALUE_NUMBER_INT) {
        facts.maxOutputTokens(p.getLongValue());
      } else if (n.equals("candidateCount")) {
        facts.outputCount(RequestParser.Facts.count(p, t));
      } else {
        p.skipChildren();
      }
    }
    return true;
  }

  @Override
  public ResponseMember responseMember(String name) {
    switch (name) {
      case "usageMetadata":
        return ResponseMember.USAGE;
      case "modelVersion":
        return ResponseMember.MODEL;
      case "responseId":
        return ResponseMember.ID;
      case "error":
        return ResponseMember.ERROR;
      case "candidates":
        return CANDIDATES;
      default:
        return ResponseMember.SKIP;
    }
  }

  @Override
  public UsageTally newTally(Endpoint endpoint) {
    return new Tally();
  }

  @Override
  public StreamReader newStream(Endpoint endpoint) {
    return new StreamUsageTracker(endpoint, STREAM);
  }

  @Override
  public String errorBody(String type, String message) {
    return "{\"error\":{\"code\":429,\"message\":"
        + JsonTrees.quote(message)
        + ",\"status\":\"RESOURCE_EXHAUSTED\",\"details\":[{\"reason\":\""
        + type
        + "\"}]}}";
  }

  @Override
  public List<String> credentialHeaders() {
    return List.of("x-goog-api-key");
  }

  @Override
  public List<String> keyParameters() {
    return List.of("key");
  }

  @Override
  public Map.Entry<String, String> credential(String provider, String key) {
    return Map.entry("x-goog-api-key", key);
  }

  /** Google API keys start {@code AIza}. */
  @Override
  public String keyPattern() {
    return "AIza[0-9A-Za-z_\\-]{8,}";
  }

  /** Gemini usage: thinking tokens are billed as output beside the candidates' tokens. */
  private static final class Tally extends UsageTally {
    private long promptTokens = -1;
    private long candidatesTokens = -1;
    private long cachedTokens = -1;
    private long thoughtsTokens = -1;
    private long toolUsePrompt = -1;

    @Override
    protected void onUsage(String member, JsonNode u, UsageAccumulator acc) {
      promptTokens = pick(acc.count(u, "promptTokenCount"), promptTokens);
      candidatesTokens = pick(acc.count(u, "candidatesTokenCount"), candidatesTokens);
      cachedTokens = pick(acc.count(u, "cachedContentTokenCount"), cachedTokens);
      thoughtsTokens = pick(acc.count(u, "thoughtsTokenCount"), thoughtsTokens);
      toolUsePrompt = pick(acc.count(u, "toolUsePromptTokenCount"), toolUsePrompt);
    }

    /** A stream ends with a chunk whose candidate carries a finishReason. */
    @Override
    protected void onElement(String member, String value, UsageAccumulator acc) {
      acc.complete();
    }

    @Override
    protected TokenUsage usage() {
      return TokenUsage.builder()
          .inputTokens(sum(promptTokens, toolUsePrompt))
          .cachedInputTokens(z(cachedTokens))
          .outputTokens(sum(candidatesTokens, thoughtsTokens))
          .reasoningTokens(z(thoughtsTokens))
          .build();
    }
  }
}
