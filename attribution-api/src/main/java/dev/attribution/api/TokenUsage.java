package dev.attribution.api;

import org.jspecify.annotations.Nullable;

/**
 * Token counts of one call, normalised to one convention whatever the provider reported.
 *
 * <p>The convention is OpenAI's and OpenTelemetry's: {@link #inputTokens()} is <em>all</em> input,
 * so it includes {@link #cachedInputTokens()}, {@link #cacheWriteTokens()} and audio and image
 * input; {@link #outputTokens()} is all output, so it includes {@link #reasoningTokens()} and audio
 * and image output. Provider adapters convert (Anthropic reports cache reads and writes outside its
 * {@code input_tokens}; Gemini reports thoughts outside {@code candidatesTokenCount}).
 *
 * <p>Immutable. Counts are never negative: the builder rejects a negative count with an {@link
 * IllegalArgumentException} naming the field.
 */
public final class TokenUsage {

  private static final TokenUsage ZERO = builder().build();

  private final long inputTokens;
  private final long cachedInputTokens;
  private final long cacheWrite5mTokens;
  private final long cacheWrite1hTokens;
  private final long outputTokens;
  private final long reasoningTokens;
  private final long audioInputTokens;
  private final long audioOutputTokens;
  private final long imageInputTokens;
  private final long imageOutputTokens;

  private TokenUsage(Builder b) {
    this.inputTokens = b.inputTokens;
    this.cachedInputTokens = b.cachedInputTokens;
    this.cacheWrite5mTokens = b.cacheWrite5mTokens;
    this.cacheWrite1hTokens = b.cacheWrite1hTokens;
    this.outputTokens = b.outputTokens;
    this.reasoningTokens = b.reasoningTokens;
    this.audioInputTokens = b.audioInputTokens;
    this.audioOutputTokens = b.audioOutputTokens;
    this.imageInputTokens = b.imageInputTokens;
    this.imageOutputTokens = b.imageOutputTokens;
  }

  /** No tokens at all. */
  public static TokenUsage zero() {
    return ZERO;
  }

  /** A usage with just input and output totals. */
  public static TokenUsage of(long inputTokens, long outputTokens) {
    return builder().inputTokens(inputTokens).outputTokens(outputTokens).build();
  }

  /** A new builder with every count at zero. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these counts. */
  public Builder toBuilder() {
    return new Builder()
        .inputTokens(inputTokens)
        .cachedInputTokens(cachedInputTokens)
        .cacheWrite5mTokens(cacheWrite5mTokens)
        .cacheWrite1hTokens(cacheWrite1hTokens)
        .outputTokens(outputTokens)
        .reasoningTokens(reasoningTokens)
        .audioInputTokens(audioInputTokens)
        .audioOutputTokens(audioOutputTokens)
        .imageInputTokens(imageInputTokens)
        .imageOutputTokens(imageOutputTokens);
  }

  /** All input tokens, cached reads, cache writes, audio and image input included. */
  public long inputTokens() {
    return inputTokens;
  }

  /** Input tokens served from the provider's prompt cache (a subset of input). */
  public long cachedInputTokens() {
    return cachedInputTokens;
  }

  /** Input tokens written to a 5-minute prompt cache (a subset of input). */
  public long cacheWrite5mTokens() {
    return cacheWrite5mTokens;
  }

  /** Input tokens written to a 1-hour prompt cache (a subset of input). */
  public long cacheWrite1hTokens() {
    return cacheWrite1hTokens;
  }

  /** All cache-write input tokens, 5-minute and 1-hour. */
  public long cacheWriteTokens() {
    return cacheWrite5mTokens + cacheWrite1hTokens;
  }

  /**
   * Input tokens billed at the plain input rate: input less cached reads, cache writes, audio and
   * image input, never below zero.
   */
  public long uncachedTextInputTokens() {
    return Math.max(
        0,
        inputTokens - cachedInputTokens - cacheWriteTokens() - audioInputTokens - imageInputTokens);
  }

  /** All output tokens, reasoning, audio and image output included. */
  public long outputTokens() {
    return outputTokens;
  }

  /** Output tokens spent on hidden reasoning (a subset of output). */
  public long reasoningTokens() {
    return reasoningTokens;
  }

  /** Output tokens that are neither reasoning, audio nor image, never below zero. */
  public long textOutputTokens() {
    return Math.max(0, outputTokens - reasoningTokens - audioOutputTokens - imageOutputTokens);
  }

  /** Audio input tokens (a subset of input). */
  public long audioInputTokens() {
    return audioInputTokens;
  }

