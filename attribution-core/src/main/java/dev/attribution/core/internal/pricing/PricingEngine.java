package dev.attribution.core.internal.pricing;

import dev.attribution.api.CostBreakdown;
import dev.attribution.api.CostSource;
import dev.attribution.api.TokenUsage;
import dev.attribution.api.internal.RateLimitedLogger;
import dev.attribution.core.internal.pricing.PriceLookup.Resolution;
import dev.attribution.core.internal.pricing.PriceLookup.State;
import dev.attribution.core.internal.provider.Providers;
import dev.attribution.core.pricing.MeterPrice;
import dev.attribution.core.pricing.ModelPrice;
import dev.attribution.core.pricing.PriceDataException;
import dev.attribution.core.pricing.PriceOverrides;
import dev.attribution.core.pricing.TokenRates;
import dev.attribution.core.pricing.UnpricedPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLConnection;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

// Why this file is over 600 lines: it is the pricing API in one place - the documented price,
// meter, worst-case estimate and reload overloads plus the public Builder with its setters and
// Javadoc, which make up most of it. Price lookup (name normalisation, catalog/override/fallback
// resolution) lives in PriceLookup and the cost arithmetic in CostBreakdowns.
/**
 * Prices calls: the one entry point of this package.
 *
 * <p>Its catalog is built from three sources, each overriding the one before: the {@linkplain
 * PriceCatalog#bundled() bundled} catalog (or a base catalog given to the builder), an optional
 * LiteLLM price file or URL ({@linkplain #reloadLiteLlm() reloadable} at run time: the new data is
 * swapped in atomically, and bad data is rejected with a {@link PriceDataException} while the old
 * prices stay), and {@link PriceOverrides}.
 *
 * <p>On the request path ({@link #price}, {@link #estimateWorstCase}, {@link #resolve}) nothing
 * scans the table: a model name is resolved once per provider and name (dated snapshot to base
 * name, provider and Bedrock region prefixes, aliases, case and whitespace) and the answer is
 * cached in Caffeine until the next reload. Those methods never throw for unknown models: an
 * unknown model is priced {@link CostSource#UNPRICED} (never a silent zero), counted, logged once
 * per model and reported to the {@link UnpricedModelListener}.
 *
 * <p>Thread-safe.
 */
public final class PricingEngine {

  /** Worst-case output tokens assumed when a request sets no maximum: {@value}. */
  public static final long DEFAULT_MAX_OUTPUT_TOKENS = 4096;

  /** Default size of the model-resolution cache per provider: {@value}. */
  public static final long DEFAULT_RESOLUTION_CACHE_SIZE = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(PricingEngine.class);
  private static final int MAX_REMEMBERED_UNPRICED = 10_000;

  private final Clock clock;
  private final PriceCatalog base;
  private final @Nullable Path liteLlmFile;
  private final @Nullable URI liteLlmUrl;
  private final int maxMalformed;
  private final PriceOverrides overrides;
  private final UnpricedPolicy unpricedPolicy;
  private final @Nullable ModelPrice fallbackPrice;
  private final CostPreference costPreference;
  private final @Nullable UnpricedModelListener listener;
  private final long defaultMaxOutputTokens;
  private final long cacheSize;
  private final Map<String, BigDecimal> planMultipliers;
  private final Map<String, Map<String, BigDecimal>> planProviderMultipliers;
  private final PriceLookup lookup;
  private final AtomicReference<State> state = new AtomicReference<>();
  private final Object reloadLock = new Object();
  private final LongAdder unpricedCalls = new LongAdder();
  private final LongAdder listenerFailures = new LongAdder();
  private final Set<String> seenUnpriced = ConcurrentHashMap.newKeySet();
  private final RateLimitedLogger rateLimited = new RateLimitedLogger(LOG, 60_000);

