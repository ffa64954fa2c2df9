package dev.attribution.core.internal.pricing;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.attribution.core.internal.provider.Providers;
import dev.attribution.core.pricing.ModelPrice;
import dev.attribution.core.pricing.PriceOverrides;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Price lookup for {@link PricingEngine}: composes the catalog in force (bundled, LiteLLM,
 * overrides and discounts) and resolves a provider/model pair to its price versions, through model
 * id normalisation, aliases, provider fallbacks, vendor prefixes and Bedrock's vendor ids, caching
 * each answer per provider.
 */
final class PriceLookup {
  private static final int MAX_CACHED_PROVIDERS = 64;
  private static final Pattern BEDROCK_VENDOR =
      Pattern.compile(
          "^(?:(?:us|eu|apac|ap|au|jp|ca|global|us-gov)\\.)?(anthropic|mistral|deepseek)\\.(.+)$");

  private final PriceCatalog base;
  private final PriceOverrides overrides;
  private final long cacheSize;

  PriceLookup(PriceCatalog base, PriceOverrides overrides, long cacheSize) {
    this.base = base;
    this.overrides = overrides;
    this.cacheSize = cacheSize;
  }

  Resolution resolution(State s, String provider, String model) {
    Cache<String, Resolution> c = s.caches.get(provider);
    if (c == null) {
      if (s.caches.size() >= MAX_CACHED_PROVIDERS) {
        return resolveUncached(s, provider, model);
      }
      c =
          s.caches.computeIfAbsent(
              provider, k -> Caffeine.newBuilder().maximumSize(cacheSize).build());
    }
    Resolution r = c.getIfPresent(model);
    if (r == null) {
      r = resolveUncached(s, provider, model);
      c.put(model, r);
    }
    return r;
  }

  private Resolution resolveUncached(State s, String rawProvider, String rawModel) {
    String provider = Providers.canonical(rawProvider);
    String requested = ModelNames.normalise(rawModel);
    String name = requested;
    Map<String, String> aliases = overrides.aliases().get(provider);
    if (aliases != null && aliases.containsKey(name)) {
      name = aliases.get(name);
    }
    List<String> providers = new ArrayList<>();
    providers.add(provider);
    providers.addAll(Providers.fallbacks(provider));
    for (String p : providers) {
      Resolution r = find(s, provider, requested, p, name);
      if (r != null) {
        return r;
      }
    }
    int slash = name.indexOf('/');
    if (slash > 0) {
      String vendor = Providers.canonical(name.substring(0, slash));
      Resolution r = find(s, provider, requested, vendor, name.substring(slash + 1));
      if (r != null) {
        return r;
      }
    }
    Matcher m = BEDROCK_VENDOR.matcher(name);
    if (Providers.BEDROCK.equals(provider) && m.matches()) {
      Resolution r = find(s, provider, requested, Providers.canonical(m.group(1)), m.group(2));
      if (r != null) {
        return r;
      }
    }
    return new Resolution(provider, requested, null, null);
  }

  private static @Nullable Resolution find(
      State s, String provider, String requested, String catalogProvider, String name) {
    for (String candidate : ModelNames.candidates(catalogProvider, name)) {
      ModelPrice[] v = s.catalog.versions(catalogProvider, candidate);
      if (v != null) {
        return new Resolution(provider, requested, candidate, v);
      }
    }
    return null;
  }

  State compose(@Nullable PriceCatalog lite) {
    PriceCatalog.Builder layered = PriceCatalog.builder().addAll(base);
    if (lite != null) {
      layered.addAll(lite);
    }
    PriceCatalog merged = layered.build();
    PriceCatalog.Builder out = PriceCatalog.builder();
    Map<String, BigDecimal> providerDiscounts = overrides.providerDiscounts();
    Map<String, BigDecimal> modelDiscounts = overrides.modelDiscounts();
    merged
        .table()
        .forEach(
            (provider, byModel) ->
                byModel.forEach(
                    (model, versions) -> {
                      BigDecimal pct = modelDiscounts.get(provider + '\u0000' + model);
                      if (pct == null) {
                        pct = providerDiscounts.get(provider);
                      }
                      if (pct == null || pct.signum() == 0) {
                        out.replaceAll(provider, model, versions);
                      } else {
                        BigDecimal f = BigDecimal.ONE.subtract(pct.movePointLeft(2));
                        ModelPrice[] d = new ModelPrice[versions.length];
                        for (int i = 0; i < d.length; i++) {
                          d[i] = versions[i].times(f);
                        }
                        out.replaceAll(provider, model, d);
                      }
                    }));
    overrides.models().forEach(out::put);
    merged.meterTable().values().forEach(v -> java.util.Arrays.stream(v).forEach(out::meter));
    overrides.meters().forEach(out::meter);
    merged.importReports().forEach(out::report);
    out.dataDate(base.dataDate());
    StringBuilder v = new StringBuilder(base.version());
    if (lite != null) {
      v.append('+').append(lite.version());
    }
    String desc = overrides.description();
    if (!desc.isEmpty()) {
      v.append("+ovr-").append(LiteLlmImporter.sha256(desc.getBytes(StandardCharsets.UTF_8)), 0, 8);
    }
    out.version(v.toString());
    return new State(out.build());
  }

  static final class State {
    final PriceCatalog catalog;
    final String version;
    final ConcurrentHashMap<String, Cache<String, Resolution>> caches = new ConcurrentHashMap<>();

    State(PriceCatalog catalog) {
      this.catalog = catalog;
      this.version = catalog.version();
    }
  }

  static final class Resolution {
    final String provider;
    final String requested;
    final @Nullable String model;
    final ModelPrice @Nullable [] versions;

    /** The worst-case rates last used with this resolution, in exact units (see there). */
    volatile @Nullable WorstCaseUnits units;

    /** The rates last used to price a call with this resolution, in exact units (see there). */
    volatile @Nullable CostUnits costUnits;

    Resolution(
        String provider,
        String requested,
        @Nullable String model,
        ModelPrice @Nullable [] versions) {
      this.provider = provider;
      this.requested = requested;
      this.model = model;
      this.versions = versions;
    }
  }
}
