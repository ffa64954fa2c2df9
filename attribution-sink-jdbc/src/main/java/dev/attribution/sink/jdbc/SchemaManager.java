package dev.attribution.sink.jdbc;

import dev.attribution.sink.jdbc.internal.Rollups;
import dev.attribution.sink.jdbc.internal.UsageTable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates or migrates the usage table to {@link #LATEST_VERSION}.
 *
 * <p>Versions are recorded in {@code <table>_schema_version}. Concurrent starts are serialised with
 * a database lock where the database has one (a transaction-scoped advisory lock on PostgreSQL,
 * {@code GET_LOCK} on MySQL/MariaDB, the write transaction on SQLite) and, on H2, which has none,
 * by a lock within the JVM (H2 is mostly embedded); every script is also safe to re-run ({@code IF
 * NOT EXISTS}, guarded ALTERs, UPDATEs that find nothing left to change), since MySQL and H2 commit
 * each DDL statement and a crash can stop a script halfway; a failed attempt is retried after
 * re-reading the version, so racing instances converge.
 */
final class SchemaManager {

  /** The schema version this code writes. */
  static final int LATEST_VERSION = 5;

  private static final int ATTEMPTS = 6;
  private static final Logger LOG = LoggerFactory.getLogger(JdbcUsageSink.class);

  // H2 rebuilds a table for ALTER TABLE, so a racing start in the same JVM finds it missing
  // mid-migration; with one turn per table name such starts take turns instead of failing six
  // times in a row. Starts in other processes still rely on the re-runnable scripts and retries.
  private static final ConcurrentHashMap<String, ReentrantLock> H2_TURNS =
      new ConcurrentHashMap<>();

  private final DataSource dataSource;
  private final SqlDialect dialect;
  private final String table;
  private final Clock clock;
  private final ZoneId rollupZone;

  SchemaManager(DataSource dataSource, SqlDialect dialect, String table, Clock clock) {
    this(dataSource, dialect, table, clock, ZoneId.of("UTC"));
  }

  /**
   * A manager of {@code table}; {@code rollupZone} is the zone of the daily rollups that version 5
   * creates (a table that has them keeps its own).
   */
  SchemaManager(
      DataSource dataSource, SqlDialect dialect, String table, Clock clock, ZoneId rollupZone) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.table = checkTable(table);
    this.clock = clock;
    this.rollupZone = rollupZone;
  }

  /** Returns {@code name} if it is a plain SQL identifier of at most 48 characters. */
  static String checkTable(String name) {
    return UsageTable.checkTable(name);
  }

  String versionTable() {
    return table + "_schema_version";
  }

  /** Brings the schema to the latest version; idempotent. */
  void migrate() throws SQLException {
    ReentrantLock turn =
        dialect == SqlDialect.H2 ? H2_TURNS.computeIfAbsent(table, t -> new ReentrantLock()) : null;
    if (turn == null) {
      migrateWithRetries();
      return;
    }
    turn.lock();
    try {
      migrateWithRetries();
    } finally {
      turn.unlock();
    }
  }

  private void migrateWithRetries() throws SQLException {
    SQLException last = null;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        migrateOnce();
        return;
      } catch (SQLException e) {
        last = e;
        try {
          Thread.sleep(50L * attempt);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
    throw last;
  }

  /** The version recorded in the database, 0 when there is none. */
  int currentVersion() throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return readVersion(c);
    }
  }

  private void migrateOnce() throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      boolean auto = c.getAutoCommit();
      boolean locked = false;
      try {
        if (dialect == SqlDialect.POSTGRESQL || dialect == SqlDialect.SQLITE) {
          // DDL is transactional in both: a crash mid-migration (e.g. in SQLite's table rebuild)
          // leaves the previous version intact. SQLite's write lock serialises racing starts.
          c.setAutoCommit(false);
        }
        if (dialect == SqlDialect.POSTGRESQL) {
          try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            ps.setLong(1, lockKey());
            ps.execute();
          }
        } else if (dialect == SqlDialect.MYSQL) {
          try (PreparedStatement ps = c.prepareStatement("SELECT GET_LOCK(?, 60)")) {
            ps.setString(1, "attribution:" + table);
            try (ResultSet rs = ps.executeQuery()) {
              locked = rs.next() && rs.getInt(1) == 1;
            }
          }
          if (!locked) {
            throw new SQLException("could not take the schema lock for " + table + " in 60 s");
          }
        }
        try (Statement s = c.createStatement()) {
          s.execute(
              "CREATE TABLE IF NOT EXISTS "
                  + versionTable()
                  + " (version INTEGER NOT NULL PRIMARY KEY, applied_at VARCHAR(40) NOT NULL)");
        }
        int current = readVersion(c);
        if (current > 0 && !usageTableExists(c)) {
          // Someone dropped the usage table but not its version table: without this every write
          // would fail and spool for ever. Create it again from version 1.
          LOG.warn(
              "Usage table {} is missing although {} records schema version {}; creating it again",
              table,
              versionTable(),
              current);
          try (Statement s = c.createStatement()) {
            s.execute("DELETE FROM " + versionTable());
          }
          current = 0;
        }
        for (int v = current + 1; v <= LATEST_VERSION; v++) {
          for (String sql : script(v)) {
            try (Statement s = c.createStatement()) {
              s.execute(sql);
            }
          }
          if (v == 5) {
            buildRollups(c);
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO " + versionTable() + " (version, applied_at) VALUES (?, ?)")) {
            ps.setInt(1, v);
            ps.setString(2, clock.instant().toString());
            ps.executeUpdate();
          }
        }
        if (!c.getAutoCommit()) {
          c.commit();
        }
        if (current >= 5) {
          ZoneId kept = Rollups.zone(c, table);
          if (kept != null && !kept.equals(rollupZone)) {
            LOG.warn(
                "Table {} keeps its daily rollups in {}, not the configured {}; the sink keeps"
                    + " using {} (the weekly review can rebuild them in another zone)",
                table,
                kept,
                rollupZone,
                kept);
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (!c.getAutoCommit()) {
          rollback(c, e);
        }
        throw e;
      } finally {
        if (locked) {
          try (PreparedStatement ps = c.prepareStatement("SELECT RELEASE_LOCK(?)")) {
            ps.setString(1, "attribution:" + table);
            ps.execute();
          }
        }
        c.setAutoCommit(auto);
      }
    }
  }

  /**
   * Fills version 5's daily rollups from the rows already in the table, in the zone a crashed
   * earlier attempt recorded, else the configured one.
   */
  private void buildRollups(Connection c) throws SQLException {
    ZoneId recorded = Rollups.zone(c, table);
    ZoneId zone = recorded != null ? recorded : rollupZone;
    long t0 = System.nanoTime();
    // In the migration's transaction (PostgreSQL, SQLite) a failed fill is undone to here; on
    // MySQL/MariaDB and H2 the fill is a transaction of its own and undoes itself.
    java.sql.Savepoint before = c.getAutoCommit() ? null : c.setSavepoint();
    long rows;
    try {
      rows = Rollups.rebuild(c, dialect, table, zone);
    } catch (SQLException | ArithmeticException e) {
      String state = e instanceof SQLException ? ((SQLException) e).getSQLState() : null;
      if (e instanceof SQLException
          && (state == null || !(state.startsWith("22") || state.startsWith("23")))
          && !(dialect == SqlDialect.SQLITE && ((SQLException) e).getErrorCode() == 19)) {
        throw (SQLException) e; // not the data's fault: the migration is retried
      }
      // The rows' sums do not fit the rollups (e.g. SQLite's 64-bit billionths): the rollups are
      // derived data, so the sink starts without them (no zone recorded: writers add nothing,
      // the review reads the calls) rather than not at all.
      if (before != null) {
        c.rollback(before);
      }
      LOG.warn(
          "The daily rollups of table {} cannot be built from its rows ({}); the sink writes"
              + " without them and the weekly review reads the calls",
          table,
          e.toString());
      return;
    }
    if (rows > 0) {
      LOG.info(
          "Built the daily rollups of table {} in {} from {} rows in {} ms",
          table,
          zone,
          rows,
          (System.nanoTime() - t0) / 1_000_000);
    }
  }

  /**
   * Whether the usage table exists, as the database's metadata reports it in any schema (the name
   * as given, lower- or upper-cased, as each database folds unquoted names); when in doubt, yes.
   */
  private boolean usageTableExists(Connection c) throws SQLException {
    DatabaseMetaData md = c.getMetaData();
    for (String name :
        List.of(table, table.toLowerCase(Locale.ROOT), table.toUpperCase(Locale.ROOT))) {
      try (ResultSet rs = md.getTables(null, null, name, null)) {
        while (rs.next()) {
          if (name.equals(rs.getString("TABLE_NAME"))) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** Rolls {@code c} back after {@code cause}, keeping a rollback failure as suppressed. */
  static void rollback(Connection c, Exception cause) {
    try {
      c.rollback();
    } catch (SQLException r) {
      cause.addSuppressed(r);
    }
  }

  private int readVersion(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT MAX(version) FROM " + versionTable())) {
      return rs.next() ? rs.getInt(1) : 0;
    } catch (SQLException e) {
      if (c.getAutoCommit()) {
        return 0; // no version table yet
      }
      throw e;
    }
  }

  private long lockKey() {
    // A stable 64-bit key per table, so two tables in one database migrate independently.
    long h = 1125899906842597L;
    String key = "dev.attribution.sink.jdbc:" + table;
    for (int i = 0; i < key.length(); i++) {
      h = 31 * h + key.charAt(i);
    }
    return h;
  }

  /** The statements of version {@code v}'s script for this dialect, table name filled in. */
  List<String> script(int v) {
    String path = dialect.resourceDir() + "V" + v + ".sql";
    String text;
    try (InputStream in = SchemaManager.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing schema resource " + path);
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read schema resource " + path, e);
    }
    return statements(text.replace("${table}", table));
  }

  /** Splits a script into statements: comment lines dropped, split at a {@code ;} ending a line. */
  static List<String> statements(String script) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (String line : script.split("\n", -1)) {
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("--")) {
        continue;
      }
      if (t.endsWith(";")) {
        cur.append(t, 0, t.length() - 1);
        out.add(cur.toString().strip());
        cur.setLength(0);
      } else {
        cur.append(t).append('\n');
      }
    }
    if (!cur.toString().isBlank()) {
      out.add(cur.toString().strip());
    }
    return out;
  }
}
