package dev.attribution.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A LiteLLM price file ({@code model_prices_and_context_window.json}) read for re-pricing: every
 * number is read as an exact {@link BigDecimal} (Jackson's streaming parser), per-token prices of
 * the standard service tier with their long-context tiers ({@code ..._above_200k_tokens}) and the
 * per-request fee. The fields and their defaults are the ones the library's price importer uses, so
 * the same file gives the same cost; the agreement is tested against the library's pricing.
 */
final class PriceFile {

  /** Per-token rates of one tier; a null rate falls back as the library's calculator does. */
  static final class Rates {
    BigDecimal input = BigDecimal.ZERO;
    BigDecimal output = BigDecimal.ZERO;
    @Nullable BigDecimal cached;
    @Nullable BigDecimal write5m;
    @Nullable BigDecimal write1h;
    @Nullable BigDecimal reasoning;
    @Nullable BigDecimal audioIn;
    @Nullable BigDecimal audioOut;
    @Nullable BigDecimal imageIn;
    @Nullable BigDecimal imageOut;

    Rates copy() {
      Rates r = new Rates();
      r.input = input;
      r.output = output;
      r.cached = cached;
      r.write5m = write5m;
      r.write1h = write1h;
      r.reasoning = reasoning;
      r.audioIn = audioIn;
      r.audioOut = audioOut;
      r.imageIn = imageIn;
      r.imageOut = imageOut;
      return r;
    }

    void set(String category, BigDecimal v) {
      switch (category) {
        case "input":
          input = v;
          break;
        case "output":
          output = v;
          break;
        case "cached":
          cached = v;
          break;
        case "cachedAlias":
          if (cached == null) {
            cached = v;
          }
          break;
        case "write5m":
          write5m = v;
          break;
        case "write1h":
          write1h = v;
          break;
        case "reasoning":
          reasoning = v;
          break;
        case "audioIn":
          audioIn = v;
          break;
        case "audioOut":
          audioOut = v;
          break;
        case "imageIn":
          imageIn = v;
          break;
        default:
          imageOut = v;
      }
    }
  }

  /** The prices of one model: the base rates, long-context tiers and the per-request fee. */
  static final class Price {
    final Rates base;

    /** Thresholds, largest first: input above one is priced wholly at its tier's rates. */
    final long[] thresholds;

    final Rates[] tiers;
    final BigDecimal perCall;

    Price(Rates base, long[] thresholds, Rates[] tiers, BigDecimal perCall) {
      this.base = base;
      this.thresholds = thresholds;
      this.tiers = tiers;
      this.perCall = perCall;
    }

    Rates ratesFor(long inputTokens) {
      for (int i = 0; i < thresholds.length; i++) {
        if (inputTokens > thresholds[i]) {
          return tiers[i];
        }
      }
      return base;
    }
  }

  private static final Pattern TIERED = Pattern.compile("^(.+)_above_(\\d+)k_tokens$");
  private static final List<String> SERVICE_SUFFIXES = List.of("_batches", "_flex", "_priority");
  private static final List<String> INPUT_ONLY_MODES =
      List.of("embedding", "rerank", "moderation", "audio_transcription");

  private static final Map<String, String> FIELDS =
      Map.ofEntries(
          Map.entry("input_cost_per_token", "input"),
          Map.entry("output_cost_per_token", "output"),
          Map.entry("cache_read_input_token_cost", "cached"),
          Map.entry("input_cost_per_token_cache_hit", "cachedAlias"),
          Map.entry("cache_creation_input_token_cost", "write5m"),
          Map.entry("cache_creation_input_token_cost_above_1hr", "write1h"),
          Map.entry("output_cost_per_reasoning_token", "reasoning"),
          Map.entry("input_cost_per_audio_token", "audioIn"),
          Map.entry("output_cost_per_audio_token", "audioOut"),
          Map.entry("input_cost_per_image_token", "imageIn"),
          Map.entry("output_cost_per_image_token", "imageOut"));

  /**
   * LiteLLM provider names to the provider ids records carry (as the library maps them); others are
   * kept lower-cased.
   */
  private static final Map<String, String> PROVIDERS = providers();

  private static Map<String, String> providers() {
    String pairs =
        "text-completion-openai=openai gemini=gcp.gemini google=gcp.gemini"
            + " vertex_ai=gcp.vertex_ai azure=azure.ai.openai azure_text=azure.ai.openai"
            + " azure_ai=azure.ai.inference bedrock=aws.bedrock bedrock_converse=aws.bedrock"
            + " mistral=mistral_ai xai=x_ai together_ai=together fireworks_ai=fireworks";
    Map<String, String> m = new HashMap<>();
    for (String p : pairs.split(" ")) {
      m.put(p.substring(0, p.indexOf('=')), p.substring(p.indexOf('=') + 1));
    }
    return Map.copyOf(m);
  }

  /** Providers whose prices stand in for another's when it has none, as the library does. */
  private static final Map<String, List<String>> FALLBACKS =
      Map.of(
          "azure.ai.openai", List.of("openai"),
          "gcp.vertex_ai", List.of("gcp.gemini"),
          "gcp.gemini", List.of("gcp.vertex_ai"));

  private static final Pattern[] SUFFIXES = {
    Pattern.compile("-\\d{4}-\\d{2}-\\d{2}$"),
    Pattern.compile("-\\d{8}$"),
    Pattern.compile("@\\d{8}$"),
    Pattern.compile("@\\d{3}$"),
    Pattern.compile("-\\d{2}-\\d{2}$"),
    Pattern.compile("-\\d{4}$"),
    Pattern.compile("-\\d{3}$"),
    Pattern.compile("-latest$"),
  };

  final String source;
  final String sha256;
  private final Map<String, Price> prices;

  /** Every long-context threshold in the file, largest first. */
  final long[] thresholds;

  private PriceFile(String source, String sha256, Map<String, Price> prices) {
    this.source = source;
    this.sha256 = sha256;
    this.prices = prices;
    TreeSet<Long> t = new TreeSet<>();
    for (Price p : prices.values()) {
      for (long x : p.thresholds) {
        t.add(x);
      }
    }
    this.thresholds = t.descendingSet().stream().mapToLong(Long::longValue).toArray();
  }

  static String provider(String litellmProvider) {
    String n = litellmProvider.trim().toLowerCase(Locale.ROOT);
    if (n.startsWith("vertex_ai")) {
      return "gcp.vertex_ai";
    }
    return PROVIDERS.getOrDefault(n, n);
  }

  /**
   * Reads {@code file}.
   *
   * @throws IOException when it cannot be read
   * @throws IllegalArgumentException when it is not a JSON object of model entries
   */
  static PriceFile read(Path file) throws IOException {
    byte[] data = Files.readAllBytes(file);
    Map<String, Price> prices = new HashMap<>();
    try (JsonParser p = new JsonFactory().createParser(data)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException(file + " is not a JSON object of model entries");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        if (p.nextToken() != JsonToken.START_OBJECT) {
          p.skipChildren();
          continue;
        }
        entry(key, p, prices);
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
    return new PriceFile(file.toString(), sha256(data), prices);
  }

  private static void entry(String key, JsonParser p, Map<String, Price> prices)
      throws IOException {
    String provider = null;
    String mode = "";
    BigDecimal perCall = BigDecimal.ZERO;
    Map<Long, Rates> tiers = new HashMap<>();
    Map<Long, Map<String, BigDecimal>> fields = new HashMap<>();
    boolean bad = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
        p.skipChildren();
        continue;
      }
      if (name.equals("litellm_provider") && v == JsonToken.VALUE_STRING) {
        provider = p.getText();
      } else if (name.equals("mode") && v == JsonToken.VALUE_STRING) {
        mode = p.getText();
      } else if (name.contains("cost")) {
        if (!v.isNumeric()) {
          bad = true; // the library reports such an entry as malformed and skips it
          continue;
        }
        BigDecimal rate = p.getDecimalValue();
        if (rate.signum() < 0) {
          bad = true;
          continue;
        }
        if (name.equals("input_cost_per_request")) {
          perCall = rate;
          continue;
        }
        boolean service = false;
        for (String s : SERVICE_SUFFIXES) {
          service |= name.endsWith(s);
        }
        if (service) {
          continue; // records do not carry the service tier: standard prices only
        }
        long above = 0;
        String base = name;
        Matcher m = TIERED.matcher(name);
        if (m.matches() && FIELDS.containsKey(m.group(1))) {
          base = m.group(1);
          above = Long.parseLong(m.group(2)) * 1000;
        }
        String category = FIELDS.get(base);
        if (category != null) {
          fields.computeIfAbsent(above, k -> new java.util.TreeMap<>()).put(category, rate);
        }
      }
    }
    Map<String, BigDecimal> std = fields.get(0L);
    if (bad || provider == null || provider.isBlank() || key.equals("sample_spec") || std == null) {
      return;
    }
    if (!std.containsKey("input")) {
      return;
    }
    if (!std.containsKey("output")) {
      if (!INPUT_ONLY_MODES.contains(mode)) {
        return;
      }
      std.put("output", BigDecimal.ZERO);
    }
    Rates base = new Rates();
    std.forEach(base::set);
    List<Long> above = new ArrayList<>(new TreeSet<>(fields.keySet()).descendingSet());
    above.remove(0L);
    long[] t = new long[above.size()];
    Rates[] r = new Rates[above.size()];
    for (int i = 0; i < above.size(); i++) {
      t[i] = above.get(i);
      Rates tier = base.copy();
      fields.get(above.get(i)).forEach(tier::set);
      r[i] = tier;
      tiers.put(t[i], tier);
    }
    String canonical = provider(provider);
    String model = key;
    int slash = key.indexOf('/');
    if (slash > 0 && provider(key.substring(0, slash)).equals(canonical)) {
      model = key.substring(slash + 1);
    }
    prices.putIfAbsent(
        canonical + '\u0000' + model.trim().toLowerCase(Locale.ROOT),
        new Price(base, t, r, perCall));
  }

  /** The price of {@code model} at {@code provider}, found as the library finds it, or null. */
  @Nullable Price find(String provider, String model) {
    String prov = provider(provider);
    String name = model.trim().toLowerCase(Locale.ROOT).replaceAll("\\s+", "");
    List<String> providers = new ArrayList<>();
    providers.add(prov);
    providers.addAll(FALLBACKS.getOrDefault(prov, List.of()));
    for (String p : providers) {
      Price found = findAt(p, name);
      if (found != null) {
        return found;
      }
    }
    int slash = name.indexOf('/');
    if (slash > 0) {
      return findAt(provider(name.substring(0, slash)), name.substring(slash + 1));
    }
    return null;
  }

  private @Nullable Price findAt(String provider, String name) {
    for (String candidate : candidates(provider, name)) {
      Price p = prices.get(provider + '\u0000' + candidate);
      if (p != null) {
        return p;
      }
    }
    return null;
  }

  /** The name, without a provider prefix, and without date or version suffixes. */
  private static List<String> candidates(String provider, String n) {
    Set<String> out = new LinkedHashSet<>();
    out.add(n);
    if (!"openrouter".equals(provider) && n.indexOf('/') > 0) {
      out.add(n.substring(n.indexOf('/') + 1));
      out.add(n.substring(n.lastIndexOf('/') + 1));
    }
    for (String c : new ArrayList<>(out)) {
      String s = c;
      boolean changed = true;
      while (changed) {
        changed = false;
        for (Pattern p : SUFFIXES) {
          String t = p.matcher(s).replaceFirst("");
          if (!t.equals(s) && !t.isEmpty()) {
            s = t;
            out.add(s);
            changed = true;
          }
        }
      }
    }
    return new ArrayList<>(out);
  }

  private static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JVM", e);
    }
  }
}
