package dev.attribution.core.pricing;

import dev.attribution.core.internal.pricing.ModelNames;
import dev.attribution.core.internal.provider.Providers;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The price of one model at one provider from one date: base {@link TokenRates}, optional
 * long-context tiers (above N input tokens the <em>whole</em> request is priced at the tier's
 * rates), optional service tiers ({@code batch}, {@code flex}, {@code priority}, each with its own
 * long-context tiers), a per-call fee, a currency and the date from which the price applies.
 *
 * <p>Provider ids follow OpenTelemetry's {@code gen_ai.provider.name} where one exists ({@code
 * openai}, {@code anthropic}, {@code gcp.gemini}, {@code gcp.vertex_ai}, {@code azure.ai.openai},
 * {@code aws.bedrock}) and otherwise the short name ({@code openrouter}, {@code deepseek}, {@code
 * mistral}, {@code groq}, {@code xai}); model names are stored lower case. Immutable.
 */
public final class ModelPrice {

  /** The service tier name used for standard (default) processing. */
  public static final String STANDARD_TIER = "standard";

  private final String provider;
  private final String model;
  private final Instant effectiveFrom;
  private final String currency;
  private final TokenRates rates;
  private final BigDecimal perCallFee;
  private final @Nullable BigDecimal webSearchFee;
  private final long maxOutputTokens;
  private final String mode;
  // Per service tier (STANDARD_TIER included), thresholds descending; index-aligned rates.
  private final Map<String, long[]> thresholds;
  private final Map<String, TokenRates[]> tierRates;
  private final Map<String, TokenRates> serviceTiers;
  private final Map<String, Map<Long, TokenRates>> contextTiers;

  private ModelPrice(Builder b) {
    this.provider = b.provider;
    this.model = b.model;
    this.effectiveFrom = b.effectiveFrom;
    this.currency = b.currency;
    this.rates = Objects.requireNonNull(b.rates, "rates");
    this.perCallFee = b.perCallFee;
    this.webSearchFee = b.webSearchFee;
    this.maxOutputTokens = b.maxOutputTokens;
    this.mode = b.mode;
    this.serviceTiers = Collections.unmodifiableMap(new LinkedHashMap<>(b.serviceTiers));
    Map<String, Map<Long, TokenRates>> ctx = new LinkedHashMap<>();
    b.contextTiers.forEach((k, v) -> ctx.put(k, Collections.unmodifiableMap(new TreeMap<>(v))));
    this.contextTiers = Collections.unmodifiableMap(ctx);
    Map<String, long[]> th = new LinkedHashMap<>();
    Map<String, TokenRates[]> tr = new LinkedHashMap<>();
    List<String> tiers = new ArrayList<>();
    tiers.add(STANDARD_TIER);
    tiers.addAll(serviceTiers.keySet());
    for (String tier : tiers) {
      TokenRates base = STANDARD_TIER.equals(tier) ? rates : serviceTiers.get(tier);
      TreeMap<Long, TokenRates> above = new TreeMap<>(Collections.reverseOrder());
      above.putAll(contextTiers.getOrDefault(tier, Map.of()));
      above.put(0L, base);
      long[] t = new long[above.size()];
      TokenRates[] r = new TokenRates[above.size()];
      int i = 0;
      for (Map.Entry<Long, TokenRates> e : above.entrySet()) {
        t[i] = e.getKey();
        r[i++] = e.getValue();
      }
      th.put(tier, t);
      tr.put(tier, r);
    }
    this.thresholds = th;
    this.tierRates = tr;
  }

  /**
   * A new builder for {@code model} at {@code provider}; both are trimmed and lower-cased.
   *
   * @throws IllegalArgumentException when either is blank
   */
  public static Builder builder(String provider, String model) {
    return new Builder(provider, model);
  }

  /** The provider id, e.g. {@code openai}. */
  public String provider() {
    return provider;
  }

  /** The model name, lower case, e.g. {@code gpt-4o}. */
  public String model() {
    return model;
  }

  /** The first instant at which this price applies ({@link Instant#EPOCH} when undated). */
  public Instant effectiveFrom() {
    return effectiveFrom;
  }

  /** The ISO 4217 currency of every rate, e.g. {@code USD}. */
  public String currency() {
    return currency;
  }

  /** The standard-tier rates below every long-context threshold. */
  public TokenRates rates() {
    return rates;
  }

  /** A fee charged once per call, on top of the tokens (zero when none). */
  public BigDecimal perCallFee() {
    return perCallFee;
  }

  /**
   * The price of one server-side web search (OpenAI {@code web_search_call}, Anthropic {@code
   * web_search_requests}), or {@code null} when unknown.
   */
  public @Nullable BigDecimal webSearchFee() {
    return webSearchFee;
  }

  /** The model's maximum output tokens when known, else 0. */
  public long maxOutputTokens() {
    return maxOutputTokens;
  }

