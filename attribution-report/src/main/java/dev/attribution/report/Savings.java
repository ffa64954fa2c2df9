package dev.attribution.report;

import static dev.attribution.sink.jdbc.internal.UsageTable.BUDGET_ACTION;
import static dev.attribution.sink.jdbc.internal.UsageTable.COST_TOTAL;
import static dev.attribution.sink.jdbc.internal.UsageTable.FEATURE;
import static dev.attribution.sink.jdbc.internal.UsageTable.PROVIDER;
import static dev.attribution.sink.jdbc.internal.UsageTable.REQUESTED_MODEL;
import static dev.attribution.sink.jdbc.internal.UsageTable.STARTED_AT;
import static dev.attribution.sink.jdbc.internal.UsageTable.STATUS;

import dev.attribution.report.ReviewTable.ColumnType;
import dev.attribution.sink.jdbc.SqlDialect;
import dev.attribution.sink.jdbc.internal.UsageTable;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What budget downgrades and blocks avoided, priced at the model the caller asked for. Downgraded
 * calls: their recorded tokens at the requested model's prices, minus what they cost. Blocked calls
 * record no tokens, so each is estimated at the average cost of an answered call of the same
 * feature on the requested model in the window (else of any feature on that model).
 */
final class Savings {

  /** The method, in one sentence, as the report states it. */
  static final String METHOD =
      "Downgraded calls: their recorded tokens priced at the requested model (at the --reprice"
          + " file's prices when given, else at the per-token rates the window's own calls of that"
          + " model paid) minus what they cost; blocked calls record no tokens, so each counts as"
          + " the average answered call of the same feature on the requested model in the window"
          + " (else of that model).";

  private static final MathContext MC = new MathContext(34, RoundingMode.HALF_EVEN);

  /** One row: the calls of one action, feature and requested model. */
  static final class Line {
    final String action;
    final String feature;
    final String model;
    long calls;
    BigDecimal actual = Money.ZERO;
    @Nullable BigDecimal atRequested;
    String basis = "";

    Line(String action, String feature, String model) {
      this.action = action;
      this.feature = feature;
      this.model = model;
    }

    @Nullable BigDecimal avoided() {
      return atRequested == null ? null : atRequested.subtract(actual);
    }
  }

  final List<Line> lines = new ArrayList<>();

