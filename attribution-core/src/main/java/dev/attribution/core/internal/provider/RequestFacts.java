package dev.attribution.core.internal.provider;

import org.jspecify.annotations.Nullable;

/**
 * What a request body says about cost, read without changing it.
 *
 * @param model the model named in the body (or the path, for Gemini and Azure), or {@code null}
 * @param streaming whether the response will be a server-sent-event stream
 * @param includeUsageRequested whether an OpenAI-style stream already asks for a final usage chunk
 *     ({@code stream_options.include_usage: true})
 * @param maxOutputTokens the request's output cap ({@code max_tokens}, {@code
 *     max_completion_tokens}, {@code max_output_tokens}, Gemini {@code maxOutputTokens}), or {@code
 *     -1} when absent
 * @param modelStart byte offset where the JSON string value of the top-level {@code model} starts
 *     (its opening quote), or {@code -1}
 * @param modelEnd byte offset just past the closing quote of that value, or {@code -1}
 * @param objectEnd byte offset of the top-level object's closing brace, or {@code -1}
 * @param hasStreamOptions whether the body has a top-level {@code stream_options} member
 * @param outputCount how many generations the provider bills output for: the largest of {@code n},
 *     {@code best_of} (OpenAI) and Gemini {@code generationConfig.candidateCount}, at least 1; each
 *     may use up to {@code maxOutputTokens}
 */
public record RequestFacts(
    @Nullable String model,
    boolean streaming,
    boolean includeUsageRequested,
    long maxOutputTokens,
    int modelStart,
    int modelEnd,
    int objectEnd,
    boolean hasStreamOptions,
    long outputCount) {

  /** Facts for a body that could not be read: nothing known. */
  public static RequestFacts unknown(@Nullable String model, boolean streaming) {
    return new RequestFacts(model, streaming, false, -1, -1, -1, -1, false, 1);
  }
}