  private PricingEngine(Builder b) {
    this.clock = b.clock;
    this.base = b.baseCatalog != null ? b.baseCatalog : PriceCatalog.bundled();
    this.liteLlmFile = b.liteLlmFile;
    this.liteLlmUrl = b.liteLlmUrl;
    this.maxMalformed = b.maxMalformed;
    this.overrides = b.overrides;
    this.unpricedPolicy = b.unpricedPolicy;
    this.fallbackPrice =
        b.fallbackRates == null
            ? null
            : ModelPrice.builder("fallback", "fallback").rates(b.fallbackRates).build();
    this.costPreference = b.costPreference;
    this.listener = b.listener;
    this.defaultMaxOutputTokens = b.defaultMaxOutputTokens;
    this.cacheSize = b.cacheSize;
    this.lookup = new PriceLookup(base, overrides, cacheSize);
    Map<String, BigDecimal> pm = new HashMap<>();
    overrides.planMarkups().forEach((plan, pct) -> pm.put(plan, multiplier(pct)));
    this.planMultipliers = Map.copyOf(pm);
    Map<String, Map<String, BigDecimal>> ppm = new HashMap<>();
    overrides
        .planProviderMarkups()
        .forEach(
            (k, pct) -> {
              String[] parts = k.split("\u0000", 2);
              ppm.computeIfAbsent(parts[0], x -> new HashMap<>()).put(parts[1], multiplier(pct));
            });
    ppm.replaceAll((k, v) -> Map.copyOf(v));
    this.planProviderMultipliers = Map.copyOf(ppm);
    PriceCatalog lite = null;
    if (liteLlmFile != null) {
      lite = checked(PriceCatalog.fromLiteLlm(liteLlmFile), liteLlmFile.toString());
    } else if (liteLlmUrl != null) {
      lite =
          checked(
              PriceCatalog.fromLiteLlm(fetch(liteLlmUrl), liteLlmUrl.toString()),
              liteLlmUrl.toString());
    }
    state.set(lookup.compose(lite));
  }

  private static BigDecimal multiplier(BigDecimal markupPercent) {
    return BigDecimal.ONE.add(markupPercent.movePointLeft(2));
  }

  /** A new builder: bundled catalog, no LiteLLM file, no overrides, policy {@code ALLOW}. */
  public static Builder builder() {
    return new Builder();
  }

  /** An engine over the bundled catalog with every default. */
  public static PricingEngine create() {
    return builder().build();
  }

  // ------------------------------------------------------------------ pricing

  /** {@link #price(String, String, TokenUsage, Instant, PriceOptions)} with no options. */
  public PriceResult price(String provider, String model, TokenUsage usage, Instant at) {
    return price(provider, model, usage, at, PriceOptions.none());
  }

