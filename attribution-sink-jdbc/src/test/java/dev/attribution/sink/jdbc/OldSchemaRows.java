package dev.attribution.sink.jdbc;

import dev.attribution.api.UsageRecord;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * A usage table as schema version 1 left it, with rows written the way version 1 wrote them: no
 * {@code dry_run_action} or {@code deployment} column, {@code "unknown"} for an unrecognised
 * provider or operation and 0 for no HTTP status. Also a table as version 3 left it ({@link
 * #createTable(int)}, {@link #insertAtVersion3(UsageRecord)}). For upgrade tests.
 */
final class Version1Rows {

  /** The columns version 2 added. */
  static final Set<String> ADDED_IN_2 = Set.of("dry_run_action", "deployment");

  private final DataSource dataSource;
  private final SqlDialect dialect;
  private final String table;

  Version1Rows(DataSource dataSource, SqlDialect dialect, String table) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.table = table;
  }

  /** The schema manager for this table. */
  SchemaManager schema() {
    return new SchemaManager(dataSource, dialect, table, Clock.systemUTC());
  }

  /** Creates the table at {@code version}, as that version of the sink did. */
  void createTable(int version) throws SQLException {
    SchemaManager m = schema();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE "
              + m.versionTable()
              + " (version INTEGER NOT NULL PRIMARY KEY, applied_at VARCHAR(40) NOT NULL)");
      for (int v = 1; v <= version; v++) {
        for (String sql : m.script(v)) {
          s.execute(sql);
        }
        s.execute(
            "INSERT INTO "
                + m.versionTable()
                + " VALUES ("
                + v
                + ", '"
                + Instant.EPOCH.toString()
                + "')");
      }
    }
  }

  /**
   * Inserts {@code r} as versions 2 and 3 wrote it: every column of today, but an unknown operation
   * as {@code "unknown"} (the column was NOT NULL until version 4).
   */
  void insertAtVersion3(UsageRecord r) throws SQLException {
    UsageRecord asWritten = r.operation() == null ? r.toBuilder().operation("unknown").build() : r;
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(Columns.insertSql(dialect, table, 1))) {
      Columns.bind(ps, 0, asWritten, dialect);
      ps.executeUpdate();
    }
  }

  /**
   * Applies the first {@code count} statements of version {@code v}'s script and stops, as a
   * process killed mid-migration would (each statement committed on its own).
   */
  void applyPartOf(int v, int count) throws SQLException {
    List<String> script = schema().script(v);
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      for (String sql : script.subList(0, count)) {
        s.execute(sql);
      }
    }
  }

  /** The version the table records. */
  int version() throws SQLException {
    return schema().currentVersion();
  }

  /**
   * Inserts {@code r} as version 1 wrote it; {@code r} carries no dry-run action or deployment
   * (version 1 kept a dry-run action as attribute {@code budget_dry_run}).
   */
  void insert(UsageRecord r) throws SQLException {
    if (r.dryRunAction() != null || r.deployment() != null) {
      throw new IllegalArgumentException("version 1 had no dry-run action or deployment column");
    }
    StringBuilder names = new StringBuilder();
    StringBuilder values = new StringBuilder();
    for (String name : Columns.NAMES) {
      if (ADDED_IN_2.contains(name)) {
        continue;
      }
      if (names.length() > 0) {
        names.append(',');
        values.append(',');
      }
      names.append(name);
      values.append(
          name.equals("id")
              ? dialect.idPlaceholder()
              : name.equals("tags") || name.equals("attributes") ? dialect.jsonPlaceholder() : "?");
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO " + table + " (" + names + ") VALUES (" + values + ")")) {
      Columns.emit(r, new Binder(ps));
      ps.executeUpdate();
    }
  }

  /** Binds the version-1 columns of a record, skipping those version 2 added. */
  private final class Binder implements Columns.Sink {
    private final PreparedStatement ps;
    private int column = -1;
    private int param;

    Binder(PreparedStatement ps) {
      this.ps = ps;
    }

    /** The next column's name, or null when version 1 did not have it. */
    private @Nullable String next() {
      String name = Columns.NAMES.get(++column);
      return ADDED_IN_2.contains(name) ? null : name;
    }

    @Override
    public void id(UUID v) throws SQLException {
      next();
      dialect.bindId(ps, ++param, v);
    }

    @Override
    public void instant(Instant v) throws SQLException {
      next();
      dialect.bindInstant(ps, ++param, v);
    }

    @Override
    public void string(@Nullable String v) throws SQLException {
      String name = next();
      if (name == null) {
        return;
      }
      String value =
          v == null && (name.equals("provider") || name.equals("operation")) ? "unknown" : v;
      if (value == null) {
        ps.setNull(++param, Types.VARCHAR);
      } else {
        ps.setString(++param, value);
      }
    }

    @Override
    public void json(String v) throws SQLException {
      next();
      ps.setString(++param, v);
    }

    @Override
    public void bool(boolean v) throws SQLException {
      next();
      dialect.bindBoolean(ps, ++param, v);
    }

    @Override
    public void number(long v) throws SQLException {
      next();
      ps.setLong(++param, v);
    }

    @Override
    public void nullableNumber(@Nullable Long v) throws SQLException {
      String name = next();
      if (v == null && "http_status".equals(name)) {
        ps.setLong(++param, 0);
      } else if (v == null) {
        ps.setNull(++param, Types.BIGINT);
      } else {
        ps.setLong(++param, v);
      }
    }

    @Override
    public void money(@Nullable BigDecimal v) throws SQLException {
      next();
      dialect.bindMoney(ps, ++param, v);
    }
  }
}
