package dev.attribution.report;

import static dev.attribution.sink.jdbc.internal.UsageTable.BUDGET_NAME;
import static dev.attribution.sink.jdbc.internal.UsageTable.BUDGET_PERCENT;
import static dev.attribution.sink.jdbc.internal.UsageTable.COST_TOTAL;
import static dev.attribution.sink.jdbc.internal.UsageTable.STARTED_AT;
import static dev.attribution.sink.jdbc.internal.UsageTable.TENANT_ID;

import dev.attribution.sink.jdbc.SqlDialect;
import dev.attribution.sink.jdbc.internal.UsageTable;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The forecast's SQL: per zone in use, one grouping by tenant and day from the earliest day any
 * forecast needs to the window's end (index {@code <table>_started_idx}); per budget scope without
 * a configured limit, its latest recorded percentage (index {@code <table>_budget_idx}) and the
 * scope's spend before it (index {@code <table>_tenant_idx}).
 */
final class ForecastQueries {
  private final Connection c;
  private final SqlDialect dialect;
  private final String table;

  ForecastQueries(Connection c, String table) throws SQLException {
    this.c = c;
    this.dialect = SqlDialect.detect(c);
    this.table = UsageTable.checkTable(table);
  }

  /**
   * Fills every scope of {@code f}: the days the review's main grouping already summed (both
   * windows, each tenant in its zone) come from {@code a}; the database is asked only for the days
   * before them, and for scopes whose zone the main grouping did not use.
   */
  void load(Forecast f, Analyzer a) throws SQLException {
    Map<ZoneId, List<Forecast.Scope>> byZone = new LinkedHashMap<>();
    Map<ZoneId, List<Forecast.Scope>> reusing = new LinkedHashMap<>();
    for (Forecast.Scope s : f.scopes) {
      boolean reuse = reusable(s, a);
      (reuse ? reusing : byZone).computeIfAbsent(s.zone, k -> new ArrayList<>()).add(s);
      if (reuse) {
        for (LocalDate d = a.previousFrom; !d.isAfter(s.today); d = d.plusDays(1)) {
          for (Map.Entry<String, Stats> e : a.dayTenant.getOrDefault(d, Map.of()).entrySet()) {
            if (s.tenant == null || s.tenant.equals(e.getKey())) {
              s.add(d, e.getValue().cost, e.getValue().unknownCostCalls);
            }
          }
        }
      }
    }
    for (Map.Entry<ZoneId, List<Forecast.Scope>> e : byZone.entrySet()) {
      dailyByTenant(e.getKey(), first(e.getValue()), e.getValue().get(0).today, e.getValue());
    }
    for (Map.Entry<ZoneId, List<Forecast.Scope>> e : reusing.entrySet()) {
      LocalDate first = first(e.getValue());
      if (first.isBefore(a.previousFrom)) {
        dailyByTenant(e.getKey(), first, a.previousFrom.minusDays(1), e.getValue());
      }
    }
    for (Forecast.Scope s : f.scopes) {
      if (s.budget != null && s.limit == null) {
        latestPercent(s);
        s.inferLimit();
      }
    }
  }

  /** Whether the main grouping summed the scope's rows by its days: its tenants share its zone. */
  private static boolean reusable(Forecast.Scope s, Analyzer a) {
    if (s.tenant == null) {
      return a.tenantZones.isEmpty() && s.zone.equals(a.zone);
    }
    return s.zone.equals(a.tenantZones.getOrDefault(s.tenant, a.zone));
  }

  private static LocalDate first(List<Forecast.Scope> scopes) {
    LocalDate first = scopes.get(0).first;
    for (Forecast.Scope s : scopes) {
      first = s.first.isBefore(first) ? s.first : first;
    }
    return first;
  }

