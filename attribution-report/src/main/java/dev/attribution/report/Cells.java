package dev.attribution.report;

import dev.attribution.report.ReviewTable.ColumnType;
import java.math.BigDecimal;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** How cells are shown to people (terminal, HTML) and written for machines (CSV, JSON). */
final class Cells {
  private Cells() {}

  /** The human form: money rounded to 4 decimals, counts grouped, percentages with a sign. */
  static String display(@Nullable Object v, ColumnType type, String currency) {
    if (v == null) {
      // a null amount is an unknown cost (unpriced calls), never zero
      return type == ColumnType.PERCENT ? "new" : type == ColumnType.MONEY ? "unknown" : "";
    }
    switch (type) {
      case MONEY:
      case OPTIONAL_MONEY:
        return Money.display((BigDecimal) v, currency);
      case COUNT:
        return String.format(Locale.ROOT, "%,d", (Long) v);
      case PERCENT:
        return ((BigDecimal) v).toPlainString() + "%";
      default:
        return String.valueOf(v);
    }
  }

  /** The machine form: exact plain numbers, empty for null. */
  static String raw(@Nullable Object v) {
    if (v == null) {
      return "";
    }
    if (v instanceof BigDecimal) {
      return ((BigDecimal) v).toPlainString();
    }
    return String.valueOf(v);
  }

  /** Whether a column is right-aligned. */
  static boolean numeric(ColumnType type) {
    return type != ColumnType.TEXT;
  }
}
