package dev.attribution.core.pricing;

import java.math.BigDecimal;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Prices per token, in the currency of the {@link ModelPrice} that holds them, for each token
 * category of a normalised {@link dev.attribution.api.TokenUsage}.
 *
 * <p>Only {@link #input()} and {@link #output()} are required. A category left unset falls back
 * when the rates are used: cached reads, cache writes, audio and image input to the input rate
 * (1-hour cache writes first to the 5-minute rate); reasoning, audio and image output to the output
 * rate. Immutable; rates are never negative.
 */
public final class TokenRates {

  private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

  private final BigDecimal input;
  private final BigDecimal output;
  private final @Nullable BigDecimal cachedInput;
  private final @Nullable BigDecimal cacheWrite5m;
  private final @Nullable BigDecimal cacheWrite1h;
  private final @Nullable BigDecimal reasoning;
  private final @Nullable BigDecimal audioInput;
  private final @Nullable BigDecimal audioOutput;
  private final @Nullable BigDecimal imageInput;
  private final @Nullable BigDecimal imageOutput;

  private TokenRates(Builder b) {
    this.input = Objects.requireNonNull(b.input, "input rate is required");
    this.output = Objects.requireNonNull(b.output, "output rate is required");
    this.cachedInput = b.cachedInput;
    this.cacheWrite5m = b.cacheWrite5m;
    this.cacheWrite1h = b.cacheWrite1h;
    this.reasoning = b.reasoning;
    this.audioInput = b.audioInput;
    this.audioOutput = b.audioOutput;
    this.imageInput = b.imageInput;
    this.imageOutput = b.imageOutput;
  }

  /** A new builder; input and output rates must be set. */
  public static Builder builder() {
    return new Builder();
  }

  /** Rates with only input and output set, per token. */
  public static TokenRates of(BigDecimal inputPerToken, BigDecimal outputPerToken) {
    return builder().input(inputPerToken).output(outputPerToken).build();
  }

  /** Rates with only input and output set, given per million tokens (e.g. {@code "2.50"}). */
  public static TokenRates perMillion(String inputPerMillion, String outputPerMillion) {
    return builder()
        .input(perMillion(new BigDecimal(inputPerMillion)))
        .output(perMillion(new BigDecimal(outputPerMillion)))
        .build();
  }

  /** Rates that price everything at zero (self-hosted models, free tiers). */
  public static TokenRates zero() {
    return of(BigDecimal.ZERO, BigDecimal.ZERO);
  }

  /** Converts a price per million tokens into a price per token, exactly. */
  public static BigDecimal perMillion(BigDecimal pricePerMillion) {
    return pricePerMillion.divide(MILLION);
  }

  /** A builder starting from these rates. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.input = input;
    b.output = output;
    b.cachedInput = cachedInput;
    b.cacheWrite5m = cacheWrite5m;
    b.cacheWrite1h = cacheWrite1h;
    b.reasoning = reasoning;
    b.audioInput = audioInput;
    b.audioOutput = audioOutput;
    b.imageInput = imageInput;
    b.imageOutput = imageOutput;
    return b;
  }

  /** Plain text input, per token. */
  public BigDecimal input() {
    return input;
  }

  /** Plain text output, per token. */
  public BigDecimal output() {
    return output;
  }

  /** Cached input reads per token, or {@code null} when billed as input. */
  public @Nullable BigDecimal cachedInput() {
    return cachedInput;
  }

  /** 5-minute cache writes per token, or {@code null} when billed as input. */
  public @Nullable BigDecimal cacheWrite5m() {
    return cacheWrite5m;
  }

  /** 1-hour cache writes per token, or {@code null} when billed as a 5-minute write. */
  public @Nullable BigDecimal cacheWrite1h() {
    return cacheWrite1h;
  }

  /** Reasoning output per token, or {@code null} when billed as output. */
  public @Nullable BigDecimal reasoning() {
    return reasoning;
  }

  /** Audio input per token, or {@code null} when billed as input. */
  public @Nullable BigDecimal audioInput() {
    return audioInput;
  }

  /** Audio output per token, or {@code null} when billed as output. */
  public @Nullable BigDecimal audioOutput() {
    return audioOutput;
  }

  /** Image input per token, or {@code null} when billed as input. */
  public @Nullable BigDecimal imageInput() {
    return imageInput;
  }

  /** Image output per token, or {@code null} when billed as output. */
  public @Nullable BigDecimal imageOutput() {
    return imageOutput;
  }

  /**
   * These rates with every unset category taken from {@code base} (used for long-context and
   * service tiers that list only the rates that differ).
   */
  public TokenRates over(TokenRates base) {
    Builder b = toBuilder();
    b.cachedInput = cachedInput != null ? cachedInput : base.cachedInput;
    b.cacheWrite5m = cacheWrite5m != null ? cacheWrite5m : base.cacheWrite5m;
    b.cacheWrite1h = cacheWrite1h != null ? cacheWrite1h : base.cacheWrite1h;
    b.reasoning = reasoning != null ? reasoning : base.reasoning;
    b.audioInput = audioInput != null ? audioInput : base.audioInput;
    b.audioOutput = audioOutput != null ? audioOutput : base.audioOutput;
    b.imageInput = imageInput != null ? imageInput : base.imageInput;
    b.imageOutput = imageOutput != null ? imageOutput : base.imageOutput;
    return b.build();
  }

  /** These rates multiplied by {@code factor} (discounts, regional uplifts). */
  public TokenRates times(BigDecimal factor) {
    Builder b = new Builder();
    b.input = input.multiply(factor);
    b.output = output.multiply(factor);
    b.cachedInput = mul(cachedInput, factor);
    b.cacheWrite5m = mul(cacheWrite5m, factor);
    b.cacheWrite1h = mul(cacheWrite1h, factor);
    b.reasoning = mul(reasoning, factor);
    b.audioInput = mul(audioInput, factor);
    b.audioOutput = mul(audioOutput, factor);
    b.imageInput = mul(imageInput, factor);
    b.imageOutput = mul(imageOutput, factor);
    return b.build();
  }

  private static @Nullable BigDecimal mul(@Nullable BigDecimal v, BigDecimal factor) {
    return v == null ? null : v.multiply(factor);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof TokenRates)) {
      return false;
    }
    TokenRates r = (TokenRates) o;
    return same(input, r.input)
        && same(output, r.output)
        && same(cachedInput, r.cachedInput)
        && same(cacheWrite5m, r.cacheWrite5m)
        && same(cacheWrite1h, r.cacheWrite1h)
        && same(reasoning, r.reasoning)
        && same(audioInput, r.audioInput)
        && same(audioOutput, r.audioOutput)
        && same(imageInput, r.imageInput)
        && same(imageOutput, r.imageOutput);
  }

  private static boolean same(@Nullable BigDecimal a, @Nullable BigDecimal b) {
    return a == null ? b == null : b != null && a.compareTo(b) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(input.stripTrailingZeros(), output.stripTrailingZeros());
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("TokenRates{in=").append(input.toPlainString());
    s.append(" out=").append(output.toPlainString());
    append(s, "cached", cachedInput);
    append(s, "write5m", cacheWrite5m);
    append(s, "write1h", cacheWrite1h);
    append(s, "reasoning", reasoning);
    append(s, "audioIn", audioInput);
    append(s, "audioOut", audioOutput);
    append(s, "imageIn", imageInput);
    append(s, "imageOut", imageOutput);
    return s.append('}').toString();
  }

  private static void append(StringBuilder s, String name, @Nullable BigDecimal v) {
    if (v != null) {
      s.append(' ').append(name).append('=').append(v.toPlainString());
    }
  }

  /** Builds {@link TokenRates}; every setter rejects a negative rate, naming the field. */
  public static final class Builder {
    private @Nullable BigDecimal input;
    private @Nullable BigDecimal output;
    private @Nullable BigDecimal cachedInput;
    private @Nullable BigDecimal cacheWrite5m;
    private @Nullable BigDecimal cacheWrite1h;
    private @Nullable BigDecimal reasoning;
    private @Nullable BigDecimal audioInput;
    private @Nullable BigDecimal audioOutput;
    private @Nullable BigDecimal imageInput;
    private @Nullable BigDecimal imageOutput;

    private Builder() {}

    private static BigDecimal check(String field, @Nullable BigDecimal v) {
      if (v == null) {
        throw new IllegalArgumentException(field + " rate must not be null");
      }
      if (v.signum() < 0) {
        throw new IllegalArgumentException(field + " rate must not be negative, was " + v);
      }
      return v;
    }

    /** Plain text input, per token (required). */
    public Builder input(BigDecimal perToken) {
      input = check("input", perToken);
      return this;
    }

    /** Plain text output, per token (required). */
    public Builder output(BigDecimal perToken) {
      output = check("output", perToken);
      return this;
    }

    /** Cached input reads, per token. */
    public Builder cachedInput(BigDecimal perToken) {
      cachedInput = check("cachedInput", perToken);
      return this;
    }

    /** 5-minute cache writes, per token. */
    public Builder cacheWrite5m(BigDecimal perToken) {
      cacheWrite5m = check("cacheWrite5m", perToken);
      return this;
    }

    /** 1-hour cache writes, per token. */
    public Builder cacheWrite1h(BigDecimal perToken) {
      cacheWrite1h = check("cacheWrite1h", perToken);
      return this;
    }

    /** Reasoning output, per token. */
    public Builder reasoning(BigDecimal perToken) {
      reasoning = check("reasoning", perToken);
      return this;
    }

    /** Audio input, per token. */
    public Builder audioInput(BigDecimal perToken) {
      audioInput = check("audioInput", perToken);
      return this;
    }

    /** Audio output, per token. */
    public Builder audioOutput(BigDecimal perToken) {
      audioOutput = check("audioOutput", perToken);
      return this;
    }

    /** Image input, per token. */
    public Builder imageInput(BigDecimal perToken) {
      imageInput = check("imageInput", perToken);
      return this;
    }

    /** Image output, per token. */
    public Builder imageOutput(BigDecimal perToken) {
      imageOutput = check("imageOutput", perToken);
      return this;
    }

    /** Whether both required rates are set. */
    boolean complete() {
      return input != null && output != null;
    }

    /**
     * The immutable rates.
     *
     * @throws IllegalArgumentException when input or output is unset
     */
    public TokenRates build() {
      if (input == null) {
        throw new IllegalArgumentException("input rate is required");
      }
      if (output == null) {
        throw new IllegalArgumentException("output rate is required");
      }
      return new TokenRates(this);
    }
  }
}
