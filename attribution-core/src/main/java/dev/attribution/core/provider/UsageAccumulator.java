package dev.attribution.core.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attribution.api.TokenUsage;
import java.math.BigDecimal;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Collects usage, model, id and error from the JSON objects of one response, whatever their order.
 * Token fields are "last value wins": providers that repeat cumulative usage in a stream (Anthropic
 * {@code message_delta}, Gemini chunks) are never summed. Not thread-safe; one per response.
 */
final class UsageAccumulator {

  private final Dialect dialect;
  private boolean sawUsage;
  // Raw provider fields, -1 when not seen.
  private long promptTokens = -1;
  private long completionTokens = -1;
  private long cachedTokens = -1;
  private long cacheWrite5m = -1;
  private long cacheWrite1h = -1;
  private long cacheCreation = -1;
  private long reasoningTokens = -1;
  private long audioIn = -1;
  private long audioOut = -1;
  private long toolUsePrompt = -1;
  private long webSearches;
  private @Nullable String model;
  private @Nullable String id;
  private @Nullable BigDecimal cost;
  private @Nullable String errorType;
  private @Nullable String errorMessage;
  long textChars;
  boolean completed;

  UsageAccumulator(Dialect dialect) {
    this.dialect = dialect;
  }

  /** Applies one top-level member of a response object (or of a stream event's payload). */
  void onField(String name, JsonNode value) {
    switch (name) {
      case "usage":
        if (value.isObject()) {
          onUsage(value);
        }
        break;
      case "usageMetadata":
        if (value.isObject()) {
          onGeminiUsage(value);
        }
        break;
      case "x_groq":
        JsonNode u = value.get("usage");
        if (u != null && u.isObject()) {
          onUsage(u);
        }
        break;
      case "model":
      case "modelVersion":
        if (value.isTextual() && model == null) {
          model = value.asText();
        }
        break;
      case "id":
      case "responseId":
        if (value.isTextual() && id == null) {
          id = value.asText();
        }
        break;
      case "error":
        onError(value);
        break;
      case "candidates":
        // A Gemini stream ends with a chunk whose candidate carries a finishReason.
        if (dialect == Dialect.GEMINI_GENERATE && value.isArray()) {
          for (JsonNode c : value) {
            if (c.hasNonNull("finishReason")) {
              completed = true;
            }
          }
        }
        break;
      case "response":
      case "message":
        // Responses API stream events wrap the response; Anthropic's message_start wraps the
        // message.
        if (value.isObject()) {
          onObject(value);
        }
        break;
      default:
        break;
    }
  }

  void onObject(JsonNode obj) {
    for (Map.Entry<String, JsonNode> e : obj.properties()) {
      onField(e.getKey(), e.getValue());
    }
  }

  private void onError(JsonNode value) {
    if (value.isObject()) {
      String type = text(value, "type");
      if (type == null) {
        type = text(value, "status");
      }
      if (type == null) {
        type = text(value, "code");
      }
      errorType = type;
      errorMessage = text(value, "message");
    } else if (value.isTextual()) {
      errorMessage = value.asText();
    }
  }

