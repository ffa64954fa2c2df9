package dev.attribution.report;

import static dev.attribution.sink.jdbc.internal.UsageTable.BUDGET_ACTION;
import static dev.attribution.sink.jdbc.internal.UsageTable.BUDGET_NAME;
import static dev.attribution.sink.jdbc.internal.UsageTable.BUDGET_PERCENT;
import static dev.attribution.sink.jdbc.internal.UsageTable.CACHED_INPUT_TOKENS;
import static dev.attribution.sink.jdbc.internal.UsageTable.CACHE_WRITE_TOKENS;
import static dev.attribution.sink.jdbc.internal.UsageTable.CHARGE_TOTAL;
import static dev.attribution.sink.jdbc.internal.UsageTable.COST_CACHED_INPUT;
import static dev.attribution.sink.jdbc.internal.UsageTable.COST_CACHE_WRITE;
import static dev.attribution.sink.jdbc.internal.UsageTable.COST_INPUT;
import static dev.attribution.sink.jdbc.internal.UsageTable.COST_OTHER;
import static dev.attribution.sink.jdbc.internal.UsageTable.COST_OUTPUT;
import static dev.attribution.sink.jdbc.internal.UsageTable.COST_REASONING;
import static dev.attribution.sink.jdbc.internal.UsageTable.COST_SOURCE;
import static dev.attribution.sink.jdbc.internal.UsageTable.COST_TOOLS;
import static dev.attribution.sink.jdbc.internal.UsageTable.COST_TOTAL;
import static dev.attribution.sink.jdbc.internal.UsageTable.CURRENCY;
import static dev.attribution.sink.jdbc.internal.UsageTable.EFFECTIVE_MODEL;
import static dev.attribution.sink.jdbc.internal.UsageTable.FEATURE;
import static dev.attribution.sink.jdbc.internal.UsageTable.INPUT_TOKENS;
import static dev.attribution.sink.jdbc.internal.UsageTable.OUTPUT_TOKENS;
import static dev.attribution.sink.jdbc.internal.UsageTable.PRICE_VERSION;
import static dev.attribution.sink.jdbc.internal.UsageTable.PROVIDER;
import static dev.attribution.sink.jdbc.internal.UsageTable.REASONING_TOKENS;
import static dev.attribution.sink.jdbc.internal.UsageTable.REQUESTED_MODEL;
import static dev.attribution.sink.jdbc.internal.UsageTable.STARTED_AT;
import static dev.attribution.sink.jdbc.internal.UsageTable.STATUS;
import static dev.attribution.sink.jdbc.internal.UsageTable.TENANT_ID;
import static dev.attribution.sink.jdbc.internal.UsageTable.THREAD_ID;
import static dev.attribution.sink.jdbc.internal.UsageTable.USER_ID;

