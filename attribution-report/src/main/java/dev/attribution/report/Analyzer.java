package dev.attribution.report;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** Folds usage rows of two windows into the review's groupings and findings. */
final class Analyzer {

  static final String NONE = "(none)";

  /** A dimension the review groups by: table name, title, column header, key of a row. */
  enum Dim {
    TENANT("by_tenant", "Spend by tenant", "tenant", r -> r.tenant),
    FEATURE("by_feature", "Spend by feature", "feature", r -> r.feature),
    MODEL("by_model", "Spend by model", "model", r -> r.model),
    PROVIDER("by_provider", "Spend by provider", "provider", r -> r.provider),
    /** Grouped by its own query, which keeps the largest only. */
    THREAD("by_thread", "Spend by thread", "thread", null),
    /** Grouped by its own query, which keeps the largest only. */
    USER("by_user", "Spend by user", "user", null);

    final String table;
    final String title;
    final String column;
    final @Nullable Function<Row, @Nullable String> key;

    Dim(String table, String title, String column, @Nullable Function<Row, @Nullable String> key) {
      this.table = table;
      this.title = title;
      this.column = column;
      this.key = key;
    }

    String keyOf(Row r) {
      return key == null ? NONE : orNone(key.apply(r));
    }
  }

  static String orNone(@Nullable String k) {
    return k == null || k.isEmpty() ? NONE : k;
  }

  /** One call of a thread, for the sliding-window loop check. */
  static final class ThreadCall {
    final long at;
    final BigDecimal cost;
    final boolean blocked;

    ThreadCall(long at, BigDecimal cost, boolean blocked) {
      this.at = at;
      this.cost = cost;
      this.blocked = blocked;
    }
  }

  /** Per-budget counters. */
  static final class BudgetStats {
    final Map<String, Long> actions = new HashMap<>();
    BigDecimal cost = Money.ZERO;
    long calls;
    long unknownCostCalls;
    @Nullable BigDecimal maxPercent;
    @Nullable BigDecimal lastPercent;
    final Set<String> tenants = new LinkedHashSet<>();
  }

  /** A thread whose calls crossed a loop threshold within the sliding window. */
  static final class Loop {
    final String thread;
    final int bestCalls;
    final BigDecimal bestSpend;
    final Instant bestStart;
    final int calls;
    final BigDecimal spend;
    final long blocked;

    Loop(
        String thread,
        int bestCalls,
        BigDecimal bestSpend,
        Instant bestStart,
        int calls,
        BigDecimal spend,
        long blocked) {
      this.thread = thread;
      this.bestCalls = bestCalls;
      this.bestSpend = bestSpend;
      this.bestStart = bestStart;
      this.calls = calls;
      this.spend = spend;
      this.blocked = blocked;
    }
  }

  final LocalDate from;
  final LocalDate to;
  final LocalDate previousFrom;

  /** The zone whose midnights are day boundaries, unless a tenant has its own. */
  final ZoneId zone;

  final Map<String, ZoneId> tenantZones;
  final Instant currentStart;
  final Instant end;
  final Instant previousStart;

  /** The earliest and latest instant of any tenant's windows: what the queries read. */
  final Instant queryStart;

  final Instant queryEnd;
  final int days;
  final List<Loop> loops = new ArrayList<>();

  final Stats total = new Stats();
  final Stats previousTotal = new Stats();
  final Map<Dim, Map<String, Stats>> current = new HashMap<>();
  final Map<Dim, Map<String, Stats>> previous = new HashMap<>();

  /** Day to tenant to stats, over both windows. */
  final Map<LocalDate, Map<String, Stats>> dayTenant = new TreeMap<>();

  /** feature + model in the current window. */
  final Map<List<String>, Stats> featureModel = new HashMap<>();

  final Map<String, BudgetStats> budgets = new TreeMap<>();

  /** Call status to the calls that ended so. */
  final Map<String, Stats> outcomes = new TreeMap<>();

  /** Budget action (other than none) to the calls it was applied to. */
  final Map<String, Stats> budgetActions = new TreeMap<>();

  final Map<String, Stats> unpriced = new TreeMap<>();

  /** Model to the current window's answered calls on it. */
  final Map<String, Stats> answeredByModel = new HashMap<>();

  /** Price version (as recorded) to the current window's calls priced with it. */
  final Map<String, Stats> priceVersions = new TreeMap<>();

  final Map<String, Long> currencyCalls = new HashMap<>();
  long rows;

  Analyzer(LocalDate from, LocalDate to) {
    this(from, to, ZoneId.of("UTC"), Map.of());
  }

