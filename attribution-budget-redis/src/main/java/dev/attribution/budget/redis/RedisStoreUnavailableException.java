package dev.attribution.budget.redis;

/**
 * Thrown by a {@link RedisBudgetStore} in {@link RedisBudgetStore.FailureMode#FAIL_CLOSED} mode
 * while Redis cannot be reached. The budget engine catches it and blocks calls under hard budgets
 * (its {@code failClosed} follows the store's failure mode).
 */
public final class RedisStoreUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** An exception with {@code message}. */
  public RedisStoreUnavailableException(String message) {
    super(message);
  }
}
