package dev.attribution.report;

import static dev.attribution.sink.jdbc.internal.UsageTable.COST_TOOLS;
import static dev.attribution.sink.jdbc.internal.UsageTable.COST_TOTAL;
import static dev.attribution.sink.jdbc.internal.UsageTable.EFFECTIVE_MODEL;
import static dev.attribution.sink.jdbc.internal.UsageTable.FEATURE;
import static dev.attribution.sink.jdbc.internal.UsageTable.PROVIDER;
import static dev.attribution.sink.jdbc.internal.UsageTable.REQUESTED_MODEL;
import static dev.attribution.sink.jdbc.internal.UsageTable.STARTED_AT;
import static dev.attribution.sink.jdbc.internal.UsageTable.TENANT_ID;

import dev.attribution.report.ReviewTable.ColumnType;
import dev.attribution.sink.jdbc.SqlDialect;
import dev.attribution.sink.jdbc.internal.UsageTable;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Re-prices every call of the review window from its recorded tokens with another LiteLLM price
 * file, as the library's calculator prices a call: plain input, cached reads, cache writes (5
 * minutes and 1 hour), text output, reasoning, and audio, image and the per-request fee in "other",
 * each rounded once (half-even, 9 places); a long-context tier prices the whole call. Web search
 * fees are not in the tokens and are kept as recorded.
 *
 * <p>The database sums the tokens per tenant, feature, provider, model and long-context tier. Where
 * every rate a model uses has at most 9 decimal places a call's cost needs no rounding, so the sums
 * give the exact total; the calls of other models are read one by one and rounded per call.
 */
final class Reprice {

  /** Token sums, in the order of {@link #TOKEN_SQL}. */
  private static final int TOKENS = 10;

  static final String NONZERO =
      "CASE WHEN input_tokens <> 0 OR output_tokens <> 0 THEN 1 ELSE 0 END";

  /**
   * Per call: plain text input and text output (never below zero, as the calculator clamps them),
   * cached reads, 5-minute and 1-hour cache writes, reasoning, audio and image in and out.
   */
  static final String[] TOKEN_SQL = {
    "CASE WHEN input_tokens - cached_input_tokens - cache_write_5m_tokens - cache_write_1h_tokens"
        + " - audio_input_tokens - image_input_tokens > 0 THEN input_tokens - cached_input_tokens"
        + " - cache_write_5m_tokens - cache_write_1h_tokens - audio_input_tokens"
        + " - image_input_tokens ELSE 0 END",
    "cached_input_tokens",
    "cache_write_5m_tokens",
    "cache_write_1h_tokens",
    "CASE WHEN output_tokens - reasoning_tokens - audio_output_tokens - image_output_tokens > 0"
        + " THEN output_tokens - reasoning_tokens - audio_output_tokens - image_output_tokens"
        + " ELSE 0 END",
    "reasoning_tokens",
    "audio_input_tokens",
    "audio_output_tokens",
    "image_input_tokens",
    "image_output_tokens"
  };

  /** One group: recorded and re-priced cost of the calls of a tenant, feature and model. */
  static final class Group {
    final String tenant;
    final String feature;
    final String model;
    long calls;
    long recordedUnknown;
    long unpricedInFile;
    BigDecimal recorded = Money.ZERO;
    BigDecimal repriced = Money.ZERO;

    Group(String tenant, String feature, String model) {
      this.tenant = tenant;
      this.feature = feature;
      this.model = model;
    }
  }

  final PriceFile prices;
  final Map<List<String>, Group> groups = new LinkedHashMap<>();

  Reprice(PriceFile prices) {
    this.prices = prices;
  }

  /**
   * The cost of calls with {@code t} tokens (see {@link #TOKEN_SQL}), {@code nonzero} of them with
   * any usage, at {@code r}: each component rounded once, as the library's calculator does.
   */
  static BigDecimal cost(PriceFile.Price p, PriceFile.Rates r, long[] t, long nonzero) {
    BigDecimal in = r.input;
    BigDecimal out = r.output;
    BigDecimal w5 = r.write5m != null ? r.write5m : in;
    BigDecimal w1 = r.write1h != null ? r.write1h : w5;
    BigDecimal input = times(t[0], in);
    BigDecimal cached = times(t[1], r.cached != null ? r.cached : in);
    BigDecimal write = times(t[2], w5).add(times(t[3], w1));
    BigDecimal output = times(t[4], out);
    BigDecimal reasoning = times(t[5], r.reasoning != null ? r.reasoning : out);
    BigDecimal other =
        times(t[6], r.audioIn != null ? r.audioIn : in)
            .add(times(t[7], r.audioOut != null ? r.audioOut : out))
            .add(times(t[8], r.imageIn != null ? r.imageIn : in))
            .add(times(t[9], r.imageOut != null ? r.imageOut : out))
            .add(times(nonzero, p.perCall));
    BigDecimal total = Money.ZERO;
    for (BigDecimal c : new BigDecimal[] {input, cached, write, output, reasoning, other}) {
      total = total.add(c.setScale(Money.SCALE, RoundingMode.HALF_EVEN));
    }
    return total;
  }

