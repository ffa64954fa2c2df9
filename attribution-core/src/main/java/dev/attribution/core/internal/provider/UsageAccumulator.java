package dev.attribution.core.internal.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attribution.api.TokenUsage;
import java.math.BigDecimal;
import java.util.LinkedHashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Collects usage, model, id and error from the JSON objects of one response, whatever their order.
 * Token fields are "last value wins": providers that repeat cumulative usage in a stream (Anthropic
 * {@code message_delta}, Gemini chunks) are never summed.
 *
 * <p>Every token count is validated before it is used: a count that is not an integer, is negative,
 * is a string, exceeds {@value #MAX_TOKENS}, or a cached/reasoning count larger than the total it
 * belongs to is left out and named in {@link ParsedResponse#usageInvalid()}, so the caller prices
 * the call as unknown instead of as free or as an absurd amount. Not thread-safe; one per response.
 */
public final class UsageAccumulator {

  /**
   * Largest token count believed for one call: {@value}. The largest context windows are a few
   * million tokens; a hundred million at the dearest output rate is still a bounded amount.
   */
  static final long MAX_TOKENS = 100_000_000L;

  /** Distinct validation reasons kept. */
  private static final int MAX_REASONS = 16;

  private final Dialect dialect;
  private boolean sawUsage;
  // Raw provider fields, -1 when not seen.
  private long promptTokens = -1;
  private long completionTokens = -1;
  private long totalTokens = -1;
  private long cachedTokens = -1;
  private long cacheWrite5m = -1;
  private long cacheWrite1h = -1;
  private long cacheCreation = -1;
  private long cacheWriteTokens = -1;
  private long reasoningTokens = -1;
  private long audioIn = -1;
  private long audioOut = -1;
  private long toolUsePrompt = -1;
  private long webSearches;
  private long outputWebSearches;
  private @Nullable String model;
  private @Nullable String id;
  private @Nullable BigDecimal cost;
  private @Nullable String errorType;
  private @Nullable String errorMessage;
  private @Nullable String errorCode;
  private final Set<String> invalid = new LinkedHashSet<>();
  long textChars;
  boolean completed;

  UsageAccumulator(Dialect dialect) {
    this.dialect = dialect;
  }

  /**
   * A model name; a blank one (Azure's content-filter chunk) never replaces or blocks a real one.
   */
  void onModel(String value) {
    if (model == null && !value.isBlank()) {
      model = value;
    }
  }

  /** A response id; blank ones are ignored like blank models. */
  void onId(String value) {
    if (id == null && !value.isBlank()) {
      id = value;
    }
  }

  /** Whether no response model has been seen yet. */
  boolean modelMissing() {
    return model == null;
  }

  /** An event or object {@code type}. */
  void onType(String type) {
    switch (type) {
      case "response.completed":
      case "message_stop":
        completed = true;
        break;
      case "error":
        // Anthropic's error event; its "error" member names the type.
        if (errorType == null) {
          errorType = "error";
        }
        break;
      default:
        break;
    }
  }

  /** An {@code error} member: its type (or status, or code) and message, either may be null. */
  void onError(@Nullable String type, @Nullable String message) {
    onError(type, null, message);
  }

  /**
   * An {@code error} member: its type (or status, or code), its code when the provider sends one
   * beside the type (OpenAI {@code context_length_exceeded}, Gemini's HTTP code), and message.
   */
  void onError(@Nullable String type, @Nullable String code, @Nullable String message) {
    errorType = type != null ? type : errorType != null ? errorType : "error";
    if (code != null && !code.equals(errorType)) {
      errorCode = code;
    }
    if (message != null) {
      errorMessage = message;
    }
  }

  /** The start of a Responses API {@code output} array: its tool calls are counted afresh. */
  void onOutputStart() {
    if (dialect == Dialect.OPENAI_RESPONSES) {
      outputWebSearches = 0;
    }
  }

  /** The value of {@code key} in one element of {@code candidates}, {@code choices} or output. */
  void onElement(String key, String value) {
    switch (key) {
      case "finishReason":
        // A Gemini stream ends with a chunk whose candidate carries a finishReason.
        if (dialect == Dialect.GEMINI_GENERATE) {
          completed = true;
        }
        break;
      case "finish_reason":
        // OpenRouter ends a stream that failed midway with finish_reason "error".
        if (value.equals("error") && errorType == null) {
          errorType = "error";
        }
        break;
      case "type":
        if (dialect == Dialect.OPENAI_RESPONSES && value.equals("web_search_call")) {
          outputWebSearches++;
        }
        break;
      default:
        break;
    }
  }

  /** Records why the reported usage cannot be trusted. */
  void invalid(String reason) {
    if (invalid.size() < MAX_REASONS) {
      invalid.add(reason);
    }
  }

  /**
   * The validated count in {@code n.field}, or -1 when it is absent, null or invalid (then
   * flagged).
   */
  private long num(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return -1;
    }
    if (!v.isNumber()) {
      invalid((v.isTextual() ? "string:" : "not_number:") + field);
      return -1;
    }
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      return checked(field, v.longValue());
    }
    BigDecimal d = v.decimalValue();
    if (d.signum() < 0) {
      invalid("negative:" + field);
      return -1;
    }
    if (d.stripTrailingZeros().scale() > 0) {
      invalid("non_integer:" + field);
      return -1;
    }
    if (d.compareTo(BigDecimal.valueOf(MAX_TOKENS)) > 0) {
      invalid("too_large:" + field);
      return -1;
    }
    return d.longValue();
  }

  private long checked(String field, long x) {
    if (x < 0) {
      invalid("negative:" + field);
      return -1;
    }
    if (x > MAX_TOKENS) {
      invalid("too_large:" + field);
      return -1;
    }
    return x;
  }

  private long num(JsonNode n, String object, String field) {
    JsonNode o = n.get(object);
    return o != null && o.isObject() ? num(o, field) : -1;
  }

  private static long pick(long seen, long previous) {
    return seen >= 0 ? seen : previous;
  }

  /** An OpenAI-, Anthropic- or Responses-style {@code usage} object. */
  void onUsage(JsonNode u) {
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
      totalTokens = pick(num(u, "total_tokens"), totalTokens);
      long cached = num(u, "prompt_tokens_details", "cached_tokens");
      if (cached < 0) {
        cached = num(u, "prompt_cache_hit_tokens"); // DeepSeek
      }
      cachedTokens = pick(cached, cachedTokens);
      // OpenRouter: cache writes, inside prompt_tokens like cached reads.
      cacheWriteTokens =
          pick(num(u, "prompt_tokens_details", "cache_write_tokens"), cacheWriteTokens);
      audioIn = pick(num(u, "prompt_tokens_details", "audio_tokens"), audioIn);
      reasoningTokens =
          pick(num(u, "completion_tokens_details", "reasoning_tokens"), reasoningTokens);
      audioOut = pick(num(u, "completion_tokens_details", "audio_tokens"), audioOut);
    }
    JsonNode c = u.get("cost");
    if (c != null && !c.isNull()) {
      if (c.isNumber() && c.decimalValue().signum() >= 0) {
        cost = c.decimalValue();
      } else {
        invalid((c.isNumber() ? "negative:" : "not_number:") + "cost");
      }
    }
  }

  /** A Gemini {@code usageMetadata} object. */
  void onGeminiUsage(JsonNode u) {
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
        {
          long out = z(completionTokens);
          long reasoning = z(reasoningTokens);
          long excess = totalTokens - sum(promptTokens, completionTokens);
          if (totalTokens >= 0 && excess > 0 && promptTokens >= 0) {
            // Gemini's OpenAI-compatible endpoint leaves thinking tokens out of completion_tokens
            // but counts them in total_tokens: they are billed as output.
            out = sum(out, excess);
            reasoning = Math.min(out, Math.max(reasoning, excess));
          }
          b.inputTokens(z(promptTokens))
              .cachedInputTokens(z(cachedTokens))
              .cacheWrite5mTokens(z(cacheWriteTokens))
              .audioInputTokens(z(audioIn))
              .outputTokens(out)
              .reasoningTokens(reasoning)
              .audioOutputTokens(z(audioOut));
        }
    }
    TokenUsage u = b.build();
    if (sum(u.cachedInputTokens(), u.cacheWriteTokens(), u.audioInputTokens()) > u.inputTokens()) {
      invalid("cached_exceeds_input");
    }
    if (sum(u.reasoningTokens(), u.audioOutputTokens()) > u.outputTokens()) {
      invalid("reasoning_exceeds_output");
    }
    return u;
  }

  ParsedResponse result() {
    TokenUsage u = usage();
    long searches = Math.max(webSearches, outputWebSearches);
    return new ParsedResponse(
        u,
        model,
        id,
        cost,
        errorType,
        errorMessage,
        textChars,
        completed,
        searches,
        invalid.isEmpty() ? null : String.join(",", invalid),
        errorCode);
  }
}
