package dev.attribution.core.internal.pricing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attribution.core.internal.provider.Providers;
import dev.attribution.core.pricing.ModelPrice;
import dev.attribution.core.pricing.PriceDataException;
import dev.attribution.core.pricing.TokenRates;
import java.io.IOException;
import java.math.BigDecimal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads LiteLLM's {@code model_prices_and_context_window.json}: one object per model key with
 * {@code litellm_provider}, {@code mode} and per-token prices ({@code input_cost_per_token}, {@code
 * cache_read_input_token_cost}, {@code ..._above_200k_tokens}, {@code ..._priority}, ...). Fields
 * it does not know are ignored; an entry is malformed when a price is not a number or negative, or
 * the provider is missing.
 */
public final class LiteLlmImporter {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private static final Pattern TIERED = Pattern.compile("^(.+)_above_(\\d+)k_tokens$");
  private static final Map<String, String> SERVICE_SUFFIXES =
      Map.of("_batches", "batch", "_flex", "flex", "_priority", "priority");

  /** LiteLLM base field name to our token category. */
  private static final Map<String, String> FIELDS =
      Map.ofEntries(
          Map.entry("input_cost_per_token", "input"),
          Map.entry("output_cost_per_token", "output"),
          Map.entry("cache_read_input_token_cost", "cachedInput"),
          Map.entry("input_cost_per_token_cache_hit", "cachedInputAlias"),
          Map.entry("cache_creation_input_token_cost", "cacheWrite5m"),
          Map.entry("cache_creation_input_token_cost_above_1hr", "cacheWrite1h"),
          Map.entry("output_cost_per_reasoning_token", "reasoning"),
          Map.entry("input_cost_per_audio_token", "audioInput"),
          Map.entry("output_cost_per_audio_token", "audioOutput"),
          Map.entry("input_cost_per_image_token", "imageInput"),
          Map.entry("output_cost_per_image_token", "imageOutput"));

  /** Modes that may legitimately have no output price (they produce no tokens). */
  private static final List<String> INPUT_ONLY_MODES =
      List.of("embedding", "rerank", "moderation", "audio_transcription");

  private LiteLlmImporter() {}

  /** The parsed prices and the report; never throws for a single bad entry. */
  static final class Result {
    final List<ModelPrice> prices;
    final ImportReport report;

    Result(List<ModelPrice> prices, ImportReport report) {
      this.prices = prices;
      this.report = report;
    }
  }

