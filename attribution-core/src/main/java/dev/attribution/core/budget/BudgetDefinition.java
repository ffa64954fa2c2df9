package dev.attribution.core.budget;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.CostBreakdown;
import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.api.budget.ScopePart;
import java.math.BigDecimal;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One budget: which calls it covers (its scope), how much they may spend (money, optionally tokens
 * and requests) per {@link BudgetPeriod period}, and what happens as spend approaches the limit
 * (its {@link Threshold thresholds}).
 *
 * <p>A scope is a list of parts, each selecting one {@link ScopeDimension} either at a fixed value
 * ({@code feature=chat}: only those calls) or at each distinct value ({@code tenant=*}: one
 * separate budget per tenant). A budget with no part is global. A call whose context lacks a
 * dimension the scope selects is not covered by the budget (cap such calls with a global budget).
 * Each covered call belongs to exactly one <em>scope value</em>, written as a scope key such as
 * {@code tenant=acme,feature=chat} (or {@value #GLOBAL_SCOPE_KEY}); see {@link #scopeKeyOf(List)}.
 *
 * <p>Defaults: period {@link BudgetPeriod#calendarMonth} in UTC; thresholds 50 % notify, 80 %
 * downgrade, 100 % block; downgrades exempt traffic class {@value
 * AttributionContext#TRAFFIC_CRITICAL}; currency {@value CostBreakdown#DEFAULT_CURRENCY}; no token
 * or request limit; hard (not soft); enforcing (not dry-run). A downgrade threshold acts as a
 * notification for a call whose model has no entry in the {@linkplain Builder#downgrade model map}
 * or whose traffic class is exempt. A soft budget turns every threshold into a notification. A
 * dry-run budget decides as usual but only records and reports what it would have done.
 *
 * <p>Immutable. Built by {@link #builder(String)}, whose {@link Builder#build()} validates
 * everything and throws {@link IllegalArgumentException} with a message naming the budget and the
 * field.
 */
public final class BudgetDefinition {

  /** The scope key of a global budget: {@value}. */
  public static final String GLOBAL_SCOPE_KEY = "global";

  /** Value in a scope key written for a dimension's "each distinct value": {@value}. */
  public static final String EACH = "*";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}");

  private static final BigDecimal MAX_LIMIT =
      BigDecimal.valueOf(Long.MAX_VALUE, CostBreakdown.SCALE);

  private final String name;
  private final List<ScopePart> scope;
  private final BigDecimal limit;
  private final String currency;
  private final @Nullable Long tokenLimit;
  private final @Nullable Long requestLimit;
  private final BudgetPeriod period;
  private final List<Threshold> thresholds;
  private final boolean soft;
  private final boolean dryRun;
  private final Map<String, String> downgradeModels;
  private final Set<String> downgradeExemptTrafficClasses;

  /**
   * Keys of a one-part scope by the value they were built from: budgets ask for a call's key on
   * every call, and the same tenants (features, users) come back. Bounded; cleared when full.
   */
  private final ConcurrentHashMap<String, String> oneValueKeys = new ConcurrentHashMap<>();

  private static final int MAX_CACHED_KEYS = 4096;

  private BudgetDefinition(Builder b) {
    this.name = b.name;
    this.scope = List.copyOf(b.scope);
    this.limit = CostBreakdown.round(Objects.requireNonNull(b.limit));
    this.currency = b.currency;
    this.tokenLimit = b.tokenLimit;
    this.requestLimit = b.requestLimit;
    this.period = b.period;
    this.thresholds = List.copyOf(b.thresholds);
    this.soft = b.soft;
    this.dryRun = b.dryRun;
    this.downgradeModels = Collections.unmodifiableMap(new LinkedHashMap<>(b.downgradeModels));
    this.downgradeExemptTrafficClasses =
        Collections.unmodifiableSet(new LinkedHashSet<>(b.exemptTrafficClasses));
  }

  /**
   * A builder for the budget named {@code name}: 1 to 64 characters of letters, digits, {@code _ .
   * : -}, starting with a letter or digit. The name is checked by {@link Builder#build()}.
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** The budget's unique name. */
  public String name() {
    return name;
  }

  /** The scope parts, in order; empty for a global budget. */
  public List<ScopePart> scope() {
    return scope;
  }

  /** The money limit per period (for lifetime budgets: the initial balance), scale 9. */
  public BigDecimal limit() {
    return limit;
  }

  /** The currency of {@link #limit()}; estimates and costs are assumed to be in it. */
  public String currency() {
    return currency;
  }

  /** The token limit per period, or {@code null} when tokens are not limited. */
  public @Nullable Long tokenLimit() {
    return tokenLimit;
  }

  /** The request limit per period, or {@code null} when requests are not limited. */
  public @Nullable Long requestLimit() {
    return requestLimit;
  }

  /** The period. */
  public BudgetPeriod period() {
    return period;
  }

  /** The thresholds, ascending by percent; at most one caps, and it is the last. */
  public List<Threshold> thresholds() {
    return thresholds;
  }

  /** Whether the budget only notifies, whatever its thresholds say. */
  public boolean soft() {
    return soft;
  }

  /** Whether the budget is observe-only: decisions are reported, never applied. */
  public boolean dryRun() {
    return dryRun;
  }

  /** Requested model to cheaper model, used by downgrade thresholds. */
  public Map<String, String> downgradeModels() {
    return downgradeModels;
  }

  /** Traffic classes never downgraded (they get a notification instead). */
  public Set<String> downgradeExemptTrafficClasses() {
    return downgradeExemptTrafficClasses;
  }

  /** Whether the budget covers every call (no scope part). */
  public boolean isGlobal() {
    return scope.isEmpty();
  }

  /**
   * The scope key for the given values, one per {@link #scope()} part in order: how stores, the
   * status API and seed sources name one scope value. Values of fixed parts must equal the fixed
   * value. Characters {@code , = \} inside values are escaped with a backslash.
   *
   * @throws IllegalArgumentException if the number of values is wrong or a fixed value differs
   */
  public String scopeKeyOf(List<String> values) {
    if (values.size() != scope.size()) {
      throw new IllegalArgumentException(
          "budget '"
              + name
              + "' has "
              + scope.size()
              + " scope parts but "
              + values.size()
              + " values were given");
    }
    if (scope.isEmpty()) {
      return GLOBAL_SCOPE_KEY;
    }
    StringBuilder sb = new StringBuilder(32);
    for (int i = 0; i < scope.size(); i++) {
      ScopePart p = scope.get(i);
      String v = Objects.requireNonNull(values.get(i), "value");
      if (p.fixedValue() != null && !p.fixedValue().equals(v)) {
        throw new IllegalArgumentException(
            "budget '"
                + name
                + "': scope part "
                + p
                + " is fixed, but value '"
                + v
                + "' was given");
      }
      appendTo(p, sb, i, v);
    }
    return sb.toString();
  }

  /**
   * The scope key this budget gives a call, or {@code null} when the budget does not cover it (a
   * scope value is missing or differs from a fixed one). Allocates only the key string, and for a
   * one-part scope only the first time a value is seen (of the last few thousand).
   *
   * @param ctx the call's context
   * @param provider the provider id
   * @param model the model
   * @param keyFingerprint the API key's fingerprint, or {@code null}
   */
  public @Nullable String scopeKeyFor(
      AttributionContext ctx, String provider, String model, @Nullable String keyFingerprint) {
    if (scope.isEmpty()) {
      return GLOBAL_SCOPE_KEY;
    }
    if (scope.size() == 1) {
      ScopePart p = scope.get(0);
      String v = valueOf(p, ctx, provider, model, keyFingerprint);
      if (v == null || (p.fixedValue() != null && !p.fixedValue().equals(v))) {
        return null;
      }
      String key = oneValueKeys.get(v);
      if (key == null) {
        StringBuilder sb = new StringBuilder(48);
        appendTo(p, sb, 0, v);
        key = sb.toString();
        if (oneValueKeys.size() >= MAX_CACHED_KEYS) {
          oneValueKeys.clear();
        }
        oneValueKeys.put(v, key);
      }
      return key;
    }
    StringBuilder sb = null;
    for (int i = 0; i < scope.size(); i++) {
      ScopePart p = scope.get(i);
      String v = valueOf(p, ctx, provider, model, keyFingerprint);
      if (v == null || (p.fixedValue() != null && !p.fixedValue().equals(v))) {
        return null;
      }
      if (sb == null) {
        sb = new StringBuilder(48);
      }
      appendTo(p, sb, i, v);
    }
    return Objects.requireNonNull(sb).toString();
  }

  /**
   * Whether calls of {@code trafficClass} are exempt from this budget's downgrades.
   *
   * @param trafficClass the call's traffic class, or {@code null}
   */
  public boolean exemptFromDowngrade(@Nullable String trafficClass) {
    return trafficClass != null && downgradeExemptTrafficClasses.contains(trafficClass);
  }

  @Override
  public String toString() {
    return "BudgetDefinition{"
        + name
        + " scope="
        + (scope.isEmpty() ? GLOBAL_SCOPE_KEY : scope.toString())
        + " limit="
        + limit.toPlainString()
        + ' '
        + currency
        + " period="
        + period
        + " thresholds="
        + thresholds
        + (soft ? " soft" : "")
        + (dryRun ? " dry-run" : "")
        + '}';
  }

  private static @Nullable String valueOf(
      ScopePart p,
      AttributionContext ctx,
      String provider,
      String model,
      @Nullable String keyFingerprint) {
    switch (p.dimension()) {
      case TENANT:
        return ctx.tenantId();
      case USER:
        return ctx.userId();
      case ASSISTANT:
        return ctx.assistantId();
      case THREAD:
        return ctx.threadId();
      case FEATURE:
        return ctx.feature();
      case TRAFFIC_CLASS:
        return ctx.trafficClass();
      case TAG:
        return ctx.tags().get(Objects.requireNonNull(p.tagKey()));
      case PROVIDER:
        return provider;
      case MODEL:
        return model;
      case KEY:
        return keyFingerprint;
    }
    throw new IllegalStateException(p.dimension().name());
  }

  private static void appendTo(ScopePart p, StringBuilder sb, int index, String value) {
    if (index > 0) {
      sb.append(',');
    }
    sb.append(p.label()).append('=');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == ',' || c == '=' || c == '\\') {
        sb.append('\\');
      }
      sb.append(c);
    }
  }

  /** Builds a {@link BudgetDefinition}; {@link #build()} validates and names the bad field. */
  public static final class Builder {
    private final String name;
    private final List<ScopePart> scope = new ArrayList<>();
    private @Nullable BigDecimal limit;
    private String currency = CostBreakdown.DEFAULT_CURRENCY;
    private @Nullable Long tokenLimit;
    private @Nullable Long requestLimit;
    private BudgetPeriod period = BudgetPeriod.calendarMonth(ZoneOffset.UTC);
    private List<Threshold> thresholds =
        List.of(Threshold.notifyAt(50), Threshold.downgradeAt(80), Threshold.blockAt(100));
    private boolean soft;
    private boolean dryRun;
    private final Map<String, String> downgradeModels = new LinkedHashMap<>();
    private Set<String> exemptTrafficClasses = Set.of(AttributionContext.TRAFFIC_CRITICAL);
    private final List<String> errors = new ArrayList<>();

    private Builder(String name) {
      this.name = name == null ? "" : name;
    }

    /** Adds a scope part: one budget per distinct value of {@code dimension}. */
    public Builder each(ScopeDimension dimension) {
      Objects.requireNonNull(dimension, "dimension");
      if (dimension == ScopeDimension.TAG) {
        errors.add("scope: use eachTag(key) for tags");
      } else {
        scope.add(ScopePart.of(dimension, null, null));
      }
      return this;
    }

    /** Adds a scope part: only calls whose {@code dimension} equals {@code value}. */
    public Builder fixed(ScopeDimension dimension, String value) {
      Objects.requireNonNull(dimension, "dimension");
      if (dimension == ScopeDimension.TAG) {
        errors.add("scope: use fixedTag(key, value) for tags");
      } else if (value == null || value.isBlank()) {
        errors.add("scope." + dimension.wireName() + ": fixed value must not be blank");
      } else {
        scope.add(ScopePart.of(dimension, null, value));
      }
      return this;
    }

    /** Adds a scope part: one budget per distinct value of tag {@code key}. */
    public Builder eachTag(String key) {
      return tag(key, null);
    }

    /** Adds a scope part: only calls whose tag {@code key} equals {@code value}. */
    public Builder fixedTag(String key, String value) {
      if (value == null || value.isBlank()) {
        errors.add("scope.tag." + key + ": fixed value must not be blank");
        return this;
      }
      return tag(key, value);
    }

    private Builder tag(String key, @Nullable String value) {
      if (key == null || !key.matches("[a-z][a-z0-9_.-]{0,63}")) {
        errors.add("scope: tag key '" + key + "' must match [a-z][a-z0-9_.-]{0,63}");
      } else {
        scope.add(ScopePart.of(ScopeDimension.TAG, key, value));
      }
      return this;
    }

    /** The money limit per period (lifetime: the initial balance); required, not negative. */
    public Builder limit(BigDecimal limit) {
      this.limit = limit;
      return this;
    }

    /** The money limit, parsed from a decimal string such as {@code "25.00"}. */
    public Builder limit(String limit) {
      try {
        this.limit = new BigDecimal(limit);
      } catch (RuntimeException e) {
        errors.add("limit: '" + limit + "' is not a decimal number");
      }
      return this;
    }

    /** The currency of the limit (three upper-case letters); default {@code USD}. */
    public Builder currency(String currency) {
      this.currency = currency;
      return this;
    }

    /** A token limit per period (positive), or {@code null} for none. */
    public Builder tokenLimit(@Nullable Long tokens) {
      this.tokenLimit = tokens;
      return this;
    }

    /** A request limit per period (positive), or {@code null} for none. */
    public Builder requestLimit(@Nullable Long requests) {
      this.requestLimit = requests;
      return this;
    }

    /** The period; default the calendar month in UTC. */
    public Builder period(BudgetPeriod period) {
      this.period = period;
      return this;
    }

    /** Replaces the thresholds (any order; sorted by percent at build). */
    public Builder thresholds(List<Threshold> thresholds) {
      this.thresholds = thresholds == null ? null : new ArrayList<>(thresholds);
      return this;
    }

    /** Replaces the thresholds (any order; sorted by percent at build). */
    public Builder thresholds(Threshold... thresholds) {
      return thresholds(List.of(thresholds));
    }

    /** Whether the budget only notifies; default {@code false}. */
    public Builder soft(boolean soft) {
      this.soft = soft;
      return this;
    }

    /** Whether the budget only observes; default {@code false}. */
    public Builder dryRun(boolean dryRun) {
      this.dryRun = dryRun;
      return this;
    }

    /** Maps {@code model} to the cheaper {@code replacement} for downgrade thresholds. */
    public Builder downgrade(String model, String replacement) {
      if (model == null || model.isBlank() || replacement == null || replacement.isBlank()) {
        errors.add("downgrade: model and replacement must not be blank");
      } else {
        downgradeModels.put(model, replacement);
      }
      return this;
    }

    /** Traffic classes never downgraded; default {@code critical}. Empty to downgrade all. */
    public Builder downgradeExemptTrafficClasses(Set<String> classes) {
      this.exemptTrafficClasses = classes == null ? null : new LinkedHashSet<>(classes);
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException {@code budget '<name>': <field>: <problem>} for the first
     *     problem found
     */
    public BudgetDefinition build() {
      String prefix = "budget '" + name + "': ";
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            prefix + "name: must be 1-64 characters of letters, digits, '_', '.', ':' or '-'");
      }
      if (!errors.isEmpty()) {
        throw new IllegalArgumentException(prefix + errors.get(0));
      }
      Set<String> labels = new LinkedHashSet<>();
      for (ScopePart p : scope) {
        if (!labels.add(p.label())) {
          throw new IllegalArgumentException(
              prefix + "scope: dimension '" + p.label() + "' appears twice");
        }
      }
      if (limit == null) {
        throw new IllegalArgumentException(prefix + "limit: is required");
      }
      if (limit.signum() < 0) {
        throw new IllegalArgumentException(
            prefix + "limit: must not be negative, was " + limit.toPlainString());
      }
      if (limit.compareTo(MAX_LIMIT) > 0) {
        throw new IllegalArgumentException(
            prefix + "limit: must be at most " + MAX_LIMIT.toPlainString());
      }
      if (currency == null || !currency.matches("[A-Z]{3}")) {
        throw new IllegalArgumentException(
            prefix + "currency: must be a three-letter upper-case code, was '" + currency + "'");
      }
      if (tokenLimit != null && tokenLimit <= 0) {
        throw new IllegalArgumentException(
            prefix + "tokenLimit: must be positive, was " + tokenLimit);
      }
      if (requestLimit != null && requestLimit <= 0) {
        throw new IllegalArgumentException(
            prefix + "requestLimit: must be positive, was " + requestLimit);
      }
      if (period == null) {
        throw new IllegalArgumentException(prefix + "period: is required");
      }
      if (thresholds == null || thresholds.isEmpty()) {
        throw new IllegalArgumentException(prefix + "thresholds: at least one is required");
      }
      List<Threshold> sorted = new ArrayList<>(thresholds);
      for (int i = 0; i < sorted.size(); i++) {
        if (sorted.get(i) == null) {
          throw new IllegalArgumentException(prefix + "thresholds[" + i + "]: is null");
        }
      }
      Collections.sort(sorted);
      for (int i = 0; i < sorted.size(); i++) {
        Threshold t = sorted.get(i);
        if (i > 0 && sorted.get(i - 1).percent().compareTo(t.percent()) == 0) {
          throw new IllegalArgumentException(
              prefix + "thresholds: two thresholds at " + t.percent().toPlainString() + " %");
        }
        if (t.isCap() && i != sorted.size() - 1) {
          throw new IllegalArgumentException(
              prefix
                  + "thresholds: the "
                  + t.action().wireName()
                  + " threshold at "
                  + t.percent().toPlainString()
                  + " % must be the highest (nothing can pass a cap)");
        }
      }
      this.thresholds = sorted;
      if (exemptTrafficClasses == null) {
        throw new IllegalArgumentException(
            prefix + "downgradeExemptTrafficClasses: must not be null (use an empty set)");
      }
      for (Map.Entry<String, String> e : downgradeModels.entrySet()) {
        // A chain a -> b -> a would downgrade forever on re-admission.
        String seen = e.getKey();
        String next = e.getValue();
        for (int hops = 0; next != null; hops++) {
          if (next.equals(seen) || hops > downgradeModels.size()) {
            throw new IllegalArgumentException(
                prefix + "downgrade: models form a cycle through '" + seen + "'");
          }
          next = downgradeModels.get(next);
        }
      }
      return new BudgetDefinition(this);
    }
  }
}