  /** Audio output tokens (a subset of output). */
  public long audioOutputTokens() {
    return audioOutputTokens;
  }

  /** Image input tokens (a subset of input). */
  public long imageInputTokens() {
    return imageInputTokens;
  }

  /** Image output tokens (a subset of output). */
  public long imageOutputTokens() {
    return imageOutputTokens;
  }

  /** Input plus output. */
  public long totalTokens() {
    return inputTokens + outputTokens;
  }

  /** Whether every count is zero. */
  public boolean isZero() {
    return equals(ZERO);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof TokenUsage)) {
      return false;
    }
    TokenUsage t = (TokenUsage) o;
    return inputTokens == t.inputTokens
        && cachedInputTokens == t.cachedInputTokens
        && cacheWrite5mTokens == t.cacheWrite5mTokens
        && cacheWrite1hTokens == t.cacheWrite1hTokens
        && outputTokens == t.outputTokens
        && reasoningTokens == t.reasoningTokens
        && audioInputTokens == t.audioInputTokens
        && audioOutputTokens == t.audioOutputTokens
        && imageInputTokens == t.imageInputTokens
        && imageOutputTokens == t.imageOutputTokens;
  }

  @Override
  public int hashCode() {
    long h = inputTokens;
    h = 31 * h + cachedInputTokens;
    h = 31 * h + cacheWrite5mTokens;
    h = 31 * h + cacheWrite1hTokens;
    h = 31 * h + outputTokens;
    h = 31 * h + reasoningTokens;
    h = 31 * h + audioInputTokens;
    h = 31 * h + audioOutputTokens;
    h = 31 * h + imageInputTokens;
    h = 31 * h + imageOutputTokens;
    return Long.hashCode(h);
  }

  @Override
  public String toString() {
    return "TokenUsage{in="
        + inputTokens
        + " cached="
        + cachedInputTokens
        + " write5m="
        + cacheWrite5mTokens
        + " write1h="
        + cacheWrite1hTokens
        + " out="
        + outputTokens
        + " reasoning="
        + reasoningTokens
        + " audioIn="
        + audioInputTokens
        + " audioOut="
        + audioOutputTokens
        + " imageIn="
        + imageInputTokens
        + " imageOut="
        + imageOutputTokens
        + '}';
  }

  /** Builds a {@link TokenUsage}; every setter rejects a negative count. */
  public static final class Builder {
    private long inputTokens;
    private long cachedInputTokens;
    private long cacheWrite5mTokens;
    private long cacheWrite1hTokens;
    private long outputTokens;
    private long reasoningTokens;
    private long audioInputTokens;
    private long audioOutputTokens;
    private long imageInputTokens;
    private long imageOutputTokens;

    private Builder() {}

    private static long check(String field, long v) {
      if (v < 0) {
        throw new IllegalArgumentException(field + " must not be negative, was " + v);
      }
      return v;
    }

    /** All input tokens (see the class comment for what is included). */
    public Builder inputTokens(long v) {
      inputTokens = check("inputTokens", v);
      return this;
    }

    /** Cached (prompt-cache read) input tokens. */
    public Builder cachedInputTokens(long v) {
      cachedInputTokens = check("cachedInputTokens", v);
      return this;
    }

    /** Input tokens written to a 5-minute cache. */
    public Builder cacheWrite5mTokens(long v) {
      cacheWrite5mTokens = check("cacheWrite5mTokens", v);
      return this;
    }

    /** Input tokens written to a 1-hour cache. */
    public Builder cacheWrite1hTokens(long v) {
      cacheWrite1hTokens = check("cacheWrite1hTokens", v);
      return this;
    }

    /** All output tokens. */
    public Builder outputTokens(long v) {
      outputTokens = check("outputTokens", v);
      return this;
    }

    /** Reasoning output tokens. */
    public Builder reasoningTokens(long v) {
      reasoningTokens = check("reasoningTokens", v);
      return this;
    }

    /** Audio input tokens. */
    public Builder audioInputTokens(long v) {
      audioInputTokens = check("audioInputTokens", v);
      return this;
    }

    /** Audio output tokens. */
    public Builder audioOutputTokens(long v) {
      audioOutputTokens = check("audioOutputTokens", v);
      return this;
    }

    /** Image input tokens. */
    public Builder imageInputTokens(long v) {
      imageInputTokens = check("imageInputTokens", v);
      return this;
    }

    /** Image output tokens. */
    public Builder imageOutputTokens(long v) {
      imageOutputTokens = check("imageOutputTokens", v);
      return this;
    }

    /** The immutable usage. */
    public TokenUsage build() {
      return new TokenUsage(this);
    }
  }
}
