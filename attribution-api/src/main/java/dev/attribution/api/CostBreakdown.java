package dev.attribution.api;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The cost of one call split by token category, in one currency, exact.
 *
 * <p>Every amount is a {@link BigDecimal} with scale {@value #SCALE} (a billionth of the currency
 * unit): the builder rounds each component once, half-even, and {@link #total()} is the exact sum
 * of the rounded components. So a sum of stored totals always equals the sum of stored components,
 * to the last unit.
 */
public final class CostBreakdown {

  /** Decimal places kept for every amount: 1e-9 of the currency unit. */
  public static final int SCALE = 9;

  /** The currency code used when none is given. */
  public static final String DEFAULT_CURRENCY = "USD";

  private static final BigDecimal ZERO = BigDecimal.ZERO.setScale(SCALE);
  private static final CostBreakdown ZERO_USD = builder().build();

  private final BigDecimal input;
  private final BigDecimal cachedInput;
  private final BigDecimal cacheWrite;
  private final BigDecimal output;
  private final BigDecimal reasoning;
  private final BigDecimal tools;
  private final BigDecimal other;
  private final BigDecimal total;
  private final String currency;

  private CostBreakdown(Builder b) {
    this.input = b.input;
    this.cachedInput = b.cachedInput;
    this.cacheWrite = b.cacheWrite;
    this.output = b.output;
    this.reasoning = b.reasoning;
    this.tools = b.tools;
    this.other = b.other;
    // Every component has scale SCALE, so adding a zero one gives an equal amount of the same
    // scale: it is skipped rather than allocated (a call usually has two non-zero components).
    BigDecimal t = plusNonZero(input, cachedInput);
    t = plusNonZero(t, cacheWrite);
    t = plusNonZero(t, output);
    t = plusNonZero(t, reasoning);
    t = plusNonZero(t, tools);
    this.total = plusNonZero(t, other);
    this.currency = b.currency;
  }

  /** {@code a + b}, without a new amount when {@code b} (or {@code a}) is zero; both of scale 9. */
  private static BigDecimal plusNonZero(BigDecimal a, BigDecimal b) {
    if (b.signum() == 0) {
      return a;
    }
    return a.signum() == 0 ? b : a.add(b);
  }

  /** Zero in {@value #DEFAULT_CURRENCY}. */
  public static CostBreakdown zero() {
    return ZERO_USD;
  }

  /** Zero in {@code currency}. */
  public static CostBreakdown zero(String currency) {
    return builder().currency(currency).build();
  }

  /** A new builder, every component zero, currency {@value #DEFAULT_CURRENCY}. */
  public static Builder builder() {
    return new Builder();
  }

  /** Rounds {@code amount} to {@value #SCALE} places, half-even: the one rounding money gets. */
  public static BigDecimal round(BigDecimal amount) {
    return amount.setScale(SCALE, RoundingMode.HALF_EVEN);
  }

  /** Cost of plain (uncached) text input. */
  public BigDecimal input() {
    return input;
  }

  /** Cost of cached input reads. */
  public BigDecimal cachedInput() {
    return cachedInput;
  }

  /** Cost of cache writes (5-minute and 1-hour). */
  public BigDecimal cacheWrite() {
    return cacheWrite;
  }

  /** Cost of plain text output. */
  public BigDecimal output() {
    return output;
  }

  /** Cost of reasoning output. */
  public BigDecimal reasoning() {
    return reasoning;
  }

  /** Per-call fees of server-side tools the provider ran, e.g. web searches. */
  public BigDecimal tools() {
    return tools;
  }

  /** Everything else: audio, images, per-request fees, custom meters. */
  public BigDecimal other() {
    return other;
  }

  /** The exact sum of all components. */
  public BigDecimal total() {
    return total;
  }

  /** The ISO 4217 currency code, e.g. {@code USD}. */
  public String currency() {
    return currency;
  }

  /** Whether the total is zero. */
  public boolean isZero() {
    return total.signum() == 0;
  }

  /** Component-wise sum; both must share a currency. */
  public CostBreakdown plus(CostBreakdown o) {
    if (!currency.equals(o.currency)) {
      throw new IllegalArgumentException(
          "cannot add " + o.currency + " to " + currency + ": currencies differ");
    }
    return builder()
        .currency(currency)
        .input(input.add(o.input))
        .cachedInput(cachedInput.add(o.cachedInput))
        .cacheWrite(cacheWrite.add(o.cacheWrite))
        .output(output.add(o.output))
        .reasoning(reasoning.add(o.reasoning))
        .tools(tools.add(o.tools))
        .other(other.add(o.other))
        .build();
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof CostBreakdown)) {
      return false;
    }
    CostBreakdown c = (CostBreakdown) o;
    return input.equals(c.input)
        && cachedInput.equals(c.cachedInput)
        && cacheWrite.equals(c.cacheWrite)
        && output.equals(c.output)
        && reasoning.equals(c.reasoning)
        && tools.equals(c.tools)
        && other.equals(c.other)
        && currency.equals(c.currency);
  }

  @Override
  public int hashCode() {
    return Objects.hash(input, cachedInput, cacheWrite, output, reasoning, tools, other, currency);
  }

  @Override
  public String toString() {
    return "CostBreakdown{total="
        + total.toPlainString()
        + ' '
        + currency
        + " input="
        + input.toPlainString()
        + " cached="
        + cachedInput.toPlainString()
        + " cacheWrite="
        + cacheWrite.toPlainString()
        + " output="
        + output.toPlainString()
        + " reasoning="
        + reasoning.toPlainString()
        + (tools.signum() == 0 ? "" : " tools=" + tools.toPlainString())
        + " other="
        + other.toPlainString()
        + '}';
  }

  /** Builds a {@link CostBreakdown}; amounts are rounded to {@value #SCALE} places. */
  public static final class Builder {
    private BigDecimal input = ZERO;
    private BigDecimal cachedInput = ZERO;
    private BigDecimal cacheWrite = ZERO;
    private BigDecimal output = ZERO;
    private BigDecimal reasoning = ZERO;
    private BigDecimal tools = ZERO;
    private BigDecimal other = ZERO;
    private String currency = DEFAULT_CURRENCY;

    private Builder() {}

    private static BigDecimal check(String field, BigDecimal v) {
      Objects.requireNonNull(v, field);
      if (v.signum() < 0) {
        throw new IllegalArgumentException(field + " must not be negative, was " + v);
      }
      return round(v);
    }

    /** Cost of plain text input. */
    public Builder input(BigDecimal v) {
      input = check("input", v);
      return this;
    }

    /** Cost of cached input reads. */
    public Builder cachedInput(BigDecimal v) {
      cachedInput = check("cachedInput", v);
      return this;
    }

    /** Cost of cache writes. */
    public Builder cacheWrite(BigDecimal v) {
      cacheWrite = check("cacheWrite", v);
      return this;
    }

    /** Cost of plain text output. */
    public Builder output(BigDecimal v) {
      output = check("output", v);
      return this;
    }

    /** Cost of reasoning output. */
    public Builder reasoning(BigDecimal v) {
      reasoning = check("reasoning", v);
      return this;
    }

    /** Per-call fees of server-side tools (web searches). */
    public Builder tools(BigDecimal v) {
      tools = check("tools", v);
      return this;
    }

    /** Every other cost (audio, images, fees, meters). */
    public Builder other(BigDecimal v) {
      other = check("other", v);
      return this;
    }

    /** Three upper-case letters, e.g. {@code USD} or {@code EUR}. */
    public Builder currency(String code) {
      if (!isCurrencyCode(code)) {
        throw new IllegalArgumentException(
            "currency must be a three-letter upper-case ISO 4217 code, was '" + code + "'");
      }
      currency = code;
      return this;
    }

    private static boolean isCurrencyCode(@Nullable String code) {
      if (code == null || code.length() != 3) {
        return false;
      }
      for (int i = 0; i < 3; i++) {
        char c = code.charAt(i);
        if (c < 'A' || c > 'Z') {
          return false;
        }
      }
      return true;
    }

    /** The immutable breakdown. */
    public CostBreakdown build() {
      return new CostBreakdown(this);
    }
  }
}
