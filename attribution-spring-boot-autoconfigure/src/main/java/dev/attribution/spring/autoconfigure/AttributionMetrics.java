package dev.attribution.spring.autoconfigure;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.CostBreakdown;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import dev.attribution.api.budget.BudgetStatus;
import dev.attribution.api.budget.BudgetStatusSource;
import dev.attribution.core.AttributionEngine;
import dev.attribution.core.EngineStats;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer meters of attribution: a sink of the engine (it sees every record) and a {@link
 * MeterBinder}.
 *
 * <ul>
 *   <li>{@code attribution.requests} (counter): calls, by {@code provider}, {@code model}, {@code
 *       operation}, {@code status} and the allowed context keys;
 *   <li>{@code attribution.cost} (counter, base unit the currency): cost by the same tags less
 *       status, plus {@code currency}. Amounts are summed exactly ({@code BigDecimal}) and turned
 *       into a double only when read, so no rounding accumulates;
 *   <li>{@code attribution.tokens} (summary): tokens per call by {@code type} (input, output,
 *       cached_input, reasoning) and the cost tags;
 *   <li>{@code attribution.budget.spent}, {@code attribution.budget.limit}, {@code
 *       attribution.budget.remaining} (gauges) by {@code budget}, {@code scope}, {@code currency},
 *       for at most {@code max-values-per-key} scope values per budget;
 *   <li>{@code attribution.records} (counter) by {@code sink} and {@code outcome} (accepted,
 *       exported, failed, dropped, spooled), {@code attribution.records.queued} (gauge) by {@code
 *       sink}, {@code attribution.calls} and {@code attribution.calls.blocked} (counters), {@code
 *       attribution.failures} (counter) by {@code kind} (internal, parse, budget_store,
 *       budget_listener).
 * </ul>
 *
 * Context keys (tenant, user, feature, assistant, thread, traffic_class, tag.key) are tags only
 * when allowed ({@code attribution.metrics.context-keys}, default tenant and feature); each keeps
 * its first {@code max-values-per-key} values and folds later ones into {@code other}, so a million
 * tenants cannot become a million time series. A missing value is {@code none}.
 */
public final class AttributionMetrics implements UsageSink, MeterBinder {

  /** The tag value of folded context values: {@value}. */
  public static final String OTHER = "other";

  /** The tag value of a missing context value: {@value}. */
  public static final String NONE = "none";

  private final List<String> contextKeys;
  private final int maxValuesPerKey;
  private final Supplier<@Nullable AttributionEngine> engine;
  private final Map<String, Set<String>> admitted = new ConcurrentHashMap<>();
  private final Map<Tags, AtomicLong> requests = new ConcurrentHashMap<>();
  private final Map<Tags, ExactSum> costs = new ConcurrentHashMap<>();
  private final Map<String, Boolean> budgetGauges = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> budgetScopes = new ConcurrentHashMap<>();
  private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();
  private final Set<String> sinkMeters = ConcurrentHashMap.newKeySet();
  private volatile @Nullable BudgetStatusSource budgets;
  private volatile @Nullable AttributionEngine cachedEngine;

  /**
   * Creates the meters.
   *
   * @param settings the context keys allowed as tags and their cap
   * @param engine the engine, looked up lazily (it is built with this sink)
   */
  public AttributionMetrics(
      AttributionProperties.Metrics settings, Supplier<@Nullable AttributionEngine> engine) {
    this.contextKeys = List.copyOf(settings.contextKeys());
    this.maxValuesPerKey = Math.max(1, settings.maxValuesPerKey());
    this.engine = engine;
  }

  @Override
  public String name() {
    return "micrometer";
  }

  @Override
  public void bindBudgetStatuses(BudgetStatusSource source) {
    this.budgets = source;
  }

  @Override
  public synchronized void bindTo(MeterRegistry registry) {
    registries.add(registry);
    requests.forEach((tags, n) -> registerRequests(registry, tags, n));
    costs.forEach((tags, sum) -> registerCost(registry, tags, sum));
    engineCounter(
        registry, "attribution.calls", "LLM calls begun", Tags.empty(), EngineStats::calls);
    engineCounter(
        registry,
        "attribution.calls.blocked",
        "calls blocked by a budget or the loop guard",
        Tags.empty(),
        EngineStats::blocked);
    engineCounter(
        registry,
        "attribution.failures",
        null,
        Tags.of("kind", "internal"),
        EngineStats::internalFailures);
    engineCounter(
        registry,
        "attribution.failures",
        null,
        Tags.of("kind", "parse"),
        EngineStats::parseFailures);
    engineCounter(
        registry,
        "attribution.failures",
        null,
        Tags.of("kind", "budget_store"),
        EngineStats::budgetStoreFailures);
    engineCounter(
        registry,
        "attribution.failures",
        null,
        Tags.of("kind", "budget_listener"),
        EngineStats::budgetListenerFailures);
    sinkMeters.clear();
  }

