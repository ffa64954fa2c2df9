package dev.attribution.core.pricing;

import dev.attribution.core.internal.pricing.CostMath;
import dev.attribution.core.internal.pricing.ModelNames;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The unit price of a custom meter: usage that is not LLM tokens, such as {@code vector.read} (per
 * 1,000 reads) or {@code gpu.second}. A quantity {@code q} costs {@code q / per * unitPrice}.
 * Immutable.
 */
public final class MeterPrice {

  private final String meter;
  private final BigDecimal unitPrice;
  private final BigDecimal per;
  private final String currency;
  private final Instant effectiveFrom;

  private MeterPrice(
      String meter, BigDecimal unitPrice, BigDecimal per, String currency, Instant effectiveFrom) {
    this.meter = meter;
    this.unitPrice = unitPrice;
    this.per = per;
    this.currency = currency;
    this.effectiveFrom = effectiveFrom;
  }

  /**
   * A meter price in {@code currency} from {@code effectiveFrom}.
   *
   * @param meter the meter name, trimmed and lower-cased, e.g. {@code vector.read}
   * @param unitPrice the price of {@code per} units, not negative
   * @param per how many units {@code unitPrice} buys, positive (e.g. 1000)
   * @throws IllegalArgumentException naming the offending argument
   */
  public static MeterPrice of(
      String meter, BigDecimal unitPrice, BigDecimal per, String currency, Instant effectiveFrom) {
    if (meter == null || meter.isBlank()) {
      throw new IllegalArgumentException("meter must not be blank");
    }
    if (unitPrice == null || unitPrice.signum() < 0) {
      throw new IllegalArgumentException(
          "unitPrice of meter '" + meter + "' must not be null or negative, was " + unitPrice);
    }
    if (per == null || per.signum() <= 0) {
      throw new IllegalArgumentException(
          "per of meter '" + meter + "' must be positive, was " + per);
    }
    if (currency == null || !currency.matches("[A-Z]{3}")) {
      throw new IllegalArgumentException(
          "currency of meter '" + meter + "' must be an ISO 4217 code, was '" + currency + "'");
    }
    return new MeterPrice(
        ModelNames.normaliseId(meter),
        unitPrice,
        per,
        currency,
        Objects.requireNonNull(effectiveFrom, "effectiveFrom"));
  }

  /** A USD meter price, undated: {@code unitPrice} buys {@code per} units. */
  public static MeterPrice of(String meter, BigDecimal unitPrice, long per) {
    return of(meter, unitPrice, BigDecimal.valueOf(per), "USD", Instant.EPOCH);
  }

  /** The meter name, lower case. */
  public String meter() {
    return meter;
  }

  /** The price of {@link #per()} units. */
  public BigDecimal unitPrice() {
    return unitPrice;
  }

  /** How many units {@link #unitPrice()} buys. */
  public BigDecimal per() {
    return per;
  }

  /** The ISO 4217 currency. */
  public String currency() {
    return currency;
  }

  /** The first instant at which the price applies. */
  public Instant effectiveFrom() {
    return effectiveFrom;
  }

  /** The exact (unrounded) cost of {@code quantity} units. */
  public BigDecimal costOf(BigDecimal quantity) {
    return quantity.multiply(unitPrice).divide(per, CostMath.MC);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof MeterPrice)) {
      return false;
    }
    MeterPrice m = (MeterPrice) o;
    return meter.equals(m.meter)
        && unitPrice.compareTo(m.unitPrice) == 0
        && per.compareTo(m.per) == 0
        && currency.equals(m.currency)
        && effectiveFrom.equals(m.effectiveFrom);
  }

  @Override
  public int hashCode() {
    return Objects.hash(meter, currency, effectiveFrom);
  }

  @Override
  public String toString() {
    return "MeterPrice{"
        + meter
        + ' '
        + unitPrice.toPlainString()
        + ' '
        + currency
        + " per "
        + per.toPlainString()
        + " from="
        + effectiveFrom
        + '}';
  }
}
