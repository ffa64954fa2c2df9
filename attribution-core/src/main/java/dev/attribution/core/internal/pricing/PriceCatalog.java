package dev.attribution.core.internal.pricing;

import dev.attribution.core.internal.provider.Providers;
import dev.attribution.core.pricing.MeterPrice;
import dev.attribution.core.pricing.ModelPrice;
import dev.attribution.core.pricing.PriceDataException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * An immutable table of {@link ModelPrice}s by provider and model (each with its dated versions)
 * and {@link MeterPrice}s by meter, with the reports of the imports that built it and a version
 * string that changes whenever the data does.
 *
 * <p>Look-ups here are exact (provider id and lower-case model name); name resolution (dated
 * snapshots, prefixes, deployments) is {@link PricingEngine}'s job.
 */
public final class PriceCatalog {

  /** Classpath folder of the bundled data. */
  static final String RESOURCE_DIR = "/dev/attribution/core/pricing/";

  /** The bundled LiteLLM-format subset. */
  static final String BUNDLED_JSON = RESOURCE_DIR + "litellm-bundled.json";

  /** Provenance of the bundled data: snapshot date, source, licence. */
  static final String BUNDLED_PROPERTIES = RESOURCE_DIR + "bundled-catalog.properties";

  private static final Comparator<ModelPrice> NEWEST_FIRST =
      Comparator.comparing(ModelPrice::effectiveFrom).reversed();

  private final Map<String, Map<String, ModelPrice[]>> models;
  private final Map<String, MeterPrice[]> meters;
  private final List<ImportReport> reports;
  private final String version;
  private final @Nullable String dataDate;

  private PriceCatalog(Builder b) {
    Map<String, Map<String, ModelPrice[]>> m = new HashMap<>();
    b.models.forEach(
        (provider, byModel) -> {
          Map<String, ModelPrice[]> inner = new HashMap<>();
          byModel.forEach(
              (model, versions) -> {
                ModelPrice[] arr = versions.toArray(new ModelPrice[0]);
                Arrays.sort(arr, NEWEST_FIRST);
                inner.put(model, arr);
              });
          m.put(provider, Collections.unmodifiableMap(inner));
        });
    this.models = Collections.unmodifiableMap(m);
    Map<String, MeterPrice[]> mt = new HashMap<>();
    b.meters.forEach(
        (name, versions) -> {
          MeterPrice[] arr = versions.toArray(new MeterPrice[0]);
          Arrays.sort(arr, Comparator.comparing(MeterPrice::effectiveFrom).reversed());
          mt.put(name, arr);
        });
    this.meters = Collections.unmodifiableMap(mt);
    this.reports = List.copyOf(b.reports);
    this.version = b.version;
    this.dataDate = b.dataDate;
  }

  /** A new, empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The catalog shipped in the jar: a subset of a LiteLLM price snapshot (see the NOTICE file and
   * {@link #dataDate()}). Parsed once per class loader.
   */
  public static PriceCatalog bundled() {
    return BundledHolder.CATALOG;
  }

  /**
   * Reads a LiteLLM {@code model_prices_and_context_window.json} file.
   *
   * @throws PriceDataException when the file is unreadable or not a JSON object; malformed entries
   *     do not throw but are listed in the {@linkplain #importReports() report}
   */
  public static PriceCatalog fromLiteLlm(Path file) {
    byte[] data;
    try {
      data = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new PriceDataException("cannot read LiteLLM price file " + file + ": " + e, e);
    }
    return fromLiteLlm(data, file.toString());
  }

  /**
   * Reads LiteLLM-format price data from {@code data}; {@code source} names it in reports and
   * errors.
   *
   * @throws PriceDataException when the data is not a JSON object
   */
  public static PriceCatalog fromLiteLlm(byte[] data, String source) {
    LiteLlmImporter.Result r = LiteLlmImporter.parse(data, source);
    Builder b = builder().report(r.report).version("litellm-" + r.report.sha256().substring(0, 12));
    r.prices.forEach(b::put);
    return b.build();
  }

  /** Every provider id with at least one price, sorted. */
  public Collection<String> providers() {
    return Collections.unmodifiableCollection(new TreeSet<>(models.keySet()));
  }

  /** Every model name priced at {@code provider}, sorted (empty when none). */
  public Collection<String> models(String provider) {
    Map<String, ModelPrice[]> m = models.get(Providers.canonical(provider));
    return m == null ? List.of() : Collections.unmodifiableCollection(new TreeSet<>(m.keySet()));
  }

  /** Every price version of every model. */
  public List<ModelPrice> prices() {
    List<ModelPrice> all = new ArrayList<>();
    models.values().forEach(m -> m.values().forEach(v -> all.addAll(Arrays.asList(v))));
    return all;
  }

  /** Every meter price version. */
  public List<MeterPrice> meters() {
    List<MeterPrice> all = new ArrayList<>();
    meters.values().forEach(v -> all.addAll(Arrays.asList(v)));
    return all;
  }

  /**
   * The price in force at {@code at} for exactly {@code model} at {@code provider} (any provider
   * alias is accepted; the model is trimmed and lower-cased), or {@code null}.
   */
  public @Nullable ModelPrice find(String provider, String model, Instant at) {
    ModelPrice[] v = versions(Providers.canonical(provider), ModelNames.normalise(model));
    return v == null ? null : inForce(v, at);
  }