  @Override
  public void export(List<UsageRecord> batch) {
    for (UsageRecord r : batch) {
      Tags base =
          Tags.of(
              Tag.of("provider", orUnknown(r.provider())),
              Tag.of("model", model(r)),
              Tag.of("operation", orUnknown(r.operation())));
      Tags context = contextTags(r.context());
      Tags req = base.and("status", r.status().wireName()).and(context);
      requests
          .computeIfAbsent(
              req,
              t -> {
                AtomicLong n = new AtomicLong();
                registries.forEach(reg -> registerRequests(reg, t, n));
                return n;
              })
          .incrementAndGet();
      CostBreakdown cost = r.cost();
      if (cost != null) {
        Tags c = base.and("currency", cost.currency()).and(context);
        costs
            .computeIfAbsent(
                c,
                t -> {
                  ExactSum s = new ExactSum();
                  registries.forEach(reg -> registerCost(reg, t, s));
                  return s;
                })
            .add(cost.total());
      }
      Tags tokenTags = base.and(context);
      tokens(tokenTags, "input", r.usage().inputTokens());
      tokens(tokenTags, "output", r.usage().outputTokens());
      tokens(tokenTags, "cached_input", r.usage().cachedInputTokens());
      tokens(tokenTags, "reasoning", r.usage().reasoningTokens());
    }
    registerBudgetGauges();
    registerSinkMeters();
  }

  private void tokens(Tags tags, String type, long n) {
    if (n <= 0) {
      return;
    }
    for (MeterRegistry reg : registries) {
      DistributionSummary.builder("attribution.tokens")
          .description("tokens per call")
          .baseUnit("tokens")
          .tags(tags)
          .tag("type", type)
          .register(reg)
          .record(n);
    }
  }

  private static String model(UsageRecord r) {
    String m = r.effectiveModel();
    return orUnknown(m == null ? r.requestedModel() : m);
  }

  /** A meter needs the same tag keys on every point, so an unknown (null) value is tagged so. */
  private static String orUnknown(@Nullable String value) {
    return value == null ? "unknown" : value;
  }

  private Tags contextTags(AttributionContext c) {
    List<Tag> tags = new ArrayList<>(contextKeys.size());
    for (String key : contextKeys) {
      String v = value(c, key);
      tags.add(Tag.of(key, v == null ? NONE : admit(key, v)));
    }
    return Tags.of(tags);
  }

