package dev.attribution.sink.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.BudgetAction;
import dev.attribution.api.UsageRecord;
import dev.attribution.testing.UsageRecords;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * A usage table as an older schema version left it, with rows written the way that version wrote
 * them, and the rows the upgrade tests put there. Version 1: no {@code dry_run_action} or {@code
 * deployment} column, {@code "unknown"} for an unrecognised provider or operation, 0 for no HTTP
 * status, a dry-run action as attribute {@code budget_dry_run}. Version 3: today's columns, but
 * {@code "unknown"} for an unknown operation.
 */
final class OldSchemaRows {

  /** The columns version 2 added. */
  static final Set<String> ADDED_IN_2 = Set.of("dry_run_action", "deployment");

  private final DataSource dataSource;
  private final SqlDialect dialect;
  private final String table;

  OldSchemaRows(DataSource dataSource, SqlDialect dialect, String table) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.table = table;
  }

  /** A table at {@code version} (1 or 3) holding {@code rows} as that version wrote them. */
  static OldSchemaRows tableAt(
      DataSource dataSource, SqlDialect dialect, String table, int version, List<UsageRecord> rows)
      throws SQLException {
    OldSchemaRows old = new OldSchemaRows(dataSource, dialect, table);
    old.createTable(version);
    for (UsageRecord r : rows) {
      if (version == 1) {
        old.insert(r);
      } else {
        old.insertAtVersion3(r);
      }
    }
    return old;
  }

  /**
   * Rows as version 1 wrote them: an unrecognised call ("unknown", HTTP 0), dry-run actions kept as
   * attribute {@code budget_dry_run} (beside other attributes, alone, and among hostile text), and
   * an ordinary call that must come through unchanged.
   */
  static List<UsageRecord> version1Records() {
    Instant t = UsageRecords.T0;
    List<UsageRecord> rs = new ArrayList<>();
    rs.add(UsageRecords.unknowns(t, null));
    rs.add(
        withoutNewFields(UsageRecords.full(1, new Random(71)))
            .attribute("budget_dry_run", "block")
            .build());
    rs.add(
        UsageRecords.unknowns(t.plusSeconds(1), null).toBuilder()
            .attributes(Map.of("budget_dry_run", "notify"))
            .build());
    rs.add(
        withoutNewFields(UsageRecords.hostile(t.plusSeconds(2)))
            .attribute("budget_dry_run", "downgrade")
            .build());
    rs.add(withoutNewFields(UsageRecords.full(2, new Random(72))).build());
    return rs;
  }

  private static UsageRecord.Builder withoutNewFields(UsageRecord r) {
    return r.toBuilder().dryRunAction(null).deployment(null);
  }

  /** What version 2 makes of a version-1 row: the dry-run attribute moved to its own field. */
  static UsageRecord dryRunMoved(UsageRecord v1) {
    Map<String, String> attributes = new HashMap<>(v1.attributes());
    String dryRun = attributes.remove("budget_dry_run");
    return v1.toBuilder()
        .attributes(attributes)
        .dryRunAction(dryRun == null ? null : BudgetAction.fromWireName(dryRun))
        .build();
  }

  /**
   * Rows as versions 2 and 3 wrote them, each unknown operation as {@code "unknown"}: an
   * unrecognised call (with and without a dry-run action), a record with only the required fields,
   * and ordinary calls that must come through unchanged.
   */
  static List<UsageRecord> version3Records() {
    Instant t = UsageRecords.T0;
    return List.of(
        UsageRecords.unknowns(t, null),
        UsageRecords.unknowns(t.plusSeconds(1), BudgetAction.BLOCK),
        UsageRecords.minimal(t.plusSeconds(2)),
        UsageRecords.full(1, new Random(81)),
        UsageRecords.full(2, new Random(82)));
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

  /**
   * Applies the schema changes of version {@code v}'s script, up to its first data change, and
   * stops, as a process killed mid-migration would.
   */
  void applyDdlOf(int v) throws SQLException {
    List<String> script = schema().script(v);
    int ddl = 0;
    while (!script.get(ddl).startsWith("UPDATE") && !script.get(ddl).startsWith("INSERT")) {
      ddl++;
    }
    assertThat(ddl).as("statements before the first data change").isPositive();
    applyPartOf(v, ddl);
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
