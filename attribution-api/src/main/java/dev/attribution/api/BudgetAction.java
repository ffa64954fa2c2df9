package dev.attribution.api;

import java.util.Locale;

/** What budget enforcement did to a call, strongest last. */
public enum BudgetAction {
  /** No budget threshold applied. */
  NONE,

  /** A threshold was crossed and listeners were notified; the call went ahead unchanged. */
  NOTIFY,

  /** The model was replaced by a cheaper one. */
  DOWNGRADE,

  /** The call was sent to another route (provider, base URL or credentials). */
  REROUTE,

  /** The call was refused before any money was spent. */
  BLOCK;

  /** The lower-case name stored in records and databases, e.g. {@code none}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The constant whose {@link #wireName()} (or name) is {@code value}, ignoring case.
   *
   * @throws IllegalArgumentException naming the accepted values when none matches
   */
  public static BudgetAction fromWireName(String value) {
    for (BudgetAction v : values()) {
      if (v.name().equalsIgnoreCase(value)) {
        return v;
      }
    }
    throw new IllegalArgumentException(
        "unknown BudgetAction '"
            + value
            + "'; expected one of "
            + java.util.Arrays.toString(values()));
  }
}
