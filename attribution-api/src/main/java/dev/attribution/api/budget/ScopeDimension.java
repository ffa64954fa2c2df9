package dev.attribution.api.budget;

import java.util.Locale;

/** A dimension a budget's scope can select on. */
public enum ScopeDimension {
  /** {@link dev.attribution.api.AttributionContext#tenantId()}. */
  TENANT("tenant"),
  /** {@link dev.attribution.api.AttributionContext#userId()}. */
  USER("user"),
  /** {@link dev.attribution.api.AttributionContext#assistantId()}. */
  ASSISTANT("assistant"),
  /** {@link dev.attribution.api.AttributionContext#threadId()}. */
  THREAD("thread"),
  /** {@link dev.attribution.api.AttributionContext#feature()}. */
  FEATURE("feature"),
  /** {@link dev.attribution.api.AttributionContext#trafficClass()}. */
  TRAFFIC_CLASS("traffic_class"),
  /** One custom tag of the context; the tag key is part of the scope. */
  TAG("tag"),
  /** The provider of the call, e.g. {@code openai}. */
  PROVIDER("provider"),
  /** The requested model. */
  MODEL("model"),
  /** The fingerprint of the API key used (never the key itself). */
  KEY("key");

  private final String wireName;

  ScopeDimension(String wireName) {
    this.wireName = wireName;
  }

  /** The name used in scope keys and definition files, e.g. {@code traffic_class}. */
  public String wireName() {
    return wireName;
  }

  /**
   * The dimension whose {@link #wireName()} or constant name is {@code value}, ignoring case;
   * dashes are read as underscores.
   *
   * @throws IllegalArgumentException naming the accepted values when none matches
   */
  public static ScopeDimension fromWireName(String value) {
    String v = value.toLowerCase(Locale.ROOT).replace('-', '_');
    for (ScopeDimension d : values()) {
      if (d.wireName.equals(v)) {
        return d;
      }
    }
    StringBuilder names = new StringBuilder();
    for (ScopeDimension d : values()) {
      names.append(names.length() == 0 ? "" : ", ").append(d.wireName);
    }
    throw new IllegalArgumentException(
        "unknown scope dimension '" + value + "'; expected one of " + names);
  }
}