  private String admit(String key, String value) {
    Set<String> seen = admitted.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet());
    if (seen.contains(value)) {
      return value;
    }
    synchronized (seen) {
      if (seen.size() < maxValuesPerKey) {
        seen.add(value);
        return value;
      }
    }
    return seen.contains(value) ? value : OTHER;
  }

  private static @Nullable String value(AttributionContext c, String key) {
    switch (key) {
      case "tenant":
        return c.tenantId();
      case "user":
        return c.userId();
      case "feature":
        return c.feature();
      case "assistant":
        return c.assistantId();
      case "thread":
        return c.threadId();
      case "traffic_class":
        return c.trafficClass();
      default:
        return key.startsWith("tag.") ? c.tags().get(key.substring(4)) : null;
    }
  }

  private static void registerRequests(MeterRegistry reg, Tags tags, AtomicLong n) {
    FunctionCounter.builder("attribution.requests", n, AtomicLong::doubleValue)
        .description("LLM calls recorded")
        .tags(tags)
        .register(reg);
  }

  private static void registerCost(MeterRegistry reg, Tags tags, ExactSum sum) {
    String currency = "";
    for (Tag t : tags) {
      if (t.getKey().equals("currency")) {
        currency = t.getValue();
      }
    }
    FunctionCounter.builder("attribution.cost", sum, ExactSum::doubleValue)
        .description("cost of LLM calls, summed exactly")
        .baseUnit(currency)
        .tags(tags)
        .register(reg);
  }

  private void engineCounter(
      MeterRegistry reg,
      String name,
      @Nullable String description,
      Tags tags,
      ToDoubleFunction<EngineStats> f) {
    FunctionCounter.builder(name, this, m -> m.stat(f))
        .description(description)
        .tags(tags)
        .register(reg);
  }

  /** The engine, once it exists; {@code null} before it is built or while the context closes. */
  private @Nullable AttributionEngine engine() {
    AttributionEngine e = cachedEngine;
    if (e == null) {
      try {
        e = engine.get();
      } catch (RuntimeException notNow) {
        return null;
      }
      cachedEngine = e;
    }
    return e;
  }

  private double stat(ToDoubleFunction<EngineStats> f) {
    AttributionEngine e = engine();
    return e == null ? 0 : f.applyAsDouble(e.stats());
  }

  /** Per-sink pipeline meters, once the engine (and so its sinks' names) exists. */
  private void registerSinkMeters() {
    AttributionEngine e = engine();
    if (e == null || registries.isEmpty()) {
      return;
    }
    for (String sink : e.stats().recordsBySink().keySet()) {
      if (!sinkMeters.add(sink)) {
        continue;
      }
      for (MeterRegistry reg : registries) {
        sinkCounter(reg, sink, "accepted", EngineStats.Records::accepted);
        sinkCounter(reg, sink, "exported", EngineStats.Records::exported);
        sinkCounter(reg, sink, "failed", EngineStats.Records::failed);
        sinkCounter(reg, sink, "dropped", EngineStats.Records::dropped);
        sinkCounter(reg, sink, "spooled", EngineStats.Records::spooled);
        Gauge.builder("attribution.records.queued", this, m -> m.sinkStat(sink, r -> r.queued()))
            .description("records waiting for the sink")
            .tag("sink", sink)
            .register(reg);
      }
    }
  }

  private void sinkCounter(
      MeterRegistry reg, String sink, String outcome, ToDoubleFunction<EngineStats.Records> f) {
    FunctionCounter.builder("attribution.records", this, m -> m.sinkStat(sink, f))
        .description("usage records on their way to sinks")
        .tags("sink", sink, "outcome", outcome)
        .register(reg);
  }

  private double sinkStat(String sink, ToDoubleFunction<EngineStats.Records> f) {
    AttributionEngine e = engine();
    if (e == null) {
      return 0;
    }
    EngineStats.Records r = e.stats().recordsBySink().get(sink);
    return r == null ? 0 : f.applyAsDouble(r);
  }

  /** Gauges for budget scope values not seen before, at most the cap per budget. */
  private void registerBudgetGauges() {
    BudgetStatusSource source = budgets;
    if (source == null || registries.isEmpty()) {
      return;
    }
    for (BudgetStatus s : source.budgetStatuses()) {
      String id = s.budgetName() + '\u0000' + s.scopeKey();
      if (budgetGauges.containsKey(id)) {
        continue;
      }
      Set<String> scopes =
          budgetScopes.computeIfAbsent(s.budgetName(), k -> ConcurrentHashMap.newKeySet());
      if (scopes.size() >= maxValuesPerKey) {
        continue;
      }
      scopes.add(s.scopeKey());
      budgetGauges.put(id, Boolean.TRUE);
      Tags tags =
          Tags.of("budget", s.budgetName(), "scope", s.scopeKey(), "currency", s.currency());
      for (MeterRegistry reg : registries) {
        budgetGauge(reg, "attribution.budget.spent", tags, s, BudgetStatus::spent);
        budgetGauge(reg, "attribution.budget.limit", tags, s, BudgetStatus::limit);
        budgetGauge(reg, "attribution.budget.remaining", tags, s, BudgetStatus::remaining);
      }
    }
  }

  private void budgetGauge(
      MeterRegistry reg,
      String name,
      Tags tags,
      BudgetStatus first,
      Function<BudgetStatus, BigDecimal> f) {
    String budget = first.budgetName();
    String scope = first.scopeKey();
    Gauge.builder(name, this, m -> m.budgetValue(budget, scope, f))
        .baseUnit(first.currency())
        .tags(tags)
        .register(reg);
  }

  // A gauge's value is a double by Micrometer's API: the budget's exact amount is converted here,
  // when a registry reads it, and never summed or stored as a double.
  private double budgetValue(String budget, String scope, Function<BudgetStatus, BigDecimal> f) {
    BudgetStatusSource source = budgets;
    if (source == null) {
      return Double.NaN;
    }
    for (BudgetStatus s : source.budgetStatuses()) {
      if (s.budgetName().equals(budget) && s.scopeKey().equals(scope)) {
        return f.apply(s).doubleValue();
      }
    }
    return Double.NaN;
  }

  /** Money summed exactly; a double only when a registry reads it. */
  private static final class ExactSum {
    private BigDecimal total = BigDecimal.ZERO;

    synchronized void add(BigDecimal amount) {
      total = total.add(amount);
    }

    synchronized double doubleValue() {
      return total.doubleValue();
    }
  }

  /** Distinct context values admitted so far, per key (for tests and diagnostics). */
  Map<String, Set<String>> admittedValues() {
    Map<String, Set<String>> out = new java.util.LinkedHashMap<>();
    admitted.forEach((k, v) -> out.put(k, new HashSet<>(v)));
    return out;
  }
}
