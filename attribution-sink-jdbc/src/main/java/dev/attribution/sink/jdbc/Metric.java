package dev.attribution.sink.jdbc;

/** What a {@link UsageQuery} can rank groups by, largest first. */
public enum Metric {
  /** Number of records. */
  REQUESTS("s_requests"),
  /** Number of records whose status is not {@code ok}. */
  ERRORS("s_errors"),
  /** Sum of input tokens. */
  INPUT_TOKENS("s_input"),
  /** Sum of output tokens. */
  OUTPUT_TOKENS("s_output"),
  /** Sum of cost. */
  COST("s_cost"),
  /** Sum of charge to customers. */
  CHARGE("s_charge");

  private final String alias;

  Metric(String alias) {
    this.alias = alias;
  }

  String alias() {
    return alias;
  }
}
