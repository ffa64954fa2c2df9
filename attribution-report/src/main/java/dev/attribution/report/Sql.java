package dev.attribution.report;

import static dev.attribution.sink.jdbc.internal.UsageTable.STARTED_AT;

import dev.attribution.sink.jdbc.SqlDialect;
import dev.attribution.sink.jdbc.internal.UsageTable;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/** SQL pieces shared by the review's queries: bound parameters and day numbering. */
final class Sql {
  private Sql() {}

  /** Binds parameters in order: an instant, an amount, a long or a string. */
  static void bind(SqlDialect dialect, PreparedStatement ps, List<Object> params)
      throws SQLException {
    for (int i = 0; i < params.size(); i++) {
      Object p = params.get(i);
      if (p instanceof Instant) {
        UsageTable.bindInstant(dialect, ps, i + 1, (Instant) p);
      } else if (p instanceof BigDecimal) {
        UsageTable.bindMoney(dialect, ps, i + 1, (BigDecimal) p);
      } else if (p instanceof Long) {
        ps.setLong(i + 1, (Long) p);
      } else {
        ps.setString(i + 1, (String) p);
      }
    }
  }

  /** The condition selecting both windows of every tenant, its bounds added to {@code params}. */
  static String window(Analyzer a, List<Object> params) {
    params.add(a.queryStart);
    params.add(a.queryEnd);
    return STARTED_AT + " >= ? AND " + STARTED_AT + " < ?";
  }

  /** A stored amount, zero when NULL. */
  static BigDecimal money(SqlDialect dialect, ResultSet rs, int i) throws SQLException {
    BigDecimal v = UsageTable.readMoney(dialect, rs, i);
    return v == null ? Money.ZERO : v;
  }

  /**
   * Appends a CASE numbering the day of {@code started_at} between {@code bounds}: a binary search
   * (about log2(days) comparisons a row instead of one per day), NULL outside.
   */
  static void dayCase(List<Instant> bounds, StringBuilder sb, List<Object> params) {
    sb.append("(CASE WHEN ").append(STARTED_AT).append(" < ? OR ");
    sb.append(STARTED_AT).append(" >= ? THEN NULL ELSE ");
    params.add(bounds.get(0));
    params.add(bounds.get(bounds.size() - 1));
    search(bounds, 0, bounds.size() - 1, sb, params);
    sb.append(" END)");
  }

  /** Day number of a row known to lie in [bounds[lo], bounds[hi]). */
  private static void search(
      List<Instant> bounds, int lo, int hi, StringBuilder sb, List<Object> params) {
    if (hi - lo == 1) {
      sb.append(lo);
      return;
    }
    int mid = (lo + hi) >>> 1;
    sb.append("CASE WHEN ").append(STARTED_AT).append(" < ? THEN ");
    params.add(bounds.get(mid));
    search(bounds, lo, mid, sb, params);
    sb.append(" ELSE ");
    search(bounds, mid, hi, sb, params);
    sb.append(" END");
  }
}