  Analyzer(LocalDate from, LocalDate to, ZoneId zone, Map<String, ZoneId> tenantZones) {
    this.from = from;
    this.to = to;
    this.zone = zone;
    this.tenantZones = Map.copyOf(tenantZones);
    this.days = (int) ChronoUnit.DAYS.between(from, to) + 1;
    this.previousFrom = from.minusDays(days);
    this.currentStart = from.atStartOfDay(zone).toInstant();
    this.end = to.plusDays(1).atStartOfDay(zone).toInstant();
    this.previousStart = previousFrom.atStartOfDay(zone).toInstant();
    Instant qs = previousStart;
    Instant qe = end;
    for (ZoneId z : this.tenantZones.values()) {
      List<Instant> b = boundaries(z);
      qs = b.get(0).isBefore(qs) ? b.get(0) : qs;
      qe = b.get(b.size() - 1).isAfter(qe) ? b.get(b.size() - 1) : qe;
    }
    this.queryStart = qs;
    this.queryEnd = qe;
    for (Dim d : Dim.values()) {
      current.put(d, new HashMap<>());
      previous.put(d, new HashMap<>());
    }
  }

  /** The midnights in {@code z} from the first day of the comparison window to after the last. */
  List<Instant> boundaries(ZoneId z) {
    List<Instant> b = new ArrayList<>();
    for (LocalDate d = previousFrom; !d.isAfter(to.plusDays(1)); d = d.plusDays(1)) {
      b.add(d.atStartOfDay(z).toInstant());
    }
    return b;
  }

  /** The tenants whose zone differs from the window's, grouped by zone. */
  List<Map.Entry<ZoneId, List<String>>> tenantsByZone() {
    Map<ZoneId, List<String>> m = new TreeMap<>(Comparator.comparing(ZoneId::getId));
    for (Map.Entry<String, ZoneId> e : new TreeMap<>(tenantZones).entrySet()) {
      if (!boundaries(e.getValue()).equals(boundaries(zone))) {
        m.computeIfAbsent(e.getValue(), k -> new ArrayList<>()).add(e.getKey());
      }
    }
    return new ArrayList<>(m.entrySet());
  }

  /** Which keys a group row carries. */
  enum Part {
    /** Every key: the one fine grouping. */
    ALL,
    /** Day, tenant, status, budget action, budget, cost source, currency. */
    TENANTS,
    /** Day, feature, model, provider, status, cost source. */
    FEATURES
  }

  /** Adds one group of rows summed by the database, on day {@code dayNumber} of both windows. */
  void add(Row r, int dayNumber) {
    add(r, dayNumber, Part.ALL);
  }

  /**
   * Adds one group of rows of {@code part}: each usage row arrives once in {@link Part#ALL}, or
   * once in each of {@link Part#TENANTS} and {@link Part#FEATURES}.
   */
  void add(Row r, int dayNumber, Part part) {
    boolean tenants = part != Part.FEATURES;
    boolean features = part != Part.TENANTS;
    r.day = previousFrom.plusDays(dayNumber);
    boolean isCurrent = dayNumber >= days;
    r.current = isCurrent;
    Map<Dim, Map<String, Stats>> groups = isCurrent ? current : previous;
    if (features) {
      for (Dim d : List.of(Dim.FEATURE, Dim.MODEL, Dim.PROVIDER)) {
        groups.get(d).computeIfAbsent(d.keyOf(r), k -> new Stats()).add(r);
      }
      if (isCurrent && "ok".equals(r.status)) { // per-call ratios only mean something if answered
        featureModel
            .computeIfAbsent(List.of(Dim.FEATURE.keyOf(r), Dim.MODEL.keyOf(r)), k -> new Stats())
            .add(r);
        answeredByModel.computeIfAbsent(Dim.MODEL.keyOf(r), k -> new Stats()).add(r);
      }
      if (isCurrent && "unpriced".equals(r.costSource)) {
        unpriced.computeIfAbsent(Dim.MODEL.keyOf(r), k -> new Stats()).add(r);
      }
    }
    if (!tenants) {
      return;
    }
    rows += r.calls;
    dayTenant
        .computeIfAbsent(r.day, k -> new HashMap<>())
        .computeIfAbsent(Dim.TENANT.keyOf(r), k -> new Stats())
        .add(r);
    groups.get(Dim.TENANT).computeIfAbsent(Dim.TENANT.keyOf(r), k -> new Stats()).add(r);
    if (!isCurrent) {
      previousTotal.add(r);
      return;
    }
    total.add(r);
    currencyCalls.merge(r.currency, r.calls, Long::sum);
    outcomes.computeIfAbsent(r.status, k -> new Stats()).add(r);
    priceVersions.computeIfAbsent(orNone(r.priceVersion), k -> new Stats()).add(r);
    if (!"none".equals(r.budgetAction) && !r.budgetAction.isEmpty()) {
      budgetActions.computeIfAbsent(r.budgetAction, k -> new Stats()).add(r);
    }
    if (r.budgetName != null && !r.budgetName.isEmpty()) {
      BudgetStats b = budgets.computeIfAbsent(r.budgetName, k -> new BudgetStats());
      b.actions.merge(r.budgetAction, r.calls, Long::sum);
      b.cost = b.cost.add(r.costTotal);
      b.unknownCostCalls += r.unknownCostCalls;
      b.calls += r.calls;
      b.tenants.add(Dim.TENANT.keyOf(r));
      if (r.maxBudgetPercent != null
          && (b.maxPercent == null || r.maxBudgetPercent.compareTo(b.maxPercent) > 0)) {
        b.maxPercent = r.maxBudgetPercent;
      }
    }
  }

