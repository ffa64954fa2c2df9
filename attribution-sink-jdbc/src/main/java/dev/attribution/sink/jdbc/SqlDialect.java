package dev.attribution.sink.jdbc;

import dev.attribution.sink.jdbc.internal.UsageTable;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The SQL databases the JDBC sink supports, and how each stores a usage record.
 *
 * <p>Timestamps are stored in UTC at microsecond precision: {@code timestamptz} on PostgreSQL,
 * {@code DATETIME(6)} / {@code TIMESTAMP(6)} holding UTC on MySQL/MariaDB and H2, and fixed-width
 * ISO text ({@code yyyy-MM-dd HH:mm:ss.SSSSSS}) on SQLite. Money is exact: {@code numeric(24,9)}
 * everywhere except SQLite, which has no exact decimal type and therefore stores every money column
 * as an {@code INTEGER} count of billionths of the currency unit (divide by 1e9 when querying it by
 * hand). Tags and attributes are JSON ({@code jsonb} on PostgreSQL).
 */
public enum SqlDialect {
  /** PostgreSQL 12 or later: {@code numeric}, {@code jsonb}, {@code timestamptz}. */
  POSTGRESQL("postgresql"),
  /** MySQL 8 or MariaDB 10.5 or later (InnoDB, utf8mb4). */
  MYSQL("mysql"),
  /** H2 2.x. */
  H2("h2"),
  /** SQLite 3.24 or later, the embedded default; money stored as integer billionths. */
  SQLITE("sqlite");

  private final String resourceDir;

  SqlDialect(String resourceDir) {
    this.resourceDir = resourceDir;
  }

  /**
   * The dialect of the database behind {@code connection}, from its product name.
   *
   * @throws IllegalArgumentException when the product is not supported
   */
  public static SqlDialect detect(Connection connection) throws SQLException {
    String product = connection.getMetaData().getDatabaseProductName();
    String p = product == null ? "" : product.toLowerCase(Locale.ROOT);
    if (p.contains("postgres")) {
      return POSTGRESQL;
    }
    if (p.contains("mysql") || p.contains("mariadb")) {
      return MYSQL;
    }
    if (p.startsWith("h2")) {
      return H2;
    }
    if (p.contains("sqlite")) {
      return SQLITE;
    }
    throw new IllegalArgumentException(
        "unsupported database '"
            + product
            + "'; supported: PostgreSQL, MySQL/MariaDB, H2, SQLite (set dialect(...) explicitly)");
  }

  /** Classpath folder of this dialect's versioned DDL scripts. */
  String resourceDir() {
    return "/dev/attribution/sink/jdbc/schema/" + resourceDir + "/";
  }

  /** Whether batches are sent as one multi-row INSERT statement (else as a JDBC batch). */
  boolean multiRowInsert() {
    return this == POSTGRESQL || this == MYSQL;
  }

  /** The most bind parameters one statement may carry. */
  int maxParameters() {
    return this == SQLITE ? 32_000 : 30_000;
  }

  String insertPrefix(String table) {
    return this == H2 ? "MERGE INTO " + table : "INSERT INTO " + table;
  }

  /** The text that follows the VALUES rows. */
  String insertSuffix() {
    switch (this) {
      case POSTGRESQL:
      case SQLITE:
        return " ON CONFLICT (id) DO NOTHING";
      case MYSQL:
        return " ON DUPLICATE KEY UPDATE id = id";
      case H2:
        return "";
    }
    throw new AssertionError(this);
  }

  /** The key clause H2's MERGE needs after the column list. */
  String afterColumns() {
    return this == H2 ? " KEY (id)" : "";
  }

  /** The placeholder for a JSON value bound as a string. */
  String jsonPlaceholder() {
    switch (this) {
      case POSTGRESQL:
        return "?::jsonb";
      case H2:
        return "? FORMAT JSON";
      default:
        return "?";
    }
  }