  /** Reads the window's downgraded and blocked calls and prices them at the requested model. */
  void load(Connection c, String table, Analyzer a, @Nullable PriceFile prices)
      throws SQLException {
    SqlDialect dialect = SqlDialect.detect(c);
    UsageTable.checkTable(table);
    StringBuilder sql = new StringBuilder("SELECT kind, feature, model, provider, COUNT(*)");
    sql.append(", SUM(nonzero)");
    for (int i = 0; i < Reprice.TOKEN_SQL.length; i++) {
      sql.append(", SUM(t").append(i).append(')');
    }
    sql.append(", SUM(cost), MAX(input_tokens) FROM (SELECT CASE WHEN ").append(STATUS);
    sql.append(" = 'blocked' OR ").append(BUDGET_ACTION).append(" = 'block' THEN 'block' ELSE");
    sql.append(" 'downgrade' END AS kind, ").append(FEATURE).append(" AS feature, ");
    sql.append(REQUESTED_MODEL).append(" AS model, ").append(PROVIDER).append(" AS provider, ");
    sql.append(Reprice.NONZERO).append(" AS nonzero");
    for (int i = 0; i < Reprice.TOKEN_SQL.length; i++) {
      sql.append(", ").append(Reprice.TOKEN_SQL[i]).append(" AS t").append(i);
    }
    sql.append(", input_tokens, ").append(COST_TOTAL).append(" AS cost FROM ").append(table);
    sql.append(" WHERE ").append(STARTED_AT).append(" >= ? AND ").append(STARTED_AT);
    sql.append(" < ? AND (").append(BUDGET_ACTION).append(" IN ('downgrade', 'block') OR ");
    sql.append(STATUS).append(" = 'blocked')) x GROUP BY kind, feature, model, provider");
    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
      UsageTable.bindInstant(dialect, ps, 1, a.currentStart);
      UsageTable.bindInstant(dialect, ps, 2, a.end);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Line l =
              new Line(
                  rs.getString(1),
                  Analyzer.orNone(rs.getString(2)),
                  Analyzer.orNone(rs.getString(3)));
          String provider = Analyzer.orNone(rs.getString(4));
          l.calls = rs.getLong(5);
          long nonzero = rs.getLong(6);
          long[] t = new long[Reprice.TOKEN_SQL.length];
          for (int i = 0; i < t.length; i++) {
            t[i] = rs.getLong(7 + i);
          }
          l.actual = Sql.money(dialect, rs, 7 + t.length);
          if ("block".equals(l.action)) {
            estimateBlocked(l, a);
          } else {
            priceDowngraded(l, a, prices, provider, t, nonzero, rs.getLong(8 + t.length));
          }
          lines.add(l);
        }
      }
    }
    lines.sort(
        Comparator.comparing((Line l) -> l.avoided() == null ? Money.ZERO : l.avoided())
            .reversed()
            .thenComparing(l -> l.action)
            .thenComparing(l -> l.feature)
            .thenComparing(l -> l.model));
  }

  private static void estimateBlocked(Line l, Analyzer a) {
    Stats s = a.featureModel.get(List.of(l.feature, l.model));
    String basis = "average answered call of " + l.feature + " on " + l.model;
    if (s == null || s.calls == 0 || s.unknownCostCalls == s.calls) {
      s = a.answeredByModel.get(l.model);
      basis = "average answered call on " + l.model;
    }
    if (s == null || s.calls == 0 || s.unknownCostCalls == s.calls) {
      l.basis = "no answered call on " + l.model + " in the window";
      return;
    }
    BigDecimal each =
        s.cost.divide(
            BigDecimal.valueOf(s.calls - s.unknownCostCalls), Money.SCALE, RoundingMode.HALF_EVEN);
    l.atRequested = each.multiply(BigDecimal.valueOf(l.calls));
    l.basis = basis + " (" + Money.exact(each) + ")";
  }

  private static void priceDowngraded(
      Line l,
      Analyzer a,
      @Nullable PriceFile prices,
      String provider,
      long[] t,
      long nonzero,
      long largestInput) {
    PriceFile.Price p = prices == null ? null : prices.find(provider, l.model);
    if (p != null) {
      l.atRequested = Reprice.cost(p, p.base, t, nonzero);
      l.basis =
          p.ratesFor(largestInput) == p.base
              ? "price file"
              : "price file (long-context calls at the base rates: a lower bound)";
      return;
    }
    Stats s = a.current.get(Analyzer.Dim.MODEL).get(l.model);
    if (s == null || s.calls == 0 || s.unknownCostCalls == s.calls) {
      l.basis = "no call ran on " + l.model + " in the window";
      return;
    }
    PriceFile.Rates r = new PriceFile.Rates();
    r.input = rate(s.costInput, s.uncachedInputTokens());
    r.cached = rate(s.costCached, s.cachedTokens);
    r.write5m = rate(s.costCacheWrite, s.cacheWriteTokens);
    r.write1h = r.write5m;
    r.output = rate(s.costOutput, s.visibleOutputTokens());
    r.reasoning = rate(s.costReasoning, s.reasoningTokens);
    PriceFile.Price implied =
        new PriceFile.Price(r, new long[0], new PriceFile.Rates[0], Money.ZERO);
    l.atRequested = Reprice.cost(implied, r, t, nonzero);
    l.basis = "per-token rates the window's calls on " + l.model + " paid";
  }

  private static BigDecimal rate(BigDecimal cost, long tokens) {
    return tokens == 0 ? BigDecimal.ZERO : cost.divide(BigDecimal.valueOf(tokens), MC);
  }

  /** Total avoided over the lines whose price at the requested model is known. */
  BigDecimal avoided() {
    BigDecimal s = Money.ZERO;
    for (Line l : lines) {
      if (l.avoided() != null) {
        s = s.add(l.avoided());
      }
    }
    return s;
  }

  ReviewTable table() {
    ReviewTable.Builder t =
        ReviewTable.builder("savings", "What budget downgrades and blocks avoided")
            .column("action", ColumnType.TEXT)
            .column("feature", ColumnType.TEXT)
            .column("requested_model", ColumnType.TEXT)
            .column("calls", ColumnType.COUNT)
            .column("actual_cost", ColumnType.MONEY)
            .column("cost_at_requested_model", ColumnType.MONEY)
            .column("avoided", ColumnType.MONEY)
            .column("basis", ColumnType.TEXT);
    for (Line l : lines) {
      t.row(l.action, l.feature, l.model, l.calls, l.actual, l.atRequested, l.avoided(), l.basis);
    }
    return t.build();
  }
}
