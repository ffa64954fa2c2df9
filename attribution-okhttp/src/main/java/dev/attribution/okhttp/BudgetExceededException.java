package dev.attribution.okhttp;

import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * Thrown instead of answering a blocked call with a local 429 response, when the interceptor is
 * built with {@link AttributionInterceptor.Builder#blockWithException(boolean)}. An {@link
 * IOException}, as OkHttp's interceptor contract requires.
 */
public final class BudgetExceededException extends IOException {

  private static final long serialVersionUID = 1L;

  private final @Nullable String budgetName;

  BudgetExceededException(String message, @Nullable String budgetName) {
    super(message);
    this.budgetName = budgetName;
  }

  /** The budget (or loop guard) that blocked the call, or {@code null}. */
  public @Nullable String budgetName() {
    return budgetName;
  }
}
