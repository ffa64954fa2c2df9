package dev.attribution.sink.jdbc.internal;

import dev.attribution.sink.jdbc.SqlDialect;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The daily rollups the JDBC sink keeps beside its usage table (schema version 5), so the weekly
 * review sums one row per day and key instead of every call:
 *
 * <ul>
 *   <li>{@code <table>_daily}: per day, tenant, feature, model ({@code COALESCE(effective_model,
 *       requested_model)}), provider, status, budget action, budget, cost source, currency and
 *       price version: calls, five token sums, nine money sums, priced and charged calls, the cost
 *       of charged calls and the largest budget percentage;
 *   <li>{@code <table>_daily_thread} and {@code <table>_daily_user}: per day and thread (user):
 *       calls, priced calls, cost, input and output tokens;
 *   <li>{@code <table>_daily_zone}: the one zone whose local dates are the rollups' days.
 * </ul>
 *
 * <p>Exactness: the sink adds a batch's calls in the batch's own transaction and only the calls
 * that transaction inserted (a replayed record already in the table adds nothing), so every rollup
 * sum equals the same sum over the usage rows. A rollup row's key is hashed into {@code k} (the key
 * columns together can exceed an index's length); the key columns are kept beside it for the
 * queries. Writers and {@link #rebuild} serialise on the zone row: a writer reads it with a shared
 * lock after inserting its rows, a rebuild takes it exclusively before reading the usage table.
 * Internal: no compatibility promised.
 */
public final class Rollups {

  private Rollups() {}

  /** Suffix of the main rollup table. */
  public static final String DAILY = "_daily";

  /** Suffix of the per-thread rollup table. */
  public static final String DAILY_THREAD = "_daily_thread";

  /** Suffix of the per-user rollup table. */
  public static final String DAILY_USER = "_daily_user";

  /** Suffix of the table holding the rollups' zone. */
  public static final String DAILY_ZONE = "_daily_zone";

  private static final int MAIN_KEYS = 10;
  private static final int MAIN_COUNTS = 6;
  private static final int MAIN_MONEY = 9;

  /** The main table's key columns, in order: the review's grouping keys after the day. */
  public static final List<String> MAIN_KEY_COLUMNS =
      List.of(
          "tenant_id",
          "feature",
          "model",
          "provider",
          "status",
          "budget_action",
          "budget_name",
          "cost_source",
          "currency",
          "price_version");

  private static final List<String> MAIN_COUNT_COLUMNS =
      List.of(
          "calls",
          "input_tokens",
          "cached_input_tokens",
          "cache_write_tokens",
          "output_tokens",
          "reasoning_tokens");

  private static final List<String> MAIN_MONEY_COLUMNS =
      List.of(
          "cost_total",
          "cost_input",
          "cost_cached_input",
          "cost_cache_write",
          "cost_output",
          "cost_reasoning",
          "cost_tools",
          "cost_other",
          "charge_total");

  /** One call's values as the usage table stores them (strings already cut to their columns). */
  public static final class Call {
    /** When the call started. */
    public Instant startedAt = Instant.EPOCH;

    /** The tenant, user, thread and feature columns. */
    public @Nullable String tenant;

    /** See {@link #tenant}. */
    public @Nullable String user;

    /** See {@link #tenant}. */
    public @Nullable String thread;

    /** See {@link #tenant}. */
    public @Nullable String feature;

    /** {@code COALESCE(effective_model, requested_model)}. */
    public @Nullable String model;

    /** The provider, status, budget action, budget, cost source, currency and price version. */
    public @Nullable String provider;

    /** See {@link #provider}. */
    public @Nullable String status;

    /** See {@link #provider}. */
    public @Nullable String budgetAction;

    /** See {@link #provider}. */
    public @Nullable String budgetName;

    /** See {@link #provider}. */
    public @Nullable String costSource;

    /** See {@link #provider}. */
    public @Nullable String currency;

    /** See {@link #provider}. */
    public @Nullable String priceVersion;

    /** Input, cached input, cache write, output and reasoning tokens. */
    public final long[] tokens = new long[5];

    /**
     * Cost total, input, cached input, cache write, output, reasoning, tools, other, and the
     * charge; each null when unknown.
     */
    public final @Nullable BigDecimal[] money = new BigDecimal[MAIN_MONEY];

    /** The budget percentage, null when none. */
    public @Nullable BigDecimal budgetPercent;
  }

  /** The sums of calls per rollup row, for one zone; {@link #write} adds them to the tables. */
  public static final class Batch {
    private final ZoneId zone;
    private final boolean utc;
    private final Map<String, Main> main = new HashMap<>();
    private final Map<String, Small> threads = new HashMap<>();
    private final Map<String, Small> users = new HashMap<>();
    private final MessageDigest sha;

    /** An empty batch whose days are local dates in {@code zone}. */
    public Batch(ZoneId zone) {
      this.zone = zone;
      this.utc = zone.normalized().equals(ZoneOffset.UTC);
      try {
        this.sha = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
      }
    }

    /** Whether no call was added. */
    public boolean isEmpty() {
      return main.isEmpty();
    }

    /** Adds one call to its three rollup rows. */
    public void add(Call c) {
      long day =
          utc
              ? Math.floorDiv(c.startedAt.getEpochSecond(), 86_400L)
              : LocalDate.ofInstant(c.startedAt, zone).toEpochDay();
      String[] keys = {
        c.tenant,
        c.feature,
        c.model,
        c.provider,
        c.status,
        c.budgetAction,
        c.budgetName,
        c.costSource,
        c.currency,
        c.priceVersion
      };
      String mk = key(day, keys);
      Main m = main.computeIfAbsent(mk, k -> new Main(day, keys));
      m.add(c);
      String[] t = {c.thread};
      threads.computeIfAbsent(key(day, t), k -> new Small(day, c.thread)).add(c);
      String[] u = {c.user};
      users.computeIfAbsent(key(day, u), k -> new Small(day, c.user)).add(c);
    }

    /** The map key: the day and the hash of the key columns. */
    private String key(long day, @Nullable String[] keys) {
      sha.reset();
      for (String s : keys) {
        if (s == null) {
          sha.update((byte) 0);
        } else {
          byte[] b = s.getBytes(StandardCharsets.UTF_8);
          sha.update((byte) 1);
          sha.update((byte) (b.length >>> 24));
          sha.update((byte) (b.length >>> 16));
          sha.update((byte) (b.length >>> 8));
          sha.update((byte) b.length);
          sha.update(b);
        }
      }
      byte[] d = sha.digest();
      StringBuilder sb = new StringBuilder(20 + 32).append(day).append(':');
      for (int i = 0; i < 16; i++) {
        sb.append(Character.forDigit((d[i] >> 4) & 0xF, 16))
            .append(Character.forDigit(d[i] & 0xF, 16));
      }
      return sb.toString();
    }

    /**
     * Adds the sums to the rollup tables of {@code table} through {@code c}, in the caller's
     * transaction, rows in key order so concurrent writers lock them in the same order.
     */
    public void write(Connection c, SqlDialect dialect, String table) throws SQLException {
      if (main.isEmpty()) {
        return;
      }
      List<Column> mainColumns = new ArrayList<>();
      for (String k : MAIN_KEY_COLUMNS) {
        mainColumns.add(new Column(k, Kind.KEY));
      }
      for (String k : MAIN_COUNT_COLUMNS) {
        mainColumns.add(new Column(k, Kind.COUNT));
      }
      for (String k : MAIN_MONEY_COLUMNS) {
        mainColumns.add(new Column(k, Kind.MONEY));
      }
      mainColumns.add(new Column("priced_calls", Kind.COUNT));
      mainColumns.add(new Column("charged_calls", Kind.COUNT));
      mainColumns.add(new Column("charged_cost", Kind.MONEY));
      mainColumns.add(new Column("max_budget_percent", Kind.MAX));
      upsert(c, dialect, table + DAILY, mainColumns, new java.util.TreeMap<>(main));
      upsert(
          c,
          dialect,
          table + DAILY_THREAD,
          smallColumns("thread_id"),
          new java.util.TreeMap<>(threads));
      upsert(
          c, dialect, table + DAILY_USER, smallColumns("user_id"), new java.util.TreeMap<>(users));
    }
  }

  private static List<Column> smallColumns(String keyColumn) {
    return List.of(
        new Column(keyColumn, Kind.KEY),
        new Column("calls", Kind.COUNT),
        new Column("priced_calls", Kind.COUNT),
        new Column("cost_total", Kind.MONEY),
        new Column("input_tokens", Kind.COUNT),
        new Column("output_tokens", Kind.COUNT));
  }

  private enum Kind {
    KEY,
    COUNT,
    MONEY,
    MAX
  }

  private static final class Column {
    final String name;
    final Kind kind;

    Column(String name, Kind kind) {
      this.name = name;
      this.kind = kind;
    }
  }

  /** A rollup row: its day and, in column order after the day and the hash, its values. */
  private abstract static class Sums {
    final long day;

    Sums(long day) {
      this.day = day;
    }

    abstract Object[] values();
  }

  private static final class Main extends Sums {
    final String[] keys;
    final long[] counts = new long[MAIN_COUNTS];
    final @Nullable BigDecimal[] money = new BigDecimal[MAIN_MONEY];
    long priced;
    long charged;
    @Nullable BigDecimal chargedCost;
    @Nullable BigDecimal maxPercent;

    Main(long day, String[] keys) {
      super(day);
      this.keys = keys;
    }

    void add(Call c) {
      counts[0]++;
      for (int i = 0; i < 5; i++) {
        counts[i + 1] = Math.addExact(counts[i + 1], c.tokens[i]);
      }
      for (int i = 0; i < MAIN_MONEY; i++) {
        money[i] = plus(money[i], c.money[i]);
      }
      BigDecimal total = c.money[0];
      BigDecimal charge = c.money[MAIN_MONEY - 1];
      if (total != null) {
        priced++;
      }
      if (charge != null) {
        charged++;
        chargedCost = plus(chargedCost, total);
      }
      BigDecimal p = c.budgetPercent;
      if (p != null && (maxPercent == null || p.compareTo(maxPercent) > 0)) {
        maxPercent = p;
      }
    }

    @Override
    Object[] values() {
      Object[] v = new Object[MAIN_KEYS + MAIN_COUNTS + MAIN_MONEY + 4];
      int i = 0;
      for (String k : keys) {
        v[i++] = k;
      }
      for (long n : counts) {
        v[i++] = n;
      }
      for (BigDecimal m : money) {
        v[i++] = m;
      }
      v[i++] = priced;
      v[i++] = charged;
      v[i++] = chargedCost;
      v[i] = maxPercent;
      return v;
    }
  }

  private static final class Small extends Sums {
    final @Nullable String key;
    long calls;
    long priced;
    @Nullable BigDecimal cost;
    long input;
    long output;

    Small(long day, @Nullable String key) {
      super(day);
      this.key = key;
    }

    void add(Call c) {
      calls++;
      if (c.money[0] != null) {
        priced++;
        cost = plus(cost, c.money[0]);
      }
      input = Math.addExact(input, c.tokens[0]);
      output = Math.addExact(output, c.tokens[3]);
    }

    @Override
    Object[] values() {
      return new Object[] {key, calls, priced, cost, input, output};
    }
  }

  private static @Nullable BigDecimal plus(@Nullable BigDecimal a, @Nullable BigDecimal b) {
    return a == null ? b : b == null ? a : a.add(b);
  }

  /** Adds {@code rows} (map key = day:hash) to {@code target}, many rows per statement. */
  private static void upsert(
      Connection c,
      SqlDialect dialect,
      String target,
      List<Column> columns,
      Map<String, ? extends Sums> rows)
      throws SQLException {
    int width = columns.size() + 2;
    int perStatement = Math.max(1, Math.min(500, 30_000 / width));
    List<Map.Entry<String, ? extends Sums>> all = new ArrayList<>(rows.entrySet());
    for (int from = 0; from < all.size(); from += perStatement) {
      int n = Math.min(perStatement, all.size() - from);
      try (PreparedStatement ps = c.prepareStatement(upsertSql(dialect, target, columns, n))) {
        int p = 0;
        for (int r = 0; r < n; r++) {
          Map.Entry<String, ? extends Sums> e = all.get(from + r);
          Sums s = e.getValue();
          ps.setLong(++p, s.day);
          String key = e.getKey();
          ps.setString(++p, key.substring(key.indexOf(':') + 1));
          Object[] v = s.values();
          for (int i = 0; i < columns.size(); i++) {
            Object o = v[i];
            switch (columns.get(i).kind) {
              case KEY:
                if (o == null) {
                  ps.setNull(++p, Types.VARCHAR);
                } else {
                  ps.setString(++p, (String) o);
                }
                break;
              case COUNT:
                ps.setLong(++p, (Long) o);
                break;
              default:
                UsageTable.bindMoney(dialect, ps, ++p, (BigDecimal) o);
            }
          }
        }
        ps.executeUpdate();
      }
    }
  }

  /** The statement adding {@code rows} rows to {@code target} in this dialect. */
  static String upsertSql(SqlDialect dialect, String target, List<Column> columns, int rows) {
    StringBuilder names = new StringBuilder("epoch_day, k");
    for (Column col : columns) {
      names.append(", ").append(col.name);
    }
    StringBuilder sb = new StringBuilder();
    if (dialect == SqlDialect.H2) {
      sb.append("MERGE INTO ").append(target).append(" t USING (VALUES ");
      for (int r = 0; r < rows; r++) {
        sb.append(r == 0 ? "(" : ", (").append("CAST(? AS INTEGER), CAST(? AS CHAR(32))");
        for (Column col : columns) {
          sb.append(", CAST(? AS ")
              .append(
                  col.kind == Kind.KEY
                      ? "VARCHAR(255)"
                      : col.kind == Kind.COUNT ? "BIGINT" : "NUMERIC(30,9)")
              .append(')');
        }
        sb.append(')');
      }
      sb.append(") s(").append(names).append(") ON t.epoch_day = s.epoch_day AND t.k = s.k");
      sb.append(" WHEN MATCHED THEN UPDATE SET ");
      appendUpdates(sb, columns, n -> "t." + n, n -> "s." + n, "GREATEST");
      sb.append(" WHEN NOT MATCHED THEN INSERT (")
          .append(names)
          .append(") VALUES (s.epoch_day, s.k");
      for (Column col : columns) {
        sb.append(", s.").append(col.name);
      }
      return sb.append(')').toString();
    }
    sb.append("INSERT INTO ").append(target).append(" (").append(names).append(") VALUES ");
    for (int r = 0; r < rows; r++) {
      sb.append(r == 0 ? "(?, ?" : ", (?, ?");
      for (int i = 0; i < columns.size(); i++) {
        sb.append(", ?");
      }
      sb.append(')');
    }
    switch (dialect) {
      case MYSQL:
        sb.append(" ON DUPLICATE KEY UPDATE ");
        appendUpdates(sb, columns, n -> n, n -> "VALUES(" + n + ")", "GREATEST");
        break;
      case SQLITE:
        sb.append(" ON CONFLICT (epoch_day, k) DO UPDATE SET ");
        appendUpdates(sb, columns, n -> target + "." + n, n -> "excluded." + n, "MAX");
        break;
      default:
        sb.append(" ON CONFLICT (epoch_day, k) DO UPDATE SET ");
        appendUpdates(sb, columns, n -> target + "." + n, n -> "EXCLUDED." + n, "GREATEST");
    }
    return sb.toString();
  }

  /**
   * Appends the assignments adding a new row's values to the stored row's: counts add, amounts add
   * where either is known (NULL + x is x), the percentage keeps the larger.
   */
  private static void appendUpdates(
      StringBuilder sb,
      List<Column> columns,
      java.util.function.UnaryOperator<String> stored,
      java.util.function.UnaryOperator<String> added,
      String greatest) {
    boolean first = true;
    for (Column col : columns) {
      if (col.kind == Kind.KEY) {
        continue;
      }
      String o = stored.apply(col.name);
      String a = added.apply(col.name);
      sb.append(first ? "" : ", ").append(col.name).append(" = ");
      first = false;
      switch (col.kind) {
        case COUNT:
          sb.append(o).append(" + ").append(a);
          break;
        case MONEY:
          sb.append("COALESCE(").append(o).append(" + ").append(a);
          sb.append(", ").append(o).append(", ").append(a).append(')');
          break;
        default:
          sb.append("COALESCE(").append(greatest).append('(').append(o).append(", ").append(a);
          sb.append("), ").append(o).append(", ").append(a).append(')');
      }
    }
  }

  /**
   * Whether {@code table}'s rollups exist (schema version 5 or later), from the database's
   * metadata.
   */
  public static boolean exist(Connection c, String table) throws SQLException {
    String name = table + DAILY_ZONE;
    DatabaseMetaData md = c.getMetaData();
    for (String n : List.of(name, name.toLowerCase(Locale.ROOT), name.toUpperCase(Locale.ROOT))) {
      try (ResultSet rs = md.getTables(null, null, n, null)) {
        while (rs.next()) {
          if (n.equals(rs.getString("TABLE_NAME"))) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** The rollups' zone, or null when none is recorded yet. */
  public static @Nullable ZoneId zone(Connection c, String table) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT zone FROM " + table + DAILY_ZONE)) {
      return rs.next() ? ZoneId.of(rs.getString(1)) : null;
    }
  }

  /**
   * The rollups' zone, read with a shared (or, when {@code exclusive}, an exclusive) lock held to
   * the end of the caller's transaction, so a {@link #rebuild} waits for this transaction's rollup
   * rows (and they for it); null when none. Taken exclusively before a writer looks up which of its
   * records are stored, it makes writers of the table take turns, where the insert's count cannot
   * tell an inserted row from a concurrently stored one (MySQL, H2).
   */
  public static @Nullable ZoneId zoneForWriting(
      Connection c, SqlDialect dialect, String table, int timeoutSeconds, boolean exclusive)
      throws SQLException {
    String lock;
    switch (dialect) {
      case POSTGRESQL:
        lock = exclusive ? " FOR UPDATE" : " FOR SHARE";
        break;
      case MYSQL:
        lock = exclusive ? " FOR UPDATE" : " LOCK IN SHARE MODE";
        break;
      case H2:
        lock = " FOR UPDATE";
        break;
      default:
        lock = ""; // SQLite: the writer already holds the database's write lock
    }
    try (Statement s = c.createStatement()) {
      s.setQueryTimeout(timeoutSeconds); // a rebuild holds the row: wait, but not for ever
      try (ResultSet rs = s.executeQuery("SELECT zone FROM " + table + DAILY_ZONE + lock)) {
        return rs.next() ? ZoneId.of(rs.getString(1)) : null;
      }
    }
  }

  /**
   * Recomputes every rollup row of {@code table} from its usage rows with days in {@code zone}, and
   * records {@code zone}, in one transaction (its own when {@code c} is in auto-commit mode, else
   * the caller's). Returns the usage rows read.
   */
  public static long rebuild(Connection c, SqlDialect dialect, String table, ZoneId zone)
      throws SQLException {
    if (!exist(c, table)) {
      throw new SQLException(
          "table "
              + table
              + " has no daily rollups (schema version 5): start a JDBC sink of this version on it"
              + " once, or run its V5 script");
    }
    boolean auto = c.getAutoCommit();
    if (auto) {
      c.setAutoCommit(false);
    }
    try {
      long rows = rebuildInTransaction(c, dialect, table, zone);
      if (auto) {
        c.commit();
      }
      return rows;
    } catch (SQLException | RuntimeException e) {
      if (auto) {
        try {
          c.rollback();
        } catch (SQLException r) {
          e.addSuppressed(r);
        }
      }
      throw e;
    } finally {
      if (auto) {
        c.setAutoCommit(true);
      }
    }
  }

  private static long rebuildInTransaction(
      Connection c, SqlDialect dialect, String table, ZoneId zone) throws SQLException {
    try (Statement s = c.createStatement()) {
      // Take the zone row (or, while there is none, the zone table) first: writers read it with a
      // shared lock after inserting their rows, so none is half counted.
      if (dialect == SqlDialect.POSTGRESQL) {
        s.execute("LOCK TABLE " + table + DAILY_ZONE + " IN EXCLUSIVE MODE");
      }
      int updated;
      try (PreparedStatement ps =
          c.prepareStatement("UPDATE " + table + DAILY_ZONE + " SET zone = ?")) {
        ps.setString(1, zone.getId());
        updated = ps.executeUpdate();
      }
      if (updated == 0) {
        try (PreparedStatement ps =
            c.prepareStatement("INSERT INTO " + table + DAILY_ZONE + " (zone) VALUES (?)")) {
          ps.setString(1, zone.getId());
          ps.executeUpdate();
        }
      }
      s.executeUpdate("DELETE FROM " + table + DAILY);
      s.executeUpdate("DELETE FROM " + table + DAILY_THREAD);
      s.executeUpdate("DELETE FROM " + table + DAILY_USER);
    }
    Instant first;
    Instant last;
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT MIN("
                    + UsageTable.STARTED_AT
                    + "), MAX("
                    + UsageTable.STARTED_AT
                    + ") FROM "
                    + table)) {
      rs.next();
      first = UsageTable.readInstant(dialect, rs, 1);
      last = UsageTable.readInstant(dialect, rs, 2);
    }
    if (first == null || last == null) {
      return 0;
    }
    String sql =
        "SELECT started_at, tenant_id, user_id, thread_id, feature,"
            + " COALESCE(effective_model, requested_model), provider, status, budget_action,"
            + " budget_name, cost_source, currency, price_version, input_tokens,"
            + " cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens,"
            + " cost_total, cost_input, cost_cached_input, cost_cache_write, cost_output,"
            + " cost_reasoning, cost_tools, cost_other, charge_total, budget_percent FROM "
            + table
            + " WHERE started_at >= ? AND started_at < ?";
    long rows = 0;
    LocalDate lastDay = LocalDate.ofInstant(last, zone);
    String nextSql =
        "SELECT MIN("
            + UsageTable.STARTED_AT
            + ") FROM "
            + table
            + " WHERE "
            + UsageTable.STARTED_AT
            + " >= ?";
    try (PreparedStatement ps = c.prepareStatement(sql);
        PreparedStatement next = c.prepareStatement(nextSql)) {
      ps.setFetchSize(5000);
      LocalDate d = LocalDate.ofInstant(first, zone);
      while (!d.isAfter(lastDay)) {
        Instant end = d.plusDays(1).atStartOfDay(zone).toInstant();
        UsageTable.bindInstant(dialect, ps, 1, d.atStartOfDay(zone).toInstant());
        UsageTable.bindInstant(dialect, ps, 2, end);
        Batch batch = new Batch(zone);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            batch.add(read(dialect, rs));
            rows++;
          }
        }
        batch.write(c, dialect, table);
        d = d.plusDays(1);
        if (batch.isEmpty()) {
          // An empty day: go straight to the next day that has a call (one far-away row would
          // otherwise cost a query per empty day in between, at start-up).
          UsageTable.bindInstant(dialect, next, 1, end);
          try (ResultSet rs = next.executeQuery()) {
            Instant n = rs.next() ? UsageTable.readInstant(dialect, rs, 1) : null;
            if (n == null) {
              break;
            }
            LocalDate nd = LocalDate.ofInstant(n, zone);
            if (nd.isAfter(d)) {
              d = nd;
            }
          }
        }
      }
    }
    return rows;
  }

  private static Call read(SqlDialect dialect, ResultSet rs) throws SQLException {
    Call call = new Call();
    int i = 1;
    Instant at = UsageTable.readInstant(dialect, rs, i++);
    call.startedAt = at == null ? Instant.EPOCH : at;
    call.tenant = rs.getString(i++);
    call.user = rs.getString(i++);
    call.thread = rs.getString(i++);
    call.feature = rs.getString(i++);
    call.model = rs.getString(i++);
    call.provider = rs.getString(i++);
    call.status = rs.getString(i++);
    call.budgetAction = rs.getString(i++);
    call.budgetName = rs.getString(i++);
    call.costSource = rs.getString(i++);
    call.currency = rs.getString(i++);
    call.priceVersion = rs.getString(i++);
    for (int t = 0; t < 5; t++) {
      call.tokens[t] = rs.getLong(i++);
    }
    for (int m = 0; m < MAIN_MONEY; m++) {
      call.money[m] = UsageTable.readMoney(dialect, rs, i++);
    }
    call.budgetPercent = UsageTable.readMoney(dialect, rs, i);
    return call;
  }
}
