package dev.attribution.report;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The playbook's checks over an {@link Analyzer}'s sums. Thresholds are deliberately simple and
 * documented in the README; each finding carries the numbers it was decided on.
 */
final class Findings {

  /** A day (or a tenant's day) is a spike at this multiple of the median of the other days. */
  static final BigDecimal SPIKE_FACTOR = new BigDecimal("2.5");

  /** Days with spend needed besides the candidate before a median counts as "usual". */
  static final int SPIKE_MIN_OTHER_DAYS = 3;

  /** A tenant's spike day must exceed its usual day by this share of the window's spend (%). */
  static final BigDecimal TENANT_SPIKE_MIN_SHARE = new BigDecimal("2");

  /** A tenant's week is a spike at this multiple of its previous week... */
  static final BigDecimal TENANT_GROWTH_FACTOR = new BigDecimal("2");

  /** ...when the increase is at least this share of the window's spend (percent). */
  static final BigDecimal TENANT_GROWTH_MIN_SHARE = new BigDecimal("5");

  /** The sliding window of the loop check. */
  static final Duration LOOP_WINDOW = Duration.ofMinutes(10);

  /** Calls of one thread within {@link #LOOP_WINDOW} that count as a loop. */
  static final int LOOP_CALLS = 20;

  /** Spend of one thread within {@link #LOOP_WINDOW} that counts as a loop. */
  static final BigDecimal LOOP_SPEND = new BigDecimal("5");

  /** Calls a feature and model need before per-call ratios are judged. */
  static final int MIN_CALLS = 5;

  /** Output tokens per input token that count as a high ratio. */
  static final BigDecimal HIGH_OUTPUT_RATIO = new BigDecimal("4");

  /** Average input tokens per call that count as large context. */
  static final long LARGE_INPUT_TOKENS = 1024;

  /** Cached share of input (percent) below which large context counts as uncached. */
  static final BigDecimal LOW_CACHED_SHARE = new BigDecimal("20");

  /** Average output tokens per call that count as a short, classification-like answer. */
  static final long SHORT_OUTPUT_TOKENS = 16;

  /** Price per million uncached input tokens from which a model counts as expensive. */
  static final BigDecimal EXPENSIVE_INPUT_PER_MILLION = new BigDecimal("2");

  /** Plan prices in a plan-price file are per this many days, prorated to the window. */
  static final int PLAN_PERIOD_DAYS = 30;

  private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

  private final Analyzer a;
  private final String currency;
  private final Map<String, BigDecimal> planPrices;

  Findings(Analyzer a, String currency, Map<String, BigDecimal> planPrices) {
    this.a = a;
    this.currency = currency;
    this.planPrices = planPrices;
  }

  List<Finding> all() {
    List<Finding> out = new ArrayList<>();
    out.addAll(ranked(daySpikes()));
    out.addAll(ranked(tenantSpikes()));
    out.addAll(ranked(loopingThreads()));
    out.addAll(ranked(highOutputRatio()));
    out.addAll(ranked(uncachedContext()));
    out.addAll(ranked(expensiveShortOutputs()));
    out.addAll(ranked(tenantsOverPlan()));
    out.addAll(ranked(unpricedModels()));
    return out;
  }

  private static List<Finding> ranked(List<Finding> l) {
    l.sort(Comparator.comparing(Finding::amount).reversed().thenComparing(Finding::subject));
    return l;
  }

  private String money(BigDecimal v) {
    return Money.display(v, currency);
  }

  private static String n(long v) {
    return String.format(java.util.Locale.ROOT, "%,d", v);
  }

  /** Days of both windows, with the spend of {@code tenant} (or everyone, when null). */
  private Map<LocalDate, BigDecimal> daily(@Nullable String tenant) {
    Map<LocalDate, BigDecimal> m = new LinkedHashMap<>();
    for (LocalDate d = a.previousFrom; !d.isAfter(a.to); d = d.plusDays(1)) {
      BigDecimal sum = Money.ZERO;
      for (Map.Entry<String, Stats> e : a.dayTenant.getOrDefault(d, Map.of()).entrySet()) {
        if (tenant == null || tenant.equals(e.getKey())) {
          sum = sum.add(e.getValue().cost);
        }
      }
      m.put(d, sum);
    }
    return m;
  }

