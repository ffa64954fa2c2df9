package dev.attribution.core.internal.pricing;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import dev.attribution.core.internal.provider.Providers;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Counts input tokens before a call, in two steps: a cheap {@linkplain #upperBound upper bound}
 * that needs no tokenizer, and an {@linkplain #count estimate} that budgets ask for only when the
 * bound would change their decision.
 *
 * <p><b>The bound</b> is the UTF-8 byte count of the text. It holds for every byte-level BPE
 * tokenizer (all of jtokkit's encodings: {@code r50k_base}, {@code p50k_base}, {@code cl100k_base},
 * {@code o200k_base}; also Anthropic's and Llama 3's) and for SentencePiece tokenizers with byte
 * fallback (Gemini, Llama 2, Mistral): every token covers at least one byte of input, so there are
 * never more tokens than bytes. The property test {@code TokenBoundPropertiesTest} checks it over
 * jtokkit's encodings on text of every script, emoji and whitespace runs. Counted over the whole
 * request body it also covers the per-message overhead of chat formats (3 to 4 tokens per message),
 * because each message's JSON envelope has more bytes than that. It does not cover tokens the
 * provider adds for content that is not text in the body (an image given by URL).
 *
 * <p><b>The estimate.</b> OpenAI-family models (OpenAI, Azure OpenAI, and {@code openai/...} names
 * anywhere) use their real tokenizer through jtokkit: {@code o200k_base} for gpt-4o, gpt-4.1,
 * gpt-5, o-series and gpt-oss, {@code cl100k_base} for gpt-4, gpt-3.5 and the text-embedding
 * models. Every other model (Anthropic, Gemini, Bedrock, Mistral, ...) uses a heuristic: one token
 * per {@value #CHARS_PER_TOKEN} ASCII characters plus one token per two UTF-8 bytes of other text,
 * rounded up. Real tokenizers average about four characters of English per token, so the heuristic
 * over-counts English by roughly a third; for CJK it counts 1.5 tokens per character and for an
 * emoji 2, where a plain characters-per-token rule would under-count. It is an estimate, not a
 * bound (a rare emoji can take 3 or 4 tokens); it never exceeds the bound.
 */
public final class TokenEstimator {

  /** Characters per token assumed for models without a bundled tokenizer. */
  static final int CHARS_PER_TOKEN = 3;

  private static final Pattern O_SERIES = Pattern.compile("o\\d.*");

  private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();

  private TokenEstimator() {}

  /**
   * Loads the tokenizers now (tens of megabytes of vocabulary, a few hundred milliseconds), so the
   * first call that needs one does not pay for it on the application's request thread. The engine
   * calls it while it is built.
   */
  public static void warmUp() {
    REGISTRY.getEncoding(EncodingType.O200K_BASE).countTokensOrdinary("warm up");
    REGISTRY.getEncoding(EncodingType.CL100K_BASE).countTokensOrdinary("warm up");
  }

  /**
   * An upper bound of the tokens of the UTF-8 text of {@code utf8Length} bytes under any byte-level
   * BPE or byte-fallback SentencePiece tokenizer: the byte count itself (see the class comment).
   * Costs nothing: no decoding, no tokenizer. {@link #count} never exceeds it for valid UTF-8.
   */
  public static long upperBound(long utf8Length) {
    return Math.max(0, utf8Length);
  }

  /** The estimated number of tokens of {@code text} for {@code model} at {@code provider}. */
  static long count(String canonicalProvider, String model, String text) {
    if (text.isEmpty()) {
      return 0;
    }
    EncodingType type = encodingFor(canonicalProvider, ModelNames.normalise(model));
    if (type == null) {
      return heuristic(text);
    }
    Encoding enc = REGISTRY.getEncoding(type);
    return enc.countTokensOrdinary(text);
  }

  /**
   * The estimate for a model without a bundled tokenizer: one token per {@value #CHARS_PER_TOKEN}
   * ASCII characters plus one per two UTF-8 bytes of other text, rounded up; at most the UTF-8 byte
   * count.
   */
  public static long heuristic(String text) {
    long ascii = 0;
    long otherBytes = 0;
    for (int i = 0, n = text.length(); i < n; i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        ascii++;
      } else if (c < 0x800) {
        otherBytes += 2;
      } else if (Character.isSurrogate(c)) {
        otherBytes += 2; // a pair is four bytes
      } else {
        otherBytes += 3;
      }
    }
    return (ascii + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN + (otherBytes + 1) / 2;
  }

  /** The tokenizer of an OpenAI-family model, or {@code null} for the heuristic. */
  static @Nullable EncodingType encodingFor(String provider, String model) {
    String m = model;
    int slash = m.lastIndexOf('/');
    boolean openAiPrefix = m.startsWith("openai/");
    if (slash >= 0) {
      m = m.substring(slash + 1);
    }
    boolean openAiProvider =
        Providers.OPENAI.equals(provider)
            || Providers.AZURE_OPENAI.equals(provider)
            || openAiPrefix;
    boolean gptName =
        m.startsWith("gpt-")
            || m.startsWith("chatgpt-")
            || m.startsWith("text-embedding-")
            || O_SERIES.matcher(m).matches()
            || m.startsWith("ft:gpt-");
    if (!openAiProvider && !gptName) {
      return null;
    }
    if (m.startsWith("ft:")) {
      m = m.substring(3);
    }
    if (m.startsWith("gpt-4o")
        || m.startsWith("chatgpt-4o")
        || m.startsWith("gpt-4.1")
        || m.startsWith("gpt-4.5")
        || m.startsWith("gpt-5")
        || m.startsWith("gpt-oss")
        || O_SERIES.matcher(m).matches()) {
      return EncodingType.O200K_BASE;
    }
    if (m.startsWith("gpt-4") || m.startsWith("gpt-3.5") || m.startsWith("text-embedding-")) {
      return EncodingType.CL100K_BASE;
    }
    // Newer OpenAI models use o200k; it is the better guess for an unknown OpenAI name.
    return openAiProvider ? EncodingType.O200K_BASE : null;
  }
}
