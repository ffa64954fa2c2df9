package dev.attribution.report;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/** The review's settings files: tenant zones, plan prices and budgets, all Java properties. */
final class SettingsFiles {
  private SettingsFiles() {}

  private static Properties load(Path file) throws IOException {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    }
    return p;
  }

  /** Reads tenant zones: a properties file of {@code <tenant>=<zone id>}. */
  static Map<String, ZoneId> tenantZones(Path file) throws IOException {
    Properties p = load(file);
    Map<String, ZoneId> m = new HashMap<>();
    for (String tenant : p.stringPropertyNames()) {
      String v = p.getProperty(tenant).trim();
      try {
        m.put(tenant, ZoneId.of(v));
      } catch (DateTimeException e) {
        throw new IllegalArgumentException(
            file + ": zone of tenant '" + tenant + "' must be a zone id, was '" + v + "'", e);
      }
    }
    return Collections.unmodifiableMap(m);
  }

  /**
   * Reads plan prices: a properties file of {@code <tenant>=<price per 30 days>}, {@code *} for
   * every tenant not listed.
   */
  static Map<String, BigDecimal> planPrices(Path file) throws IOException {
    Properties p = load(file);
    Map<String, BigDecimal> m = new HashMap<>();
    for (String tenant : p.stringPropertyNames()) {
      String v = p.getProperty(tenant).trim();
      try {
        BigDecimal price = new BigDecimal(v);
        if (price.signum() < 0) {
          throw new NumberFormatException("negative");
        }
        m.put(tenant, price);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            file
                + ": plan price of tenant '"
                + tenant
                + "' must be a non-negative amount, was '"
                + v
                + "'",
            e);
      }
    }
    return Collections.unmodifiableMap(m);
  }

  /**
   * Reads budgets for the forecast: {@code <budget>.limit=<amount per period>}, {@code
   * <budget>.period=day|week|month} (default month), {@code <budget>.zone=<zone id>} (default: the
   * tenant's zone, else the window's) and {@code <budget>.scope=tenant|global} (default tenant: one
   * forecast per tenant that spent under the budget).
   */
  static Map<String, Forecast.BudgetSetting> budgets(Path file) throws IOException {
    Properties p = load(file);
    Map<String, Forecast.BudgetSetting> m = new HashMap<>();
    for (String key : p.stringPropertyNames()) {
      int dot = key.lastIndexOf('.');
      String v = p.getProperty(key).trim();
      if (dot <= 0) {
        throw new IllegalArgumentException(
            file + ": '" + key + "' must be <budget>.limit, .period, .zone or .scope");
      }
      Forecast.BudgetSetting s =
          m.computeIfAbsent(key.substring(0, dot), k -> new Forecast.BudgetSetting());
      String field = key.substring(dot + 1);
      try {
        switch (field) {
          case "limit":
            s.limit = new BigDecimal(v);
            if (s.limit.signum() <= 0) {
              throw new NumberFormatException("not positive");
            }
            break;
          case "period":
            s.period = Forecast.BudgetPeriodKind.valueOf(v.toUpperCase(Locale.ROOT));
            break;
          case "zone":
            s.zone = ZoneId.of(v);
            break;
          case "scope":
            if (!v.equals("tenant") && !v.equals("global")) {
              throw new IllegalArgumentException("not tenant or global");
            }
            s.global = v.equals("global");
            break;
          default:
            throw new IllegalArgumentException("unknown setting");
        }
      } catch (IllegalArgumentException | DateTimeException e) {
        throw new IllegalArgumentException(
            file
                + ": "
                + key
                + "='"
                + v
                + "' is not valid (limit: a positive amount; period: day, week or month; zone: a"
                + " zone id; scope: tenant or global)",
            e);
      }
    }
    return Collections.unmodifiableMap(m);
  }
}