  private static BigDecimal times(long tokens, BigDecimal rate) {
    return tokens == 0 ? BigDecimal.ZERO : rate.multiply(BigDecimal.valueOf(tokens));
  }

  /** Whether no call of {@code p}'s model needs rounding: then summed tokens give the exact sum. */
  static boolean exactOnSums(PriceFile.Price p) {
    boolean exact = exactOnSums(p, p.base);
    for (PriceFile.Rates r : p.tiers) {
      exact &= exactOnSums(p, r);
    }
    return exact;
  }

  private static boolean exactOnSums(PriceFile.Price p, PriceFile.Rates r) {
    for (BigDecimal v :
        new BigDecimal[] {
          r.input,
          r.output,
          r.cached,
          r.write5m,
          r.write1h,
          r.reasoning,
          r.audioIn,
          r.audioOut,
          r.imageIn,
          r.imageOut,
          p.perCall
        }) {
      if (v != null && v.stripTrailingZeros().scale() > Money.SCALE) {
        return false;
      }
    }
    return true;
  }

  /** Reads the window's tokens and re-prices them. */
  void load(Connection c, String table, Analyzer a) throws SQLException {
    SqlDialect dialect = SqlDialect.detect(c);
    UsageTable.checkTable(table);
    String model = "COALESCE(" + EFFECTIVE_MODEL + ", " + REQUESTED_MODEL + ")";
    StringBuilder tier = new StringBuilder("CASE");
    for (int i = 0; i < prices.thresholds.length; i++) {
      tier.append(" WHEN input_tokens > ").append(prices.thresholds[i]).append(" THEN ").append(i);
    }
    tier.append(prices.thresholds.length == 0 ? " WHEN 1 = 1" : " ELSE")
        .append(prices.thresholds.length == 0 ? " THEN " : " ")
        .append(prices.thresholds.length)
        .append(" END");
    StringBuilder sql =
        new StringBuilder("SELECT tenant, feature, provider, model, tier, COUNT(*)");
    sql.append(", SUM(nonzero)");
    for (int i = 0; i < TOKENS; i++) {
      sql.append(", SUM(t").append(i).append(')');
    }
    sql.append(", SUM(cost), COUNT(cost), SUM(tools) FROM (SELECT ");
    sql.append(TENANT_ID).append(" AS tenant, ").append(FEATURE).append(" AS feature, ");
    sql.append(PROVIDER).append(" AS provider, ").append(model).append(" AS model, ");
    sql.append(tier).append(" AS tier, ").append(NONZERO).append(" AS nonzero");
    for (int i = 0; i < TOKENS; i++) {
      sql.append(", ").append(TOKEN_SQL[i]).append(" AS t").append(i);
    }
    sql.append(", ").append(COST_TOTAL).append(" AS cost, ").append(COST_TOOLS).append(" AS tools");
    sql.append(" FROM ").append(table).append(" WHERE ").append(STARTED_AT).append(" >= ? AND ");
    sql.append(STARTED_AT).append(" < ?) x GROUP BY tenant, feature, provider, model, tier");
    Set<List<String>> perCall = new java.util.HashSet<>();
    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
      UsageTable.bindInstant(dialect, ps, 1, a.currentStart);
      UsageTable.bindInstant(dialect, ps, 2, a.end);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String provider = Analyzer.orNone(rs.getString(3));
          String m = Analyzer.orNone(rs.getString(4));
          int bucket = rs.getInt(5);
          long input = bucket < prices.thresholds.length ? prices.thresholds[bucket] + 1 : 0;
          PriceFile.Price p = prices.find(provider, m);
          if (p != null && !exactOnSums(p)) {
            perCall.add(List.of(provider, m)); // read call by call below
            continue;
          }
          add(rs, dialect, provider, m, p, input);
        }
      }
    }
    for (List<String> pm : perCall) {
      callByCall(c, dialect, table, a, model, pm.get(0), pm.get(1));
    }
  }

  /** Adds a result row: tenant, feature, provider, model, tier, calls, nonzero, tokens, sums. */
  private void add(
      ResultSet rs,
      SqlDialect dialect,
      String provider,
      String model,
      PriceFile.@Nullable Price p,
      long input)
      throws SQLException {
    Group g =
        groups.computeIfAbsent(
            List.of(Analyzer.orNone(rs.getString(1)), Analyzer.orNone(rs.getString(2)), model),
            k -> new Group(k.get(0), k.get(1), k.get(2)));
    long calls = rs.getLong(6);
    long nonzero = rs.getLong(7);
    long[] t = new long[TOKENS];
    for (int i = 0; i < TOKENS; i++) {
      t[i] = rs.getLong(8 + i);
    }
    g.calls += calls;
    g.recorded = g.recorded.add(Sql.money(dialect, rs, 8 + TOKENS));
    g.recordedUnknown += calls - rs.getLong(9 + TOKENS);
    if (p == null) {
      g.unpricedInFile += calls;
    } else {
      BigDecimal tools = Sql.money(dialect, rs, 10 + TOKENS);
      g.repriced = g.repriced.add(cost(p, p.ratesFor(input), t, nonzero)).add(tools);
    }
  }

  private void callByCall(
      Connection c,
      SqlDialect dialect,
      String table,
      Analyzer a,
      String model,
      String provider,
      String name)
      throws SQLException {
    PriceFile.Price p = java.util.Objects.requireNonNull(prices.find(provider, name));
    StringBuilder sql = new StringBuilder("SELECT ").append(TENANT_ID).append(", ");
    sql.append(FEATURE).append(", ").append(PROVIDER).append(", ").append(model);
    sql.append(", input_tokens, 1, ").append(NONZERO);
    for (String t : TOKEN_SQL) {
      sql.append(", ").append(t);
    }
    sql.append(", ").append(COST_TOTAL).append(", CASE WHEN ").append(COST_TOTAL);
    sql.append(" IS NULL THEN 0 ELSE 1 END, ").append(COST_TOOLS).append(" FROM ").append(table);
    sql.append(" WHERE ").append(PROVIDER).append(" = ? AND ").append(model).append(" = ? AND ");
    sql.append(STARTED_AT).append(" >= ? AND ").append(STARTED_AT).append(" < ?");
    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
      ps.setFetchSize(1000);
      ps.setString(1, provider);
      ps.setString(2, name);
      UsageTable.bindInstant(dialect, ps, 3, a.currentStart);
      UsageTable.bindInstant(dialect, ps, 4, a.end);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          add(rs, dialect, provider, name, p, rs.getLong(5));
        }
      }
    }
  }

  /** The difference per tenant, per feature and per model. */
  List<ReviewTable> tables() {
    return List.of(
        table("reprice_by_tenant", "Re-priced by tenant", "tenant", g -> g.tenant),
        table("reprice_by_feature", "Re-priced by feature", "feature", g -> g.feature),
        table("reprice_by_model", "Re-priced by model", "model", g -> g.model));
  }

  private ReviewTable table(String name, String title, String key, Function<Group, String> keyOf) {
    Map<String, Group> sums = new HashMap<>();
    for (Group g : groups.values()) {
      Group s = sums.computeIfAbsent(keyOf.apply(g), k -> new Group(k, k, k));
      s.calls += g.calls;
      s.recorded = s.recorded.add(g.recorded);
      s.repriced = s.repriced.add(g.repriced);
      s.recordedUnknown += g.recordedUnknown;
      s.unpricedInFile += g.unpricedInFile;
    }
    List<Group> rows = new ArrayList<>(sums.values());
    rows.sort(
        java.util.Comparator.comparing((Group g) -> g.repriced.subtract(g.recorded).abs())
            .reversed()
            .thenComparing(g -> g.tenant));
    ReviewTable.Builder t =
        ReviewTable.builder(name, title)
            .column(key, ColumnType.TEXT)
            .column("calls", ColumnType.COUNT)
            .column("recorded_cost", ColumnType.MONEY)
            .column("repriced_cost", ColumnType.MONEY)
            .column("difference", ColumnType.MONEY)
            .column("difference_pct", ColumnType.PERCENT)
            .column("cost_unknown_calls", ColumnType.COUNT)
            .column("not_in_price_file_calls", ColumnType.COUNT);
    for (Group g : rows) {
      BigDecimal recorded = g.recordedUnknown == g.calls ? null : g.recorded;
      BigDecimal repriced = g.unpricedInFile == g.calls ? null : g.repriced;
      boolean comparable = g.recordedUnknown == 0 && g.unpricedInFile == 0;
      BigDecimal diff = comparable ? g.repriced.subtract(g.recorded) : null;
      t.row(
          g.tenant,
          g.calls,
          recorded,
          repriced,
          diff,
          diff == null ? null : Analyzer.change(g.repriced, g.recorded),
          g.recordedUnknown,
          g.unpricedInFile);
    }
    return t.build();
  }

  /** Totals over the window: recorded, re-priced (null when nothing could be re-priced). */
  BigDecimal[] totals() {
    BigDecimal rec = Money.ZERO;
    BigDecimal rep = Money.ZERO;
    for (Group g : groups.values()) {
      rec = rec.add(g.recorded);
      rep = rep.add(g.repriced);
    }
    return new BigDecimal[] {rec, rep};
  }

  String source() {
    return prices.source + " (sha-256 " + prices.sha256.substring(0, 12) + ")";
  }
}
