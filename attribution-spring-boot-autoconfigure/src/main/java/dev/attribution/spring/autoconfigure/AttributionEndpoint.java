package dev.attribution.spring.autoconfigure;

import dev.attribution.api.budget.BudgetStatus;
import dev.attribution.core.AttributionEngine;
import dev.attribution.core.EngineStats;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The {@code attribution} Actuator endpoint. {@code GET /actuator/attribution} lists every budget's
 * standing for each scope value the engine tracks (spent, limit, remaining, percent, period end,
 * the threshold reached and the last action taken) and the engine's counters; {@code GET
 * /actuator/attribution/{budget}/{scopeKey}} is what is left for one scope value, e.g. {@code
 * /actuator/attribution/tenant-monthly/tenant=acme}, with a {@code retryAfterSeconds} when nothing
 * is left. Amounts are exact decimal strings.
 */
@Endpoint(id = "attribution")
public class AttributionEndpoint {

  private final AttributionEngine engine;
  private final AttributionBudgets budgets;
  private final BudgetActivity activity;

  /**
   * Creates the endpoint.
   *
   * @param engine the engine whose budgets and counters it shows
   * @param budgets the budgets' view
   * @param activity the last action of each budget
   */
  public AttributionEndpoint(
      AttributionEngine engine, AttributionBudgets budgets, BudgetActivity activity) {
    this.engine = engine;
    this.budgets = budgets;
    this.activity = activity;
  }

  /** Every budget's standing and the engine's counters. */
  @ReadOperation
  public Map<String, Object> report() {
    List<Map<String, Object>> list = new ArrayList<>();
    for (BudgetStatus s : engine.budgetStatuses()) {
      Map<String, Object> m = figures(budgets.remaining(s));
      m.put("reserved", plain(s.reserved()));
      m.put("spentTokens", s.spentTokens());
      m.put("spentRequests", s.spentRequests());
      m.put("thresholdPercent", s.thresholdPercent() == null ? null : plain(s.thresholdPercent()));
      m.put("thresholdAction", s.thresholdAction() == null ? null : s.thresholdAction().wireName());
      BudgetActivity.LastAction last = activity.lastAction(s.budgetName(), s.scopeKey());
      m.put("lastAction", last == null ? null : last.action().wireName());
      m.put("lastActionAt", last == null ? null : last.at().toString());
      list.add(m);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("priceVersion", engine.priceVersion());
    out.put("budgets", list);
    out.put("stats", stats(engine.stats()));
    return out;
  }

  /** What is left of budget {@code budget} for {@code scopeKey}. */
  @ReadOperation
  public Map<String, Object> remaining(@Selector String budget, @Selector String scopeKey) {
    return figures(budgets.remaining(budget, scopeKey));
  }

  private static Map<String, Object> figures(AttributionBudgets.Remaining r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("budget", r.budget());
    m.put("scope", r.scopeKey());
    m.put("currency", r.currency());
    m.put("spent", plain(r.spent()));
    m.put("limit", plain(r.limit()));
    m.put("remaining", plain(r.remaining()));
    m.put("percent", plain(r.percent()));
    m.put("periodEnd", instant(r.periodEnd()));
    Duration retry = r.retryAfter();
    m.put("retryAfterSeconds", retry == null ? null : (retry.toMillis() + 999) / 1000);
    return m;
  }

  static Map<String, Object> stats(EngineStats st) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("calls", st.calls());
    m.put("blocked", st.blocked());
    m.put("internalFailures", st.internalFailures());
    m.put("parseFailures", st.parseFailures());
    m.put("unpricedCalls", st.unpricedCalls());
    m.put("budgetStoreFailures", st.budgetStoreFailures());
    Map<String, Object> sinks = new LinkedHashMap<>();
    st.recordsBySink().forEach((name, r) -> sinks.put(name, records(r)));
    m.put("sinks", sinks);
    return m;
  }

  static Map<String, Object> records(EngineStats.Records r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("queued", r.queued());
    m.put("accepted", r.accepted());
    m.put("exported", r.exported());
    m.put("failed", r.failed());
    m.put("dropped", r.dropped());
    m.put("spooled", r.spooled());
    return m;
  }

  private static String plain(BigDecimal v) {
    return v.toPlainString();
  }

  private static @Nullable String instant(@Nullable Instant i) {
    return i == null ? null : i.toString();
  }
}
