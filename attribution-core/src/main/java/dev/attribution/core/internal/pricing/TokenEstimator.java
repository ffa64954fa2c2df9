package dev.attribution.core.internal.pricing;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import dev.attribution.core.internal.provider.Providers;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Counts input tokens before a call. OpenAI-family models (OpenAI, Azure OpenAI, and {@code
 * openai/...} names anywhere) use their real tokenizer through jtokkit: {@code o200k_base} for
 * gpt-4o, gpt-4.1, gpt-5, o-series and gpt-oss, {@code cl100k_base} for gpt-4, gpt-3.5 and the
 * text-embedding models. Every other model uses a character heuristic: one token per {@value
 * #CHARS_PER_TOKEN} characters, rounded up. Real tokenizers average about four characters of
 * English per token, so the heuristic over-counts by roughly a third, which is the right side to
 * err on for a worst-case reservation.
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

  /** The estimated number of tokens of {@code text} for {@code model} at {@code provider}. */
  static long count(String canonicalProvider, String model, String text) {
    if (text.isEmpty()) {
      return 0;
    }
    EncodingType type = encodingFor(canonicalProvider, ModelNames.normalise(model));
    if (type == null) {
      return (text.length() + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
    }
    Encoding enc = REGISTRY.getEncoding(type);
    return enc.countTokensOrdinary(text);
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