  static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JVM", e);
    }
  }

  /**
   * Parses {@code data}.
   *
   * @throws PriceDataException when the data is not a JSON object
   */
  static Result parse(byte[] data, String source) {
    JsonNode root;
    try {
      root = JSON.readTree(data);
    } catch (JsonProcessingException e) {
      throw new PriceDataException(
          "LiteLLM price data from " + source + " is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new PriceDataException("LiteLLM price data from " + source + " is unreadable", e);
    }
    if (root == null || !root.isObject()) {
      throw new PriceDataException(
          "LiteLLM price data from " + source + " must be a JSON object of model entries");
    }
    Map<String, Integer> skipped = new TreeMap<>();
    List<String> malformed = new ArrayList<>();
    Map<String, ModelPrice> prices = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : root.properties()) {
      String key = e.getKey();
      if ("sample_spec".equals(key)) {
        skipped.merge("documentation entry (sample_spec)", 1, Integer::sum);
        continue;
      }
      try {
        ModelPrice p = entry(key, e.getValue(), skipped);
        if (p != null) {
          String k = p.provider() + '\u0000' + p.model();
          if (prices.putIfAbsent(k, p) != null) {
            skipped.merge("same provider and model as an earlier entry", 1, Integer::sum);
          }
        }
      } catch (IllegalArgumentException ex) {
        malformed.add(key + ": " + ex.getMessage());
      }
    }
    return new Result(
        new ArrayList<>(prices.values()),
        new ImportReport(source, sha256(data), prices.size(), skipped, malformed));
  }

  /**
   * The price of one web search: LiteLLM's {@code search_context_cost_per_query} at the default
   * (medium) search context size, or {@code null} when the entry has none.
   */
  private static @Nullable BigDecimal webSearchFee(JsonNode node) {
    JsonNode q = node.get("search_context_cost_per_query");
    if (q == null || !q.isObject()) {
      return null;
    }
    JsonNode medium = q.get("search_context_size_medium");
    if (medium == null || !medium.isNumber()) {
      return null;
    }
    BigDecimal fee = medium.decimalValue();
    if (fee.signum() < 0) {
      throw new IllegalArgumentException(
          "search_context_cost_per_query is negative: " + fee.toPlainString());
    }
    return fee;
  }

  private static @Nullable ModelPrice entry(
      String key, JsonNode node, Map<String, Integer> skipped) {
    if (!node.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    JsonNode prov = node.get("litellm_provider");
    if (prov == null && !hasPriceField(node)) {
      skipped.merge("not a model entry (no provider, no prices)", 1, Integer::sum);
      return null;
    }
    if (prov == null || !prov.isTextual() || prov.asText().isBlank()) {
      throw new IllegalArgumentException("litellm_provider is missing or not a string");
    }
    String litellmProvider = prov.asText();
    String provider = Providers.canonical(litellmProvider);
    JsonNode modeNode = node.get("mode");
    String mode = modeNode != null && modeNode.isTextual() ? modeNode.asText() : "";

    // (service tier, threshold) -> category -> rate
    Map<String, Map<String, BigDecimal>> groups = new TreeMap<>();
    BigDecimal perCall = BigDecimal.ZERO;
    BigDecimal webSearch = webSearchFee(node);
    for (Map.Entry<String, JsonNode> f : node.properties()) {
      String name = f.getKey();
      JsonNode v = f.getValue();
      if (!name.contains("cost")) {
        continue;
      }
      if (v.isObject() || v.isArray()) {
        continue; // structured prices (e.g. web search context sizes) are not per token
      }
      if (!v.isNumber()) {
        throw new IllegalArgumentException(name + " is not a number: " + v);
      }
      BigDecimal rate = v.decimalValue();
      if (rate.signum() < 0) {
        throw new IllegalArgumentException(name + " is negative: " + rate.toPlainString());
      }
      if ("input_cost_per_request".equals(name)) {
        perCall = rate;
        continue;
      }
      String tier = ModelPrice.STANDARD_TIER;
      String base = name;
      for (Map.Entry<String, String> s : SERVICE_SUFFIXES.entrySet()) {
        if (base.endsWith(s.getKey())) {
          tier = s.getValue();
          base = base.substring(0, base.length() - s.getKey().length());
          break;
        }
      }
      long above = 0;
      Matcher m = TIERED.matcher(base);
      if (m.matches() && FIELDS.containsKey(m.group(1))) {
        base = m.group(1);
        above = Long.parseLong(m.group(2)) * 1000;
      }
      String category = FIELDS.get(base);
      if (category == null) {
        continue; // priced per image, second, character, query ...: not token prices
      }
      Map<String, BigDecimal> g =
          groups.computeIfAbsent(
              tier + '\u0000' + String.format("%012d", above), k -> new HashMap<>());
      if ("cachedInputAlias".equals(category)) {
        g.putIfAbsent("cachedInput", rate);
      } else {
        g.put(category, rate);
      }
    }
    Map<String, BigDecimal> std =
        groups.get(ModelPrice.STANDARD_TIER + '\u0000' + String.format("%012d", 0));
    if (std == null || (!std.containsKey("input") && !std.containsKey("output"))) {
      skipped.merge(
          "no per-token price (mode " + (mode.isEmpty() ? "unknown" : mode) + ")", 1, Integer::sum);
      return null;
    }
    if (!std.containsKey("output")) {
      if (!INPUT_ONLY_MODES.contains(mode)) {
        skipped.merge("input price without output price (mode " + mode + ")", 1, Integer::sum);
        return null;
      }
      std.put("output", BigDecimal.ZERO);
    }
    if (!std.containsKey("input")) {
      skipped.merge("output price without input price (mode " + mode + ")", 1, Integer::sum);
      return null;
    }
    String model = modelName(key, provider);
    TokenRates baseRates = apply(TokenRates.builder(), std).build();
    ModelPrice.Builder b =
        ModelPrice.builder(provider, model)
            .rates(baseRates)
            .mode(mode)
            .perCallFee(perCall)
            .webSearchFee(webSearch);
    JsonNode maxOut = node.get("max_output_tokens");
    if (maxOut != null && maxOut.canConvertToLong() && maxOut.asLong() > 0) {
      b.maxOutputTokens(maxOut.asLong());
    }
    Map<String, TokenRates> serviceBase = new HashMap<>();
    for (Map.Entry<String, Map<String, BigDecimal>> g : groups.entrySet()) {
      String[] parts = g.getKey().split("\u0000");
      String tier = parts[0];
      long above = Long.parseLong(parts[1]);
      if (ModelPrice.STANDARD_TIER.equals(tier) || above != 0) {
        continue;
      }
      TokenRates r = apply(baseRates.toBuilder(), g.getValue()).build();
      serviceBase.put(tier, r);
      b.serviceTier(tier, r);
    }
    for (Map.Entry<String, Map<String, BigDecimal>> g : groups.entrySet()) {
      String[] parts = g.getKey().split("\u0000");
      String tier = parts[0];
      long above = Long.parseLong(parts[1]);
      if (above == 0) {
        continue;
      }
      if (ModelPrice.STANDARD_TIER.equals(tier)) {
        b.contextTier(above, apply(baseRates.toBuilder(), g.getValue()).build());
      } else {
        TokenRates sb = serviceBase.get(tier);
        if (sb == null) {
          sb = baseRates;
          b.serviceTier(tier, sb);
          serviceBase.put(tier, sb);
        }
        b.contextTier(tier, above, apply(sb.toBuilder(), g.getValue()).build());
      }
    }
    return b.build();
  }

  private static boolean hasPriceField(JsonNode node) {
    for (Map.Entry<String, JsonNode> f : node.properties()) {
      if (f.getKey().contains("cost")) {
        return true;
      }
    }
    return false;
  }

  private static TokenRates.Builder apply(TokenRates.Builder b, Map<String, BigDecimal> rates) {
    rates.forEach(
        (category, rate) -> {
          switch (category) {
            case "input":
              b.input(rate);
              break;
            case "output":
              b.output(rate);
              break;
            case "cachedInput":
              b.cachedInput(rate);
              break;
            case "cacheWrite5m":
              b.cacheWrite5m(rate);
              break;
            case "cacheWrite1h":
              b.cacheWrite1h(rate);
              break;
            case "reasoning":
              b.reasoning(rate);
              break;
            case "audioInput":
              b.audioInput(rate);
              break;
            case "audioOutput":
              b.audioOutput(rate);
              break;
            case "imageInput":
              b.imageInput(rate);
              break;
            case "imageOutput":
              b.imageOutput(rate);
              break;
            default:
              throw new IllegalStateException("unmapped category " + category);
          }
        });
    return b;
  }

  /** The model name of a LiteLLM key: the key without a leading segment naming its provider. */
  static String modelName(String key, String canonicalProvider) {
    int slash = key.indexOf('/');
    if (slash > 0 && Providers.canonical(key.substring(0, slash)).equals(canonicalProvider)) {
      return key.substring(slash + 1);
    }
    return key;
  }
}
