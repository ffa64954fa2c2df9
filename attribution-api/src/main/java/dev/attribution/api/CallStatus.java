package dev.attribution.api;

import java.util.Locale;

/** How a call ended. */
public enum CallStatus {
  /** The provider answered with a 2xx status and the response was read. */
  OK,

  /** The provider answered with an error status (4xx or 5xx). */
  UPSTREAM_ERROR,

  /** A budget or loop guard stopped the call before it left the process. */
  BLOCKED,

  /** The application abandoned the call or stream before it finished. */
  CANCELLED,

  /** The call failed in transport (timeout, connection error) without a provider answer. */
  FAILED;

  /** The lower-case name stored in records and databases, e.g. {@code ok}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The constant whose {@link #wireName()} (or name) is {@code value}, ignoring case.
   *
   * @throws IllegalArgumentException naming the accepted values when none matches
   */
  public static CallStatus fromWireName(String value) {
    for (CallStatus v : values()) {
      if (v.name().equalsIgnoreCase(value)) {
        return v;
      }
    }
    throw new IllegalArgumentException(
        "unknown CallStatus '"
            + value
            + "'; expected one of "
            + java.util.Arrays.toString(values()));
  }
}
