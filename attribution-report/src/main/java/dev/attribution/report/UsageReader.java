package dev.attribution.report;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Streams the usage rows of a time range with plain SQL over the documented columns, so any
 * database the JDBC sink writes can be read: SQLite keeps money as integer billionths and times as
 * UTC text, the others use exact numerics and UTC timestamps.
 */
final class UsageReader {

  /** Rows between progress callbacks. */
  static final int PROGRESS_EVERY = 50_000;

  private static final String COLUMNS =
      "started_at, tenant_id, user_id, thread_id, feature, provider, effective_model,"
          + " requested_model, status, input_tokens, cached_input_tokens, cache_write_tokens,"
          + " output_tokens, reasoning_tokens, cost_total, cost_input, cost_cached_input,"
          + " cost_cache_write, cost_output, cost_reasoning, cost_other, charge_total, currency,"
          + " cost_source, budget_action, budget_name, budget_percent, cost_tools";

  private static final DateTimeFormatter SQLITE_TS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private enum Kind {
    SQLITE,
    POSTGRESQL,
    MYSQL,
    OTHER
  }

  private UsageReader() {}

  /**
   * Calls {@code sink} for every row with {@code from <= started_at < to}, and {@code progress}
   * with the running count every {@code progressEvery} rows.
   */
  static long read(
      Connection c,
      String table,
      Instant from,
      Instant to,
      Consumer<Row> sink,
      int progressEvery,
      Consumer<Long> progress)
      throws SQLException {
    Kind kind = kind(c);
    boolean autoCommit = c.getAutoCommit();
    if (kind == Kind.POSTGRESQL && autoCommit) {
      c.setAutoCommit(false); // PostgreSQL only streams with a fetch size inside a transaction
    }
    String sql =
        "SELECT " + COLUMNS + " FROM " + table + " WHERE started_at >= ? AND started_at < ?";
    long n = 0;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setFetchSize(1000);
      bindTime(ps, 1, from, kind);
      bindTime(ps, 2, to, kind);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          sink.accept(row(rs, kind));
          if (++n % progressEvery == 0) {
            progress.accept(n);
          }
        }
      }
    } finally {
      if (kind == Kind.POSTGRESQL && autoCommit) {
        c.rollback();
        c.setAutoCommit(true);
      }
    }
    return n;
  }

  private static Kind kind(Connection c) throws SQLException {
    String p = String.valueOf(c.getMetaData().getDatabaseProductName()).toLowerCase(Locale.ROOT);
    if (p.contains("sqlite")) {
      return Kind.SQLITE;
    }
    if (p.contains("postgres")) {
      return Kind.POSTGRESQL;
    }
    if (p.contains("mysql") || p.contains("mariadb")) {
      return Kind.MYSQL;
    }
    return Kind.OTHER;
  }

  private static void bindTime(PreparedStatement ps, int i, Instant t, Kind kind)
      throws SQLException {
    switch (kind) {
      case SQLITE:
        ps.setString(i, SQLITE_TS.format(t));
        break;
      case POSTGRESQL:
        ps.setObject(i, OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
        break;
      default:
        ps.setObject(i, LocalDateTime.ofInstant(t, ZoneOffset.UTC));
    }
  }

  private static Row row(ResultSet rs, Kind kind) throws SQLException {
    Row r = new Row();
    r.startedAt = time(rs, 1, kind);
    r.tenant = rs.getString(2);
    r.user = rs.getString(3);
    r.thread = rs.getString(4);
    r.feature = rs.getString(5);
    r.provider = orEmpty(rs.getString(6));
    String effective = rs.getString(7);
    r.model = effective != null ? effective : rs.getString(8);
    r.status = orEmpty(rs.getString(9)).toLowerCase(Locale.ROOT);
    r.inputTokens = rs.getLong(10);
    r.cachedTokens = rs.getLong(11);
    r.cacheWriteTokens = rs.getLong(12);
    r.outputTokens = rs.getLong(13);
    r.reasoningTokens = rs.getLong(14);
    BigDecimal total = nullableMoney(rs, 15, kind);
    r.costUnknown = total == null;
    r.costTotal = total == null ? Money.ZERO : total;
    r.costInput = money(rs, 16, kind);
    r.costCached = money(rs, 17, kind);
    r.costCacheWrite = money(rs, 18, kind);
    r.costOutput = money(rs, 19, kind);
    r.costReasoning = money(rs, 20, kind);
    r.costOther = money(rs, 21, kind);
    r.charge = nullableMoney(rs, 22, kind);
    String currency = rs.getString(23);
    r.currency = currency == null ? "USD" : currency;
    r.costSource = orEmpty(rs.getString(24)).toLowerCase(Locale.ROOT);
    r.budgetAction = orEmpty(rs.getString(25)).toLowerCase(Locale.ROOT);
    r.budgetName = rs.getString(26);
    r.budgetPercent = nullableMoney(rs, 27, kind);
    r.costTools = money(rs, 28, kind);
    return r;
  }

  private static String orEmpty(@Nullable String s) {
    return s == null ? "" : s;
  }

  private static Instant time(ResultSet rs, int i, Kind kind) throws SQLException {
    switch (kind) {
      case SQLITE:
        return sqliteTime(rs.getString(i));
      case POSTGRESQL:
        return rs.getObject(i, OffsetDateTime.class).toInstant();
      default:
        return rs.getObject(i, LocalDateTime.class).toInstant(ZoneOffset.UTC);
    }
  }

  /**
   * Parses the sink's fixed-width SQLite time ({@code yyyy-MM-dd HH:mm:ss.SSSSSS}, UTC) without a
   * formatter, which is most of the per-row cost otherwise; other shapes go through ISO parsing.
   */
  static Instant sqliteTime(String s) {
    if (s.length() == 26 && s.charAt(10) == ' ' && s.charAt(19) == '.') {
      try {
        long days = java.time.LocalDate.of(num(s, 0, 4), num(s, 5, 7), num(s, 8, 10)).toEpochDay();
        long seconds =
            days * 86_400L + num(s, 11, 13) * 3600L + num(s, 14, 16) * 60L + num(s, 17, 19);
        return Instant.ofEpochSecond(seconds, num(s, 20, 26) * 1000L);
      } catch (RuntimeException e) {
        // fall through to the general parser, which names the bad value
      }
    }
    return LocalDateTime.parse(s.trim().replace(' ', 'T')).toInstant(ZoneOffset.UTC);
  }

  private static int num(String s, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      int d = s.charAt(i) - '0';
      if (d < 0 || d > 9) {
        throw new NumberFormatException(s);
      }
      v = v * 10 + d;
    }
    return v;
  }

  private static BigDecimal money(ResultSet rs, int i, Kind kind) throws SQLException {
    BigDecimal v = nullableMoney(rs, i, kind);
    return v == null ? Money.ZERO : v;
  }

  private static @Nullable BigDecimal nullableMoney(ResultSet rs, int i, Kind kind)
      throws SQLException {
    if (kind == Kind.SQLITE) {
      long v = rs.getLong(i); // SQLite stores money as integer billionths
      return rs.wasNull() ? null : BigDecimal.valueOf(v, Money.SCALE);
    }
    BigDecimal d = rs.getBigDecimal(i);
    return d == null ? null : d.setScale(Money.SCALE, RoundingMode.HALF_EVEN);
  }
}
