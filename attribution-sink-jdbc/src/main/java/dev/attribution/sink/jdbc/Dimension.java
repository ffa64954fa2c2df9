package dev.attribution.sink.jdbc;

/**
 * The columns usage can be filtered and grouped by. Only these names ever reach SQL, so a query
 * cannot be steered into arbitrary SQL through a dimension.
 */
public enum Dimension {
  /** {@code tenant_id}. */
  TENANT("tenant_id"),
  /** {@code user_id}. */
  USER("user_id"),
  /** {@code assistant_id}. */
  ASSISTANT("assistant_id"),
  /** {@code thread_id}. */
  THREAD("thread_id"),
  /** {@code feature}. */
  FEATURE("feature"),
  /** {@code traffic_class}. */
  TRAFFIC_CLASS("traffic_class"),
  /** {@code context_source}. */
  CONTEXT_SOURCE("context_source"),
  /** {@code provider}. */
  PROVIDER("provider"),
  /** {@code operation}. */
  OPERATION("operation"),
  /** {@code server_host}. */
  SERVER_HOST("server_host"),
  /** {@code requested_model}. */
  REQUESTED_MODEL("requested_model"),
  /** {@code effective_model}: the model actually called. */
  EFFECTIVE_MODEL("effective_model"),
  /** {@code response_model}. */
  RESPONSE_MODEL("response_model"),
  /** {@code route}. */
  ROUTE("route"),
  /** {@code status}, e.g. {@code ok} or {@code upstream_error}. */
  STATUS("status"),
  /** {@code error_type}. */
  ERROR_TYPE("error_type"),
  /** {@code currency}. */
  CURRENCY("currency"),
  /** {@code cost_source}. */
  COST_SOURCE("cost_source"),
  /** {@code budget_action}. */
  BUDGET_ACTION("budget_action"),
  /** {@code budget_name}. */
  BUDGET_NAME("budget_name"),
  /** {@code key_fingerprint}. */
  KEY_FINGERPRINT("key_fingerprint");

  private final String column;

  Dimension(String column) {
    this.column = column;
  }

  /** The column name in the usage table. */
  public String column() {
    return column;
  }
}