  private static @Nullable String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
  }

  private static long num(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v != null && v.isNumber() ? v.asLong() : -1;
  }

  private static long num(JsonNode n, String object, String field) {
    JsonNode o = n.get(object);
    return o != null && o.isObject() ? num(o, field) : -1;
  }

  private static long pick(long seen, long previous) {
    return seen >= 0 ? seen : previous;
  }

  private void onUsage(JsonNode u) {
    sawUsage = true;
    if (dialect == Dialect.ANTHROPIC_MESSAGES) {
      promptTokens = pick(num(u, "input_tokens"), promptTokens);
      completionTokens = pick(num(u, "output_tokens"), completionTokens);
      cachedTokens = pick(num(u, "cache_read_input_tokens"), cachedTokens);
      cacheCreation = pick(num(u, "cache_creation_input_tokens"), cacheCreation);
      cacheWrite5m = pick(num(u, "cache_creation", "ephemeral_5m_input_tokens"), cacheWrite5m);
      cacheWrite1h = pick(num(u, "cache_creation", "ephemeral_1h_input_tokens"), cacheWrite1h);
      long ws = num(u, "server_tool_use", "web_search_requests");
      if (ws >= 0) {
        webSearches = ws;
      }
      return;
    }
    if (u.has("input_tokens") || u.has("output_tokens")) {
      // Responses API naming (OpenAI semantics: cached inside input, reasoning inside output).
      promptTokens = pick(num(u, "input_tokens"), promptTokens);
      completionTokens = pick(num(u, "output_tokens"), completionTokens);
      cachedTokens = pick(num(u, "input_tokens_details", "cached_tokens"), cachedTokens);
      reasoningTokens = pick(num(u, "output_tokens_details", "reasoning_tokens"), reasoningTokens);
    } else {
      promptTokens = pick(num(u, "prompt_tokens"), promptTokens);
      completionTokens = pick(num(u, "completion_tokens"), completionTokens);
      long cached = num(u, "prompt_tokens_details", "cached_tokens");
      if (cached < 0) {
        cached = num(u, "prompt_cache_hit_tokens"); // DeepSeek
      }
      cachedTokens = pick(cached, cachedTokens);
      audioIn = pick(num(u, "prompt_tokens_details", "audio_tokens"), audioIn);
      reasoningTokens =
          pick(num(u, "completion_tokens_details", "reasoning_tokens"), reasoningTokens);
      audioOut = pick(num(u, "completion_tokens_details", "audio_tokens"), audioOut);
    }
    JsonNode c = u.get("cost");
    if (c != null && c.isNumber()) {
      cost = c.decimalValue();
    }
  }

  private void onGeminiUsage(JsonNode u) {
    sawUsage = true;
    promptTokens = pick(num(u, "promptTokenCount"), promptTokens);
    completionTokens = pick(num(u, "candidatesTokenCount"), completionTokens);
    cachedTokens = pick(num(u, "cachedContentTokenCount"), cachedTokens);
    reasoningTokens = pick(num(u, "thoughtsTokenCount"), reasoningTokens);
    toolUsePrompt = pick(num(u, "toolUsePromptTokenCount"), toolUsePrompt);
  }

  private static long z(long v) {
    return Math.max(0, v);
  }

  /** Non-negative sum that saturates instead of overflowing on absurd provider numbers. */
  private static long sum(long... values) {
    long total = 0;
    for (long v : values) {
      long x = Math.max(0, v);
      total = total > Long.MAX_VALUE - x ? Long.MAX_VALUE : total + x;
    }
    return total;
  }

  /** The normalised usage, or {@code null} when none was reported. */
  @Nullable TokenUsage usage() {
    if (!sawUsage) {
      return null;
    }
    TokenUsage.Builder b = TokenUsage.builder();
    switch (dialect) {
      case ANTHROPIC_MESSAGES:
        {
          long w5 = cacheWrite5m;
          long w1 = z(cacheWrite1h);
          if (w5 < 0) {
            w5 = Math.max(0, z(cacheCreation) - w1);
          }
          long writes = Math.max(z(cacheCreation), sum(w5, w1));
          b.inputTokens(sum(promptTokens, cachedTokens, writes))
              .cachedInputTokens(z(cachedTokens))
              .cacheWrite5mTokens(w5)
              .cacheWrite1hTokens(w1)
              .outputTokens(z(completionTokens));
          break;
        }
      case GEMINI_GENERATE:
        b.inputTokens(sum(promptTokens, toolUsePrompt))
            .cachedInputTokens(z(cachedTokens))
            .outputTokens(sum(completionTokens, reasoningTokens))
            .reasoningTokens(z(reasoningTokens));
        break;
      default:
        b.inputTokens(z(promptTokens))
            .cachedInputTokens(z(cachedTokens))
            .audioInputTokens(z(audioIn))
            .outputTokens(z(completionTokens))
            .reasoningTokens(z(reasoningTokens))
            .audioOutputTokens(z(audioOut));
    }
    return b.build();
  }

  ParsedResponse result() {
    return new ParsedResponse(
        usage(), model, id, cost, errorType, errorMessage, textChars, completed, webSearches);
  }
}