  private static BigDecimal median(List<BigDecimal> values) {
    List<BigDecimal> s = new ArrayList<>(values);
    s.sort(Comparator.naturalOrder());
    int n = s.size();
    if (n % 2 == 1) {
      return s.get(n / 2);
    }
    return s.get(n / 2 - 1)
        .add(s.get(n / 2))
        .divide(BigDecimal.valueOf(2), Money.SCALE, RoundingMode.HALF_EVEN);
  }

  private List<Finding> spikesIn(
      Map<LocalDate, BigDecimal> daily, String who, BigDecimal minShare) {
    List<Finding> out = new ArrayList<>();
    for (Map.Entry<LocalDate, BigDecimal> day : daily.entrySet()) {
      if (day.getKey().isBefore(a.from) || day.getValue().signum() <= 0) {
        continue;
      }
      List<BigDecimal> others = new ArrayList<>();
      for (Map.Entry<LocalDate, BigDecimal> o : daily.entrySet()) {
        if (!o.getKey().equals(day.getKey()) && o.getValue().signum() > 0) {
          others.add(o.getValue());
        }
      }
      if (others.size() < SPIKE_MIN_OTHER_DAYS) {
        continue;
      }
      BigDecimal usual = median(others);
      boolean large =
          minShare.signum() == 0
              || Money.percent(day.getValue().subtract(usual), a.total.cost).compareTo(minShare)
                  >= 0;
      if (large && day.getValue().compareTo(usual.multiply(SPIKE_FACTOR)) >= 0) {
        BigDecimal factor = day.getValue().divide(usual, 1, RoundingMode.HALF_EVEN);
        Map<String, String> nums = new LinkedHashMap<>();
        nums.put("day", day.getKey().toString());
        nums.put("spend", money(day.getValue()));
        nums.put("usual day (median of " + others.size() + " days with spend)", money(usual));
        nums.put("factor", factor.toPlainString() + "x");
        out.add(
            new Finding(
                FindingKind.COST_SPIKE,
                who + " on " + day.getKey(),
                Character.toUpperCase(who.charAt(0))
                    + who.substring(1)
                    + " spent "
                    + factor.toPlainString()
                    + "x a usual day on "
                    + day.getKey()
                    + "; look at what changed that day (a release, a loop, a new customer).",
                day.getValue().subtract(usual),
                nums));
      }
    }
    return out;
  }

  private List<Finding> daySpikes() {
    List<Finding> out = spikesIn(daily(null), "all tenants", BigDecimal.ZERO);
    for (String tenant : a.current.get(Analyzer.Dim.TENANT).keySet()) {
      out.addAll(spikesIn(daily(tenant), "tenant " + tenant, TENANT_SPIKE_MIN_SHARE));
    }
    return out;
  }

  private List<Finding> tenantSpikes() {
    List<Finding> out = new ArrayList<>();
    Map<String, Stats> prev = a.previous.get(Analyzer.Dim.TENANT);
    for (Map.Entry<String, Stats> e : a.current.get(Analyzer.Dim.TENANT).entrySet()) {
      Stats p = prev.get(e.getKey());
      BigDecimal now = e.getValue().cost;
      if (p == null || p.cost.signum() <= 0) {
        continue;
      }
      BigDecimal increase = now.subtract(p.cost);
      if (now.compareTo(p.cost.multiply(TENANT_GROWTH_FACTOR)) >= 0
          && Money.percent(increase, a.total.cost).compareTo(TENANT_GROWTH_MIN_SHARE) >= 0) {
        Map<String, String> nums = new LinkedHashMap<>();
        nums.put("this window", money(now));
        nums.put("previous window", money(p.cost));
        nums.put("change", "+" + Analyzer.change(now, p.cost) + "%");
        nums.put("calls", n(e.getValue().calls) + " (was " + n(p.calls) + ")");
        out.add(
            new Finding(
                FindingKind.COST_SPIKE,
                "tenant " + e.getKey(),
                "Tenant "
                    + e.getKey()
                    + " spent "
                    + now.divide(p.cost, 1, RoundingMode.HALF_EVEN).toPlainString()
                    + "x its previous window.",
                increase,
                nums));
      }
    }
    return out;
  }

