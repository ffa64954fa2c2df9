package dev.attribution.sink.jdbc;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.CallStatus;
import dev.attribution.api.ContextSource;
import dev.attribution.api.CostBreakdown;
import dev.attribution.api.CostSource;
import dev.attribution.api.TokenUsage;
import dev.attribution.api.UsageRecord;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** The usage table's columns in insert order, and how a record maps onto them and back. */
final class Columns {

  static final List<String> NAMES =
      List.of(
          "id",
          "started_at",
          "ended_at",
          "tenant_id",
          "user_id",
          "assistant_id",
          "thread_id",
          "feature",
          "traffic_class",
          "tags",
          "context_source",
          "provider",
          "operation",
          "server_host",
          "requested_model",
          "effective_model",
          "response_model",
          "route",
          "route_rule",
          "streaming",
          "attempt",
          "status",
          "http_status",
          "error_type",
          "error_message",
          "input_tokens",
          "cached_input_tokens",
          "cache_write_tokens",
          "cache_write_5m_tokens",
          "cache_write_1h_tokens",
          "output_tokens",
          "reasoning_tokens",
          "audio_input_tokens",
          "audio_output_tokens",
          "image_input_tokens",
          "image_output_tokens",
          "usage_estimated",
          "cost_total",
          "cost_input",
          "cost_cached_input",
          "cost_cache_write",
          "cost_output",
          "cost_reasoning",
          "cost_other",
          "provider_cost",
          "charge_total",
          "currency",
          "cost_source",
          "price_version",
          "latency_ms",
          "ttfb_ms",
          "budget_action",
          "budget_name",
          "budget_percent",
          "key_fingerprint",
          "provider_request_id",
          "trace_id",
          "span_id",
          "attributes");

  static final int COUNT = NAMES.size();

  private static final int SHORT = 128;
  private static final int LONG = 255;

  private Columns() {}