  /** What the model does, e.g. {@code chat}, {@code embedding}; empty when unknown. */
  public String mode() {
    return mode;
  }

  /** Rates per non-standard service tier (e.g. {@code batch}, {@code flex}, {@code priority}). */
  public Map<String, TokenRates> serviceTiers() {
    return serviceTiers;
  }

  /**
   * Long-context tiers per service tier ({@link #STANDARD_TIER} for the default): the key is the
   * number of input tokens the request must exceed.
   */
  public Map<String, Map<Long, TokenRates>> contextTiers() {
    return contextTiers;
  }

  /**
   * The rates that price a request of {@code inputTokens} in {@code serviceTier} (standard when
   * {@code null} or unknown to this model). Allocation-free.
   */
  public TokenRates ratesFor(long inputTokens, @Nullable String serviceTier) {
    long[] t = null;
    TokenRates[] r = null;
    if (serviceTier != null) {
      t = thresholds.get(serviceTier);
      r = tierRates.get(serviceTier);
    }
    if (t == null || r == null) {
      t = thresholds.get(STANDARD_TIER);
      r = tierRates.get(STANDARD_TIER);
    }
    for (int i = 0; i < t.length; i++) {
      if (inputTokens > t[i]) {
        return r[i];
      }
    }
    return r[r.length - 1];
  }

  /**
   * The long-context threshold that applies to a request of {@code inputTokens} in {@code
   * serviceTier}, 0 when none.
   */
  public long tierThresholdFor(long inputTokens, @Nullable String serviceTier) {
    long[] t = serviceTier == null ? null : thresholds.get(serviceTier);
    if (t == null) {
      t = thresholds.get(STANDARD_TIER);
    }
    for (long threshold : t) {
      if (inputTokens > threshold) {
        return threshold;
      }
    }
    return 0;
  }

  /** Whether the model knows {@code serviceTier}. */
  public boolean hasServiceTier(String serviceTier) {
    return thresholds.containsKey(serviceTier);
  }

  /** A builder starting from this price. */
  public Builder toBuilder() {
    Builder b = new Builder(provider, model);
    b.effectiveFrom = effectiveFrom;
    b.currency = currency;
    b.rates = rates;
    b.perCallFee = perCallFee;
    b.webSearchFee = webSearchFee;
    b.maxOutputTokens = maxOutputTokens;
    b.mode = mode;
    b.serviceTiers.putAll(serviceTiers);
    contextTiers.forEach((k, v) -> b.contextTiers.put(k, new TreeMap<>(v)));
    return b;
  }