  /** The placeholder for the id column. */
  String idPlaceholder() {
    return this == POSTGRESQL ? "?::uuid" : "?";
  }

  void bindId(PreparedStatement ps, int i, UUID id) throws SQLException {
    if (this == H2) {
      ps.setObject(i, id);
    } else {
      ps.setString(i, id.toString());
    }
  }

  UUID readId(ResultSet rs, String column) throws SQLException {
    Object o = rs.getObject(column);
    return o instanceof UUID ? (UUID) o : UUID.fromString(String.valueOf(o));
  }

  void bindInstant(PreparedStatement ps, int i, @Nullable Instant at) throws SQLException {
    UsageTable.bindInstant(this, ps, i, at);
  }

  @Nullable Instant readInstant(ResultSet rs, int column) throws SQLException {
    return UsageTable.readInstant(this, rs, column);
  }

  /** Reads a time-bucket value (a UTC timestamp without zone on every dialect). */
  @Nullable Instant readBucket(ResultSet rs, int column) throws SQLException {
    if (this == SQLITE) {
      String s = rs.getString(column);
      return s == null ? null : parseSqliteTime(s);
    }
    LocalDateTime l = rs.getObject(column, LocalDateTime.class);
    return l == null ? null : l.toInstant(ZoneOffset.UTC);
  }

  private static Instant parseSqliteTime(String s) {
    return UsageTable.parseSqliteTime(s);
  }

  void bindMoney(PreparedStatement ps, int i, @Nullable BigDecimal amount) throws SQLException {
    UsageTable.bindMoney(this, ps, i, amount);
  }

  @Nullable BigDecimal readMoney(ResultSet rs, int column) throws SQLException {
    return UsageTable.readMoney(this, rs, column);
  }

  void bindBoolean(PreparedStatement ps, int i, boolean v) throws SQLException {
    if (this == SQLITE) {
      ps.setInt(i, v ? 1 : 0);
    } else {
      ps.setBoolean(i, v);
    }
  }

  boolean readBoolean(ResultSet rs, int column) throws SQLException {
    return this == SQLITE ? rs.getInt(column) != 0 : rs.getBoolean(column);
  }

  /** A SQL expression for the UTC start of {@code bucket} containing {@code started_at}. */
  String bucketExpression(TimeBucket bucket) {
    String c = "started_at";
    switch (this) {
      case POSTGRESQL:
        return "date_trunc('"
            + bucket.name().toLowerCase(Locale.ROOT)
            + "', "
            + c
            + " AT TIME ZONE 'UTC')";
      case MYSQL:
        switch (bucket) {
          case HOUR:
            return "CAST(DATE_FORMAT(" + c + ", '%Y-%m-%d %H:00:00') AS DATETIME)";
          case DAY:
            return "CAST(DATE(" + c + ") AS DATETIME)";
          case WEEK:
            return "CAST(DATE_SUB(DATE(" + c + "), INTERVAL WEEKDAY(" + c + ") DAY) AS DATETIME)";
          case MONTH:
            return "CAST(DATE_FORMAT(" + c + ", '%Y-%m-01') AS DATETIME)";
        }
        break;
      case H2:
        if (bucket == TimeBucket.WEEK) {
          return "DATEADD(DAY, 1 - ISO_DAY_OF_WEEK(" + c + "), DATE_TRUNC('DAY', " + c + "))";
        }
        return "DATE_TRUNC('" + bucket.name() + "', " + c + ")";
      case SQLITE:
        switch (bucket) {
          case HOUR:
            return "strftime('%Y-%m-%d %H:00:00', " + c + ")";
          case DAY:
            return "strftime('%Y-%m-%d 00:00:00', " + c + ")";
          case WEEK:
            return "strftime('%Y-%m-%d 00:00:00', " + c + ", 'weekday 0', '-6 days')";
          case MONTH:
            return "strftime('%Y-%m-01 00:00:00', " + c + ")";
        }
        break;
    }
    throw new AssertionError(this + " " + bucket);
  }
}