import dev.attribution.sink.jdbc.SqlDialect;
import dev.attribution.sink.jdbc.internal.Rollups;
import dev.attribution.sink.jdbc.internal.UsageTable;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The review's SQL: every sum is computed by the database (GROUP BY over the window), so the JVM
 * holds result rows only, never the usage rows themselves. Portable across PostgreSQL,
 * MySQL/MariaDB, H2 and SQLite: days are numbered by a {@code CASE} over bound day-boundary
 * instants computed in Java for the window's zone (exact across DST changes on every database), and
 * times and money are bound and read through the sink's own {@link UsageTable} encoding.
 *
 * <p>Queries, all over {@code started_at} in the two windows (index {@code <table>_started_idx}):
 *
 * <ol>
 *   <li>the main grouping: day x tenant x feature x model x provider x status x budget action x
 *       budget x cost source x currency x price version, with sums of tokens and every money
 *       column;
 *   <li>per thread and per user, the {@link #HIGH_CARDINALITY_ROWS} largest by current spend, and
 *       the calls of loop candidates ({@link ThreadQueries});
 *   <li>each budget's latest percentage (index {@code <table>_budget_idx}).
 * </ol>
 */
final class ReviewQueries {

  /** Rows kept of the thread and user groupings, largest current spend first. */
  static final int HIGH_CARDINALITY_ROWS = 1000;

  private static final String[] MONEY_SUMS = {
    COST_TOTAL,
    COST_INPUT,
    COST_CACHED_INPUT,
    COST_CACHE_WRITE,
    COST_OUTPUT,
    COST_REASONING,
    COST_TOOLS,
    COST_OTHER,
    CHARGE_TOTAL
  };

  private static final String[] TOKEN_SUMS = {
    INPUT_TOKENS, CACHED_INPUT_TOKENS, CACHE_WRITE_TOKENS, OUTPUT_TOKENS, REASONING_TOKENS
  };

  private final Connection c;
  private final SqlDialect dialect;
  private final String table;
  private final Analyzer a;

  ReviewQueries(Connection c, String table, Analyzer a) throws SQLException {
    this.c = c;
    this.dialect = SqlDialect.detect(c);
    this.table = UsageTable.checkTable(table);
    this.a = a;
  }

  /** Runs every query and feeds the analyzer; returns the number of usage rows summed. */
  long run() throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    boolean tx = UsageTable.streamsOnlyInTransaction(dialect) && autoCommit;
    if (tx) {
      c.setAutoCommit(false); // PostgreSQL streams a result with a fetch size only in a transaction
    }
    try {
      long t = System.nanoTime();
      String skip = rollupsUnusable();
      t = lap("rollup check", t);
      if (skip == null) {
        source = "daily rollups in " + rollupZone;
        long rows;
        if (dialect == SqlDialect.POSTGRESQL && tx) {
          // one rollup row per day and key: the two narrow groupings return a few thousand rows
          // where the rows themselves are hundreds of thousands
          tunePostgres(true);
          rows = mainGroupingFromRollups(Analyzer.Part.TENANTS);
          t = lap("tenant grouping", t);
          mainGroupingFromRollups(Analyzer.Part.FEATURES);
          t = lap("feature grouping", t);
          tunePostgres(false);
        } else {
          rows = mainGroupingFromRollups(Analyzer.Part.ALL);
          t = lap("main grouping", t);
        }
        ThreadQueries threads = new ThreadQueries(c, dialect, table, a, HIGH_CARDINALITY_ROWS);
        threads.topGroupingFromRollups(
            Analyzer.Dim.THREAD, THREAD_ID, table + Rollups.DAILY_THREAD);
        t = lap("threads", t);
        threads.topGroupingFromRollups(Analyzer.Dim.USER, USER_ID, table + Rollups.DAILY_USER);
        t = lap("users", t);
        threads.loopCalls(threads.loopCandidatesFromRollups(table + Rollups.DAILY_THREAD));
        t = lap("loop candidates", t);
        latestBudgetPercents();
        lap("budgets", t);
        return rows;
      }
      source = "the usage rows (" + skip + ")";
      boolean pg = dialect == SqlDialect.POSTGRESQL && tx;
      if (pg) {
        tunePostgres(true);
      }
      long rows;
      if (pg) {
        // two narrow groupings (tens of thousands of rows) instead of one fine one (hundreds of
        // thousands): PostgreSQL hashes each in one pass, and the client reads far fewer rows
        rows = mainGrouping(Analyzer.Part.TENANTS);
        t = lap("tenant grouping", t);
        mainGrouping(Analyzer.Part.FEATURES);
        t = lap("feature grouping", t);
      } else {
        rows = mainGrouping(Analyzer.Part.ALL);
        t = lap("main grouping", t);
      }
      ThreadQueries threads = new ThreadQueries(c, dialect, table, a, HIGH_CARDINALITY_ROWS);
      if (pg) {
        tunePostgres(false);
        List<String> candidates = threads.threadsPostgres();
        t = lap("threads", t);
        threads.topGrouping(Analyzer.Dim.USER, USER_ID);
        t = lap("users", t);
        threads.loopCalls(candidates);
        t = lap("loop candidates", t);
      } else {
        threads.topGrouping(Analyzer.Dim.THREAD, THREAD_ID);
        t = lap("threads", t);
        threads.topGrouping(Analyzer.Dim.USER, USER_ID);
        t = lap("users", t);
        threads.loopCandidates();
        t = lap("loop candidates", t);
      }
      latestBudgetPercents();
      lap("budgets", t);
      return rows;
    } finally {
      if (tx) {
        c.rollback();
        c.setAutoCommit(true);
      }
    }
  }

  /** What the sums were read from, for the progress line. */
  String source = "the usage rows";

  private @Nullable ZoneId rollupZone;

  /**
   * Why the daily rollups cannot give this review's sums, or null when they can: they exist, their
   * days are this review's days for every tenant, and they hold exactly the window's calls (a row
   * written around the sink, by an older version or by hand, makes the counts differ).
   */
  private @Nullable String rollupsUnusable() throws SQLException {
    if (!Rollups.exist(c, table)) {
      return "the table has no daily rollups";
    }
    ZoneId zone;
    try {
      zone = Rollups.zone(c, table);
    } catch (java.time.DateTimeException e) {
      return "the daily rollups' zone is not one Java knows (" + e.getMessage() + ")";
    }
    if (zone == null) {
      return "the daily rollups have no zone";
    }
    rollupZone = zone;
    if (!a.boundaries(zone).equals(a.boundaries(a.zone)) || !a.tenantsByZone().isEmpty()) {
      return "the daily rollups are kept in " + zone + ", not in this review's zone";
    }
    long raw;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT COUNT(*) FROM "
                + table
                + " WHERE "
                + STARTED_AT
                + " >= ? AND "
                + STARTED_AT
                + " < ?")) {
      Sql.bind(dialect, ps, List.of(a.previousStart, a.end));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        raw = rs.getLong(1);
      }
    }
    long rolled;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT SUM(calls) FROM "
                + table
                + Rollups.DAILY
                + " WHERE epoch_day >= ? AND epoch_day <= ?")) {
      ps.setLong(1, a.previousFrom.toEpochDay());
      ps.setLong(2, a.to.toEpochDay());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        rolled = rs.getLong(1);
      }
    }
    if (raw != rolled) {
      return "the daily rollups hold "
          + rolled
          + " of the window's "
          + raw
          + " calls; --rebuild-rollups recomputes them";
    }
    if (dialect == SqlDialect.MYSQL) {
      return keysMergedByCollation();
    }
    return null;
  }

  /**
   * MySQL/MariaDB: a key column of the rollups whose values in the window include two that differ
   * in their bytes but that the column's collation compares equal ("acme", "Acme", "acme "), or
   * null when there is none. The review's GROUP BY over the calls merges those into one group under
   * one of their spellings, while the rollups keep one row per exact string, so the two reviews
   * would differ: the calls are read instead.
   */
  private @Nullable String keysMergedByCollation() throws SQLException {
    Map<String, List<String>> keys = new java.util.LinkedHashMap<>();
    keys.put(Rollups.DAILY, Rollups.MAIN_KEY_COLUMNS);
    keys.put(Rollups.DAILY_THREAD, List.of(THREAD_ID));
    keys.put(Rollups.DAILY_USER, List.of(USER_ID));
    for (Map.Entry<String, List<String>> e : keys.entrySet()) {
      StringBuilder sql = new StringBuilder("SELECT ");
      for (String k : e.getValue()) {
        sql.append(k.equals(e.getValue().get(0)) ? "" : ", ")
            .append("COUNT(DISTINCT ")
            .append(k)
            .append("), COUNT(DISTINCT CAST(")
            .append(k)
            .append(" AS BINARY))");
      }
      sql.append(" FROM ")
          .append(table)
          .append(e.getKey())
          .append(" WHERE epoch_day >= ? AND epoch_day <= ?");
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        ps.setLong(1, a.previousFrom.toEpochDay());
        ps.setLong(2, a.to.toEpochDay());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          for (int i = 0; i < e.getValue().size(); i++) {
            if (rs.getLong(2 * i + 1) != rs.getLong(2 * i + 2)) {
              return "values of "
                  + e.getValue().get(i)
                  + " differ only where the database's collation compares them equal";
            }
          }
        }
      }
    }
    return null;
  }

  /**
   * The main grouping from {@code <table>_daily}: for {@link Analyzer.Part#ALL} its rows as they
   * are (one per day and key already), else summed by the part's keys.
   */
  private long mainGroupingFromRollups(Analyzer.Part part) throws SQLException {
    java.util.Set<String> kept;
    switch (part) {
      case TENANTS:
        kept =
            java.util.Set.of(
                "tenant_id",
                "status",
                "budget_action",
                "budget_name",
                "cost_source",
                "currency",
                "price_version");
        break;
      case FEATURES:
        kept = java.util.Set.of("feature", "model", "provider", "status", "cost_source");
        break;
      default:
        kept = java.util.Set.copyOf(Rollups.MAIN_KEY_COLUMNS);
    }
    List<String> keys = new ArrayList<>();
    for (String k : Rollups.MAIN_KEY_COLUMNS) {
      keys.add(kept.contains(k) ? k : null);
    }
    boolean group = part != Analyzer.Part.ALL;
    String sum = group ? "SUM(" : "(";
    StringBuilder sql = new StringBuilder("SELECT epoch_day - ? AS d");
    StringBuilder groupBy = new StringBuilder(" GROUP BY epoch_day");
    for (String k : keys) {
      sql.append(", ").append(k == null ? "NULL" : k);
      if (k != null) {
        groupBy.append(", ").append(k);
      }
    }
    sql.append(", ").append(sum).append("calls)");
    for (String t : TOKEN_SUMS) {
      sql.append(", ").append(sum).append(t).append(")");
    }
    for (String m : MONEY_SUMS) {
      sql.append(", ").append(sum).append(m).append(")");
    }
    sql.append(", ").append(sum).append("priced_calls), ").append(sum).append("charged_calls), ");
    sql.append(sum).append("charged_cost), ").append(group ? "MAX(" : "(");
    sql.append("max_budget_percent) FROM ").append(table).append(Rollups.DAILY);
    sql.append(" WHERE epoch_day >= ? AND epoch_day <= ?");
    if (group) {
      sql.append(groupBy);
    }
    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
      ps.setFetchSize(1000);
      long first = a.previousFrom.toEpochDay();
      ps.setLong(1, first);
      ps.setLong(2, first);
      ps.setLong(3, a.to.toEpochDay());
      return readGroups(ps, part);
    }
  }

  /** Milliseconds each query took, in order, for the progress line. */
  final Map<String, Long> timings = new java.util.LinkedHashMap<>();

  private long lap(String query, long since) {
    long now = System.nanoTime();
    timings.put(query, (now - since) / 1_000_000);
    return now;
  }

  /**
   * The day number of a row (0 = first day of the comparison window), by the zone of its tenant:
   * nested CASEs over the day boundaries, NULL outside both windows.
   */
  private String dayExpression(List<Object> params) {
    StringBuilder sb = new StringBuilder();
    List<Map.Entry<java.time.ZoneId, List<String>>> zoned = a.tenantsByZone();
    if (!zoned.isEmpty()) {
      sb.append("CASE");
      for (Map.Entry<java.time.ZoneId, List<String>> z : zoned) {
        sb.append(" WHEN ").append(TENANT_ID).append(" IN (");
        for (int i = 0; i < z.getValue().size(); i++) {
          sb.append(i == 0 ? "?" : ", ?");
          params.add(z.getValue().get(i));
        }
        sb.append(") THEN ");
        Sql.dayCase(a.boundaries(z.getKey()), sb, params);
      }
      sb.append(" ELSE ");
      Sql.dayCase(a.boundaries(a.zone), sb, params);
      sb.append(" END");
    } else {
      Sql.dayCase(a.boundaries(a.zone), sb, params);
    }
    return sb.toString();
  }

  /**
   * One grouping by day and the keys of {@code part}; the keys a part does not group by are
   * selected as constant NULLs so every part reads the same way.
   */
  private long mainGrouping(Analyzer.Part part) throws SQLException {
    List<Object> params = new ArrayList<>();
    String keys;
    switch (part) {
      case TENANTS:
        keys = "d, tenant, NULL, NULL, NULL, status, action, budget, source, currency, version";
        break;
      case FEATURES:
        keys = "d, NULL, feature, model, provider, status, NULL, NULL, source, NULL, NULL";
        break;
      default:
        keys =
            "d, tenant, feature, model, provider, status, action, budget, source, currency,"
                + " version";
    }
    String groupKeys =
        String.join(
            ", ",
            java.util.Arrays.stream(keys.split(", ")).filter(k -> !k.equals("NULL")).toList());
    StringBuilder inner = new StringBuilder("SELECT ");
    inner.append(dayExpression(params)).append(" AS d, ");
    inner.append(TENANT_ID).append(" AS tenant, ");
    inner.append(FEATURE).append(" AS feature, ");
    inner
        .append("COALESCE(")
        .append(EFFECTIVE_MODEL)
        .append(", ")
        .append(REQUESTED_MODEL)
        .append(") AS model, ");
    inner.append(PROVIDER).append(" AS provider, ");
    inner.append(STATUS).append(" AS status, ");
    inner.append(BUDGET_ACTION).append(" AS action, ");
    inner.append(BUDGET_NAME).append(" AS budget, ");
    inner.append(COST_SOURCE).append(" AS source, ");
    inner.append(CURRENCY).append(" AS currency, ");
    inner.append(PRICE_VERSION).append(" AS version, ");
    for (String t : TOKEN_SUMS) {
      inner.append(t).append(", ");
    }
    for (String m : MONEY_SUMS) {
      inner.append(m).append(", ");
    }
    inner.append(BUDGET_PERCENT);
    inner.append(" FROM ").append(table).append(" WHERE ").append(Sql.window(a, params));

    StringBuilder sql = new StringBuilder("SELECT ").append(keys).append(", COUNT(*)");
    for (String t : TOKEN_SUMS) {
      sql.append(", SUM(").append(t).append(")");
    }
    for (String m : MONEY_SUMS) {
      sql.append(", SUM(").append(m).append(")");
    }
    sql.append(", COUNT(")
        .append(COST_TOTAL)
        .append("), COUNT(")
        .append(CHARGE_TOTAL)
        .append("), SUM(CASE WHEN ")
        .append(CHARGE_TOTAL)
        .append(" IS NOT NULL THEN ")
        .append(COST_TOTAL)
        .append(" END), MAX(")
        .append(BUDGET_PERCENT)
        .append(")");
    sql.append(" FROM (").append(inner).append(") x GROUP BY ").append(groupKeys);

    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
      ps.setFetchSize(1000);
      Sql.bind(dialect, ps, params);
      return readGroups(ps, part);
    }
  }

  /**
   * Feeds the analyzer the rows of a grouping (day number, the eleven keys, calls, token sums,
   * money sums, priced calls, charged calls, the cost of charged calls, the largest budget
   * percentage); returns the calls of its tenant rows.
   */
  private long readGroups(PreparedStatement ps, Analyzer.Part part) throws SQLException {
    long rows = 0;
    {
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          int i = 1;
          long dayNumber = rs.getLong(i++);
          boolean outside = rs.wasNull();
          Row r = new Row();
          r.tenant = rs.getString(i++);
          r.feature = rs.getString(i++);
          r.model = rs.getString(i++);
          r.provider = provider(rs.getString(i++));
          r.status = orEmpty(rs.getString(i++)).toLowerCase(Locale.ROOT);
          r.budgetAction = orEmpty(rs.getString(i++)).toLowerCase(Locale.ROOT);
          r.budgetName = rs.getString(i++);
          r.costSource = orEmpty(rs.getString(i++)).toLowerCase(Locale.ROOT);
          String currency = rs.getString(i++);
          r.currency = currency == null ? "USD" : currency;
          r.priceVersion = rs.getString(i++);
          r.calls = rs.getLong(i++);
          r.inputTokens = rs.getLong(i++);
          r.cachedTokens = rs.getLong(i++);
          r.cacheWriteTokens = rs.getLong(i++);
          r.outputTokens = rs.getLong(i++);
          r.reasoningTokens = rs.getLong(i++);
          r.costTotal = money(rs, i++);
          r.costInput = money(rs, i++);
          r.costCached = money(rs, i++);
          r.costCacheWrite = money(rs, i++);
          r.costOutput = money(rs, i++);
          r.costReasoning = money(rs, i++);
          r.costTools = money(rs, i++);
          r.costOther = money(rs, i++);
          r.charge = money(rs, i++);
          r.unknownCostCalls = r.calls - rs.getLong(i++);
          r.chargedCalls = rs.getLong(i++);
          r.chargedCost = money(rs, i++);
          r.maxBudgetPercent = UsageTable.readMoney(dialect, rs, i++);
          if (outside) {
            continue; // before the first or after the last day in this tenant's zone
          }
          if (part != Analyzer.Part.FEATURES) {
            rows += r.calls;
          }
          a.add(r, (int) dayNumber, part);
        }
      }
    }
    return rows;
  }

  /**
   * PostgreSQL plans these groupings from estimates that assume independent columns (millions of
   * groups) and then sorts every row; with the planner told to hash, and the memory to do so, they
   * run in one pass. JIT compilation costs more than it saves here. SET LOCAL: this transaction
   * only.
   */
  private void tunePostgres(boolean grouping) throws SQLException {
    try (java.sql.Statement st = c.createStatement()) {
      if (grouping) {
        st.execute("SET LOCAL jit = off");
        st.execute("SET LOCAL work_mem = '256MB'");
        st.execute("SET LOCAL enable_sort = off");
      } else {
        st.execute("SET LOCAL enable_sort = on");
      }
    }
  }

  private void latestBudgetPercents() throws SQLException {
    List<Object> params = new ArrayList<>();
    String sql =
        "SELECT b."
            + BUDGET_NAME
            + ", MAX(b."
            + BUDGET_PERCENT
            + ") FROM "
            + table
            + " b JOIN (SELECT "
            + BUDGET_NAME
            + " AS n, MAX("
            + STARTED_AT
            + ") AS m FROM "
            + table
            + " WHERE "
            + BUDGET_NAME
            + " IS NOT NULL AND "
            + BUDGET_PERCENT
            + " IS NOT NULL AND "
            + STARTED_AT
            + " >= ? AND "
            + STARTED_AT
            + " < ? GROUP BY "
            + BUDGET_NAME
            + ") x ON b."
            + BUDGET_NAME
            + " = x.n AND b."
            + STARTED_AT
            + " = x.m WHERE b."
            + BUDGET_PERCENT
            + " IS NOT NULL GROUP BY b."
            + BUDGET_NAME;
    params.add(a.currentStart);
    params.add(a.end);
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      Sql.bind(dialect, ps, params);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          a.latestBudgetPercent(rs.getString(1), UsageTable.readMoney(dialect, rs, 2));
        }
      }
    }
  }

  private BigDecimal money(ResultSet rs, int i) throws SQLException {
    return Sql.money(dialect, rs, i);
  }

  private static String orEmpty(@Nullable String s) {
    return s == null ? "" : s;
  }

  /**
   * The provider as the review shows it: {@value #UNRECOGNISED} for a call to an endpoint the
   * library did not recognise (NULL; {@code unknown} in a table the sink has not migrated yet),
   * never a made-up provider name.
   */
  static String provider(@Nullable String s) {
    return s == null || s.equals("unknown") ? UNRECOGNISED : s;
  }

  /** How the review names the provider of calls to unrecognised endpoints. */
  static final String UNRECOGNISED = "(unrecognised)";
}