  /** A row of a grouping the database already limited to its largest keys. */
  void addTop(Dim d, @Nullable String key, Stats cur, Stats prev) {
    String k = orNone(key);
    if (cur.calls > 0) {
      current.get(d).merge(k, cur, Analyzer::merge);
    }
    if (prev.calls > 0) {
      previous.get(d).merge(k, prev, Analyzer::merge);
    }
  }

  private static Stats merge(Stats a, Stats b) {
    a.calls += b.calls;
    a.cost = a.cost.add(b.cost);
    a.unknownCostCalls += b.unknownCostCalls;
    a.inputTokens += b.inputTokens;
    a.outputTokens += b.outputTokens;
    return a;
  }

  /** The latest budget percentage the window recorded for {@code budget}. */
  void latestBudgetPercent(@Nullable String budget, @Nullable BigDecimal percent) {
    BudgetStats b = budget == null ? null : budgets.get(budget);
    if (b != null) {
      b.lastPercent = percent;
    }
  }

  /**
   * Checks one loop candidate's calls (in time order) with a sliding window and keeps it when it
   * crossed a threshold; only the verdict is kept, so memory holds one thread at a time.
   */
  void threadDone(String thread, List<ThreadCall> calls) {
    long window = Findings.LOOP_WINDOW.toMillis();
    int bestCalls = 0;
    BigDecimal bestSpend = Money.ZERO;
    long bestStart = 0;
    BigDecimal spend = Money.ZERO;
    int lo = 0;
    for (int hi = 0; hi < calls.size(); hi++) {
      spend = spend.add(calls.get(hi).cost);
      while (calls.get(hi).at - calls.get(lo).at >= window) {
        spend = spend.subtract(calls.get(lo).cost);
        lo++;
      }
      int count = hi - lo + 1;
      if (count > bestCalls || (count == bestCalls && spend.compareTo(bestSpend) > 0)) {
        bestCalls = count;
        bestSpend = spend;
        bestStart = calls.get(lo).at;
      }
      if (spend.compareTo(bestSpend) > 0) {
        bestSpend = spend;
      }
    }
    if (bestCalls >= Findings.LOOP_CALLS || bestSpend.compareTo(Findings.LOOP_SPEND) >= 0) {
      long blocked = calls.stream().filter(c -> c.blocked).count();
      BigDecimal threadTotal = calls.stream().map(c -> c.cost).reduce(Money.ZERO, BigDecimal::add);
      loops.add(
          new Loop(
              thread,
              bestCalls,
              bestSpend,
              Instant.ofEpochMilli(bestStart),
              calls.size(),
              threadTotal,
              blocked));
    }
  }

  String currency() {
    return currencyCalls.entrySet().stream()
        .max(Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
        .map(Map.Entry::getKey)
        .orElse("USD");
  }

  ReviewResult result(Map<String, BigDecimal> planPrices) {
    return result(planPrices, null, null, null);
  }

  /** The review's result, with the forecast's, savings' and re-pricing's tables when loaded. */
  ReviewResult result(
      Map<String, BigDecimal> planPrices,
      @Nullable Forecast forecast,
      @Nullable Reprice reprice,
      @Nullable Savings savings) {
    String currency = currency();
    List<ReviewTable> tables = new ArrayList<>();
    ReviewTables t = new ReviewTables(this);
    tables.add(t.summary());
    tables.add(t.dailyByTenant());
    for (Dim d : Dim.values()) {
      tables.add(t.grouping(d));
    }
    tables.add(t.tokenCategories());
    tables.add(t.cacheByFeature());
    tables.add(t.budgetStatus());
    tables.add(t.outcomeTable());
    tables.add(t.budgetActionTable());
    if (forecast != null) {
      tables.add(forecast.table());
      tables.add(forecast.dailyTable());
    }
    if (savings != null) {
      tables.add(savings.table());
    }
    tables.add(t.priceVersionTable());
    if (reprice != null) {
      tables.addAll(reprice.tables());
    }
    List<Finding> findings = new Findings(this, currency, planPrices).all();
    tables.add(ReviewTables.findingTable(findings));
    return new ReviewResult(
        zone,
        from,
        to,
        previousFrom,
        from.minusDays(1),
        currency,
        currencyCalls.keySet(),
        total.cost,
        previousTotal.cost,
        total.calls,
        previousTotal.calls,
        rows,
        tables,
        findings,
        total.unknownCostCalls);
  }

  /** Percent change from {@code before} to {@code now}, or null when before is zero. */
  static @Nullable BigDecimal change(BigDecimal now, BigDecimal before) {
    if (before.signum() == 0) {
      return null;
    }
    return now.subtract(before).multiply(Money.HUNDRED).divide(before, 1, RoundingMode.HALF_EVEN);
  }
}