  private List<Finding> loopingThreads() {
    List<Finding> out = new ArrayList<>();
    for (Analyzer.Loop l : a.loops) {
      Map<String, String> nums = new LinkedHashMap<>();
      nums.put("most calls in " + LOOP_WINDOW.toMinutes() + " min", n(l.bestCalls));
      nums.put("most spend in " + LOOP_WINDOW.toMinutes() + " min", money(l.bestSpend));
      nums.put("starting", Times.minute(l.bestStart, a.zone));
      nums.put("calls in window", n(l.calls));
      nums.put("thread spend", money(l.spend));
      nums.put("blocked calls", n(l.blocked));
      out.add(
          new Finding(
              FindingKind.LOOPING_THREAD,
              "thread " + l.thread,
              "Thread "
                  + l.thread
                  + " made "
                  + Plural.of(l.bestCalls, "call")
                  + " within "
                  + LOOP_WINDOW.toMinutes()
                  + " minutes"
                  + (l.blocked > 0
                      ? "; "
                          + Plural.of(l.blocked, "of its calls was", "of its calls were")
                          + " blocked."
                      : "; add a loop guard."),
              l.spend,
              nums));
    }
    return out;
  }

  private static String featureModel(List<String> key) {
    return "feature " + key.get(0) + " on " + key.get(1);
  }

  private List<Finding> highOutputRatio() {
    List<Finding> out = new ArrayList<>();
    for (Map.Entry<List<String>, Stats> e : a.featureModel.entrySet()) {
      Stats s = e.getValue();
      if (s.calls < MIN_CALLS || s.inputTokens == 0) {
        continue;
      }
      BigDecimal ratio =
          BigDecimal.valueOf(s.outputTokens)
              .divide(BigDecimal.valueOf(s.inputTokens), 2, RoundingMode.HALF_EVEN);
      if (ratio.compareTo(HIGH_OUTPUT_RATIO) >= 0) {
        BigDecimal outputCost = s.costOutput.add(s.costReasoning);
        Map<String, String> nums = new LinkedHashMap<>();
        nums.put("calls", n(s.calls));
        nums.put("input tokens", n(s.inputTokens));
        nums.put("output tokens", n(s.outputTokens));
        nums.put("output per input token", ratio.toPlainString());
        nums.put("output cost", money(outputCost));
        out.add(
            new Finding(
                FindingKind.HIGH_OUTPUT_RATIO,
                featureModel(e.getKey()),
                "Prompts of "
                    + featureModel(e.getKey())
                    + " produce "
                    + ratio.toPlainString()
                    + " output tokens per input token; cap max output tokens or ask for shorter"
                    + " answers.",
                outputCost,
                nums));
      }
    }
    return out;
  }

  private List<Finding> uncachedContext() {
    List<Finding> out = new ArrayList<>();
    for (Map.Entry<List<String>, Stats> e : a.featureModel.entrySet()) {
      Stats s = e.getValue();
      if (s.calls < MIN_CALLS) {
        continue;
      }
      long avgInput = s.inputTokens / s.calls;
      BigDecimal cachedShare = Money.percent(s.cachedTokens, s.inputTokens);
      if (avgInput >= LARGE_INPUT_TOKENS && cachedShare.compareTo(LOW_CACHED_SHARE) < 0) {
        Map<String, String> nums = new LinkedHashMap<>();
        nums.put("calls", n(s.calls));
        nums.put("average input tokens", n(avgInput));
        nums.put("cached share", cachedShare.toPlainString() + "%");
        nums.put("uncached input cost", money(s.costInput));
        out.add(
            new Finding(
                FindingKind.UNCACHED_CONTEXT,
                featureModel(e.getKey()),
                "Calls of "
                    + featureModel(e.getKey())
                    + " send "
                    + n(avgInput)
                    + " input tokens on average with only "
                    + cachedShare.toPlainString()
                    + "% cached; put the shared context first and enable prompt caching.",
                s.costInput,
                nums));
      }
    }
    return out;
  }