  /**
   * Prices one call.
   *
   * <p>{@code usage} must be normalised (all input includes cached reads and cache writes; all
   * output includes reasoning). Plain input, cached reads, cache writes (5-minute and 1-hour), text
   * output and reasoning go to their {@link CostBreakdown} components; audio and image tokens and
   * the per-call fee go to {@code other}. When the input exceeds a long-context threshold the whole
   * request is priced at that tier's rates. The price version in force at {@code at} is used. A
   * provider-reported cost counts when the engine's {@link CostPreference} says so (the default);
   * it is then split over the components in proportion to the computed cost (all in {@code other}
   * when nothing was computed), and the computed cost is kept next to it.
   *
   * @param provider a provider id such as {@code openai}, {@code anthropic}, {@code gcp.gemini},
   *     {@code azure.ai.openai}, {@code aws.bedrock}, {@code openrouter}, {@code deepseek}, {@code
   *     mistral}, {@code groq}, {@code xai} (aliases such as {@code gemini} and {@code azure} work)
   * @param model the model as requested or reported
   * @param usage the normalised token usage
   * @param at when the call was made (chooses the price version)
   * @param options service tier, region, provider-reported cost and tenant plan
   * @return never {@code null}; never throws for unknown models
   */
  public PriceResult price(
      String provider, String model, TokenUsage usage, Instant at, PriceOptions options) {
    State s = state.get();
    Resolution r = lookup.resolution(s, provider, model);
    BigDecimal reported =
        options.providerReportedCost() == null
            ? null
            : CostBreakdown.round(options.providerReportedCost());
    ModelPrice p;
    boolean fallback = false;
    if (r.versions == null) {
      noteUnpriced(r.provider, r.requested);
      if (unpricedPolicy == UnpricedPolicy.FALLBACK_RATE && fallbackPrice != null) {
        p = fallbackPrice;
        fallback = true;
      } else if (reported != null) {
        CostBreakdown cost = CostBreakdown.builder().other(reported).build();
        return new PriceResult(
            CostSource.PROVIDER_REPORTED,
            cost,
            null,
            reported,
            charge(options.tenantPlan(), r.provider, cost),
            s.version,
            r.provider,
            null,
            false,
            0);
      } else {
        return new PriceResult(
            CostSource.UNPRICED,
            CostBreakdown.zero(),
            null,
            null,
            null,
            null,
            r.provider,
            null,
            false,
            0);
      }
    } else {
      p = PriceCatalog.inForce(r.versions, at);
    }
    long in = usage.inputTokens();
    TokenRates rates = p.ratesFor(in, options.serviceTier());
    BigDecimal factor = uplift(r.provider, options.region());
    CostBreakdown computed = null;
    if (factor == null) {
      // Every call is priced: the same breakdown in exact long units when it fits.
      CostUnits units = r.costUnits;
      if (units == null || units.price != p || units.rates != rates) {
        units = CostUnits.of(p, rates);
        r.costUnits = units;
      }
      computed = units.breakdown(usage, p.currency());
    }
    if (computed == null) {
      computed = CostBreakdowns.compute(p, rates, usage, factor);
    }
    long unpricedSearches = 0;
    if (options.webSearches() > 0) {
      BigDecimal fee = fallback ? null : overrides.webSearchFee(r.provider, r.model);
      if (fee == null && !fallback) {
        fee = overrides.webSearchFee(r.provider, r.requested);
      }
      if (fee == null) {
        fee = p.webSearchFee();
      }
      if (fee == null) {
        unpricedSearches = options.webSearches();
      } else {
        computed =
            computed.plus(
                CostBreakdowns.builderIn(computed.currency())
                    .tools(fee.multiply(BigDecimal.valueOf(options.webSearches())))
                    .build());
      }
    }
    CostBreakdown cost = computed;
    CostSource source = CostSource.COMPUTED;
    if (reported != null && (costPreference == CostPreference.PROVIDER_REPORTED || fallback)) {
      cost = CostBreakdowns.allocate(reported, computed);
      source = CostSource.PROVIDER_REPORTED;
    }
    return new PriceResult(
        source,
        cost,
        computed,
        reported,
        charge(options.tenantPlan(), r.provider, cost),
        fallback ? s.version + "+fallback" : s.version,
        r.provider,
        fallback ? null : r.model,
        fallback,
        p.tierThresholdFor(in, options.serviceTier()),
        unpricedSearches);
  }

  /**
   * Prices {@code quantity} units of a custom meter (e.g. {@code vector.read}) into {@link
   * CostBreakdown#other()}. An unknown meter gives an {@link CostSource#UNPRICED} result and is
   * reported like an unknown model (provider {@code meter}).
   *
   * @param tenantPlan the plan whose markup gives the charge, or {@code null}
   * @throws IllegalArgumentException when {@code quantity} is negative
   */
  public PriceResult priceMeter(
      String meter, BigDecimal quantity, Instant at, @Nullable String tenantPlan) {
    if (quantity == null || quantity.signum() < 0) {
      throw new IllegalArgumentException(
          "meter quantity must not be null or negative, was " + quantity);
    }
    State s = state.get();
    MeterPrice mp = s.catalog.meter(meter, at);
    if (mp == null) {
      noteUnpriced("meter", ModelNames.normaliseId(meter));
      return new PriceResult(
          CostSource.UNPRICED,
          CostBreakdown.zero(),
          null,
          null,
          null,
          null,
          "meter",
          null,
          false,
          0);
    }
    CostBreakdown cost = CostBreakdowns.builderIn(mp.currency()).other(mp.costOf(quantity)).build();
    return new PriceResult(
        CostSource.COMPUTED,
        cost,
        cost,
        null,
        charge(tenantPlan == null ? null : tenantPlan.trim(), "meter", cost),
        s.version,
        "meter",
        mp.meter(),
        false,
        0);
  }

  // --------------------------------------------------------------- estimates

  /**
   * {@link #estimateWorstCase(String, String, String, long, Instant, PriceOptions)} without
   * options.
   */
  public @Nullable BigDecimal estimateWorstCase(
      String provider, String model, String requestText, long maxOutputTokens, Instant at) {
    return estimateWorstCase(
        provider, model, requestText, maxOutputTokens, at, PriceOptions.none());
  }

