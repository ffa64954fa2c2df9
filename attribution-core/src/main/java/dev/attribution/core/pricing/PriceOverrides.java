package dev.attribution.core.pricing;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.attribution.core.internal.pricing.CostMath;
import dev.attribution.core.internal.pricing.ModelNames;
import dev.attribution.core.internal.provider.Providers;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The user's prices, the highest-precedence source: negotiated discounts (percent off per provider
 * or per model), custom, fine-tuned and self-hosted models (at a fixed or zero price), model
 * aliases such as Azure deployment names, regional uplifts, custom meter prices, and tenant plans
 * whose markup turns a cost into the price charged to the customer. Immutable; built in code with
 * {@link #builder()} or read from a small JSON or YAML file with {@link #load(Path)}.
 *
 * <p>File format (YAML shown; the same keys work in JSON). Prices per token may be given per
 * million tokens ({@code inputPerMillion}) or per token ({@code input}); dates are ISO dates (UTC):
 *
 * <pre>{@code
 * discounts:
 *   - {provider: openai, percent: 10}
 *   - {provider: anthropic, model: claude-sonnet-4-5, percent: 15}
 * models:
 *   - {provider: self-hosted, model: llama-3-70b-ft, inputPerMillion: 0, outputPerMillion: 0}
 *   - {provider: openai, model: "ft:gpt-4o-mini:acme", inputPerMillion: 0.30,
 *      cachedInputPerMillion: 0.15, outputPerMillion: 1.20, effectiveFrom: 2025-01-01}
 *   - {provider: openai, model: gpt-4.1, inputPerMillion: 2, outputPerMillion: 8,
 *      webSearchFee: 0.01}
 * aliases:
 *   - {provider: azure.ai.openai, alias: prod-gpt4o, model: gpt-4o}
 * regionalUplifts:
 *   - {provider: gcp.vertex_ai, region: europe-west4, multiplier: 1.1}
 * plans:
 *   - {name: pro, markupPercent: 30}
 *   - {name: pro, provider: anthropic, markupPercent: 40}
 * meters:
 *   - {name: vector.read, unitPrice: 0.0004, per: 1000}
 *   - {name: gpu.second, unitPrice: 0.0011}
 * webSearch:                  # price of one server-side web search (own cost category "tools")
 *   - {provider: openai, pricePerCall: 0.01}
 *   - {provider: anthropic, model: claude-sonnet-4-5, pricePerCall: 0.01}
 * }</pre>
 *
 * <p>A provider is named by the id records show ({@code azure.ai.openai}, {@code mistral_ai}) or by
 * any alias of it ({@code azure}, {@code mistral}); both mean the same provider.
 */
public final class PriceOverrides {

  private static final List<String> SECTIONS =
      List.of("discounts", "models", "aliases", "regionalUplifts", "plans", "meters", "webSearch");
  private static final PriceOverrides NONE = builder().build();
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private final Map<String, BigDecimal> providerDiscounts;
  private final Map<String, BigDecimal> modelDiscounts;
  private final List<ModelPrice> models;
  private final Map<String, Map<String, String>> aliases;
  private final Map<String, Map<String, BigDecimal>> regionalUplifts;
  private final Map<String, BigDecimal> planMarkups;
  private final Map<String, BigDecimal> planProviderMarkups;
  private final List<MeterPrice> meters;
  private final Map<String, BigDecimal> webSearchFees;
  private final String description;

  private PriceOverrides(Builder b) {
    this.providerDiscounts = Map.copyOf(b.providerDiscounts);
    this.modelDiscounts = Map.copyOf(b.modelDiscounts);
    this.models = List.copyOf(b.models);
    Map<String, Map<String, String>> al = new HashMap<>();
    b.aliases.forEach((k, v) -> al.put(k, Map.copyOf(v)));
    this.aliases = Collections.unmodifiableMap(al);
    Map<String, Map<String, BigDecimal>> up = new HashMap<>();
    b.regionalUplifts.forEach((k, v) -> up.put(k, Map.copyOf(v)));
    this.regionalUplifts = Collections.unmodifiableMap(up);
    this.planMarkups = Map.copyOf(b.planMarkups);
    this.planProviderMarkups = Map.copyOf(b.planProviderMarkups);
    this.meters = List.copyOf(b.meters);
    this.webSearchFees = Map.copyOf(b.webSearchFees);
    this.description = String.join("\n", b.log);
  }

  /** No overrides. */
  public static PriceOverrides none() {
    return NONE;
  }

  /** A new, empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads overrides from a JSON or YAML file (see the class comment for the format).
   *
   * @throws PriceDataException when the file is unreadable or an entry is invalid; the message
   *     names the file, the section, the entry index and the field
   */
  public static PriceOverrides load(Path file) {
    try {
      return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    } catch (IOException e) {
      throw new PriceDataException("cannot read price overrides " + file + ": " + e, e);
    }
  }

  /**
   * Reads overrides from JSON or YAML text; {@code source} names it in errors.
   *
   * @throws PriceDataException when the text is invalid
   */
  public static PriceOverrides parse(String text, String source) {
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (IOException e) {
      throw new PriceDataException(
          "price overrides " + source + " are not valid JSON/YAML: " + e.getMessage(), e);
    }
    Builder b = builder();
    if (root == null || root.isNull() || root.isMissingNode()) {
      return b.build();
    }
    if (!root.isObject()) {
      throw new PriceDataException("price overrides " + source + " must be a mapping of sections");
    }
    try {
      for (Map.Entry<String, JsonNode> section : root.properties()) {
        String name = section.getKey();
        JsonNode list = section.getValue();
        if (!SECTIONS.contains(name)) {
          throw new IllegalArgumentException(
              "unknown section '" + name + "'; expected one of " + String.join(", ", SECTIONS));
        }
        if (!list.isArray()) {
          throw new IllegalArgumentException("section '" + name + "' must be a list");
        }
        for (int i = 0; i < list.size(); i++) {
          JsonNode e = list.get(i);
          String where = name + "[" + i + "]";
          if (!e.isObject()) {
            throw new IllegalArgumentException(where + " must be a mapping");
          }
          try {
            readEntry(b, name, e);
          } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(where + ": " + ex.getMessage(), ex);
          }
        }
      }
    } catch (IllegalArgumentException e) {
      throw new PriceDataException("price overrides " + source + ": " + e.getMessage(), e);
    }
    return b.build();
  }

  private static void readEntry(Builder b, String section, JsonNode e) {
    switch (section) {
      case "discounts":
        {
          String model = optText(e, "model");
          if (model == null) {
            b.discount(text(e, "provider"), number(e, "percent"));
          } else {
            b.discount(text(e, "provider"), model, number(e, "percent"));
          }
          break;
        }
      case "models":
        b.model(readModel(e));
        break;
      case "aliases":
        b.alias(text(e, "provider"), text(e, "alias"), text(e, "model"));
        break;
      case "regionalUplifts":
        b.regionalUplift(text(e, "provider"), text(e, "region"), number(e, "multiplier"));
        break;
      case "plans":
        {
          String provider = optText(e, "provider");
          if (provider == null) {
            b.plan(text(e, "name"), number(e, "markupPercent"));
          } else {
            b.plan(text(e, "name"), provider, number(e, "markupPercent"));
          }
          break;
        }
      case "meters":
        {
          BigDecimal per = optNumber(e, "per");
          String currency = optText(e, "currency");
          b.meter(
              MeterPrice.of(
                  text(e, "name"),
                  number(e, "unitPrice"),
                  per == null ? BigDecimal.ONE : per,
                  currency == null ? "USD" : currency,
                  date(e)));
          break;
        }
      case "webSearch":
        {
          String model = optText(e, "model");
          if (model == null) {
            b.webSearchFee(text(e, "provider"), number(e, "pricePerCall"));
          } else {
            b.webSearchFee(text(e, "provider"), model, number(e, "pricePerCall"));
          }
          break;
        }
      default:
        throw new IllegalArgumentException(
            "unknown section '" + section + "'; expected one of " + String.join(", ", SECTIONS));
    }
  }

  private static ModelPrice readModel(JsonNode e) {
    TokenRates.Builder r = TokenRates.builder();
    rate(e, "input", r::input);
    rate(e, "output", r::output);
    rate(e, "cachedInput", r::cachedInput);
    rate(e, "cacheWrite5m", r::cacheWrite5m);
    rate(e, "cacheWrite1h", r::cacheWrite1h);
    rate(e, "reasoning", r::reasoning);
    rate(e, "audioInput", r::audioInput);
    rate(e, "audioOutput", r::audioOutput);
    rate(e, "imageInput", r::imageInput);
    rate(e, "imageOutput", r::imageOutput);
    ModelPrice.Builder m =
        ModelPrice.builder(text(e, "provider"), text(e, "model"))
            .rates(r.build())
            .effectiveFrom(date(e));
    String currency = optText(e, "currency");
    if (currency != null) {
      m.currency(currency);
    }
    BigDecimal fee = optNumber(e, "perCallFee");
    if (fee != null) {
      m.perCallFee(fee);
    }
    m.webSearchFee(optNumber(e, "webSearchFee"));
    return m.build();
  }

  private interface RateSetter {
    TokenRates.Builder set(BigDecimal v);
  }

  private static void rate(JsonNode e, String field, RateSetter setter) {
    BigDecimal perToken = optNumber(e, field);
    BigDecimal perMillion = optNumber(e, field + "PerMillion");
    if (perToken != null && perMillion != null) {
      throw new IllegalArgumentException(
          "give either " + field + " or " + field + "PerMillion, not both");
    }
    if (perToken != null) {
      setter.set(perToken);
    } else if (perMillion != null) {
      setter.set(TokenRates.perMillion(perMillion));
    }
  }

  private static Instant date(JsonNode e) {
    String d = optText(e, "effectiveFrom");
    if (d == null) {
      return Instant.EPOCH;
    }
    try {
      return d.length() <= 10
          ? LocalDate.parse(d).atStartOfDay(ZoneOffset.UTC).toInstant()
          : Instant.parse(d);
    } catch (DateTimeParseException ex) {
      throw new IllegalArgumentException(
          "effectiveFrom must be an ISO date (2025-01-31) or instant, was '" + d + "'", ex);
    }
  }

  private static String text(JsonNode e, String field) {
    String v = optText(e, field);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("'" + field + "' is required");
    }
    return v;
  }

  private static @Nullable String optText(JsonNode e, String field) {
    JsonNode v = e.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isValueNode()) {
      throw new IllegalArgumentException("'" + field + "' must be a string");
    }
    return v.asText();
  }

  private static BigDecimal number(JsonNode e, String field) {
    BigDecimal v = optNumber(e, field);
    if (v == null) {
      throw new IllegalArgumentException("'" + field + "' is required");
    }
    return v;
  }

  private static @Nullable BigDecimal optNumber(JsonNode e, String field) {
    JsonNode v = e.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isNumber()) {
      return v.decimalValue();
    }
    if (v.isTextual()) {
      try {
        return new BigDecimal(v.asText().trim());
      } catch (NumberFormatException ex) {
        throw new IllegalArgumentException(
            "'" + field + "' must be a number, was '" + v.asText() + "'", ex);
      }
    }
    throw new IllegalArgumentException("'" + field + "' must be a number");
  }

  // --- what the overrides say, as the pricing engine reads them ---

  /** Provider-wide discounts, percent off, by canonical provider. */
  public Map<String, BigDecimal> providerDiscounts() {
    return providerDiscounts;
  }

  /** Per-model discounts, percent off, keyed {@code provider + '\0' + model}. */
  public Map<String, BigDecimal> modelDiscounts() {
    return modelDiscounts;
  }

  /** Custom models. */
  public List<ModelPrice> models() {
    return models;
  }

  /** Aliases by canonical provider, alias (lower case) to model. */
  public Map<String, Map<String, String>> aliases() {
    return aliases;
  }

  /** Uplift multipliers by canonical provider and region. */
  public Map<String, Map<String, BigDecimal>> regionalUplifts() {
    return regionalUplifts;
  }

  /** Plan markups in percent, by plan name. */
  public Map<String, BigDecimal> planMarkups() {
    return planMarkups;
  }

  /** Plan markups in percent, keyed {@code plan + '\0' + provider}. */
  public Map<String, BigDecimal> planProviderMarkups() {
    return planProviderMarkups;
  }

  /** Custom meter prices. */
  public List<MeterPrice> meters() {
    return meters;
  }

  /**
   * The price of one web search of {@code model} at {@code canonicalProvider}: the model's own
   * override, else the provider's, else {@code null}.
   */
  public @Nullable BigDecimal webSearchFee(String canonicalProvider, @Nullable String model) {
    BigDecimal fee = model == null ? null : webSearchFees.get(canonicalProvider + '\u0000' + model);
    return fee != null ? fee : webSearchFees.get(canonicalProvider);
  }

  /** A stable description of every override, for the price version hash. */
  public String description() {
    return description;
  }

  @Override
  public String toString() {
    return "PriceOverrides{discounts="
        + (providerDiscounts.size() + modelDiscounts.size())
        + " models="
        + models.size()
        + " aliases="
        + aliases.values().stream().mapToInt(Map::size).sum()
        + " plans="
        + planMarkups.size()
        + " meters="
        + meters.size()
        + '}';
  }

  /** Builds {@link PriceOverrides}; every method validates eagerly and names the field. */
  public static final class Builder {
    private final Map<String, BigDecimal> providerDiscounts = new LinkedHashMap<>();
    private final Map<String, BigDecimal> modelDiscounts = new LinkedHashMap<>();
    private final List<ModelPrice> models = new ArrayList<>();
    private final Map<String, Map<String, String>> aliases = new LinkedHashMap<>();
    private final Map<String, Map<String, BigDecimal>> regionalUplifts = new LinkedHashMap<>();
    private final Map<String, BigDecimal> planMarkups = new LinkedHashMap<>();
    private final Map<String, BigDecimal> planProviderMarkups = new LinkedHashMap<>();
    private final List<MeterPrice> meters = new ArrayList<>();
    private final Map<String, BigDecimal> webSearchFees = new LinkedHashMap<>();
    private final List<String> log = new ArrayList<>();

    private Builder() {}

    private static BigDecimal percent(String field, BigDecimal p) {
      if (p == null || p.signum() < 0 || p.compareTo(CostMath.HUNDRED) > 0) {
        throw new IllegalArgumentException(field + " must be between 0 and 100, was " + p);
      }
      return p;
    }

    private static String provider(String provider) {
      if (provider == null || provider.isBlank()) {
        throw new IllegalArgumentException("provider must not be blank");
      }
      return Providers.canonical(provider);
    }

    private static String name(String field, String v) {
      if (v == null || v.isBlank()) {
        throw new IllegalArgumentException(field + " must not be blank");
      }
      return ModelNames.normalise(v);
    }

    /** {@code percent} (0-100) off every catalog price of {@code provider}. */
    public Builder discount(String provider, BigDecimal percent) {
      String p = provider(provider);
      providerDiscounts.put(p, percent("discount percent", percent));
      log.add("discount " + p + " " + percent.toPlainString());
      return this;
    }

    /**
     * {@code percent} (0-100) off the catalog price of {@code model} at {@code provider}; wins over
     * a provider-wide discount (they do not compound).
     */
    public Builder discount(String provider, String model, BigDecimal percent) {
      String p = provider(provider);
      String m = name("model", model);
      modelDiscounts.put(p + '\u0000' + m, percent("discount percent", percent));
      log.add("discount " + p + " " + m + " " + percent.toPlainString());
      return this;
    }

    /**
     * A custom, fine-tuned or self-hosted model's price; it replaces any catalog price of the same
     * provider, model and effective date, and adds a version when the date differs.
     */
    public Builder model(ModelPrice price) {
      models.add(Objects.requireNonNull(price, "price"));
      log.add("model " + price);
      return this;
    }

    /**
     * A self-hosted (or otherwise free) model priced at zero: recorded as computed, not unpriced.
     */
    public Builder selfHosted(String provider, String model) {
      return model(ModelPrice.builder(provider, model).rates(TokenRates.zero()).build());
    }

    /**
     * Prices {@code alias} at {@code provider} as {@code model} (e.g. an Azure deployment name).
     */
    public Builder alias(String provider, String alias, String model) {
      String p = provider(provider);
      String a = name("alias", alias);
      String m = name("model", model);
      aliases.computeIfAbsent(p, k -> new LinkedHashMap<>()).put(a, m);
      log.add("alias " + p + " " + a + " " + m);
      return this;
    }

    /**
     * Multiplies every price of {@code provider} by {@code multiplier} (at least 1 would be usual;
     * positive required) for calls made in {@code region}.
     */
    public Builder regionalUplift(String provider, String region, BigDecimal multiplier) {
      if (multiplier == null || multiplier.signum() <= 0) {
        throw new IllegalArgumentException(
            "regional multiplier must be positive, was " + multiplier);
      }
      String p = provider(provider);
      String r = name("region", region);
      regionalUplifts.computeIfAbsent(p, k -> new LinkedHashMap<>()).put(r, multiplier);
      log.add("uplift " + p + " " + r + " " + multiplier.toPlainString());
      return this;
    }

    /**
     * Tenant plan {@code plan} sells at cost plus {@code markupPercent} (not negative; 0 means at
     * cost).
     */
    public Builder plan(String plan, BigDecimal markupPercent) {
      String n = planName(plan);
      planMarkups.put(n, markup(markupPercent));
      log.add("plan " + n + " " + markupPercent.toPlainString());
      return this;
    }

    /**
     * Tenant plan {@code plan} sells {@code provider}'s calls at cost plus {@code markupPercent}.
     */
    public Builder plan(String plan, String provider, BigDecimal markupPercent) {
      String n = planName(plan);
      String p = provider(provider);
      planProviderMarkups.put(n + '\u0000' + p, markup(markupPercent));
      log.add("plan " + n + " " + p + " " + markupPercent.toPlainString());
      return this;
    }

    private static String planName(String plan) {
      if (plan == null || plan.isBlank()) {
        throw new IllegalArgumentException("plan name must not be blank");
      }
      return plan.trim();
    }

    private static BigDecimal markup(BigDecimal m) {
      if (m == null || m.signum() < 0) {
        throw new IllegalArgumentException("markupPercent must not be negative, was " + m);
      }
      return m;
    }

    /** A custom meter's unit price. */
    public Builder meter(MeterPrice meter) {
      meters.add(Objects.requireNonNull(meter, "meter"));
      log.add("meter " + meter);
      return this;
    }

    /** {@code fee} per server-side web search of every model of {@code provider}. */
    public Builder webSearchFee(String provider, BigDecimal fee) {
      String p = provider(provider);
      webSearchFees.put(p, fee("pricePerCall", fee));
      log.add("webSearch " + p + " " + fee.toPlainString());
      return this;
    }

    /**
     * {@code fee} per web search of {@code model} at {@code provider}; wins over the provider's.
     */
    public Builder webSearchFee(String provider, String model, BigDecimal fee) {
      String p = provider(provider);
      String m = name("model", model);
      webSearchFees.put(p + '\u0000' + m, fee("pricePerCall", fee));
      log.add("webSearch " + p + "/" + m + " " + fee.toPlainString());
      return this;
    }

    private static BigDecimal fee(String field, BigDecimal v) {
      if (v == null || v.signum() < 0) {
        throw new IllegalArgumentException(field + " must not be negative, was " + v);
      }
      return v;
    }

    /** The immutable overrides. */
    public PriceOverrides build() {
      return new PriceOverrides(this);
    }
  }
}
