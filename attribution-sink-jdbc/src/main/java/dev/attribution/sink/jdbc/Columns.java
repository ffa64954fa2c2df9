package dev.attribution.sink.jdbc;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.CallStatus;
import dev.attribution.api.ContextSource;
import dev.attribution.api.CostBreakdown;
import dev.attribution.api.CostSource;
import dev.attribution.api.TokenUsage;
import dev.attribution.api.UsageRecord;
import dev.attribution.sink.jdbc.internal.Rollups;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
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
          "cost_tools",
          "cost_other",
          "computed_cost",
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
          "dry_run_action",
          "deployment",
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

  /** Receives one record's column values, in {@link #NAMES} order. */
  interface Sink {
    void id(UUID v) throws SQLException;

    void instant(Instant v) throws SQLException;

    void string(@Nullable String v) throws SQLException;

    /** A JSON object, as text. */
    void json(String v) throws SQLException;

    void bool(boolean v) throws SQLException;

    void number(long v) throws SQLException;

    void nullableNumber(@Nullable Long v) throws SQLException;

    /** An amount with scale 9, or null. */
    void money(@Nullable BigDecimal v) throws SQLException;
  }

  /** Hands {@code r}'s values to {@code out}, strings cut to their column's length. */
  static void emit(UsageRecord r, Sink out) throws SQLException {
    AttributionContext c = r.context();
    TokenUsage u = r.usage();
    CostBreakdown k = r.cost();
    out.id(r.id());
    out.instant(r.startedAt());
    out.instant(r.endedAt());
    out.string(cut(c.tenantId(), SHORT));
    out.string(cut(c.userId(), SHORT));
    out.string(cut(c.assistantId(), SHORT));
    out.string(cut(c.threadId(), SHORT));
    out.string(cut(c.feature(), SHORT));
    out.string(cut(c.trafficClass(), SHORT));
    out.json(json(c.tags()));
    out.string(r.contextSource().wireName());
    out.string(cut(r.provider(), 64));
    out.string(cut(r.operation(), 64));
    out.string(cut(r.serverHost(), LONG));
    out.string(cut(r.requestedModel(), LONG));
    out.string(cut(r.effectiveModel(), LONG));
    out.string(cut(r.responseModel(), LONG));
    out.string(cut(r.route(), SHORT));
    out.string(cut(r.routeRule(), SHORT));
    out.bool(r.streaming());
    out.number(r.attempt());
    out.string(r.status().wireName());
    Integer http = r.httpStatus();
    out.nullableNumber(http == null ? null : http.longValue());
    out.string(cut(r.errorType(), LONG));
    out.string(cut(r.errorMessage(), UsageRecord.MAX_ERROR_MESSAGE_LENGTH));
    out.number(u.inputTokens());
    out.number(u.cachedInputTokens());
    out.number(u.cacheWriteTokens());
    out.number(u.cacheWrite5mTokens());
    out.number(u.cacheWrite1hTokens());
    out.number(u.outputTokens());
    out.number(u.reasoningTokens());
    out.number(u.audioInputTokens());
    out.number(u.audioOutputTokens());
    out.number(u.imageInputTokens());
    out.number(u.imageOutputTokens());
    out.bool(r.usageEstimated());
    // An unknown cost is NULL in every cost column, never 0.
    out.money(k == null ? null : k.total());
    out.money(k == null ? null : k.input());
    out.money(k == null ? null : k.cachedInput());
    out.money(k == null ? null : k.cacheWrite());
    out.money(k == null ? null : k.output());
    out.money(k == null ? null : k.reasoning());
    out.money(k == null ? null : k.tools());
    out.money(k == null ? null : k.other());
    out.money(round(r.computedCost()));
    out.money(round(r.providerReportedCost()));
    out.money(round(r.charge()));
    out.string(k == null ? null : k.currency());
    out.string(r.costSource().wireName());
    out.string(cut(r.priceVersion(), SHORT));
    out.number(r.latency().toMillis());
    Duration ttfb = r.timeToFirstByte();
    out.nullableNumber(ttfb == null ? null : ttfb.toMillis());
    out.string(r.budgetAction().wireName());
    out.string(cut(r.budgetName(), SHORT));
    out.money(round(r.budgetPercent()));
    BudgetAction dryRun = r.dryRunAction();
    out.string(dryRun == null ? null : dryRun.wireName());
    out.string(cut(r.deployment(), LONG));
    out.string(cut(r.keyFingerprint(), 64));
    out.string(cut(r.providerRequestId(), LONG));
    out.string(cut(r.traceId(), 64));
    out.string(cut(r.spanId(), 32));
    out.json(json(r.attributes()));
  }

  private static final int TENANT = NAMES.indexOf("tenant_id");
  private static final int USER = NAMES.indexOf("user_id");
  private static final int THREAD = NAMES.indexOf("thread_id");
  private static final int FEATURE = NAMES.indexOf("feature");
  private static final int PROVIDER = NAMES.indexOf("provider");
  private static final int REQUESTED_MODEL = NAMES.indexOf("requested_model");
  private static final int EFFECTIVE_MODEL = NAMES.indexOf("effective_model");
  private static final int STATUS = NAMES.indexOf("status");
  private static final int CURRENCY = NAMES.indexOf("currency");
  private static final int COST_SOURCE = NAMES.indexOf("cost_source");
  private static final int PRICE_VERSION = NAMES.indexOf("price_version");
  private static final int BUDGET_ACTION = NAMES.indexOf("budget_action");
  private static final int BUDGET_NAME = NAMES.indexOf("budget_name");
  private static final int BUDGET_PERCENT = NAMES.indexOf("budget_percent");
  private static final int[] TOKENS = {
    NAMES.indexOf("input_tokens"),
    NAMES.indexOf("cached_input_tokens"),
    NAMES.indexOf("cache_write_tokens"),
    NAMES.indexOf("output_tokens"),
    NAMES.indexOf("reasoning_tokens")
  };
  private static final int[] MONEY = {
    NAMES.indexOf("cost_total"),
    NAMES.indexOf("cost_input"),
    NAMES.indexOf("cost_cached_input"),
    NAMES.indexOf("cost_cache_write"),
    NAMES.indexOf("cost_output"),
    NAMES.indexOf("cost_reasoning"),
    NAMES.indexOf("cost_tools"),
    NAMES.indexOf("cost_other"),
    NAMES.indexOf("charge_total")
  };

  /**
   * {@code r} as its rollup rows see it: the very values {@link #emit} stores (strings cut, money
   * rounded), so the rollups sum what the usage row holds.
   */
  static Rollups.Call rollupCall(UsageRecord r) throws SQLException {
    Object[] v = new Object[COUNT];
    emit(
        r,
        new Sink() {
          int i;

          @Override
          public void id(UUID x) {
            v[i++] = x;
          }

          @Override
          public void instant(Instant x) {
            v[i++] = x;
          }

          @Override
          public void string(@Nullable String x) {
            v[i++] = x;
          }

          @Override
          public void json(String x) {
            i++;
          }

          @Override
          public void bool(boolean x) {
            i++;
          }

          @Override
          public void number(long x) {
            v[i++] = x;
          }

          @Override
          public void nullableNumber(@Nullable Long x) {
            v[i++] = x;
          }

          @Override
          public void money(@Nullable BigDecimal x) {
            v[i++] = x;
          }
        });
    Rollups.Call c = new Rollups.Call();
    c.startedAt = r.startedAt();
    c.tenant = (String) v[TENANT];
    c.user = (String) v[USER];
    c.thread = (String) v[THREAD];
    c.feature = (String) v[FEATURE];
    String effective = (String) v[EFFECTIVE_MODEL];
    c.model = effective != null ? effective : (String) v[REQUESTED_MODEL];
    c.provider = (String) v[PROVIDER];
    c.status = (String) v[STATUS];
    c.budgetAction = (String) v[BUDGET_ACTION];
    c.budgetName = (String) v[BUDGET_NAME];
    c.costSource = (String) v[COST_SOURCE];
    c.currency = (String) v[CURRENCY];
    c.priceVersion = (String) v[PRICE_VERSION];
    for (int t = 0; t < TOKENS.length; t++) {
      c.tokens[t] = (Long) v[TOKENS[t]];
    }
    for (int m = 0; m < MONEY.length; m++) {
      c.money[m] = (BigDecimal) v[MONEY[m]];
    }
    c.budgetPercent = (BigDecimal) v[BUDGET_PERCENT];
    return c;
  }

  /** Binds {@code r} to parameters {@code base + 1 .. base + COUNT}. */
  static void bind(PreparedStatement ps, int base, UsageRecord r, SqlDialect d)
      throws SQLException {
    emit(
        r,
        new Sink() {
          int i = base;

          @Override
          public void id(UUID v) throws SQLException {
            d.bindId(ps, ++i, v);
          }

          @Override
          public void instant(Instant v) throws SQLException {
            d.bindInstant(ps, ++i, v);
          }

          @Override
          public void string(@Nullable String v) throws SQLException {
            if (v == null) {
              ps.setNull(++i, Types.VARCHAR);
            } else {
              ps.setString(++i, v);
            }
          }

          @Override
          public void json(String v) throws SQLException {
            ps.setString(++i, v);
          }

          @Override
          public void bool(boolean v) throws SQLException {
            d.bindBoolean(ps, ++i, v);
          }

          @Override
          public void number(long v) throws SQLException {
            ps.setLong(++i, v);
          }

          @Override
          public void nullableNumber(@Nullable Long v) throws SQLException {
            if (v == null) {
              ps.setNull(++i, Types.BIGINT);
            } else {
              ps.setLong(++i, v);
            }
          }

          @Override
          public void money(@Nullable BigDecimal v) throws SQLException {
            d.bindMoney(ps, ++i, v);
          }
        });
  }

  private static @Nullable BigDecimal round(@Nullable BigDecimal v) {
    return v == null ? null : CostBreakdown.round(v);
  }

  /**
   * {@code v} as the table keeps it: NUL replaced (see {@link #storable(String)}) and cut to {@code
   * max} chars without splitting a surrogate pair (half an emoji is stored as '?' or rejected).
   */
  private static @Nullable String cut(@Nullable String v, int max) {
    if (v == null) {
      return null;
    }
    String s = storable(v);
    if (s.length() <= max) {
      return s;
    }
    int end = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
    return s.substring(0, end);
  }

  /**
   * {@code v} with U+0000 and lone surrogates replaced by U+FFFD. PostgreSQL cannot store NUL in
   * text or jsonb, no database stores half a surrogate pair in UTF-8 (the driver would send '?',
   * jsonb rejects its escape), and a row the database rejects is dropped with its cost; every
   * dialect stores the same text, so all replace.
   */
  static String storable(String v) {
    int n = v.length();
    int i = 0;
    while (i < n) {
      char c = v.charAt(i);
      if (c == '\u0000' || Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < n
            && Character.isLowSurrogate(v.charAt(i + 1))) {
          i += 2;
          continue;
        }
        break;
      }
      i++;
    }
    if (i == n) {
      return v;
    }
    StringBuilder sb = new StringBuilder(n).append(v, 0, i);
    for (; i < n; i++) {
      char c = v.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(v.charAt(i + 1))) {
        sb.append(c).append(v.charAt(++i));
      } else {
        sb.append(c == '\u0000' || Character.isSurrogate(c) ? '\uFFFD' : c);
      }
    }
    return sb.toString();
  }

  /** A JSON column's text for {@code m}, keys and values made {@link #storable(String)}. */
  private static String json(Map<String, String> m) {
    if (m.isEmpty()) {
      return "{}";
    }
    Map<String, String> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(storable(k), storable(v)));
    return RecordJson.mapJson(out);
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
    int http = rs.getInt(++i);
    b.httpStatus(rs.wasNull() ? null : http);
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
    // cost_total is the sum of the parts; NULL when the cost is unknown.
    boolean unknown = d.readMoney(rs, ++i) == null;
    CostBreakdown.Builder k = CostBreakdown.builder();
    k.input(money(rs, ++i, d));
    k.cachedInput(money(rs, ++i, d));
    k.cacheWrite(money(rs, ++i, d));
    k.output(money(rs, ++i, d));
    k.reasoning(money(rs, ++i, d));
    k.tools(money(rs, ++i, d));
    k.other(money(rs, ++i, d));
    b.computedCost(d.readMoney(rs, ++i));
    b.providerReportedCost(d.readMoney(rs, ++i));
    b.charge(d.readMoney(rs, ++i));
    String currency = rs.getString(++i);
    if (currency != null) {
      k.currency(currency);
    }
    b.cost(unknown ? null : k.build());
    b.costSource(CostSource.fromWireName(rs.getString(++i)));
    b.priceVersion(rs.getString(++i));
    b.latency(Duration.ofMillis(rs.getLong(++i)));
    long ttfb = rs.getLong(++i);
    b.timeToFirstByte(rs.wasNull() ? null : Duration.ofMillis(ttfb));
    b.budgetAction(BudgetAction.fromWireName(rs.getString(++i)));
    b.budgetName(rs.getString(++i));
    b.budgetPercent(d.readMoney(rs, ++i));
    String dryRun = rs.getString(++i);
    b.dryRunAction(dryRun == null ? null : BudgetAction.fromWireName(dryRun));
    b.deployment(rs.getString(++i));
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