  /**
   * The worst-case cost of a call before it is made, rounded to 1e-9: every estimated input token
   * at the full (uncached) input rate, {@code maxOutputTokens} at the dearer of the output and
   * reasoning rates, the long-context tier the estimated input falls in, the per-call fee and any
   * regional uplift.
   *
   * <p>Input tokens come from {@link #estimateInputTokens}: pass the prompt text extracted from the
   * request when you have it; the UTF-8 request body also works and over-counts by its JSON syntax
   * (safe for a worst case, but base64 images in the body inflate it heavily).
   *
   * @param maxOutputTokens the request's {@code max_tokens} / {@code max_completion_tokens} /
   *     {@code max_output_tokens}, or a negative number when absent: then the configured default
   *     ({@value #DEFAULT_MAX_OUTPUT_TOKENS} unless changed), capped by the model's own maximum
   *     when known
   * @return the estimate, or {@code null} when the model has no price (and the policy is not {@link
   *     UnpricedPolicy#FALLBACK_RATE})
   */
  public @Nullable BigDecimal estimateWorstCase(
      String provider,
      String model,
      String requestText,
      long maxOutputTokens,
      Instant at,
      PriceOptions options) {
    State s = state.get();
    Resolution r = lookup.resolution(s, provider, model);
    ModelPrice p;
    if (r.versions != null) {
      p = PriceCatalog.inForce(r.versions, at);
    } else if (unpricedPolicy == UnpricedPolicy.FALLBACK_RATE && fallbackPrice != null) {
      p = fallbackPrice;
    } else {
      return null;
    }
    return worstCase(
        r, p, TokenEstimator.count(r.provider, model, requestText), maxOutputTokens, options);
  }

  /**
   * As {@link #estimateWorstCase(String, String, String, long, Instant, PriceOptions)}, for a
   * caller that already counted the input tokens (so the request is tokenised once).
   */
  public @Nullable BigDecimal estimateWorstCase(
      String provider, String model, long inputTokens, long maxOutputTokens, Instant at) {
    return estimateWorstCase(provider, model, inputTokens, maxOutputTokens, 1, at);
  }

  /**
   * As {@link #estimateWorstCase(String, String, long, long, Instant)} for a request that asks for
   * several generations ({@code n}, {@code best_of}, Gemini {@code candidateCount}): input and the
   * per-call fee are billed once, output up to {@code maxOutputTokens} for each of {@code outputs}
   * generations.
   *
   * @param outputs how many generations are billed, at least 1 (smaller values count as 1)
   */
  public @Nullable BigDecimal estimateWorstCase(
      String provider,
      String model,
      long inputTokens,
      long maxOutputTokens,
      long outputs,
      Instant at) {
    State s = state.get();
    Resolution r = lookup.resolution(s, provider, model);
    ModelPrice p;
    if (r.versions != null) {
      p = PriceCatalog.inForce(r.versions, at);
    } else if (unpricedPolicy == UnpricedPolicy.FALLBACK_RATE && fallbackPrice != null) {
      p = fallbackPrice;
    } else {
      return null;
    }
    return worstCase(
        r, p, Math.max(0, inputTokens), maxOutputTokens, Math.max(1, outputs), PriceOptions.none());
  }

  private BigDecimal worstCase(
      Resolution r, ModelPrice p, long in, long maxOutputTokens, PriceOptions options) {
    return worstCase(r, p, in, maxOutputTokens, 1, options);
  }

  private BigDecimal worstCase(
      Resolution r,
      ModelPrice p,
      long in,
      long maxOutputTokens,
      long outputs,
      PriceOptions options) {
    long out = maxOutputTokens;
    if (out < 0) {
      out = defaultMaxOutputTokens;
      if (p.maxOutputTokens() > 0) {
        out = Math.min(out, p.maxOutputTokens());
      }
    }
    out = Math.multiplyHigh(out, outputs) != 0 ? Long.MAX_VALUE : out * outputs;
    TokenRates rates = p.ratesFor(in, options.serviceTier());
    BigDecimal outRate = rates.output();
    if (rates.reasoning() != null && rates.reasoning().compareTo(outRate) > 0) {
      outRate = rates.reasoning();
    }
    BigDecimal factor = uplift(r.provider, options.region());
    if (factor == null) {
      // Budgets ask on every call: the same sum in exact long units when it fits.
      WorstCaseUnits u = r.units;
      if (u == null || u.price != p || u.rates != rates) {
        u = WorstCaseUnits.of(p, rates, outRate);
        r.units = u;
      }
      long nanos = u == null ? -1 : u.nanos(in, out);
      if (nanos >= 0) {
        return WorstCaseUnits.amount(nanos);
      }
    }
    BigDecimal cost =
        CostMath.times(in, rates.input()).add(CostMath.times(out, outRate)).add(p.perCallFee());
    if (factor != null) {
      cost = cost.multiply(factor);
    }
    return CostBreakdown.round(cost);
  }