  /** {@code (?, ?, ...)} for one row in this dialect. */
  static String rowPlaceholders(SqlDialect d) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < COUNT; i++) {
      String name = NAMES.get(i);
      if (i > 0) {
        sb.append(',');
      }
      if (name.equals("id")) {
        sb.append(d.idPlaceholder());
      } else if (name.equals("tags") || name.equals("attributes")) {
        sb.append(d.jsonPlaceholder());
      } else {
        sb.append('?');
      }
    }
    return sb.append(')').toString();
  }

  /** The INSERT (or MERGE) statement for {@code rows} rows. */
  static String insertSql(SqlDialect d, String table, int rows) {
    String row = rowPlaceholders(d);
    StringBuilder sb = new StringBuilder(d.insertPrefix(table)).append(" (");
    sb.append(String.join(",", NAMES)).append(')').append(d.afterColumns()).append(" VALUES ");
    for (int i = 0; i < rows; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(row);
    }
    return sb.append(d.insertSuffix()).toString();
  }

  /** Binds {@code r} to parameters {@code base + 1 .. base + COUNT}. */
  static void bind(PreparedStatement ps, int base, UsageRecord r, SqlDialect d)
      throws SQLException {
    int i = base;
    AttributionContext c = r.context();
    TokenUsage u = r.usage();
    CostBreakdown k = r.cost();
    d.bindId(ps, ++i, r.id());
    d.bindInstant(ps, ++i, r.startedAt());
    d.bindInstant(ps, ++i, r.endedAt());
    str(ps, ++i, c.tenantId(), SHORT);
    str(ps, ++i, c.userId(), SHORT);
    str(ps, ++i, c.assistantId(), SHORT);
    str(ps, ++i, c.threadId(), SHORT);
    str(ps, ++i, c.feature(), SHORT);
    str(ps, ++i, c.trafficClass(), SHORT);
    ps.setString(++i, c.tags().isEmpty() ? "{}" : RecordJson.mapJson(c.tags()));
    ps.setString(++i, r.contextSource().wireName());
    str(ps, ++i, r.provider(), 64);
    str(ps, ++i, r.operation(), 64);
    str(ps, ++i, r.serverHost(), LONG);
    str(ps, ++i, r.requestedModel(), LONG);
    str(ps, ++i, r.effectiveModel(), LONG);
    str(ps, ++i, r.responseModel(), LONG);
    str(ps, ++i, r.route(), SHORT);
    str(ps, ++i, r.routeRule(), SHORT);
    d.bindBoolean(ps, ++i, r.streaming());
    ps.setInt(++i, r.attempt());
    ps.setString(++i, r.status().wireName());
    ps.setInt(++i, r.httpStatus());
    str(ps, ++i, r.errorType(), LONG);
    str(ps, ++i, r.errorMessage(), UsageRecord.MAX_ERROR_MESSAGE_LENGTH);
    ps.setLong(++i, u.inputTokens());
    ps.setLong(++i, u.cachedInputTokens());
    ps.setLong(++i, u.cacheWriteTokens());
    ps.setLong(++i, u.cacheWrite5mTokens());
    ps.setLong(++i, u.cacheWrite1hTokens());
    ps.setLong(++i, u.outputTokens());
    ps.setLong(++i, u.reasoningTokens());
    ps.setLong(++i, u.audioInputTokens());
    ps.setLong(++i, u.audioOutputTokens());
    ps.setLong(++i, u.imageInputTokens());
    ps.setLong(++i, u.imageOutputTokens());
    d.bindBoolean(ps, ++i, r.usageEstimated());
    d.bindMoney(ps, ++i, k.total());
    d.bindMoney(ps, ++i, k.input());
    d.bindMoney(ps, ++i, k.cachedInput());
    d.bindMoney(ps, ++i, k.cacheWrite());
    d.bindMoney(ps, ++i, k.output());
    d.bindMoney(ps, ++i, k.reasoning());
    d.bindMoney(ps, ++i, k.other());
    d.bindMoney(ps, ++i, round(r.providerReportedCost()));
    d.bindMoney(ps, ++i, round(r.charge()));
    ps.setString(++i, k.currency());
    ps.setString(++i, r.costSource().wireName());
    str(ps, ++i, r.priceVersion(), SHORT);
    ps.setLong(++i, r.latency().toMillis());
    Duration ttfb = r.timeToFirstByte();
    if (ttfb == null) {
      ps.setNull(++i, Types.BIGINT);
    } else {
      ps.setLong(++i, ttfb.toMillis());
    }
    ps.setString(++i, r.budgetAction().wireName());
    str(ps, ++i, r.budgetName(), SHORT);
    d.bindMoney(ps, ++i, round(r.budgetPercent()));
    str(ps, ++i, r.keyFingerprint(), 64);
    str(ps, ++i, r.providerRequestId(), LONG);
    str(ps, ++i, r.traceId(), 64);
    str(ps, ++i, r.spanId(), 32);
    ps.setString(++i, r.attributes().isEmpty() ? "{}" : RecordJson.mapJson(r.attributes()));
  }

  private static @Nullable BigDecimal round(@Nullable BigDecimal v) {
    return v == null ? null : CostBreakdown.round(v);
  }

  private static void str(PreparedStatement ps, int i, @Nullable String v, int max)
      throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.VARCHAR);
    } else {
      ps.setString(i, v.length() <= max ? v : v.substring(0, max));
    }
  }

  /** Reads the current row (selected with {@code SELECT <NAMES>}) back into a record. */
  static UsageRecord read(ResultSet rs, SqlDialect d) throws SQLException {
    int i = 0;
    UsageRecord.Builder b = UsageRecord.builder();
    b.id(d.readId(rs, "id"));
    i++;
    b.startedAt(Objects.requireNonNull(d.readInstant(rs, ++i), "started_at"));
    b.endedAt(Objects.requireNonNull(d.readInstant(rs, ++i), "ended_at"));
    AttributionContext.Builder c = AttributionContext.builder();
    c.tenantId(rs.getString(++i));
    c.userId(rs.getString(++i));
    c.assistantId(rs.getString(++i));
    c.threadId(rs.getString(++i));
    c.feature(rs.getString(++i));
    c.trafficClass(rs.getString(++i));
    c.tags(json(rs.getString(++i)));
    b.context(c.build());
    b.contextSource(ContextSource.fromWireName(rs.getString(++i)));
    b.provider(rs.getString(++i));
    b.operation(rs.getString(++i));
    b.serverHost(rs.getString(++i));
    b.requestedModel(rs.getString(++i));
    b.effectiveModel(rs.getString(++i));
    b.responseModel(rs.getString(++i));
    b.route(rs.getString(++i));
    b.routeRule(rs.getString(++i));
    b.streaming(d.readBoolean(rs, ++i));
    b.attempt(rs.getInt(++i));
    b.status(CallStatus.fromWireName(rs.getString(++i)));
    b.httpStatus(rs.getInt(++i));
    b.errorType(rs.getString(++i));
    b.errorMessage(rs.getString(++i));
    TokenUsage.Builder u = TokenUsage.builder();
    u.inputTokens(rs.getLong(++i));
    u.cachedInputTokens(rs.getLong(++i));
    ++i; // cache_write_tokens: the sum of the next two
    u.cacheWrite5mTokens(rs.getLong(++i));
    u.cacheWrite1hTokens(rs.getLong(++i));
    u.outputTokens(rs.getLong(++i));
    u.reasoningTokens(rs.getLong(++i));
    u.audioInputTokens(rs.getLong(++i));
    u.audioOutputTokens(rs.getLong(++i));
    u.imageInputTokens(rs.getLong(++i));
    u.imageOutputTokens(rs.getLong(++i));
    b.usage(u.build());
    b.usageEstimated(d.readBoolean(rs, ++i));
    ++i; // cost_total: the sum of the parts
    CostBreakdown.Builder k = CostBreakdown.builder();
    k.input(money(rs, ++i, d));
    k.cachedInput(money(rs, ++i, d));
    k.cacheWrite(money(rs, ++i, d));
    k.output(money(rs, ++i, d));
    k.reasoning(money(rs, ++i, d));
    k.other(money(rs, ++i, d));
    b.providerReportedCost(d.readMoney(rs, ++i));
    b.charge(d.readMoney(rs, ++i));
    k.currency(rs.getString(++i));
    b.cost(k.build());
    b.costSource(CostSource.fromWireName(rs.getString(++i)));
    b.priceVersion(rs.getString(++i));
    b.latency(Duration.ofMillis(rs.getLong(++i)));
    long ttfb = rs.getLong(++i);
    b.timeToFirstByte(rs.wasNull() ? null : Duration.ofMillis(ttfb));
    b.budgetAction(BudgetAction.fromWireName(rs.getString(++i)));
    b.budgetName(rs.getString(++i));
    b.budgetPercent(d.readMoney(rs, ++i));
    b.keyFingerprint(rs.getString(++i));
    b.providerRequestId(rs.getString(++i));
    b.traceId(rs.getString(++i));
    b.spanId(rs.getString(++i));
    b.attributes(json(rs.getString(++i)));
    return b.build();
  }

  private static BigDecimal money(ResultSet rs, int i, SqlDialect d) throws SQLException {
    BigDecimal v = d.readMoney(rs, i);
    return v == null ? BigDecimal.ZERO : v;
  }

  private static java.util.Map<String, String> json(@Nullable String s) throws SQLException {
    try {
      return RecordJson.parseMap(s);
    } catch (IOException e) {
      throw new SQLException("unreadable JSON column: " + e.getMessage(), e);
    }
  }
}
