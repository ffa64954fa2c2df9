package dev.attribution.report;

import dev.attribution.report.Analyzer.BudgetStats;
import dev.attribution.report.Analyzer.Dim;
import dev.attribution.report.ReviewTable.ColumnType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The review's own tables (summary, days, groupings, token categories, cache, budgets, outcomes,
 * budget actions, price versions, findings), built from an {@link Analyzer} once every row is in.
 * Moved out of the analyzer, which folds rows; what these build is unchanged.
 */
final class ReviewTables {
  private final LocalDate from;
  private final LocalDate to;
  private final LocalDate previousFrom;
  private final Stats total;
  private final Stats previousTotal;
  private final Map<LocalDate, Map<String, Stats>> dayTenant;
  private final Map<Dim, Map<String, Stats>> current;
  private final Map<Dim, Map<String, Stats>> previous;
  private final Map<String, BudgetStats> budgets;
  private final Map<String, Stats> outcomes;
  private final Map<String, Stats> budgetActions;
  private final Map<String, Stats> priceVersions;

  ReviewTables(Analyzer a) {
    this.from = a.from;
    this.to = a.to;
    this.previousFrom = a.previousFrom;
    this.total = a.total;
    this.previousTotal = a.previousTotal;
    this.dayTenant = a.dayTenant;
    this.current = a.current;
    this.previous = a.previous;
    this.budgets = a.budgets;
    this.outcomes = a.outcomes;
    this.budgetActions = a.budgetActions;
    this.priceVersions = a.priceVersions;
  }

  ReviewTable summary() {
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

  ReviewTable dailyByTenant() {
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

  ReviewTable grouping(Dim d) {
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
          c.knownCost() == null || p.knownCost() == null ? null : Analyzer.change(c.cost, p.cost),
          c.inputTokens,
          c.outputTokens);
    }
    return t.build();
  }

  ReviewTable tokenCategories() {
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

  ReviewTable cacheByFeature() {
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

  ReviewTable budgetStatus() {
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

  ReviewTable outcomeTable() {
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

  ReviewTable priceVersionTable() {
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

  ReviewTable budgetActionTable() {
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

  static ReviewTable findingTable(List<Finding> findings) {
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