  /**
   * Estimated input tokens of {@code text} for {@code model}: jtokkit's {@code o200k_base} or
   * {@code cl100k_base} for OpenAI-family models, otherwise one token per three characters (rounded
   * up), which over-counts typical text by about a third.
   */
  public long estimateInputTokens(String provider, String model, String text) {
    return TokenEstimator.count(Providers.canonical(provider), model, text);
  }

  // -------------------------------------------------------------- resolution

  /**
   * The price in force at {@code at} for {@code model} at {@code provider} after name resolution,
   * or {@code null} when there is none. Cached; never scans the table once warm.
   */
  public @Nullable ModelPrice resolve(String provider, String model, Instant at) {
    Resolution r = lookup.resolution(state.get(), provider, model);
    return r.versions == null ? null : PriceCatalog.inForce(r.versions, at);
  }

  /** Whether {@code model} at {@code provider} has a price (after name resolution). */
  public boolean isPriced(String provider, String model) {
    return lookup.resolution(state.get(), provider, model).versions != null;
  }

  // ------------------------------------------------------------------ reload

  /**
   * Reloads the LiteLLM file or URL the engine was built with and swaps the new prices in.
   *
   * @throws IllegalStateException when the engine has no LiteLLM source
   * @throws PriceDataException when the data is unreadable or bad; the old prices stay
   */
  public ImportReport reloadLiteLlm() {
    if (liteLlmFile != null) {
      return reloadLiteLlm(liteLlmFile);
    }
    if (liteLlmUrl != null) {
      return reloadLiteLlm(liteLlmUrl);
    }
    throw new IllegalStateException("no LiteLLM source configured; use reloadLiteLlm(Path or URI)");
  }

  /**
   * Loads a LiteLLM price file and swaps it in atomically (calls in flight finish on the old
   * prices; later calls see the new ones).
   *
   * @throws PriceDataException when the file is unreadable, not JSON, has no prices or more
   *     malformed entries than allowed; the old prices stay
   */
  public ImportReport reloadLiteLlm(Path file) {
    return swap(checked(PriceCatalog.fromLiteLlm(file), file.toString()));
  }

  /**
   * Downloads LiteLLM price data from {@code url} (10 s timeouts) and swaps it in atomically.
   *
   * @throws PriceDataException as {@link #reloadLiteLlm(Path)}; the old prices stay
   */
  public ImportReport reloadLiteLlm(URI url) {
    return swap(checked(PriceCatalog.fromLiteLlm(fetch(url), url.toString()), url.toString()));
  }

  private ImportReport swap(PriceCatalog lite) {
    synchronized (reloadLock) {
      State next = lookup.compose(lite);
      State prev = state.getAndSet(next);
      LOG.info(
          "price data reloaded: {} (version {} -> {})",
          lite.importReports().get(0),
          prev == null ? "none" : prev.version,
          next.version);
    }
    return lite.importReports().get(0);
  }

  private PriceCatalog checked(PriceCatalog lite, String source) {
    ImportReport report = lite.importReports().get(0);
    if (report.malformed().size() > maxMalformed) {
      throw new PriceDataException(
          "rejected LiteLLM price data from "
              + source
              + ": "
              + report.malformed().size()
              + " malformed entries (at most "
              + maxMalformed
              + " allowed), first: "
              + report.malformed().get(0)
              + "; the previous prices stay in force");
    }
    if (report.loaded() == 0) {
      throw new PriceDataException(
          "rejected LiteLLM price data from "
              + source
              + ": no entry has a per-token price; the previous prices stay in force");
    }
    return lite;
  }

