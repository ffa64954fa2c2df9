package dev.attribution.report;

import dev.attribution.report.ReviewTable.ColumnType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Where spend will end up: per tenant (over the calendar month) and per budget scope (over the
 * budget's period), the spend so far plus the recent run rate times the days left, the day the
 * limit is or would be reached, and with plan prices the projected margin. The last day of the
 * review window is "today".
 */
final class Forecast {

  /** Days whose average spend is the run rate: {@value}. */
  static final int RUN_RATE_DAYS = 7;

  /** The method, in one sentence, as the report states it. */
  static final String METHOD =
      "Projected spend = spend so far in the period + the average daily spend of the "
          + RUN_RATE_DAYS
          + " days ending on the window's last day x the days left in the period; the limit date"
          + " is the first day the projected cumulative spend reaches the limit.";

  /** How a budget's limit was inferred, in one sentence, as the report states it. */
  static final String INFERRED =
      "Where --budgets gives no limit it is inferred from the latest call that recorded the"
          + " budget's percentage: limit = spend of the scope in the period before that call"
          + " x 100 / that percentage (reservations in flight then are not recorded, so it may be"
          + " a little low).";

  /** A budget's settings from the {@code --budgets} file; defaults where absent. */
  static final class BudgetSetting {
    @Nullable BigDecimal limit;
    BudgetPeriodKind period = BudgetPeriodKind.MONTH;
    @Nullable ZoneId zone;
    boolean global;
  }

  /** The calendar periods a budget can have in the forecast. */
  enum BudgetPeriodKind {
    DAY,
    WEEK,
    MONTH
  }

  /** One projected line: a tenant or a budget scope. */
  static final class Scope {
    final String label;
    final String kind;
    final @Nullable String budget;

    /** The tenant whose rows count, or null for every tenant (a global budget). */
    final @Nullable String tenant;

    final ZoneId zone;
    final LocalDate periodStart;
    final LocalDate periodEnd;

    /** The first day read: the period start or the run rate's first day, whichever is earlier. */
    final LocalDate first;

    final LocalDate today;
    final BigDecimal[] daily;
    long unknownCostCalls;
    @Nullable BigDecimal limit;
    String limitBasis = "";
    @Nullable Instant lastPercentAt;
    @Nullable BigDecimal lastPercent;
    BigDecimal spentBeforeLastPercent = Money.ZERO;

    Scope(
        String label,
        String kind,
        @Nullable String budget,
        @Nullable String tenant,
        ZoneId zone,
        BudgetPeriodKind period,
        LocalDate today) {
      this.label = label;
      this.kind = kind;
      this.budget = budget;
      this.tenant = tenant;
      this.zone = zone;
      this.today = today;
      switch (period) {
        case DAY:
          periodStart = today;
          periodEnd = today;
          break;
        case WEEK:
          periodStart = today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
          periodEnd = periodStart.plusDays(6);
          break;
        default:
          periodStart = today.withDayOfMonth(1);
          periodEnd = today.with(TemporalAdjusters.lastDayOfMonth());
      }
      LocalDate rateStart = today.minusDays(RUN_RATE_DAYS - 1);
      first = rateStart.isBefore(periodStart) ? rateStart : periodStart;
      daily = new BigDecimal[(int) ChronoUnit.DAYS.between(first, today) + 1];
      java.util.Arrays.fill(daily, Money.ZERO);
    }

    /** The instant the period starts (midnight of its first day in the zone). */
    Instant periodStartInstant() {
      return periodStart.atStartOfDay(zone).toInstant();
    }

    BigDecimal spent() {
      return sum(periodStart, today);
    }

    BigDecimal runRate() {
      return sum(today.minusDays(RUN_RATE_DAYS - 1), today)
          .divide(BigDecimal.valueOf(RUN_RATE_DAYS), Money.SCALE, RoundingMode.HALF_EVEN);
    }

    long daysLeft() {
      return ChronoUnit.DAYS.between(today, periodEnd);
    }

    BigDecimal projected() {
      return spent().add(runRate().multiply(BigDecimal.valueOf(daysLeft())));
    }

    /** The projected cumulative spend at the end of {@code day} (after today). */
    BigDecimal projectedAt(LocalDate day) {
      return spent()
          .add(runRate().multiply(BigDecimal.valueOf(ChronoUnit.DAYS.between(today, day))));
    }

    /** Cumulative actual spend of the period at the end of {@code day}. */
    BigDecimal cumulative(LocalDate day) {
      return sum(periodStart, day);
    }

    private BigDecimal sum(LocalDate a, LocalDate b) {
      BigDecimal s = Money.ZERO;
      for (LocalDate d = a; !d.isAfter(b); d = d.plusDays(1)) {
        s = s.add(daily[(int) ChronoUnit.DAYS.between(first, d)]);
      }
      return s;
    }

    /** "reached on <day>", "<day> (projected)", "not in this period", or "" without a limit. */
    String limitDate() {
      BigDecimal lim = limit;
      if (lim == null) {
        return "";
      }
      for (LocalDate d = periodStart; !d.isAfter(today); d = d.plusDays(1)) {
        if (cumulative(d).compareTo(lim) >= 0) {
          return "reached on " + d;
        }
      }
      BigDecimal rate = runRate();
      if (rate.signum() > 0) {
        long k = lim.subtract(spent()).divide(rate, 0, RoundingMode.CEILING).longValueExact();
        LocalDate at = today.plusDays(k);
        if (!at.isAfter(periodEnd)) {
          return at + " (projected)";
        }
      }
      return "not in this period";
    }

    /** Adds the spend of one day read from the database. */
    void add(LocalDate day, BigDecimal cost, long unknown) {
      int i = (int) ChronoUnit.DAYS.between(first, day);
      if (i >= 0 && i < daily.length) {
        daily[i] = daily[i].add(cost);
        if (!day.isBefore(periodStart)) {
          unknownCostCalls += unknown;
        }
      }
    }

    /** Infers the limit from the latest recorded percentage, when none was configured. */
    void inferLimit() {
      BigDecimal p = lastPercent;
      if (limit != null || p == null || p.signum() <= 0 || lastPercentAt == null) {
        return;
      }
      limit =
          spentBeforeLastPercent
              .multiply(Money.HUNDRED)
              .divide(p, Money.SCALE, RoundingMode.HALF_EVEN);
      limitBasis =
          "inferred: "
              + Money.exact(spentBeforeLastPercent)
              + " spent before "
              + Times.minute(lastPercentAt, zone)
              + " was "
              + p.stripTrailingZeros().toPlainString()
              + "%";
    }
  }

  final List<Scope> scopes = new ArrayList<>();
  private final Map<String, BigDecimal> planPrices;

  /**
   * The tenants of the window (each over the calendar month of the window's last day in its zone)
   * and each budget seen with each tenant that spent under it.
   */
  Forecast(Analyzer a, Map<String, BudgetSetting> settings, Map<String, BigDecimal> planPrices) {
    this.planPrices = planPrices;
    List<String> tenants = new ArrayList<>(a.current.get(Analyzer.Dim.TENANT).keySet());
    tenants.sort(Comparator.naturalOrder());
    for (String t : tenants) {
      scopes.add(new Scope(t, "tenant", null, t, zoneOf(a, t), BudgetPeriodKind.MONTH, a.to));
    }
    for (Map.Entry<String, Analyzer.BudgetStats> e : a.budgets.entrySet()) {
      BudgetSetting s = settings.getOrDefault(e.getKey(), new BudgetSetting());
      List<@Nullable String> owners = new ArrayList<>();
      if (s.global) {
        owners.add(null);
      } else {
        owners.addAll(e.getValue().tenants);
      }
      for (String t : owners) {
        ZoneId z = s.zone != null ? s.zone : t == null ? a.zone : zoneOf(a, t);
        Scope sc =
            new Scope(
                e.getKey() + (t == null ? "" : " / " + t),
                "budget",
                e.getKey(),
                t,
                z,
                s.period,
                a.to);
        sc.limit = s.limit;
        sc.limitBasis = s.limit == null ? "" : "configured";
        scopes.add(sc);
      }
    }
  }

  private static ZoneId zoneOf(Analyzer a, String tenant) {
    return a.tenantZones.getOrDefault(tenant, a.zone);
  }

  /** The plan price of {@code tenant} prorated to its period, or null without plan prices. */
  @Nullable BigDecimal planForPeriod(Scope s) {
    if (!"tenant".equals(s.kind) || s.tenant == null) {
      return null;
    }
    BigDecimal plan =
        planPrices.containsKey(s.tenant) ? planPrices.get(s.tenant) : planPrices.get("*");
    if (plan == null) {
      return null;
    }
    long days = ChronoUnit.DAYS.between(s.periodStart, s.periodEnd) + 1;
    return plan.multiply(BigDecimal.valueOf(days))
        .divide(BigDecimal.valueOf(Findings.PLAN_PERIOD_DAYS), Money.SCALE, RoundingMode.HALF_EVEN);
  }

  /** The forecast table, tenants then budgets, largest projection first. */
  ReviewTable table() {
    ReviewTable.Builder t =
        ReviewTable.builder("forecast", "Forecast to the end of the period")
            .column("scope", ColumnType.TEXT)
            .column("kind", ColumnType.TEXT)
            .column("tenant", ColumnType.TEXT)
            .column("period", ColumnType.TEXT)
            .column("spent", ColumnType.MONEY)
            .column("run_rate_per_day", ColumnType.MONEY)
            .column("projected", ColumnType.MONEY)
            .column("limit", ColumnType.OPTIONAL_MONEY)
            .column("limit_basis", ColumnType.TEXT)
            .column("limit_date", ColumnType.TEXT)
            .column("plan_for_period", ColumnType.OPTIONAL_MONEY)
            .column("projected_margin", ColumnType.OPTIONAL_MONEY)
            .column("cost_unknown_calls", ColumnType.COUNT);
    for (Scope s : ordered()) {
      BigDecimal plan = planForPeriod(s);
      t.row(
          s.label,
          s.kind,
          s.tenant == null ? "" : s.tenant,
          s.periodStart + " to " + s.periodEnd + " " + s.zone.getId(),
          s.spent(),
          s.runRate(),
          s.projected(),
          s.limit,
          s.limitBasis,
          s.limitDate(),
          plan,
          plan == null ? null : plan.subtract(s.projected()),
          s.unknownCostCalls);
    }
    return t.build();
  }

  /** Cumulative spend per scope and day of its period: actual to today, projected after. */
  ReviewTable dailyTable() {
    ReviewTable.Builder t =
        ReviewTable.builder("forecast_by_day", "Forecast: cumulative spend by day")
            .column("scope", ColumnType.TEXT)
            .column("day", ColumnType.TEXT)
            .column("cumulative_cost", ColumnType.MONEY)
            .column("kind", ColumnType.TEXT)
            .column("limit", ColumnType.OPTIONAL_MONEY);
    for (Scope s : ordered()) {
      for (LocalDate d = s.periodStart; !d.isAfter(s.periodEnd); d = d.plusDays(1)) {
        boolean actual = !d.isAfter(s.today);
        t.row(
            s.label,
            d.toString(),
            actual ? s.cumulative(d) : s.projectedAt(d),
            actual ? "actual" : "projected",
            s.limit);
      }
    }
    return t.build();
  }

  private List<Scope> ordered() {
    List<Scope> l = new ArrayList<>(scopes);
    l.sort(
        Comparator.comparing((Scope s) -> s.kind, Comparator.reverseOrder())
            .thenComparing(Comparator.comparing(Scope::projected).reversed())
            .thenComparing(s -> s.label));
    return l;
  }
}