  /** The meter price in force at {@code at}, or {@code null} when the meter is unknown. */
  public @Nullable MeterPrice meter(String meter, Instant at) {
    MeterPrice[] v = meters.get(ModelNames.normaliseId(meter));
    if (v == null) {
      return null;
    }
    for (MeterPrice p : v) {
      if (!p.effectiveFrom().isAfter(at)) {
        return p;
      }
    }
    return v[v.length - 1];
  }

  /** Number of priced provider/model pairs. */
  public int size() {
    int n = 0;
    for (Map<String, ModelPrice[]> m : models.values()) {
      n += m.size();
    }
    return n;
  }

  /** The reports of the imports that built this catalog, lowest precedence first. */
  public List<ImportReport> importReports() {
    return reports;
  }

  /** A string that identifies this data: it changes whenever a price does. */
  public String version() {
    return version;
  }

  /** The date of the underlying data (e.g. the LiteLLM snapshot date), or {@code null}. */
  public @Nullable String dataDate() {
    return dataDate;
  }

  @Override
  public String toString() {
    return "PriceCatalog{version="
        + version
        + " models="
        + size()
        + " meters="
        + meters.size()
        + '}';
  }

  // --- package-private machinery used by the engine ---

  @Nullable ModelPrice[] versions(String canonicalProvider, String model) {
    Map<String, ModelPrice[]> m = models.get(canonicalProvider);
    return m == null ? null : m.get(model);
  }

  Map<String, Map<String, ModelPrice[]>> table() {
    return models;
  }

  Map<String, MeterPrice[]> meterTable() {
    return meters;
  }

  /** The version in force at {@code at}: the newest not after it, else the oldest. */
  static ModelPrice inForce(ModelPrice[] newestFirst, Instant at) {
    for (ModelPrice p : newestFirst) {
      if (!p.effectiveFrom().isAfter(at)) {
        return p;
      }
    }
    return newestFirst[newestFirst.length - 1];
  }

  private static final class BundledHolder {
    static final PriceCatalog CATALOG = load();

    private static PriceCatalog load() {
      byte[] data;
      Properties props = new Properties();
      try (InputStream in = PriceCatalog.class.getResourceAsStream(BUNDLED_JSON);
          InputStream p = PriceCatalog.class.getResourceAsStream(BUNDLED_PROPERTIES)) {
        if (in == null || p == null) {
          throw new IllegalStateException(
              "bundled price data missing from the jar: " + BUNDLED_JSON);
        }
        data = in.readAllBytes();
        props.load(p);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read bundled price data", e);
      }
      LiteLlmImporter.Result r = LiteLlmImporter.parse(data, "bundled");
      String date = props.getProperty("snapshotDate", "unknown");
      Builder b =
          builder()
              .report(r.report)
              .version("bundled-" + date + "-" + r.report.sha256().substring(0, 8))
              .dataDate(date);
      r.prices.forEach(b::put);
      return b.build();
    }
  }

  /**
   * Builds a {@link PriceCatalog}. A price replaces an earlier one with the same provider, model
   * and effective date; different dates are kept as versions.
   */
  public static final class Builder {
    private final Map<String, Map<String, List<ModelPrice>>> models = new HashMap<>();
    private final Map<String, List<MeterPrice>> meters = new HashMap<>();
    private final List<ImportReport> reports = new ArrayList<>();
    private String version = "custom";
    private @Nullable String dataDate;

    private Builder() {}

    /** Adds {@code price}, replacing one with the same provider, model and effective date. */
    public Builder put(ModelPrice price) {
      Objects.requireNonNull(price, "price");
      List<ModelPrice> v =
          models
              .computeIfAbsent(price.provider(), k -> new HashMap<>())
              .computeIfAbsent(price.model(), k -> new ArrayList<>());
      v.removeIf(p -> p.effectiveFrom().equals(price.effectiveFrom()));
      v.add(price);
      return this;
    }

    /** Replaces every version of {@code price}'s provider and model by the given versions. */
    Builder replaceAll(String provider, String model, ModelPrice[] versions) {
      models
          .computeIfAbsent(provider, k -> new HashMap<>())
          .put(model, new ArrayList<>(Arrays.asList(versions)));
      return this;
    }

    /** Adds {@code meter}, replacing one with the same name and effective date. */
    public Builder meter(MeterPrice meter) {
      Objects.requireNonNull(meter, "meter");
      List<MeterPrice> v = meters.computeIfAbsent(meter.meter(), k -> new ArrayList<>());
      v.removeIf(p -> p.effectiveFrom().equals(meter.effectiveFrom()));
      v.add(meter);
      return this;
    }

    /** Records an import report. */
    public Builder report(ImportReport report) {
      reports.add(Objects.requireNonNull(report, "report"));
      return this;
    }

    /** The version string; default {@code custom}. */
    public Builder version(String v) {
      if (v == null || v.isBlank()) {
        throw new IllegalArgumentException("version must not be blank");
      }
      version = v;
      return this;
    }

    /** The date of the data, e.g. {@code 2026-11-28}. */
    public Builder dataDate(@Nullable String date) {
      dataDate = date;
      return this;
    }

    /** Starts from every price, meter and report of {@code catalog}. */
    Builder addAll(PriceCatalog catalog) {
      catalog.models.forEach(
          (provider, byModel) -> byModel.forEach((model, v) -> replaceAll(provider, model, v)));
      catalog.meters.forEach((name, v) -> Arrays.stream(v).forEach(this::meter));
      reports.addAll(catalog.reports);
      if (dataDate == null) {
        dataDate = catalog.dataDate;
      }
      return this;
    }

    /** The immutable catalog. */
    public PriceCatalog build() {
      return new PriceCatalog(this);
    }
  }
}
