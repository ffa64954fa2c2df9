package dev.attribution.sink.otlp.sdk;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Reads the standard OpenTelemetry SDK settings: the system property ({@code otel.exporter.otlp.
 * endpoint}) wins over the environment variable ({@code OTEL_EXPORTER_OTLP_ENDPOINT}). A value that
 * does not parse throws naming the variable, so a typo fails at start-up.
 */
final class OtlpEnvironment {

  private final UnaryOperator<@Nullable String> lookup;

  /** {@code lookup} maps an environment-variable name to its value or {@code null}. */
  OtlpEnvironment(UnaryOperator<@Nullable String> lookup) {
    this.lookup = lookup;
  }

  /** The process's system properties, then its environment. */
  static OtlpEnvironment system() {
    return new OtlpEnvironment(
        name -> {
          String property = System.getProperty(name.toLowerCase(Locale.ROOT).replace('_', '.'));
          return property != null ? property : System.getenv(name);
        });
  }

  /** The trimmed value of {@code name}, or {@code null} when unset or blank. */
  @Nullable String get(String name) {
    String v = lookup.apply(name);
    return v == null || v.isBlank() ? null : v.trim();
  }

  /**
   * The signal-specific variable (e.g. {@code OTEL_EXPORTER_OTLP_LOGS_TIMEOUT}), else the general.
   */
  @Nullable String signal(String signal, String suffix) {
    String specific = get("OTEL_EXPORTER_OTLP_" + signal + "_" + suffix);
    return specific != null ? specific : get("OTEL_EXPORTER_OTLP_" + suffix);
  }

  /** A duration in milliseconds, or {@code null} when unset. */
  @Nullable Duration millis(String name, @Nullable String value) {
    if (value == null) {
      return null;
    }
    try {
      long ms = Long.parseLong(value);
      if (ms < 0) {
        throw new NumberFormatException("negative");
      }
      return Duration.ofMillis(ms);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          name + " must be a whole number of milliseconds, was '" + value + "'", e);
    }
  }

  /** A positive int, or {@code null} when unset. */
  @Nullable Integer positiveInt(String name) {
    String value = get(name);
    if (value == null) {
      return null;
    }
    try {
      int n = Integer.parseInt(value);
      if (n < 1) {
        throw new NumberFormatException("not positive");
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          name + " must be a positive whole number, was '" + value + "'", e);
    }
  }

  /**
   * Parses {@code key1=value1,key2=value2} (the format of {@code OTEL_EXPORTER_OTLP_HEADERS} and
   * {@code OTEL_RESOURCE_ATTRIBUTES}); values are URL-decoded.
   */
  static Map<String, String> keyValues(String name, @Nullable String value) {
    Map<String, String> out = new LinkedHashMap<>();
    if (value == null) {
      return out;
    }
    for (String pair : value.split(",")) {
      if (pair.isBlank()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            name + " must be a comma-separated list of key=value pairs; bad entry '" + pair + "'");
      }
      String key = pair.substring(0, eq).trim();
      String v = URLDecoder.decode(pair.substring(eq + 1).trim(), StandardCharsets.UTF_8);
      out.put(key, v);
    }
    return out;
  }
}