  private static byte[] fetch(URI url) {
    try {
      URLConnection c = url.toURL().openConnection();
      c.setConnectTimeout(10_000);
      c.setReadTimeout(10_000);
      try (InputStream in = c.getInputStream()) {
        return in.readAllBytes();
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new PriceDataException("cannot download LiteLLM price data from " + url + ": " + e, e);
    }
  }

  // ------------------------------------------------------------------- state

  /** The catalog now in force (bundled, LiteLLM and overrides combined). */
  public PriceCatalog catalog() {
    return state.get().catalog;
  }

  /** The version of the prices now in force, as recorded on every priced result. */
  public String priceVersion() {
    return state.get().version;
  }

  /** Import reports of the data now in force, lowest precedence first. */
  public List<ImportReport> importReports() {
    return state.get().catalog.importReports();
  }

  /** The policy budgets apply to calls whose model has no price. */
  public UnpricedPolicy unpricedPolicy() {
    return unpricedPolicy;
  }

  /** Which cost counts when the provider reports one. */
  public CostPreference costPreference() {
    return costPreference;
  }

  /** How many calls (and meter quantities) were priced without a price so far. */
  public long unpricedCalls() {
    return unpricedCalls.sum();
  }

  /**
   * Output tokens the worst-case estimate assumes for a request that sets no maximum ({@link
   * Builder#defaultMaxOutputTokens}), before the model's own maximum caps it.
   */
  public long defaultMaxOutputTokens() {
    return defaultMaxOutputTokens;
  }

  /** The provider/model pairs seen without a price, as {@code provider/model}, sorted. */
  public Set<String> unpricedModels() {
    Set<String> out = new TreeSet<>();
    for (String k : seenUnpriced) {
      out.add(k.replace('\u0000', '/'));
    }
    return out;
  }

  /** How many times the unpriced-model listener threw. */
  public long listenerFailures() {
    return listenerFailures.sum();
  }

  // ----------------------------------------------------------------- helpers

  private void noteUnpriced(String provider, String model) {
    unpricedCalls.increment();
    String key = provider + '\u0000' + model;
    if (seenUnpriced.contains(key)) {
      return;
    }
    if (seenUnpriced.size() >= MAX_REMEMBERED_UNPRICED) {
      rateLimited.warn("no price for {} at {}; recorded as UNPRICED", model, provider);
      return;
    }
    if (!seenUnpriced.add(key)) {
      return;
    }
    LOG.warn(
        "no price for model '{}' at provider '{}': calls are recorded as UNPRICED; add it with"
            + " PriceOverrides or a newer LiteLLM price file",
        dev.attribution.api.internal.ControlChars.escape(model),
        dev.attribution.api.internal.ControlChars.escape(provider));
    UnpricedModelListener l = listener;
    if (l != null) {
      try {
        l.onUnpricedModel(provider, model, clock.instant());
      } catch (RuntimeException e) {
        listenerFailures.increment();
        rateLimited.warn("unpriced-model listener failed for {} at {}", model, provider, e);
      }
    }
  }

  private @Nullable BigDecimal charge(@Nullable String plan, String provider, CostBreakdown cost) {
    if (plan == null) {
      return null;
    }
    BigDecimal m = null;
    Map<String, BigDecimal> byProvider = planProviderMultipliers.get(plan);
    if (byProvider != null) {
      m = byProvider.get(provider);
    }
    if (m == null) {
      m = planMultipliers.get(plan);
    }
    if (m == null) {
      rateLimited.warn("unknown tenant plan '{}': no charge recorded", plan);
      return null;
    }
    return CostBreakdown.round(cost.total().multiply(m));
  }

  private @Nullable BigDecimal uplift(String provider, @Nullable String region) {
    if (region == null) {
      return null;
    }
    Map<String, BigDecimal> byRegion = overrides.regionalUplifts().get(provider);
    return byRegion == null ? null : byRegion.get(region);
  }

  /** Builds a {@link PricingEngine}; conflicting options fail at {@link #build()}. */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private @Nullable PriceCatalog baseCatalog;
    private @Nullable Path liteLlmFile;
    private @Nullable URI liteLlmUrl;
    private int maxMalformed;
    private PriceOverrides overrides = PriceOverrides.none();
    private UnpricedPolicy unpricedPolicy = UnpricedPolicy.ALLOW;
    private @Nullable TokenRates fallbackRates;
    private CostPreference costPreference = CostPreference.PROVIDER_REPORTED;
    private @Nullable UnpricedModelListener listener;
    private long defaultMaxOutputTokens = DEFAULT_MAX_OUTPUT_TOKENS;
    private long cacheSize = DEFAULT_RESOLUTION_CACHE_SIZE;

    private Builder() {}

    /** The clock for event times; default UTC system clock. */
    public Builder clock(Clock c) {
      clock = Objects.requireNonNull(c, "clock");
      return this;
    }

    /** Replaces the bundled catalog as the lowest-precedence source. */
    public Builder baseCatalog(PriceCatalog catalog) {
      baseCatalog = Objects.requireNonNull(catalog, "baseCatalog");
      return this;
    }

    /** A LiteLLM price file, read at build time and by {@link PricingEngine#reloadLiteLlm()}. */
    public Builder liteLlmFile(Path file) {
      liteLlmFile = Objects.requireNonNull(file, "liteLlmFile");
      return this;
    }

    /** A LiteLLM price URL, fetched at build time and by {@link PricingEngine#reloadLiteLlm()}. */
    public Builder liteLlmUrl(URI url) {
      liteLlmUrl = Objects.requireNonNull(url, "liteLlmUrl");
      return this;
    }

    /** Malformed LiteLLM entries tolerated before data is rejected; default 0. */
    public Builder maxMalformedEntries(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("maxMalformedEntries must not be negative, was " + n);
      }
      maxMalformed = n;
      return this;
    }

