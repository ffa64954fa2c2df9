package dev.attribution.api;

import java.util.Locale;

/** Where the interceptor found the {@link AttributionContext} of a call. */
public enum ContextSource {
  /**
   * From attribution request headers (see {@link AttributionHeaders}), which were then stripped.
   */
  HEADER,

  /** From an {@link AttributionContext} attached to the HTTP request as a tag. */
  TAG,

  /** From the thread-local scope in force where the call was created. */
  SCOPE,

  /** No context was found; the call is unattributed. */
  NONE;

  /** The lower-case name stored in records and databases, e.g. {@code header}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The constant whose {@link #wireName()} (or name) is {@code value}, ignoring case.
   *
   * @throws IllegalArgumentException naming the accepted values when none matches
   */
  public static ContextSource fromWireName(String value) {
    for (ContextSource v : values()) {
      if (v.name().equalsIgnoreCase(value)) {
        return v;
      }
    }
    throw new IllegalArgumentException(
        "unknown ContextSource '"
            + value
            + "'; expected one of "
            + java.util.Arrays.toString(values()));
  }
}
