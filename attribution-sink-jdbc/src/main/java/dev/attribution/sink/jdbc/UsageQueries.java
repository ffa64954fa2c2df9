package dev.attribution.sink.jdbc;

import dev.attribution.api.UsageRecord;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Reads the usage table: aggregates grouped by dimensions and time buckets, top N, spend so far per
 * scope value, and raw records. Every value is bound as a parameter; column names come only from
 * {@link Dimension}. Thread-safe; borrows a connection per call.
 */
public final class UsageQueries {

  /** Upper bound used for open-ended ranges (MySQL's DATETIME cannot go further). */
  static final Instant END_OF_TIME = Instant.parse("9999-01-01T00:00:00Z");

  private final DataSource dataSource;
  private final SqlDialect dialect;
  private final String table;

  private UsageQueries(DataSource dataSource, SqlDialect dialect, String table) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.table = SchemaManager.checkTable(table);
  }

  /**
   * Queries over {@code table} in {@code dataSource}.
   *
   * @throws IllegalArgumentException if {@code table} is not a plain identifier
   */
  public static UsageQueries create(DataSource dataSource, SqlDialect dialect, String table) {
    return new UsageQueries(
        Objects.requireNonNull(dataSource, "dataSource"),
        Objects.requireNonNull(dialect, "dialect"),
        table);
  }

  /**
   * Sums per group, ordered by bucket then key (or by the query's metric, largest first).
   *
   * @throws SQLException when the database fails
   */
  public List<UsageSummary> aggregate(UsageQuery q) throws SQLException {
    List<Object> params = new ArrayList<>();
    StringBuilder select = new StringBuilder("SELECT ");
    List<String> groupCols = new ArrayList<>();
    TimeBucket bucket = q.bucket();
    if (bucket != null) {
      String expr = dialect.bucketExpression(bucket);
      select.append(expr).append(" AS s_bucket, ");
      groupCols.add(expr);
    }
    for (Dimension d : q.groupBy()) {
      select.append(d.column()).append(", ");
      groupCols.add(d.column());
    }
    select
        .append("COUNT(*) AS s_requests, ")
        .append("SUM(CASE WHEN status <> 'ok' THEN 1 ELSE 0 END) AS s_errors, ")
        .append("SUM(input_tokens) AS s_input, ")
        .append("SUM(cached_input_tokens), ")
        .append("SUM(cache_write_tokens), ")
        .append("SUM(output_tokens) AS s_output, ")
        .append("SUM(reasoning_tokens), ")
        .append("SUM(cost_total) AS s_cost, ")
        .append("SUM(charge_total) AS s_charge, ")
        .append("SUM(CASE WHEN cost_total IS NULL THEN 1 ELSE 0 END) FROM ")
        .append(table);
    where(select, q, params);
    if (!groupCols.isEmpty()) {
      select.append(" GROUP BY ").append(String.join(", ", groupCols));
    }
    List<String> order = new ArrayList<>();
    Metric m = q.orderBy();
    if (m != null) {
      order.add(m.alias() + " DESC");
    }
    order.addAll(groupCols);
    if (!order.isEmpty()) {
      select.append(" ORDER BY ").append(String.join(", ", order));
    }
    if (q.limit() > 0) {
      select.append(" LIMIT ?");
      params.add(q.limit());
    }
    List<UsageSummary> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(select.toString())) {
      bind(ps, params);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          int i = 0;
          Instant b = null;
          if (bucket != null) {
            b = dialect.readBucket(rs, ++i);
          }
          List<@Nullable String> key = new ArrayList<>(q.groupBy().size());
          for (int k = 0; k < q.groupBy().size(); k++) {
            key.add(rs.getString(++i));
          }
          long requests = rs.getLong(++i);
          long errors = rs.getLong(++i);
          long in = rs.getLong(++i);
          long cached = rs.getLong(++i);
          long cacheWrite = rs.getLong(++i);
          long outTokens = rs.getLong(++i);
          long reasoning = rs.getLong(++i);
          BigDecimal cost = zeroIfNull(dialect.readMoney(rs, ++i));
          BigDecimal charge = zeroIfNull(dialect.readMoney(rs, ++i));
          long unknownCost = rs.getLong(++i);
          out.add(
              new UsageSummary(
                  b,
                  q.groupBy(),
                  key,
                  requests,
                  errors,
                  in,
                  cached,
                  cacheWrite,
                  outTokens,
                  reasoning,
                  cost,
                  charge,
                  unknownCost));
        }
      }
    }
    return out;
  }

  /**
   * Cost of records started at or after {@code from}, per combination of {@code groupBy} values
   * (e.g. spend so far this month per tenant, to seed budgets), restricted by {@code filters}. A
   * key list holds {@code null} where a record has no value for that dimension.
   *
   * @throws SQLException when the database fails
   */
  public Map<List<@Nullable String>, BigDecimal> spendSince(
      Instant from, List<Dimension> groupBy, Map<Dimension, String> filters) throws SQLException {
    UsageQuery.Builder b = UsageQuery.builder(from, END_OF_TIME);
    b.groupBy(groupBy.toArray(new Dimension[0]));
    filters.forEach(b::where);
    Map<List<@Nullable String>, BigDecimal> out = new LinkedHashMap<>();
    for (UsageSummary s : aggregate(b.build())) {
      if (s.requests() > 0) {
        out.put(s.key(), s.cost());
      }
    }
    return out;
  }

  /**
   * The records matching the query's range and filters, oldest first, at most {@code limit} (or all
   * when the query has none); grouping is ignored.
   *
   * @throws SQLException when the database fails
   */
  public List<UsageRecord> records(UsageQuery q) throws SQLException {
    List<Object> params = new ArrayList<>();
    StringBuilder sql =
        new StringBuilder("SELECT ")
            .append(String.join(", ", Columns.NAMES))
            .append(" FROM ")
            .append(table);
    where(sql, q, params);
    sql.append(" ORDER BY started_at, id");
    if (q.limit() > 0) {
      sql.append(" LIMIT ?");
      params.add(q.limit());
    }
    List<UsageRecord> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql.toString())) {
      bind(ps, params);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(Columns.read(rs, dialect));
        }
      }
    }
    return out;
  }

  private void where(StringBuilder sql, UsageQuery q, List<Object> params) {
    sql.append(" WHERE started_at >= ? AND started_at < ?");
    params.add(q.from());
    params.add(q.to());
    for (Map.Entry<Dimension, List<String>> f : q.filters().entrySet()) {
      sql.append(" AND ").append(f.getKey().column()).append(" IN (");
      String[] marks = new String[f.getValue().size()];
      Arrays.fill(marks, "?");
      sql.append(String.join(",", marks)).append(')');
      params.addAll(f.getValue());
    }
  }

  private void bind(PreparedStatement ps, List<Object> params) throws SQLException {
    for (int i = 0; i < params.size(); i++) {
      Object p = params.get(i);
      if (p instanceof Instant) {
        dialect.bindInstant(ps, i + 1, (Instant) p);
      } else if (p instanceof Integer) {
        ps.setInt(i + 1, (Integer) p);
      } else {
        ps.setString(i + 1, (String) p);
      }
    }
  }

  private static BigDecimal zeroIfNull(@Nullable BigDecimal v) {
    return v == null ? BigDecimal.ZERO.setScale(9) : v;
  }
}