    /** The user's overrides (highest precedence); default none. */
    public Builder overrides(PriceOverrides o) {
      overrides = Objects.requireNonNull(o, "overrides");
      return this;
    }

    /** What budgets do with unpriced calls; default {@link UnpricedPolicy#ALLOW}. */
    public Builder unpricedPolicy(UnpricedPolicy p) {
      unpricedPolicy = Objects.requireNonNull(p, "unpricedPolicy");
      return this;
    }

    /** The rates for unpriced models under {@link UnpricedPolicy#FALLBACK_RATE}. */
    public Builder fallbackRates(TokenRates r) {
      fallbackRates = Objects.requireNonNull(r, "fallbackRates");
      return this;
    }

    /** Which cost counts when the provider reports one; default provider-reported. */
    public Builder costPreference(CostPreference p) {
      costPreference = Objects.requireNonNull(p, "costPreference");
      return this;
    }

    /** Told once per unpriced provider/model pair (e.g. to fire {@code UNPRICED_MODEL}). */
    public Builder unpricedListener(UnpricedModelListener l) {
      listener = Objects.requireNonNull(l, "unpricedListener");
      return this;
    }

    /** Output tokens assumed by the estimator when a request sets none; default 4096. */
    public Builder defaultMaxOutputTokens(long tokens) {
      if (tokens < 0) {
        throw new IllegalArgumentException(
            "defaultMaxOutputTokens must not be negative, was " + tokens);
      }
      defaultMaxOutputTokens = tokens;
      return this;
    }

    /** Model names cached per provider; default 10,000. */
    public Builder resolutionCacheSize(long size) {
      if (size <= 0) {
        throw new IllegalArgumentException("resolutionCacheSize must be positive, was " + size);
      }
      cacheSize = size;
      return this;
    }

    /**
     * The engine; reads the LiteLLM source now.
     *
     * @throws IllegalArgumentException on conflicting options (both a LiteLLM file and URL; the
     *     fallback policy without fallback rates, or fallback rates with another policy)
     * @throws PriceDataException when the LiteLLM source is unreadable or bad
     */
    public PricingEngine build() {
      if (liteLlmFile != null && liteLlmUrl != null) {
        throw new IllegalArgumentException("set liteLlmFile or liteLlmUrl, not both");
      }
      if (unpricedPolicy == UnpricedPolicy.FALLBACK_RATE && fallbackRates == null) {
        throw new IllegalArgumentException("unpricedPolicy FALLBACK_RATE needs fallbackRates(..)");
      }
      if (unpricedPolicy != UnpricedPolicy.FALLBACK_RATE && fallbackRates != null) {
        throw new IllegalArgumentException(
            "fallbackRates are only used with unpricedPolicy FALLBACK_RATE; set that policy or drop"
                + " the rates");
      }
      return new PricingEngine(this);
    }
  }
}
