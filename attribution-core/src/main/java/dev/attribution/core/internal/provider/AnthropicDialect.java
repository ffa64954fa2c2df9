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
 * The Anthropic Messages API, {@code /v1/messages}: model and {@code max_tokens} in the body, usage
 * with cache reads and 5-minute/1-hour cache writes beside (not inside) the input tokens, web
 * searches under {@code server_tool_use}, a stream of named events ({@code message_start} carries
 * the input usage, {@code message_delta} the cumulative output, {@code message_stop} ends it), and
 * the key in {@code x-api-key}.
 */
public final class AnthropicDialect implements ProviderDialect {

  /** The operation recorded for {@code /v1/messages}. */
  public static final String MESSAGES = "messages";

  private static final SseShape STREAM =
      new SseShape(
          SseShape.keys("\"text\":\""),
          SseShape.key("\"thinking\":\""),
          SseShape.key("\"usage"),
          SseShape.key("\"usage\":null"),
          SseShape.keys("\"error\""),
          null,
          e -> e.equals("message_start") || e.equals("message_delta") || e.equals("error"),
          Set.of("message_stop"));

  /** The dialect; it has no settings. */
  public AnthropicDialect() {}

  @Override
  public String name() {
    return "anthropic";
  }

  @Override
  public @Nullable String providerOf(String host) {
    return host.equals("api.anthropic.com") ? Providers.ANTHROPIC : null;
  }

  @Override
  public @Nullable Endpoint recognize(String provider, String path) {
    String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    if (trimmed.endsWith("/v1/messages") && !trimmed.contains("/threads/")) {
      return new Endpoint(provider, this, MESSAGES, null, false);
    }
    return null;
  }

  @Override
  public @Nullable ModelEdit withModel(
      Endpoint endpoint, String path, byte @Nullable [] body, RequestFacts facts, String model) {
    return ModelEdit.inBody(body, facts, model);
  }

  @Override
  public String operationPath(Endpoint endpoint, String path) {
    int i = path.lastIndexOf("/messages");
    return i >= 0 && i + "/messages".length() >= path.length() - 1
        ? "/messages"
        : ProviderDialect.super.operationPath(endpoint, path);
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
      case "max_tokens":
        if (v == JsonToken.VALUE_NUMBER_INT) {
          facts.maxOutputTokens(p.getLongValue());
        }
        return false;
      default:
        return false;
    }
  }

  @Override
  public ResponseMember responseMember(String name) {
    switch (name) {
      case "usage":
        return ResponseMember.USAGE;
      case "message":
        // message_start wraps the message.
        return ResponseMember.WRAPPER;
      case "model":
        return ResponseMember.MODEL;
      case "id":
        return ResponseMember.ID;
      case "type":
        return ResponseMember.TYPE;
      case "error":
        return ResponseMember.ERROR;
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
    return "{\"type\":\"error\",\"error\":{\"type\":\""
        + type
        + "\",\"message\":"
        + JsonTrees.quote(message)
        + "}}";
  }

  @Override
  public List<String> credentialHeaders() {
    return List.of("x-api-key");
  }

  @Override
  public Map.Entry<String, String> credential(String provider, String key) {
    return Map.entry("x-api-key", key);
  }

  /** Anthropic keys start {@code sk-ant-}. */
  @Override
  public String keyPattern() {
    return "sk-[A-Za-z0-9_*.\\-]{4,}";
  }

  /** Anthropic usage: input tokens exclude cache reads and writes, which are billed apart. */
  private static final class Tally extends UsageTally {
    private long inputTokens = -1;
    private long outputTokens = -1;
    private long cacheRead = -1;
    private long cacheCreation = -1;
    private long cacheWrite5m = -1;
    private long cacheWrite1h = -1;
    private long webSearches;

    @Override
    protected void onUsage(String member, JsonNode u, UsageAccumulator acc) {
      inputTokens = pick(acc.count(u, "input_tokens"), inputTokens);
      outputTokens = pick(acc.count(u, "output_tokens"), outputTokens);
      cacheRead = pick(acc.count(u, "cache_read_input_tokens"), cacheRead);
      cacheCreation = pick(acc.count(u, "cache_creation_input_tokens"), cacheCreation);
      cacheWrite5m =
          pick(acc.count(u, "cache_creation", "ephemeral_5m_input_tokens"), cacheWrite5m);
      cacheWrite1h =
          pick(acc.count(u, "cache_creation", "ephemeral_1h_input_tokens"), cacheWrite1h);
      long ws = acc.count(u, "server_tool_use", "web_search_requests");
      if (ws >= 0) {
        webSearches = ws;
      }
    }

    @Override
    protected void onType(String type, UsageAccumulator acc) {
      if (type.equals("message_stop")) {
        acc.complete();
      } else if (type.equals("error")) {
        // The error event; its "error" member names the type.
        acc.failed();
      }
    }

    @Override
    protected long webSearches() {
      return webSearches;
    }

    @Override
    protected TokenUsage usage() {
      long w5 = cacheWrite5m;
      long w1 = z(cacheWrite1h);
      if (w5 < 0) {
        w5 = Math.max(0, z(cacheCreation) - w1);
      }
      long writes = Math.max(z(cacheCreation), sum(w5, w1));
      return TokenUsage.builder()
          .inputTokens(sum(inputTokens, cacheRead, writes))
          .cachedInputTokens(z(cacheRead))
          .cacheWrite5mTokens(w5)
          .cacheWrite1hTokens(w1)
          .outputTokens(z(outputTokens))
          .build();
    }
  }
}
