package dev.attribution.report;

import dev.attribution.report.ReviewTable.ColumnType;
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
    tables.add(summary());
    tables.add(dailyByTenant());
    for (Dim d : Dim.values()) {
      tables.add(grouping(d));
    }
    tables.add(tokenCategories());
    tables.add(cacheByFeature());
    tables.add(budgetStatus());
    tables.add(outcomeTable());
    tables.add(budgetActionTable());
    if (forecast != null) {
      tables.add(forecast.table());
      tables.add(forecast.dailyTable());
    }
    if (savings != null) {
      tables.add(savings.table());
    }
    tables.add(priceVersionTable());
    if (reprice != null) {
      tables.addAll(reprice.tables());
    }
    List<Finding> findings = new Findings(this, currency, planPrices).all();
    tables.add(findingTable(findings));
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

  private ReviewTable summary() {
    ReviewTable.Builder t =
        ReviewTable.builder("summary", "Summary")
            .column("window", ColumnType.TEXT)
            .column("from", ColumnType.TEXT)
            .column("to", ColumnType.TEXT)
            .column("calls", ColumnType.COUNT)
            .column("cost", ColumnType.MONEY)
            .column("failed", ColumnType.COUNT)
            .column("blocked", ColumnType.COUNT)
            .column("downgraded", ColumnType.COUNT)
            .column("cost_unknown_calls", ColumnType.COUNT);
    t.row(
        "current",
        from.toString(),
        to.toString(),
        total.calls,
        total.cost,
        total.failed,
        total.blocked,
        total.downgraded,
        total.unknownCostCalls);
    t.row(
        "previous",
        previousFrom.toString(),
        from.minusDays(1).toString(),
        previousTotal.calls,
        previousTotal.cost,
        previousTotal.failed,
        previousTotal.blocked,
        previousTotal.downgraded,
        previousTotal.unknownCostCalls);
    return t.build();
  }

  private ReviewTable dailyByTenant() {
    ReviewTable.Builder t =
        ReviewTable.builder("daily_by_tenant", "Spend by day, by tenant")
            .column("day", ColumnType.TEXT)
            .column("tenant", ColumnType.TEXT)
            .column("calls", ColumnType.COUNT)
            .column("cost", ColumnType.MONEY);
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      Map<String, Stats> byTenant = dayTenant.getOrDefault(d, Map.of());
      for (Map.Entry<String, Stats> e : sortedByCost(byTenant)) {
        t.row(d.toString(), e.getKey(), e.getValue().calls, e.getValue().knownCost());
      }
    }
    return t.build();
  }

  static List<Map.Entry<String, Stats>> sortedByCost(Map<String, Stats> m) {
    List<Map.Entry<String, Stats>> l = new ArrayList<>(m.entrySet());
    l.sort(
        Comparator.comparing((Map.Entry<String, Stats> e) -> e.getValue().cost)
            .reversed()
            .thenComparing(Map.Entry::getKey));
    return l;
  }

  private ReviewTable grouping(Dim d) {
    ReviewTable.Builder t =
        ReviewTable.builder(d.table, d.title)
            .column(d.column, ColumnType.TEXT)
            .column("calls", ColumnType.COUNT)
            .column("cost", ColumnType.MONEY)
            .column("share_pct", ColumnType.PERCENT)
            .column("previous_cost", ColumnType.MONEY)
            .column("change_pct", ColumnType.PERCENT)
            .column("input_tokens", ColumnType.COUNT)
            .column("output_tokens", ColumnType.COUNT);
    Map<String, Stats> cur = current.get(d);
    Map<String, Stats> prev = previous.get(d);
    Set<String> keys = new LinkedHashSet<>(cur.keySet());
    keys.addAll(prev.keySet());
    List<String> sorted = new ArrayList<>(keys);
    Stats empty = new Stats();
    sorted.sort(
        Comparator.comparing((String k) -> cur.getOrDefault(k, empty).cost)
            .thenComparing(k -> prev.getOrDefault(k, empty).cost)
            .reversed()
            .thenComparing(Comparator.naturalOrder()));
    for (String k : sorted) {
      Stats c = cur.getOrDefault(k, empty);
      Stats p = prev.getOrDefault(k, empty);
      t.row(
          k,
          c.calls,
          c.knownCost(),
          Money.percent(c.cost, total.cost),
          p.knownCost(),
          c.knownCost() == null || p.knownCost() == null ? null : change(c.cost, p.cost),
          c.inputTokens,
          c.outputTokens);
    }
    return t.build();
  }

  private ReviewTable tokenCategories() {
    ReviewTable.Builder t =
        ReviewTable.builder("token_categories", "Cost by token category")
            .column("category", ColumnType.TEXT)
            .column("tokens", ColumnType.COUNT)
            .column("cost", ColumnType.MONEY)
            .column("share_pct", ColumnType.PERCENT);
    Stats s = total;
    t.row("input", s.uncachedInputTokens(), s.costInput, Money.percent(s.costInput, s.cost));
    t.row("cached", s.cachedTokens, s.costCached, Money.percent(s.costCached, s.cost));
    t.row(
        "cache_write",
        s.cacheWriteTokens,
        s.costCacheWrite,
        Money.percent(s.costCacheWrite, s.cost));
    t.row("output", s.visibleOutputTokens(), s.costOutput, Money.percent(s.costOutput, s.cost));
    t.row("reasoning", s.reasoningTokens, s.costReasoning, Money.percent(s.costReasoning, s.cost));
    if (s.costTools.signum() != 0) {
      t.row("tools", 0L, s.costTools, Money.percent(s.costTools, s.cost));
    }
    if (s.costOther.signum() != 0) {
      t.row("other", 0L, s.costOther, Money.percent(s.costOther, s.cost));
    }
    return t.build();
  }

  private ReviewTable cacheByFeature() {
    ReviewTable.Builder t =
        ReviewTable.builder("cache_by_feature", "Prompt cache hit ratio by feature")
            .column("feature", ColumnType.TEXT)
            .column("calls", ColumnType.COUNT)
            .column("input_tokens", ColumnType.COUNT)
            .column("cached_tokens", ColumnType.COUNT)
            .column("cache_write_tokens", ColumnType.COUNT)
            .column("hit_ratio_pct", ColumnType.PERCENT)
            .column("input_cost", ColumnType.MONEY);
    for (Map.Entry<String, Stats> e : sortedByCost(current.get(Dim.FEATURE))) {
      Stats s = e.getValue();
      t.row(
          e.getKey(),
          s.calls,
          s.inputTokens,
          s.cachedTokens,
          s.cacheWriteTokens,
          Money.percent(s.cachedTokens, s.inputTokens),
          s.costInput.add(s.costCached).add(s.costCacheWrite));
    }
    return t.build();
  }

  private ReviewTable budgetStatus() {
    ReviewTable.Builder t =
        ReviewTable.builder("budgets", "Budget status")
            .column("budget", ColumnType.TEXT)
            .column("status", ColumnType.TEXT)
            .column("last_pct", ColumnType.PERCENT)
            .column("max_pct", ColumnType.PERCENT)
            .column("notify", ColumnType.COUNT)
            .column("downgrade", ColumnType.COUNT)
            .column("reroute", ColumnType.COUNT)
            .column("block", ColumnType.COUNT)
            .column("cost", ColumnType.MONEY)
            .column("tenants", ColumnType.TEXT);
    for (Map.Entry<String, BudgetStats> e : budgets.entrySet()) {
      BudgetStats b = e.getValue();
      long notify = b.actions.getOrDefault("notify", 0L);
      long downgrade = b.actions.getOrDefault("downgrade", 0L);
      long reroute = b.actions.getOrDefault("reroute", 0L);
      long block = b.actions.getOrDefault("block", 0L);
      String status =
          block > 0
              ? "blocked"
              : downgrade > 0
                  ? "downgrading"
                  : reroute > 0 ? "rerouting" : notify > 0 ? "warned" : "ok";
      t.row(
          e.getKey(),
          status,
          pct(b.lastPercent),
          pct(b.maxPercent),
          notify,
          downgrade,
          reroute,
          block,
          b.calls > 0 && b.unknownCostCalls == b.calls ? null : b.cost,
          String.join(" ", b.tenants));
    }
    return t.build();
  }

  private static @Nullable BigDecimal pct(@Nullable BigDecimal v) {
    return v == null ? null : v.setScale(1, RoundingMode.HALF_EVEN);
  }

  /** What each call status means to a reader, in report order. */
  static final Map<String, String> OUTCOME_LABELS =
      orderedMap(
          "ok", "answered",
          "upstream_error", "failed: the provider returned an error",
          "failed", "failed: network or client error",
          "cancelled", "cancelled by the application or its user (not a failure)",
          "blocked", "not sent: blocked before reaching the provider");

  /** What each budget action counts, in report order. */
  static final Map<String, String> ACTION_LABELS =
      orderedMap(
          "notify", "calls admitted after their budget crossed its notify threshold",
          "downgrade", "calls sent to a cheaper model because of their budget",
          "reroute", "calls rerouted to another provider because of their budget",
          "block", "calls refused because their budget was exhausted");

  private static Map<String, String> orderedMap(String... kv) {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return java.util.Collections.unmodifiableMap(m);
  }

  private static List<String> ordered(Set<String> keys, Map<String, String> labels) {
    List<String> l = new ArrayList<>();
    for (String k : labels.keySet()) {
      if (keys.contains(k)) {
        l.add(k);
      }
    }
    for (String k : keys) {
      if (!labels.containsKey(k)) {
        l.add(k);
      }
    }
    return l;
  }

  private ReviewTable outcomeTable() {
    ReviewTable.Builder t =
        ReviewTable.builder("outcomes", "Call outcomes")
            .column("status", ColumnType.TEXT)
            .column("meaning", ColumnType.TEXT)
            .column("calls", ColumnType.COUNT)
            .column("share_pct", ColumnType.PERCENT)
            .column("cost", ColumnType.MONEY);
    for (String k : ordered(outcomes.keySet(), OUTCOME_LABELS)) {
      Stats s = outcomes.get(k);
      t.row(
          k,
          OUTCOME_LABELS.getOrDefault(k, k),
          s.calls,
          Money.percent(s.calls, total.calls),
          s.knownCost());
    }
    return t.build();
  }

  private ReviewTable priceVersionTable() {
    ReviewTable.Builder t =
        ReviewTable.builder("price_versions", "Price versions the window's calls were priced with")
            .column("price_version", ColumnType.TEXT)
            .column("calls", ColumnType.COUNT)
            .column("share_pct", ColumnType.PERCENT)
            .column("cost", ColumnType.MONEY);
    for (Map.Entry<String, Stats> e : sortedByCost(priceVersions)) {
      Stats s = e.getValue();
      t.row(e.getKey(), s.calls, Money.percent(s.calls, total.calls), s.knownCost());
    }
    return t.build();
  }

  private ReviewTable budgetActionTable() {
    ReviewTable.Builder t =
        ReviewTable.builder("budget_actions", "Budget actions")
            .column("action", ColumnType.TEXT)
            .column("what_is_counted", ColumnType.TEXT)
            .column("calls", ColumnType.COUNT)
            .column("share_pct", ColumnType.PERCENT)
            .column("cost", ColumnType.MONEY);
    for (String k : ordered(budgetActions.keySet(), ACTION_LABELS)) {
      Stats s = budgetActions.get(k);
      t.row(
          k,
          ACTION_LABELS.getOrDefault(k, "calls with budget action " + k),
          s.calls,
          Money.percent(s.calls, total.calls),
          s.knownCost());
    }
    return t.build();
  }

  private static ReviewTable findingTable(List<Finding> findings) {
    ReviewTable.Builder t =
        ReviewTable.builder("findings", "Findings")
            .column("kind", ColumnType.TEXT)
            .column("subject", ColumnType.TEXT)
            .column("amount", ColumnType.MONEY)
            .column("summary", ColumnType.TEXT)
            .column("numbers", ColumnType.TEXT);
    for (Finding f : findings) {
      StringBuilder n = new StringBuilder();
      f.numbers()
          .forEach(
              (k, v) -> {
                if (n.length() > 0) {
                  n.append("; ");
                }
                n.append(k).append('=').append(v);
              });
      t.row(
          f.kind().name().toLowerCase(java.util.Locale.ROOT),
          f.subject(),
          f.amount(),
          f.summary(),
          n.toString());
    }
    return t.build();
  }
}
