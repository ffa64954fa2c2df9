package dev.attribution.aws;

/**
 * The cause of the {@code SdkClientException} a Bedrock call fails with when a budget blocks it:
 * the call never left the process and the SDK does not retry it.
 */
public final class BudgetBlockedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String reason;

  BudgetBlockedException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  /** Why the call was blocked, e.g. {@code budget_exceeded} or {@code loop_guard}. */
  public String reason() {
    return reason;
  }
}
