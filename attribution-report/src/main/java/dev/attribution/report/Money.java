package dev.attribution.report;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Locale;

/** Exact money helpers: scale 9 everywhere, rounded only for display. */
final class Money {
  static final int SCALE = 9;
  static final BigDecimal ZERO = BigDecimal.ZERO.setScale(SCALE);
  static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

  private Money() {}

  /** {@code amount} for a table cell: thousands separators, 4 decimals (HALF_EVEN). */
  static String display(BigDecimal amount, String currency) {
    DecimalFormat f =
        new DecimalFormat("#,##0.0000", DecimalFormatSymbols.getInstance(Locale.ROOT));
    f.setRoundingMode(RoundingMode.HALF_EVEN);
    String n = f.format(amount);
    String symbol = "USD".equals(currency) ? "$" : currency + " ";
    return n.startsWith("-") ? "-" + symbol + n.substring(1) : symbol + n;
  }

  /** {@code amount} unrounded, at scale 9. */
  static String exact(BigDecimal amount) {
    return amount.setScale(SCALE, RoundingMode.UNNECESSARY).toPlainString();
  }

  /** {@code part / whole} in percent with one decimal (zero when whole is zero). */
  static BigDecimal percent(BigDecimal part, BigDecimal whole) {
    if (whole.signum() == 0) {
      return BigDecimal.ZERO.setScale(1);
    }
    return part.multiply(HUNDRED).divide(whole, 1, RoundingMode.HALF_EVEN);
  }

  /** {@code part / whole} in percent with one decimal (zero when whole is zero). */
  static BigDecimal percent(long part, long whole) {
    return percent(BigDecimal.valueOf(part), BigDecimal.valueOf(whole));
  }
}