  private List<Finding> expensiveShortOutputs() {
    List<Finding> out = new ArrayList<>();
    for (Map.Entry<List<String>, Stats> e : a.featureModel.entrySet()) {
      Stats s = e.getValue();
      long uncached = s.uncachedInputTokens();
      if (s.calls < MIN_CALLS || uncached == 0) {
        continue;
      }
      long avgOutput = s.outputTokens / s.calls;
      BigDecimal perMillion =
          s.costInput
              .multiply(MILLION)
              .divide(BigDecimal.valueOf(uncached), 2, RoundingMode.HALF_EVEN);
      if (avgOutput <= SHORT_OUTPUT_TOKENS
          && perMillion.compareTo(EXPENSIVE_INPUT_PER_MILLION) >= 0) {
        Map<String, String> nums = new LinkedHashMap<>();
        nums.put("calls", n(s.calls));
        nums.put("average output tokens", n(avgOutput));
        nums.put("input price per 1M tokens", money(perMillion));
        nums.put("spend", money(s.cost));
        out.add(
            new Finding(
                FindingKind.EXPENSIVE_MODEL_SHORT_OUTPUT,
                featureModel(e.getKey()),
                "Feature "
                    + e.getKey().get(0)
                    + " answers in "
                    + n(avgOutput)
                    + " tokens on average with "
                    + e.getKey().get(1)
                    + " ("
                    + money(perMillion)
                    + " per 1M input tokens); a small model would likely do.",
                s.cost,
                nums));
      }
    }
    return out;
  }

  private List<Finding> tenantsOverPlan() {
    List<Finding> out = new ArrayList<>();
    for (Map.Entry<String, Stats> e : a.current.get(Analyzer.Dim.TENANT).entrySet()) {
      Stats s = e.getValue();
      String tenant = e.getKey();
      BigDecimal plan =
          planPrices.containsKey(tenant) ? planPrices.get(tenant) : planPrices.get("*");
      BigDecimal pays;
      BigDecimal cost;
      String basis;
      if (plan != null) {
        pays =
            plan.multiply(BigDecimal.valueOf(a.days))
                .divide(BigDecimal.valueOf(PLAN_PERIOD_DAYS), Money.SCALE, RoundingMode.HALF_EVEN);
        cost = s.cost;
        basis = "plan " + money(plan) + " per " + PLAN_PERIOD_DAYS + " days, prorated to " + a.days;
      } else if (s.chargedCalls > 0) {
        pays = s.charge;
        cost = s.chargedCost;
        basis = "charge_total of " + n(s.chargedCalls) + " charged calls";
      } else {
        continue;
      }
      if (cost.compareTo(pays) > 0) {
        BigDecimal loss = cost.subtract(pays);
        Map<String, String> nums = new LinkedHashMap<>();
        nums.put("cost", money(cost));
        nums.put("plan pays", money(pays));
        nums.put("shortfall", money(loss));
        nums.put("basis", basis);
        out.add(
            new Finding(
                FindingKind.TENANT_OVER_PLAN,
                "tenant " + tenant,
                "Tenant "
                    + tenant
                    + " cost "
                    + money(cost)
                    + " but its plan pays "
                    + money(pays)
                    + "; reprice the plan or cap its usage.",
                loss,
                nums));
      }
    }
    return out;
  }

  private List<Finding> unpricedModels() {
    List<Finding> out = new ArrayList<>();
    for (Map.Entry<String, Stats> e : a.unpriced.entrySet()) {
      Stats s = e.getValue();
      Map<String, String> nums = new LinkedHashMap<>();
      nums.put("calls", n(s.calls));
      nums.put("input tokens", n(s.inputTokens));
      nums.put("output tokens", n(s.outputTokens));
      nums.put("cost", "unknown (no price), in no total");
      out.add(
          new Finding(
              FindingKind.UNPRICED_MODEL,
              "model " + e.getKey(),
              "Model "
                  + e.getKey()
                  + " has no price: the cost of "
                  + n(s.calls)
                  + " calls is unknown and missing from every total; add it to the price catalog.",
              Money.ZERO,
              nums));
    }
    return out;
  }
}