  /** Adds the spend of {@code first} to {@code last} (days in {@code zone}) to the scopes. */
  private void dailyByTenant(
      ZoneId zone, LocalDate first, LocalDate last, List<Forecast.Scope> scopes)
      throws SQLException {
    List<Instant> bounds = new ArrayList<>();
    for (LocalDate d = first; !d.isAfter(last.plusDays(1)); d = d.plusDays(1)) {
      bounds.add(d.atStartOfDay(zone).toInstant());
    }
    List<Object> params = new ArrayList<>();
    StringBuilder day = new StringBuilder();
    Sql.dayCase(bounds, day, params);
    params.add(bounds.get(0));
    params.add(bounds.get(bounds.size() - 1));
    String sql =
        "SELECT tenant, d, SUM("
            + COST_TOTAL
            + "), COUNT(*) - COUNT("
            + COST_TOTAL
            + ") FROM (SELECT "
            + TENANT_ID
            + " AS tenant, "
            + day
            + " AS d, "
            + COST_TOTAL
            + " FROM "
            + table
            + " WHERE "
            + STARTED_AT
            + " >= ? AND "
            + STARTED_AT
            + " < ?) x GROUP BY tenant, d";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      Sql.bind(dialect, ps, params);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String tenant = Analyzer.orNone(rs.getString(1));
          long d = rs.getLong(2);
          if (rs.wasNull()) {
            continue;
          }
          BigDecimal cost = Sql.money(dialect, rs, 3);
          long unknown = rs.getLong(4);
          LocalDate date = first.plusDays(d);
          for (Forecast.Scope s : scopes) {
            if (s.tenant == null || s.tenant.equals(tenant)) {
              s.add(date, cost, unknown);
            }
          }
        }
      }
    }
  }

  /** The tenant condition of a scope (none for a global budget). */
  private static String tenantCondition(Forecast.Scope s, List<Object> params) {
    String t = s.tenant;
    if (t == null) {
      return "";
    }
    if (t.equals(Analyzer.NONE)) {
      return " AND (" + TENANT_ID + " IS NULL OR " + TENANT_ID + " = '')";
    }
    params.add(t);
    return " AND " + TENANT_ID + " = ?";
  }

  private void latestPercent(Forecast.Scope s) throws SQLException {
    Instant start = s.periodStartInstant();
    Instant end = s.today.plusDays(1).atStartOfDay(s.zone).toInstant();
    List<Object> params = new ArrayList<>();
    params.add(String.valueOf(s.budget));
    String cond = tenantCondition(s, params);
    params.add(start);
    params.add(end);
    // Two steps, each robust under a generic plan: the latest time (a backward scan of the
    // budget index, stopping at the first match), then the largest percentage recorded at it.
    String where =
        " FROM "
            + table
            + " WHERE "
            + BUDGET_NAME
            + " = ?"
            + cond
            + " AND "
            + BUDGET_PERCENT
            + " IS NOT NULL AND "
            + STARTED_AT
            + " >= ? AND "
            + STARTED_AT
            + " < ?";
    @Nullable Instant at = null;
    try (PreparedStatement ps = c.prepareStatement("SELECT MAX(" + STARTED_AT + ")" + where)) {
      Sql.bind(dialect, ps, params);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          at = UsageTable.readInstant(dialect, rs, 1);
        }
      }
    }
    if (at != null) {
      params.set(params.size() - 2, at);
      params.set(params.size() - 1, at.plusNanos(1000)); // times are kept to the microsecond
      try (PreparedStatement ps =
          c.prepareStatement("SELECT MAX(" + BUDGET_PERCENT + ")" + where)) {
        Sql.bind(dialect, ps, params);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            s.lastPercent = UsageTable.readMoney(dialect, rs, 1);
          }
        }
      }
    }
    if (at == null) {
      return;
    }
    s.lastPercentAt = at;
    // The call's day is summed already (its days up to today come from the review's grouping);
    // only the part of that day on the call's shorter side is read: before it, added to the days
    // before, or from it to the day's end, taken from the days up to it.
    LocalDate day = at.atZone(s.zone).toLocalDate();
    Instant dayStart = day.atStartOfDay(s.zone).toInstant();
    Instant dayEnd = day.plusDays(1).atStartOfDay(s.zone).toInstant();
    Instant from = dayStart.isBefore(start) ? start : dayStart;
    boolean fromTheEnd =
        !day.isAfter(s.today)
            && Duration.between(at, dayEnd).compareTo(Duration.between(from, at)) < 0;
    params.clear();
    String cond2 = tenantCondition(s, params);
    params.add(fromTheEnd ? at : from);
    params.add(fromTheEnd ? dayEnd : at);
    String spent =
        "SELECT SUM("
            + COST_TOTAL
            + ") FROM "
            + table
            + " WHERE 1 = 1"
            + cond2
            + " AND "
            + STARTED_AT
            + " >= ? AND "
            + STARTED_AT
            + " < ?";
    BigDecimal part = Money.ZERO;
    try (PreparedStatement ps = c.prepareStatement(spent)) {
      Sql.bind(dialect, ps, params);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          part = Sql.money(dialect, rs, 1);
        }
      }
    }
    BigDecimal before =
        fromTheEnd ? s.cumulative(day).subtract(part) : s.cumulative(day.minusDays(1)).add(part);
    s.spentBeforeLastPercent = before;
  }
}
