package dev.attribution.core.internal.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attribution.api.TokenUsage;
import java.math.BigDecimal;
import java.util.LinkedHashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Collects usage, model, id and error from the JSON objects of one response, whatever their order.
 * The dialect's {@link UsageTally} reads the usage objects; this class keeps the rest and validates
 * every token count the tally reads.
 *
 * <p>A count that is not an integer, is negative, is a string, exceeds {@value #MAX_TOKENS}, or a
 * cached/reasoning count larger than the total it belongs to is left out and named in {@link
 * ParsedResponse#usageInvalid()}, so the caller prices the call as unknown instead of as free or as
 * an absurd amount. Not thread-safe; one per response.
 */
public final class UsageAccumulator {

  /**
   * Largest token count believed for one call: {@value}. The largest context windows are a few
   * million tokens; a hundred million at the dearest output rate is still a bounded amount.
   */
  static final long MAX_TOKENS = 100_000_000L;

  /** Distinct validation reasons kept. */
  private static final int MAX_REASONS = 16;

  private final UsageTally tally;
  private boolean sawUsage;
  private @Nullable String model;
  private @Nullable String id;
  private @Nullable BigDecimal cost;
  private @Nullable String errorType;
  private @Nullable String errorMessage;
  private @Nullable String errorCode;

  /** Validation reasons, in the order met; {@code null} until the first (most responses none). */
  private @Nullable Set<String> invalid;

  long textChars;
  boolean completed;

  UsageAccumulator(Endpoint endpoint) {
    this.tally = endpoint.dialect().newTally(endpoint);
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

  void onType(String type) {
    tally.onType(type, this);
  }

  void onUsage(String member, JsonNode usage) {
    sawUsage = true;
    tally.onUsage(member, usage, this);
  }

  void onElements(String member) {
    tally.onElements(member, this);
  }

  void onElement(String member, String value) {
    tally.onElement(member, value, this);
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

  /**
   * An error's message standing alone (AWS's {@code {"message": ...}}): kept as the message, the
   * type left to whatever names it (a header, an {@code error} member). A 2xx response stays a
   * success; the message is recorded only for a call that failed.
   */
  void onErrorMessage(String message) {
    if (errorMessage == null) {
      errorMessage = message;
    }
  }

  /** The response reports an error whose type is not (yet) known: typed {@code error}. */
  public void failed() {
    if (errorType == null) {
      errorType = "error";
    }
  }

  /** The response reached its terminal event or object. */
  public void complete() {
    completed = true;
  }

  /** A cost the provider reported (OpenRouter {@code usage.cost}), validated. */
  public void cost(JsonNode c) {
    if (c.isNull()) {
      return;
    }
    if (c.isNumber() && c.decimalValue().signum() >= 0) {
      cost = c.decimalValue();
    } else {
      invalid((c.isNumber() ? "negative:" : "not_number:") + "cost");
    }
  }

  /** Records why the reported usage cannot be trusted. */
  public void invalid(String reason) {
    Set<String> seen = invalid;
    if (seen == null) {
      seen = new LinkedHashSet<>();
      invalid = seen;
    }
    if (seen.size() < MAX_REASONS) {
      seen.add(reason);
    }
  }

  /**
   * The validated count in {@code n.field}, or -1 when it is absent, null or invalid (then
   * flagged).
   */
  public long count(JsonNode n, String field) {
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

  /**
   * The validated count in {@code n.object.field}, or -1 (see {@link #count(JsonNode, String)}).
   */
  public long count(JsonNode n, String object, String field) {
    JsonNode o = n.get(object);
    return o != null && o.isObject() ? count(o, field) : -1;
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

  /** The normalised usage, or {@code null} when none was reported. */
  @Nullable TokenUsage usage() {
    if (!sawUsage) {
      return null;
    }
    TokenUsage u = tally.usage();
    if (UsageTally.sum(u.cachedInputTokens(), u.cacheWriteTokens(), u.audioInputTokens())
        > u.inputTokens()) {
      invalid("cached_exceeds_input");
    }
    if (UsageTally.sum(u.reasoningTokens(), u.audioOutputTokens()) > u.outputTokens()) {
      invalid("reasoning_exceeds_output");
    }
    return u;
  }

  ParsedResponse result() {
    TokenUsage u = usage();
    Set<String> reasons = invalid;
    return new ParsedResponse(
        u,
        model,
        id,
        cost,
        errorType,
        errorMessage,
        textChars,
        completed,
        tally.webSearches(),
        reasons == null || reasons.isEmpty() ? null : String.join(",", reasons),
        errorCode);
  }
}
