package dev.attribution.sink.jdbc.internal;

import dev.attribution.sink.jdbc.SqlDialect;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * How the JDBC sink's usage table is laid out and encoded, in one place for the sink and the weekly
 * review: column names, times (UTC, microseconds; fixed-width text on SQLite) and money (exact
 * {@code numeric(24,9)}; integer billionths on SQLite). Internal: no compatibility promised.
 */
public final class UsageTable {

  /** Decimal places of every stored amount. */
  public static final int MONEY_SCALE = 9;

  /** Column {@value}: when the call started (UTC). */
  public static final String STARTED_AT = "started_at";

  /** Column {@value}. */
  public static final String TENANT_ID = "tenant_id";

  /** Column {@value}. */
  public static final String USER_ID = "user_id";

  /** Column {@value}. */
  public static final String THREAD_ID = "thread_id";

  /** Column {@value}. */
  public static final String FEATURE = "feature";

  /** Column {@value}. */
  public static final String PROVIDER = "provider";

  /** Column {@value}: the model the caller asked for. */
  public static final String REQUESTED_MODEL = "requested_model";

  /** Column {@value}: the model actually called (after a downgrade or reroute). */
  public static final String EFFECTIVE_MODEL = "effective_model";

  /** Column {@value}: the call's outcome, a lower-case {@code CallStatus}. */
  public static final String STATUS = "status";

  /** Column {@value}. */
  public static final String INPUT_TOKENS = "input_tokens";

  /** Column {@value}. */
  public static final String CACHED_INPUT_TOKENS = "cached_input_tokens";

  /** Column {@value}. */
  public static final String CACHE_WRITE_TOKENS = "cache_write_tokens";

  /** Column {@value}. */
  public static final String OUTPUT_TOKENS = "output_tokens";

  /** Column {@value}. */
  public static final String REASONING_TOKENS = "reasoning_tokens";

  /** Column {@value}: money, NULL when the cost is unknown. */
  public static final String COST_TOTAL = "cost_total";

  /** Column {@value}: money. */
  public static final String COST_INPUT = "cost_input";

  /** Column {@value}: money. */
  public static final String COST_CACHED_INPUT = "cost_cached_input";

  /** Column {@value}: money. */
  public static final String COST_CACHE_WRITE = "cost_cache_write";

  /** Column {@value}: money. */
  public static final String COST_OUTPUT = "cost_output";

  /** Column {@value}: money. */
  public static final String COST_REASONING = "cost_reasoning";

  /** Column {@value}: money. */
  public static final String COST_TOOLS = "cost_tools";

  /** Column {@value}: money. */
  public static final String COST_OTHER = "cost_other";

  /** Column {@value}: money, what the tenant was charged, NULL when not charged. */
  public static final String CHARGE_TOTAL = "charge_total";

  /** Column {@value}. */
  public static final String CURRENCY = "currency";

  /** Column {@value}: a lower-case {@code CostSource}, {@code unpriced} when no price was known. */
  public static final String COST_SOURCE = "cost_source";

  /** Column {@value}: the price catalog version the call was priced with. */
  public static final String PRICE_VERSION = "price_version";

  /** Column {@value}: a lower-case {@code BudgetAction}, {@code none} when no budget acted. */
  public static final String BUDGET_ACTION = "budget_action";

  /** Column {@value}. */
  public static final String BUDGET_NAME = "budget_name";

  /** Column {@value}: stored like money. */
  public static final String BUDGET_PERCENT = "budget_percent";

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,47}");

  private static final DateTimeFormatter SQLITE_TS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private UsageTable() {}

  /**
   * Returns {@code name} if it is a plain SQL identifier of at most 48 characters.
   *
   * @throws IllegalArgumentException otherwise
   */
  public static String checkTable(@Nullable String name) {
    if (name == null || !IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "table must be a plain SQL identifier ([A-Za-z_][A-Za-z0-9_]*, at most 48 characters),"
              + " was '"
              + name
              + "'");
    }
    return name;
  }

  /**
   * Binds {@code at} (truncated to microseconds) as the dialect stores {@link #STARTED_AT}, so it
   * can be compared with the column.
   */
  public static void bindInstant(
      SqlDialect dialect, PreparedStatement ps, int i, @Nullable Instant at) throws SQLException {
    if (at == null) {
      ps.setNull(i, dialect == SqlDialect.SQLITE ? Types.VARCHAR : Types.TIMESTAMP);
      return;
    }
    Instant t = at.truncatedTo(ChronoUnit.MICROS);
    switch (dialect) {
      case POSTGRESQL:
        ps.setObject(i, OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
        return;
      case SQLITE:
        ps.setString(i, SQLITE_TS.format(t));
        return;
      default:
        ps.setObject(i, LocalDateTime.ofInstant(t, ZoneOffset.UTC));
    }
  }

  /** Reads a stored time column. */
  public static @Nullable Instant readInstant(SqlDialect dialect, ResultSet rs, int column)
      throws SQLException {
    switch (dialect) {
      case POSTGRESQL:
        {
          OffsetDateTime o = rs.getObject(column, OffsetDateTime.class);
          return o == null ? null : o.toInstant();
        }
      case SQLITE:
        {
          String s = rs.getString(column);
          return s == null ? null : parseSqliteTime(s);
        }
      default:
        {
          LocalDateTime l = rs.getObject(column, LocalDateTime.class);
          return l == null ? null : l.toInstant(ZoneOffset.UTC);
        }
    }
  }

  /** Parses SQLite's stored UTC text time ({@code yyyy-MM-dd HH:mm:ss.SSSSSS}). */
  public static Instant parseSqliteTime(String s) {
    return LocalDateTime.parse(s.trim().replace(' ', 'T')).toInstant(ZoneOffset.UTC);
  }

  /** Binds an amount as the dialect stores money (integer billionths on SQLite). */
  public static void bindMoney(
      SqlDialect dialect, PreparedStatement ps, int i, @Nullable BigDecimal amount)
      throws SQLException {
    if (amount == null) {
      ps.setNull(i, dialect == SqlDialect.SQLITE ? Types.BIGINT : Types.NUMERIC);
    } else if (dialect == SqlDialect.SQLITE) {
      ps.setLong(
          i,
          amount.movePointRight(MONEY_SCALE).setScale(0, RoundingMode.HALF_EVEN).longValueExact());
    } else {
      ps.setBigDecimal(i, amount);
    }
  }

  /**
   * Reads a money column, or a {@code SUM}/{@code MIN}/{@code MAX} of one, exactly at scale {@link
   * #MONEY_SCALE}; null for SQL NULL (unknown, or a sum over no known amounts).
   */
  public static @Nullable BigDecimal readMoney(SqlDialect dialect, ResultSet rs, int column)
      throws SQLException {
    if (dialect == SqlDialect.SQLITE) {
      long v = rs.getLong(column); // integer billionths; SQLite's integer SUM is exact or fails
      return rs.wasNull() ? null : BigDecimal.valueOf(v, MONEY_SCALE);
    }
    BigDecimal d = rs.getBigDecimal(column);
    return d == null ? null : d.setScale(MONEY_SCALE, RoundingMode.HALF_EVEN);
  }

  /**
   * Whether the driver streams a large result only inside a transaction with a fetch size
   * (PostgreSQL); otherwise it may read every row into memory first.
   */
  public static boolean streamsOnlyInTransaction(SqlDialect dialect) {
    return dialect == SqlDialect.POSTGRESQL;
  }
}
