package dev.attribution.core.internal.provider;

import dev.attribution.api.TokenUsage;
import java.math.BigDecimal;
import org.jspecify.annotations.Nullable;

/**
 * What a response (body or stream) said about the call.
 *
 * @param usage normalised token usage, or {@code null} when the provider reported none
 * @param responseModel the model the provider says answered, or {@code null}
 * @param responseId the provider's response id, or {@code null}
 * @param providerCost a cost the provider reported (OpenRouter {@code usage.cost}), or {@code null}
 * @param errorType the provider's error type or code, or {@code null}
 * @param errorMessage the provider's error message, or {@code null}
 * @param streamedTextChars characters of generated text seen in a stream (for estimating output
 *     when usage never arrives)
 * @param completed whether a stream reached its terminal event ({@code [DONE]}, {@code
 *     message_stop}, {@code response.completed}, a final Gemini chunk)
 * @param webSearchRequests server-side web searches the provider reported, 0 when none (Anthropic
 *     {@code usage.server_tool_use.web_search_requests}, OpenAI Responses {@code web_search_call}
 *     output items)
 * @param usageInvalid why the reported usage cannot be trusted, comma-separated (e.g. {@code
 *     negative:output_tokens,string:prompt_tokens}), or {@code null} when it passed validation;
 *     invalid counts are left out of {@code usage}, so such a call must not be priced
 * @param errorCode the provider's error code when it sends one beside a different type (OpenAI
 *     {@code error.code}, Gemini's numeric {@code error.code}), or {@code null}
 */
public record ParsedResponse(
    @Nullable TokenUsage usage,
    @Nullable String responseModel,
    @Nullable String responseId,
    @Nullable BigDecimal providerCost,
    @Nullable String errorType,
    @Nullable String errorMessage,
    long streamedTextChars,
    boolean completed,
    long webSearchRequests,
    @Nullable String usageInvalid,
    @Nullable String errorCode) {

  /** Nothing known. */
  public static ParsedResponse empty() {
    return EMPTY;
  }

  private static final ParsedResponse EMPTY =
      new ParsedResponse(null, null, null, null, null, null, 0, false, 0, null, null);
}
