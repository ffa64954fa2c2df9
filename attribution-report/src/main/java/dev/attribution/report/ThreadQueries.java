package dev.attribution.report;

import static dev.attribution.sink.jdbc.internal.UsageTable.BUDGET_ACTION;
import static dev.attribution.sink.jdbc.internal.UsageTable.COST_TOTAL;
import static dev.attribution.sink.jdbc.internal.UsageTable.INPUT_TOKENS;
import static dev.attribution.sink.jdbc.internal.UsageTable.OUTPUT_TOKENS;
import static dev.attribution.sink.jdbc.internal.UsageTable.STARTED_AT;
import static dev.attribution.sink.jdbc.internal.UsageTable.STATUS;
import static dev.attribution.sink.jdbc.internal.UsageTable.THREAD_ID;
import static dev.attribution.sink.jdbc.internal.UsageTable.USER_ID;

import dev.attribution.sink.jdbc.SqlDialect;
import dev.attribution.sink.jdbc.internal.UsageTable;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The review's high-cardinality queries: per thread and per user, the {@link #top} largest by
 * current spend (then previous spend, then key), and the calls of loop candidates (threads with at
 * least {@link Findings#LOOP_CALLS} calls or {@link Findings#LOOP_SPEND} spend in the current
 * window) in thread and time order (index {@code <table>_thread_idx}).
 *
 * <p>On PostgreSQL the thread ranking groups the current window only (half the rows and half the
 * threads of grouping both windows, which hashed about a million threads over 10 million rows) and
 * keeps the largest with their ties ({@code FETCH FIRST n ROWS WITH TIES}); the previous window's
 * spend of just those threads comes from the thread index. That is exact whenever the {@code
 * top}-th thread's current spend is above zero: a thread outside the kept set has less current
 * spend than every kept one, so previous spend cannot lift it. Otherwise (few threads, or ties at
 * zero) both windows are grouped as before.
 */
final class ThreadQueries {
  private final Connection c;
  private final SqlDialect dialect;
  private final String table;
  private final Analyzer a;

  /** What the loop check reads of each candidate's calls, in {@link #readLoopCalls} order. */
  private static final String LOOP_CALL_COLUMNS =
      "SELECT "
          + THREAD_ID
          + ", "
          + STARTED_AT
          + ", "
          + COST_TOTAL
          + ", "
          + STATUS
          + ", "
          + BUDGET_ACTION;

  /** Rows kept of the thread and user groupings. */
  private final int top;

  ThreadQueries(Connection c, SqlDialect dialect, String table, Analyzer a, int top) {
    this.c = c;
    this.dialect = dialect;
    this.table = table;
    this.a = a;
    this.top = top;
  }

  /**
   * PostgreSQL: the thread grouping cut to its {@link #top} largest and the loop candidates,
   * sorted; from the current window alone when that is exact (see the class comment).
   */
  List<String> threadsPostgres() throws SQLException {
    List<Object> params = new ArrayList<>();
    params.add(a.currentStart);
    params.add(a.queryEnd);
    params.add((long) Findings.LOOP_CALLS);
    params.add(Findings.LOOP_SPEND);
    String sql =
        "WITH g AS (SELECT "
            + THREAD_ID
            + " AS k, COUNT(*) AS n, SUM("
            + COST_TOTAL
            + ") AS s, COUNT("
            + COST_TOTAL
            + ") AS known, SUM("
            + INPUT_TOKENS
            + ") AS i, SUM("
            + OUTPUT_TOKENS
            + ") AS o FROM "
            + table
            + " WHERE "
            + STARTED_AT
            + " >= ? AND "
            + STARTED_AT
            + " < ? GROUP BY "
            + THREAD_ID
            + ") (SELECT 1 AS ranked, g.* FROM g ORDER BY COALESCE(s, 0) DESC FETCH FIRST "
            + top
            + " ROWS WITH TIES) UNION ALL SELECT 0, g.* FROM g WHERE k <> '' AND (n >= ? OR s >= ?)";
    List<Ranked> ranked = new ArrayList<>();
    List<String> candidates = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setFetchSize(top);
      Sql.bind(dialect, ps, params);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String key = rs.getString(2);
          if (rs.getInt(1) == 0) {
            candidates.add(key);
            continue;
          }
          Ranked r = new Ranked(key);
          r.cur.calls = rs.getLong(3);
          r.cur.cost = money(rs, 4);
          r.cur.unknownCostCalls = r.cur.calls - rs.getLong(5);
          r.cur.inputTokens = rs.getLong(6);
          r.cur.outputTokens = rs.getLong(7);
          ranked.add(r);
        }
      }
    }
    BigDecimal least =
        ranked.stream().map(r -> r.cur.cost).min(Comparator.naturalOrder()).orElse(Money.ZERO);
    if (ranked.size() < top || least.signum() <= 0) {
      return threadsBothWindows(); // the previous window's spend could decide the ranking
    }
    previousOf(ranked);
    ranked.sort(
        Comparator.comparing((Ranked r) -> r.cur.cost)
            .thenComparing(r -> r.prev.cost)
            .reversed()
            .thenComparing(r -> r.key, Comparator.nullsLast(Comparator.naturalOrder())));
    for (Ranked r : ranked.subList(0, top)) {
      a.addTop(Analyzer.Dim.THREAD, r.key, r.cur, r.prev);
    }
    candidates.sort(Comparator.naturalOrder());
    return candidates;
  }

  /** A thread kept by the current window's ranking, with both windows' sums. */
  private static final class Ranked {
    final @Nullable String key;
    final Stats cur = new Stats();
    final Stats prev = new Stats();

    Ranked(@Nullable String key) {
      this.key = key;
    }
  }

  /** The previous window's calls and spend of the ranked threads, by the thread index. */
  private void previousOf(List<Ranked> ranked) throws SQLException {
    Map<String, Ranked> byKey = new HashMap<>();
    Ranked unkeyed = null;
    for (Ranked r : ranked) {
      if (r.key == null) {
        unkeyed = r;
      } else {
        byKey.put(r.key, r);
      }
    }
    String sums =
        "COUNT(*), SUM(" + COST_TOTAL + "), COUNT(" + COST_TOTAL + ") FROM " + table + " WHERE ";
    String window = " AND " + STARTED_AT + " >= ? AND " + STARTED_AT + " < ?";
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT "
                + THREAD_ID
                + ", "
                + sums
                + THREAD_ID
                + " = ANY (?)"
                + window
                + " GROUP BY "
                + THREAD_ID)) {
      ps.setArray(1, c.createArrayOf("varchar", byKey.keySet().toArray()));
      UsageTable.bindInstant(dialect, ps, 2, a.queryStart);
      UsageTable.bindInstant(dialect, ps, 3, a.currentStart);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          previous(Objects.requireNonNull(byKey.get(rs.getString(1))), rs, 2);
        }
      }
    }
    if (unkeyed != null) {
      try (PreparedStatement ps =
          c.prepareStatement("SELECT " + sums + THREAD_ID + " IS NULL" + window)) {
        UsageTable.bindInstant(dialect, ps, 1, a.queryStart);
        UsageTable.bindInstant(dialect, ps, 2, a.currentStart);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            previous(unkeyed, rs, 1);
          }
        }
      }
    }
  }

  private void previous(Ranked r, ResultSet rs, int i) throws SQLException {
    r.prev.calls = rs.getLong(i);
    r.prev.cost = money(rs, i + 1);
    r.prev.unknownCostCalls = r.prev.calls - rs.getLong(i + 2);
  }

  private BigDecimal money(ResultSet rs, int i) throws SQLException {
    return Sql.money(dialect, rs, i);
  }

  private static String orEmpty(@Nullable String s) {
    return s == null ? "" : s;
  }

  /**
   * PostgreSQL, the general case: both windows grouped by thread, cut to the {@link #top} largest
   * by a window function, and in the same scan the loop candidates, sorted.
   */
  List<String> threadsBothWindows() throws SQLException {
    List<Object> params = new ArrayList<>();
    params.add(a.currentStart);
    params.add(a.queryStart);
    params.add(a.queryEnd);
    String inner =
        "SELECT "
            + USER_ID
            + ", "
            + THREAD_ID
            + ", CASE WHEN "
            + STARTED_AT
            + " >= ? THEN 1 ELSE 0 END AS cur, "
            + COST_TOTAL
            + ", "
            + INPUT_TOKENS
            + ", "
            + OUTPUT_TOKENS
            + " FROM "
            + table
            + " WHERE "
            + STARTED_AT
            + " >= ? AND "
            + STARTED_AT
            + " < ?";
    String grouped =
        "SELECT 1 AS g, "
            + THREAD_ID
            + " AS k, SUM(cur) AS c_calls, SUM(CASE WHEN cur = 1 THEN "
            + COST_TOTAL
            + " END) AS c_cost, SUM(CASE WHEN cur = 1 AND "
            + COST_TOTAL
            + " IS NULL THEN 1 ELSE 0 END) AS c_unknown, SUM(CASE WHEN cur = 1 THEN "
            + INPUT_TOKENS
            + " ELSE 0 END) AS c_in, SUM(CASE WHEN cur = 1 THEN "
            + OUTPUT_TOKENS
            + " ELSE 0 END) AS c_out, SUM(1 - cur) AS p_calls, SUM(CASE WHEN cur = 0 THEN "
            + COST_TOTAL
            + " END) AS p_cost, SUM(CASE WHEN cur = 0 AND "
            + COST_TOTAL
            + " IS NULL THEN 1 ELSE 0 END) AS p_unknown FROM ("
            + inner
            + ") x GROUP BY "
            + THREAD_ID;
    String sql =
        "SELECT g, k, c_calls, c_cost, c_unknown, c_in, c_out, p_calls, p_cost, p_unknown, rn FROM"
            + " (SELECT y.*, ROW_NUMBER() OVER (PARTITION BY g ORDER BY COALESCE(c_cost, 0) DESC,"
            + " COALESCE(p_cost, 0) DESC, k) AS rn FROM ("
            + grouped
            + ") y) z WHERE rn <= "
            + top
            + " OR (g = 1 AND k <> '' AND (c_calls >= ? OR c_cost >= ?))";
    params.add((long) Findings.LOOP_CALLS);
    params.add(Findings.LOOP_SPEND);
    List<String> candidates = new ArrayList<>();
    try (java.sql.Statement st = c.createStatement()) {
      st.execute("SET LOCAL enable_sort = off"); // hash the threads instead of sorting every row
    }
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setFetchSize(top);
      Sql.bind(dialect, ps, params);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String key = rs.getString(2);
          long currentCalls = rs.getLong(3);
          BigDecimal currentCost = money(rs, 4);
          if (rs.getLong(11) <= top) {
            Stats cur = new Stats();
            cur.calls = currentCalls;
            cur.cost = currentCost;
            cur.unknownCostCalls = rs.getLong(5);
            cur.inputTokens = rs.getLong(6);
            cur.outputTokens = rs.getLong(7);
            Stats prev = new Stats();
            prev.calls = rs.getLong(8);
            prev.cost = money(rs, 9);
            prev.unknownCostCalls = rs.getLong(10);
            a.addTop(Analyzer.Dim.THREAD, key, cur, prev);
          }
          if (key != null
              && !key.isEmpty()
              && (currentCalls >= Findings.LOOP_CALLS
                  || currentCost.compareTo(Findings.LOOP_SPEND) >= 0)) {
            candidates.add(key);
          }
        }
      }
    }
    try (java.sql.Statement st = c.createStatement()) {
      st.execute("SET LOCAL enable_sort = on");
    }
    candidates.sort(java.util.Comparator.naturalOrder());
    return candidates;
  }

  /** The calls of the loop candidates, a batch of threads at a time, in thread and time order. */
  void loopCalls(List<String> candidates) throws SQLException {
    boolean pg = dialect == SqlDialect.POSTGRESQL;
    int batch = pg ? 2000 : 500;
    for (int from = 0; from < candidates.size(); from += batch) {
      List<String> ids = candidates.subList(from, Math.min(candidates.size(), from + batch));
      StringBuilder in = new StringBuilder(pg ? " = ANY (?)" : " IN (");
      if (!pg) {
        for (int i = 0; i < ids.size(); i++) {
          in.append(i == 0 ? "?" : ", ?");
        }
        in.append(')');
      }
      try (PreparedStatement ps = c.prepareStatement(loopCallsSql(in.toString()))) {
        ps.setFetchSize(1000);
        int p = 0;
        if (pg) {
          ps.setArray(++p, c.createArrayOf("varchar", ids.toArray()));
        } else {
          for (String id : ids) {
            ps.setString(++p, id);
          }
        }
        UsageTable.bindInstant(dialect, ps, ++p, a.currentStart);
        UsageTable.bindInstant(dialect, ps, ++p, a.end);
        try (ResultSet rs = ps.executeQuery()) {
          readLoopCalls(rs);
        }
      }
    }
  }

  private String loopCallsSql(String threadIn) {
    return LOOP_CALL_COLUMNS
        + " FROM "
        + table
        + " WHERE "
        + THREAD_ID
        + threadIn
        + " AND "
        + STARTED_AT
        + " >= ? AND "
        + STARTED_AT
        + " < ? ORDER BY "
        + THREAD_ID
        + ", "
        + STARTED_AT;
  }

  void topGrouping(Analyzer.Dim dim, String column) throws SQLException {
    List<Object> params = new ArrayList<>();
    params.add(a.currentStart);
    String inner =
        "SELECT "
            + column
            + " AS k, CASE WHEN "
            + STARTED_AT
            + " >= ? THEN 1 ELSE 0 END AS cur, "
            + COST_TOTAL
            + ", "
            + INPUT_TOKENS
            + ", "
            + OUTPUT_TOKENS
            + " FROM "
            + table
            + " WHERE "
            + Sql.window(a, params);
    String sql =
        "SELECT k, SUM(cur), SUM(CASE WHEN cur = 1 THEN "
            + COST_TOTAL
            + " END) AS c_cost, SUM(CASE WHEN cur = 1 AND "
            + COST_TOTAL
            + " IS NULL THEN 1 ELSE 0 END), SUM(CASE WHEN cur = 1 THEN "
            + INPUT_TOKENS
            + " ELSE 0 END), SUM(CASE WHEN cur = 1 THEN "
            + OUTPUT_TOKENS
            + " ELSE 0 END), SUM(1 - cur), SUM(CASE WHEN cur = 0 THEN "
            + COST_TOTAL
            + " END) AS p_cost, SUM(CASE WHEN cur = 0 AND "
            + COST_TOTAL
            + " IS NULL THEN 1 ELSE 0 END) FROM ("
            + inner
            + ") x GROUP BY k ORDER BY COALESCE(SUM(CASE WHEN cur = 1 THEN "
            + COST_TOTAL
            + " END), 0) DESC, COALESCE(SUM(CASE WHEN cur = 0 THEN "
            + COST_TOTAL
            + " END), 0) DESC, k LIMIT "
            + top;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setFetchSize(top);
      Sql.bind(dialect, ps, params);
      readTop(ps, dim);
    }
  }

  /**
   * {@link #topGrouping} summed from a per-day rollup table ({@code <table>_daily_thread} or {@code
   * _daily_user}) instead of the calls: the same columns, the same order.
   */
  void topGroupingFromRollups(Analyzer.Dim dim, String column, String rollupTable)
      throws SQLException {
    String cur = "CASE WHEN epoch_day >= ? THEN ";
    String prev = "CASE WHEN epoch_day < ? THEN ";
    String sql =
        "SELECT "
            + column
            + ", SUM("
            + cur
            + "calls ELSE 0 END), SUM("
            + cur
            + "cost_total END), SUM("
            + cur
            + "calls - priced_calls ELSE 0 END), SUM("
            + cur
            + "input_tokens ELSE 0 END), SUM("
            + cur
            + "output_tokens ELSE 0 END), SUM("
            + prev
            + "calls ELSE 0 END), SUM("
            + prev
            + "cost_total END), SUM("
            + prev
            + "calls - priced_calls ELSE 0 END) FROM "
            + rollupTable
            + " WHERE epoch_day >= ? AND epoch_day <= ? GROUP BY "
            + column
            + " ORDER BY COALESCE(SUM("
            + cur
            + "cost_total END), 0) DESC, COALESCE(SUM("
            + prev
            + "cost_total END), 0) DESC, "
            + column
            + " LIMIT "
            + top;
    long current = a.from.toEpochDay();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setFetchSize(top);
      int p = 0;
      for (int i = 0; i < 5; i++) {
        ps.setLong(++p, current);
      }
      for (int i = 0; i < 3; i++) {
        ps.setLong(++p, current);
      }
      ps.setLong(++p, a.previousFrom.toEpochDay());
      ps.setLong(++p, a.to.toEpochDay());
      ps.setLong(++p, current);
      ps.setLong(++p, current);
      readTop(ps, dim);
    }
  }

  /**
   * The threads whose current-window calls or spend make them loop candidates, from {@code
   * <table>_daily_thread}, sorted.
   */
  List<String> loopCandidatesFromRollups(String rollupTable) throws SQLException {
    String sql =
        "SELECT "
            + THREAD_ID
            + " FROM "
            + rollupTable
            + " WHERE epoch_day >= ? AND epoch_day <= ? AND "
            + THREAD_ID
            + " IS NOT NULL AND "
            + THREAD_ID
            + " <> '' GROUP BY "
            + THREAD_ID
            + " HAVING SUM(calls) >= ? OR SUM(cost_total) >= ?";
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, a.from.toEpochDay());
      ps.setLong(2, a.to.toEpochDay());
      ps.setLong(3, Findings.LOOP_CALLS);
      UsageTable.bindMoney(dialect, ps, 4, Findings.LOOP_SPEND);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    out.sort(Comparator.naturalOrder());
    return out;
  }

  private void readTop(PreparedStatement ps, Analyzer.Dim dim) throws SQLException {
    {
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String key = rs.getString(1);
          Stats cur = new Stats();
          cur.calls = rs.getLong(2);
          cur.cost = money(rs, 3);
          cur.unknownCostCalls = rs.getLong(4);
          cur.inputTokens = rs.getLong(5);
          cur.outputTokens = rs.getLong(6);
          Stats prev = new Stats();
          prev.calls = rs.getLong(7);
          prev.cost = money(rs, 8);
          prev.unknownCostCalls = rs.getLong(9);
          a.addTop(dim, key, cur, prev);
        }
      }
    }
  }

  void loopCandidates() throws SQLException {
    List<Object> params = new ArrayList<>();
    String current = STARTED_AT + " >= ? AND " + STARTED_AT + " < ?";
    params.add(a.currentStart);
    params.add(a.end);
    params.add(a.currentStart);
    params.add(a.end);
    params.add((long) Findings.LOOP_CALLS);
    params.add(Findings.LOOP_SPEND);
    String sql =
        LOOP_CALL_COLUMNS
            + " FROM "
            + table
            + " WHERE "
            + current
            + " AND "
            + THREAD_ID
            + " IN (SELECT "
            + THREAD_ID
            + " FROM "
            + table
            + " WHERE "
            + current
            + " AND "
            + THREAD_ID
            + " IS NOT NULL AND "
            + THREAD_ID
            + " <> '' GROUP BY "
            + THREAD_ID
            + " HAVING COUNT(*) >= ? OR SUM("
            + COST_TOTAL
            + ") >= ?) ORDER BY "
            + THREAD_ID
            + ", "
            + STARTED_AT;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setFetchSize(1000);
      Sql.bind(dialect, ps, params);
      try (ResultSet rs = ps.executeQuery()) {
        readLoopCalls(rs);
      }
    }
  }

  /** Feeds calls ordered by thread and time to the loop check, one thread at a time. */
  private void readLoopCalls(ResultSet rs) throws SQLException {
    String thread = null;
    List<Analyzer.ThreadCall> calls = new ArrayList<>();
    while (rs.next()) {
      String t = rs.getString(1);
      if (!Objects.equals(t, thread)) {
        if (thread != null) {
          a.threadDone(thread, calls);
        }
        thread = t;
        calls = new ArrayList<>();
      }
      Instant at = Objects.requireNonNull(UsageTable.readInstant(dialect, rs, 2));
      BigDecimal cost = money(rs, 3);
      String status = orEmpty(rs.getString(4)).toLowerCase(Locale.ROOT);
      String action = orEmpty(rs.getString(5)).toLowerCase(Locale.ROOT);
      calls.add(
          new Analyzer.ThreadCall(
              at.toEpochMilli(), cost, "blocked".equals(status) || "block".equals(action)));
    }
    if (thread != null) {
      a.threadDone(thread, calls);
    }
  }
}
