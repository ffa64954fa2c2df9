package dev.attribution.api;

import java.util.Locale;

/** Where the cost on a {@link UsageRecord} comes from. */
public enum CostSource {
  /** Computed from reported token usage and the price catalog. */
  COMPUTED,

  /** Reported by the provider in its response (e.g. OpenRouter's {@code usage.cost}). */
  PROVIDER_REPORTED,

  /**
   * Computed from estimated usage (the provider did not report usage, e.g. an abandoned stream).
   */
  ESTIMATED,

  /** The model has no price; the cost is zero but is not known to be zero. */
  UNPRICED;

  /** The lower-case name stored in records and databases, e.g. {@code computed}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The constant whose {@link #wireName()} (or name) is {@code value}, ignoring case.
   *
   * @throws IllegalArgumentException naming the accepted values when none matches
   */
  public static CostSource fromWireName(String value) {
    for (CostSource v : values()) {
      if (v.name().equalsIgnoreCase(value)) {
        return v;
      }
    }
    throw new IllegalArgumentException(
        "unknown CostSource '"
            + value
            + "'; expected one of "
            + java.util.Arrays.toString(values()));
  }
}
