package dev.attribution.sink.otlp;

import java.math.BigDecimal;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One budget's standing in its current period, for one scope value: what the budget gauges report.
 * Immutable.
 *
 * <p>Amounts are exact; the sink converts them to floating point only when it hands them to
 * OpenTelemetry.
 */
public final class BudgetStatus {

  private final String budgetName;
  private final String scopeValue;
  private final BigDecimal spent;
  private final BigDecimal limit;
  private final String currency;

  private BudgetStatus(
      String budgetName, String scopeValue, BigDecimal spent, BigDecimal limit, String currency) {
    this.budgetName = budgetName;
    this.scopeValue = scopeValue;
    this.spent = spent;
    this.limit = limit;
    this.currency = currency;
  }

  /**
   * A status.
   *
   * @param budgetName the budget's name, not blank
   * @param scopeValue the value of the budget's scope this status is for (e.g. a tenant id, or
   *     {@code "*"} for a global budget), not blank
   * @param spent money spent (reservations included, if the engine counts them) in the period, not
   *     negative
   * @param limit the period's limit, not negative
   * @param currency three-letter upper-case ISO 4217 code
   * @throws IllegalArgumentException naming the field that is invalid
   */
  public static BudgetStatus of(
      String budgetName, String scopeValue, BigDecimal spent, BigDecimal limit, String currency) {
    nonBlank("budgetName", budgetName);
    nonBlank("scopeValue", scopeValue);
    nonNegative("spent", spent);
    nonNegative("limit", limit);
    if (currency == null || !currency.matches("[A-Z]{3}")) {
      throw new IllegalArgumentException(
          "currency must be a three-letter upper-case ISO 4217 code, was '" + currency + "'");
    }
    return new BudgetStatus(budgetName, scopeValue, spent, limit, currency);
  }

  private static void nonBlank(String field, @Nullable String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank");
    }
  }

  private static void nonNegative(String field, @Nullable BigDecimal value) {
    Objects.requireNonNull(value, field);
    if (value.signum() < 0) {
      throw new IllegalArgumentException(field + " must not be negative, was " + value);
    }
  }

  /** The budget's name. */
  public String budgetName() {
    return budgetName;
  }

  /** The scope value this status is for (e.g. a tenant id). */
  public String scopeValue() {
    return scopeValue;
  }

  /** Money spent in the current period. */
  public BigDecimal spent() {
    return spent;
  }

  /** The period's limit. */
  public BigDecimal limit() {
    return limit;
  }

  /** {@link #limit()} minus {@link #spent()}; negative when the budget overshot. */
  public BigDecimal remaining() {
    return limit.subtract(spent);
  }

  /** The ISO 4217 currency code of every amount. */
  public String currency() {
    return currency;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof BudgetStatus)) {
      return false;
    }
    BudgetStatus s = (BudgetStatus) o;
    return budgetName.equals(s.budgetName)
        && scopeValue.equals(s.scopeValue)
        && spent.compareTo(s.spent) == 0
        && limit.compareTo(s.limit) == 0
        && currency.equals(s.currency);
  }

  @Override
  public int hashCode() {
    return Objects.hash(budgetName, scopeValue, currency);
  }

  @Override
  public String toString() {
    return "BudgetStatus{"
        + budgetName
        + " scope="
        + scopeValue
        + " spent="
        + spent.toPlainString()
        + " limit="
        + limit.toPlainString()
        + ' '
        + currency
        + '}';
  }
}
