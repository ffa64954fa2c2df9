package dev.attribution.report;

import dev.attribution.report.ReviewTable.ColumnType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
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
    THREAD("by_thread", "Spend by thread", "thread", r -> r.thread),
    USER("by_user", "Spend by user", "user", r -> r.user);

    final String table;
    final String title;
    final String column;
    final Function<Row, @Nullable String> key;

    Dim(String table, String title, String column, Function<Row, @Nullable String> key) {
      this.table = table;
      this.title = title;
      this.column = column;
      this.key = key;
    }

    String keyOf(Row r) {
      String k = key.apply(r);
      return k == null || k.isEmpty() ? NONE : k;
    }
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
    @Nullable BigDecimal maxPercent;
    @Nullable BigDecimal lastPercent;
    Instant lastAt = Instant.MIN;
    final Set<String> tenants = new LinkedHashSet<>();
  }

  final LocalDate from;
  final LocalDate to;
  final LocalDate previousFrom;
  final Instant currentStart;
  final Instant end;
  final Instant previousStart;
  final int days;

  final Stats total = new Stats();
  final Stats previousTotal = new Stats();
  final Map<Dim, Map<String, Stats>> current = new HashMap<>();
  final Map<Dim, Map<String, Stats>> previous = new HashMap<>();

  /** Day to tenant to stats, over both windows. */
  final Map<LocalDate, Map<String, Stats>> dayTenant = new TreeMap<>();

  /** feature + model in the current window. */
  final Map<List<String>, Stats> featureModel = new HashMap<>();

  final Map<String, List<ThreadCall>> threadCalls = new HashMap<>();
  final Map<String, BudgetStats> budgets = new TreeMap<>();
  final Map<String, Stats> outcomes = new TreeMap<>();
  final Map<String, Stats> unpriced = new TreeMap<>();
  final Map<String, Stats> unpricedByTenant = new TreeMap<>();
  final Map<String, Long> currencyCalls = new HashMap<>();
  long rows;

  Analyzer(LocalDate from, LocalDate to) {
    this.from = from;
    this.to = to;
    this.days = (int) ChronoUnit.DAYS.between(from, to) + 1;
    this.previousFrom = from.minusDays(days);
    this.currentStart = from.atStartOfDay(ZoneOffset.UTC).toInstant();
    this.end = to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    this.previousStart = previousFrom.atStartOfDay(ZoneOffset.UTC).toInstant();
    for (Dim d : Dim.values()) {
      current.put(d, new HashMap<>());
      previous.put(d, new HashMap<>());
    }
  }

  void add(Row r) {
    rows++;
    boolean isCurrent = !r.startedAt.isBefore(currentStart);
    LocalDate day = LocalDate.ofInstant(r.startedAt, ZoneOffset.UTC);
    dayTenant
        .computeIfAbsent(day, k -> new HashMap<>())
        .computeIfAbsent(Dim.TENANT.keyOf(r), k -> new Stats())
        .add(r);
    Map<Dim, Map<String, Stats>> groups = isCurrent ? current : previous;
    for (Dim d : Dim.values()) {
      groups.get(d).computeIfAbsent(d.keyOf(r), k -> new Stats()).add(r);
    }
    if (!isCurrent) {
      previousTotal.add(r);
      return;
    }
    total.add(r);
    currencyCalls.merge(r.currency, 1L, Long::sum);
    if ("ok".equals(r.status)) { // per-call ratios only mean something for answered calls
      featureModel
          .computeIfAbsent(List.of(Dim.FEATURE.keyOf(r), Dim.MODEL.keyOf(r)), k -> new Stats())
          .add(r);
    }
    if (r.thread != null && !r.thread.isEmpty()) {
      threadCalls
          .computeIfAbsent(r.thread, k -> new ArrayList<>())
          .add(
              new ThreadCall(
                  r.startedAt.toEpochMilli(),
                  r.costTotal,
                  "blocked".equals(r.status) || "block".equals(r.budgetAction)));
    }
    outcomes.computeIfAbsent("status: " + r.status, k -> new Stats()).add(r);
    if (!"none".equals(r.budgetAction) && !r.budgetAction.isEmpty()) {
      outcomes.computeIfAbsent("budget: " + r.budgetAction, k -> new Stats()).add(r);
    }
    if (r.budgetName != null && !r.budgetName.isEmpty()) {
      BudgetStats b = budgets.computeIfAbsent(r.budgetName, k -> new BudgetStats());
      b.actions.merge(r.budgetAction, 1L, Long::sum);
      b.cost = b.cost.add(r.costTotal);
      b.tenants.add(Dim.TENANT.keyOf(r));
      if (r.budgetPercent != null) {
        if (b.maxPercent == null || r.budgetPercent.compareTo(b.maxPercent) > 0) {
          b.maxPercent = r.budgetPercent;
        }
        if (!r.startedAt.isBefore(b.lastAt)) {
          b.lastAt = r.startedAt;
          b.lastPercent = r.budgetPercent;
        }
      }
    }
    if ("unpriced".equals(r.costSource)) {
      unpriced.computeIfAbsent(Dim.MODEL.keyOf(r), k -> new Stats()).add(r);
      unpricedByTenant.computeIfAbsent(Dim.TENANT.keyOf(r), k -> new Stats()).add(r);
    }
  }

  String currency() {
    return currencyCalls.entrySet().stream()
        .max(Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
        .map(Map.Entry::getKey)
        .orElse("USD");
  }

  ReviewResult result(Map<String, BigDecimal> planPrices) {
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
    List<Finding> findings = new Findings(this, currency, planPrices).all();
    tables.add(findingTable(findings));
    return new ReviewResult(
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
        t.row(d.toString(), e.getKey(), e.getValue().calls, e.getValue().cost);
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
          c.cost,
          Money.percent(c.cost, total.cost),
          p.cost,
          change(c.cost, p.cost),
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
          b.cost,
          String.join(" ", b.tenants));
    }
    return t.build();
  }

  private static @Nullable BigDecimal pct(@Nullable BigDecimal v) {
    return v == null ? null : v.setScale(1, RoundingMode.HALF_EVEN);
  }

  private ReviewTable outcomeTable() {
    ReviewTable.Builder t =
        ReviewTable.builder("outcomes", "Blocked, downgraded and failed calls")
            .column("outcome", ColumnType.TEXT)
            .column("calls", ColumnType.COUNT)
            .column("share_pct", ColumnType.PERCENT)
            .column("cost", ColumnType.MONEY);
    for (Map.Entry<String, Stats> e : outcomes.entrySet()) {
      t.row(
          e.getKey(),
          e.getValue().calls,
          Money.percent(e.getValue().calls, total.calls),
          e.getValue().cost);
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