  /** This price with every rate and the per-call fee multiplied by {@code factor}. */
  public ModelPrice times(BigDecimal factor) {
    Builder b = toBuilder();
    b.rates = rates.times(factor);
    b.perCallFee = perCallFee.multiply(factor);
    b.webSearchFee = webSearchFee == null ? null : webSearchFee.multiply(factor);
    b.serviceTiers.replaceAll((k, v) -> v.times(factor));
    b.contextTiers.values().forEach(m -> m.replaceAll((k, v) -> v.times(factor)));
    return b.build();
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ModelPrice)) {
      return false;
    }
    ModelPrice p = (ModelPrice) o;
    return provider.equals(p.provider)
        && model.equals(p.model)
        && effectiveFrom.equals(p.effectiveFrom)
        && currency.equals(p.currency)
        && rates.equals(p.rates)
        && perCallFee.compareTo(p.perCallFee) == 0
        && (webSearchFee == null
            ? p.webSearchFee == null
            : p.webSearchFee != null && webSearchFee.compareTo(p.webSearchFee) == 0)
        && serviceTiers.equals(p.serviceTiers)
        && contextTiers.equals(p.contextTiers);
  }

  @Override
  public int hashCode() {
    return Objects.hash(provider, model, effectiveFrom, rates);
  }

  @Override
  public String toString() {
    return "ModelPrice{"
        + provider
        + '/'
        + model
        + " from="
        + effectiveFrom
        + ' '
        + currency
        + ' '
        + rates
        + (contextTiers.isEmpty() ? "" : " contextTiers=" + contextTiers)
        + (serviceTiers.isEmpty() ? "" : " serviceTiers=" + serviceTiers)
        + (perCallFee.signum() == 0 ? "" : " perCall=" + perCallFee.toPlainString())
        + (webSearchFee == null ? "" : " webSearch=" + webSearchFee.toPlainString())
        + '}';
  }

  /** Builds a {@link ModelPrice}; validation is eager and names the field. */
  public static final class Builder {
    private final String provider;
    private final String model;
    private Instant effectiveFrom = Instant.EPOCH;
    private String currency = "USD";
    private @Nullable TokenRates rates;
    private BigDecimal perCallFee = BigDecimal.ZERO;
    private @Nullable BigDecimal webSearchFee;
    private long maxOutputTokens;
    private String mode = "";
    private final Map<String, TokenRates> serviceTiers = new LinkedHashMap<>();
    private final Map<String, Map<Long, TokenRates>> contextTiers = new LinkedHashMap<>();

    private Builder(String provider, String model) {
      if (provider == null || provider.isBlank()) {
        throw new IllegalArgumentException("provider must not be blank");
      }
      if (model == null || model.isBlank()) {
        throw new IllegalArgumentException("model must not be blank");
      }
      // One provider vocabulary: a price keyed by any alias (or by the id records show) is stored
      // under the id the engine looks it up by.
      this.provider = Providers.canonical(provider);
      this.model = ModelNames.normaliseId(model);
    }

    /** The first instant at which the price applies; default {@link Instant#EPOCH}. */
    public Builder effectiveFrom(Instant from) {
      effectiveFrom = Objects.requireNonNull(from, "effectiveFrom");
      return this;
    }

    /** The ISO 4217 currency; default {@code USD}. */
    public Builder currency(String code) {
      if (code == null || !code.matches("[A-Z]{3}")) {
        throw new IllegalArgumentException(
            "currency must be a three-letter upper-case ISO 4217 code, was '" + code + "'");
      }
      currency = code;
      return this;
    }

    /** The standard-tier rates (required). */
    public Builder rates(TokenRates r) {
      rates = Objects.requireNonNull(r, "rates");
      return this;
    }

    /** A fee per call, in the price's currency; default zero. */
    public Builder perCallFee(BigDecimal fee) {
      if (fee == null || fee.signum() < 0) {
        throw new IllegalArgumentException("perCallFee must not be null or negative, was " + fee);
      }
      perCallFee = fee;
      return this;
    }

    /** The price of one server-side web search, in the price's currency; default unknown. */
    public Builder webSearchFee(@Nullable BigDecimal fee) {
      if (fee != null && fee.signum() < 0) {
        throw new IllegalArgumentException("webSearchFee must not be negative, was " + fee);
      }
      webSearchFee = fee;
      return this;
    }

    /** The model's maximum output tokens (used by the worst-case estimator); 0 when unknown. */
    public Builder maxOutputTokens(long tokens) {
      if (tokens < 0) {
        throw new IllegalArgumentException("maxOutputTokens must not be negative, was " + tokens);
      }
      maxOutputTokens = tokens;
      return this;
    }

    /** What the model does ({@code chat}, {@code embedding}, ...). */
    public Builder mode(String m) {
      mode = Objects.requireNonNull(m, "mode");
      return this;
    }

    /**
     * Rates of a non-standard service tier (e.g. {@code batch}, {@code flex}, {@code priority}).
     */
    public Builder serviceTier(String tier, TokenRates r) {
      String t = tierName(tier);
      if (STANDARD_TIER.equals(t)) {
        throw new IllegalArgumentException(
            "serviceTier '" + STANDARD_TIER + "' is the base rates; use rates(..)");
      }
      serviceTiers.put(t, Objects.requireNonNull(r, "serviceTier rates"));
      return this;
    }

    /**
     * A long-context tier of the standard service tier: a request with more than {@code
     * aboveInputTokens} input tokens is priced entirely at {@code r}.
     */
    public Builder contextTier(long aboveInputTokens, TokenRates r) {
      return contextTier(STANDARD_TIER, aboveInputTokens, r);
    }

    /** A long-context tier of {@code serviceTier} (see {@link #contextTier(long, TokenRates)}). */
    public Builder contextTier(String serviceTier, long aboveInputTokens, TokenRates r) {
      if (aboveInputTokens <= 0) {
        throw new IllegalArgumentException(
            "contextTier aboveInputTokens must be positive, was " + aboveInputTokens);
      }
      contextTiers
          .computeIfAbsent(tierName(serviceTier), k -> new TreeMap<>())
          .put(aboveInputTokens, Objects.requireNonNull(r, "contextTier rates"));
      return this;
    }

    private static String tierName(String tier) {
      if (tier == null || tier.isBlank()) {
        throw new IllegalArgumentException("serviceTier must not be blank");
      }
      return ModelNames.normaliseId(tier);
    }

    /**
     * The immutable price.
     *
     * @throws IllegalArgumentException when rates are missing, or a service tier has context tiers
     *     but no rates of its own
     */
    public ModelPrice build() {
      if (rates == null) {
        throw new IllegalArgumentException("rates are required for " + provider + "/" + model);
      }
      for (String tier : contextTiers.keySet()) {
        if (!STANDARD_TIER.equals(tier) && !serviceTiers.containsKey(tier)) {
          throw new IllegalArgumentException(
              "contextTier for service tier '" + tier + "' needs serviceTier rates as well");
        }
      }
      return new ModelPrice(this);
    }
  }
}
