package dev.attribution.core.internal.budget;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.BudgetEvent;
import dev.attribution.api.BudgetListener;
import dev.attribution.api.budget.BudgetSeedSource;
import dev.attribution.api.budget.BudgetStatus;
import dev.attribution.api.budget.BudgetStore;
import dev.attribution.api.budget.InMemoryBudgetStore;
import dev.attribution.api.budget.SlotKey;
import dev.attribution.api.budget.SlotState;
import dev.attribution.api.internal.RateLimitedLogger;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetDefinitions;
import dev.attribution.core.budget.BudgetPeriod;
import dev.attribution.core.budget.LoopGuard;
import dev.attribution.core.budget.Threshold;
import dev.attribution.core.pricing.UnpricedPolicy;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

// Why this file is over 600 lines: it is the public face of budget enforcement in one place (its
// public Builder with the setters and their Javadoc is about 200 lines, the rest is admit's
// delegation, settlement, status queries, top-ups, seeding and event emission, all over the same
// state). The admission stages live in AdmissionPipeline and ThresholdActions and per-budget state
// in Budget and ScopeState; splitting the remainder further would only move small blocks away from
// the fields.
/**
 * Enforces budgets before the money is spent.
 *
 * <p>Before each call, {@link #admit(AdmissionRequest)} reserves the call's worst-case estimate
 * against every matching budget at once, all or nothing, and decides the strongest action whose
 * threshold spend plus reservations reaches ({@link BudgetAction#NONE} &lt; {@code NOTIFY} &lt;
 * {@code DOWNGRADE} &lt; {@code REROUTE} &lt; {@code BLOCK}). After the call the returned {@link
 * Admission} is settled with the real cost, or released. A reservation not ended within the
 * {@linkplain Builder#reservationTimeout reservation timeout} (a stream longer than it, a response
 * never closed) is charged in full, so its headroom is never handed to other calls; when the call
 * settles later, its real cost replaces that charge.
 *
 * <p><b>Guarantee.</b> For a hard budget (not soft, not dry-run) whose cap is a {@code BLOCK}
 * threshold, settled spend never exceeds the cap level, under any concurrency, as long as every
 * estimate is an upper bound of the real cost (output capped by max tokens): a call is admitted
 * only if spend plus all open reservations plus its own estimate stays within the cap, atomically
 * in the {@link BudgetStore}, and settling replaces a reservation by a cost no larger than it. A
 * call that costs more than its estimate can overshoot by the difference. A call without an upper
 * bound (body unreadable, model unpriced) reserves the {@linkplain Builder#unreadableRequestReserve
 * unreadable-request reserve} under hard budgets, so it is covered as long as it costs no more than
 * that. Calls rerouted by a {@code REROUTE} cap are not charged to the budget that rerouted them
 * (their route is deemed outside it); they are still charged to every other matching budget.
 *
 * <p>Downgrade thresholds return the {@linkplain Decision#targetModel() cheaper model} from the
 * budget's model map; the caller rewrites the request and then calls {@link
 * Admission#readmit(String, BigDecimal, long)} so the smaller estimate replaces the larger one.
 *
 * <p>Events ({@link BudgetEvent}) go to the listener on the calling thread, each at most once per
 * budget, scope value, period and threshold (per engine instance); a failing listener is counted
 * and logged, never felt by the call. The default listener logs through SLF4J (logger {@code
 * dev.attribution.budget}). A failing store blocks calls under hard budgets when it {@linkplain
 * BudgetStore#failsClosed() fails closed} (or {@link Builder#failClosed(boolean)} is set), and
 * admits them unenforced ({@code NONE}, logged) otherwise.
 *
 * <p>Thread-safe. {@link #admit} plus settle allocates about 1.7 KB and takes only the store's
 * per-counter locks.
 */
public final class BudgetEngine {

  /** Default {@linkplain Builder#unreadableRequestReserve unreadable-request reserve}: {@value}. */
  public static final String DEFAULT_UNREADABLE_RESERVE = "1.00";

  /**
   * Default {@linkplain Builder#unreadableRequestTokenReserve unreadable-request token reserve}:
   * {@value} tokens.
   */
  public static final long DEFAULT_UNREADABLE_TOKEN_RESERVE = 200_000;

  /** Default {@linkplain Builder#maxTrackedScopeValues maximum of tracked values} per budget. */
  public static final int DEFAULT_MAX_TRACKED_SCOPE_VALUES = 100_000;

  /** Default reservation timeout in seconds: {@value}. */
  public static final long DEFAULT_RESERVATION_TIMEOUT_SECONDS = 600;

  static final int BIT_DOWNGRADED = 16;
  static final int BIT_REROUTED = 17;
  static final int BIT_BLOCKED = 18;
  static final int MAX_THRESHOLDS = 16;

  final Budget[] budgets;
  private final Map<String, Budget> byName;
  final BudgetStore store;
  final Clock clock;
  private final BudgetListener listener;
  final @Nullable LoopGuard loopGuard;
  final @Nullable Cache<String, LoopGuardState> loopStates;
  final long loopWindowMillis;

  /** Makes a thread's loop-guard state; one instance, so a lookup allocates no lambda. */
  final java.util.function.Function<String, LoopGuardState> newLoopState;

  final long loopMaxNanos;
  final boolean dryRun;
  final long timeoutMillis;
  final UnpricedPolicy unpricedPolicy;
  final long fallbackNanos;
  final boolean failClosed;
  final long unreadableNanos;
  final boolean blockUnreadable;
  final long unreadableTokens;
  final Set<String> unpricedSeen = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final AtomicLong nextSweep = new AtomicLong(Long.MIN_VALUE);
  final AtomicLong reservationSeq = new AtomicLong();
  final String idPrefix;
  private final AtomicLong listenerFailures = new AtomicLong();
  final AtomicLong storeFailures = new AtomicLong();
  private final AtomicLong evictedValues = new AtomicLong();
  final RateLimitedLogger warnings =
      new RateLimitedLogger(LoggerFactory.getLogger(BudgetEngine.class), 60_000);

  /** The admission stages; built last in the constructor, from the fields above. */
  private final AdmissionPipeline pipeline;

  private BudgetEngine(Builder b) {
    this.clock = b.clock;
    // Each tracked value has a counter for this period and, until the grace ends, the last one.
    this.store =
        b.store != null
            ? b.store
            : InMemoryBudgetStore.create(
                b.clock, Math.max(1, 2L * b.maxTrackedValues * Math.max(1, b.budgets.size())));
    this.listener = b.listener;
    this.loopGuard = b.loopGuard;
    this.dryRun = b.dryRun;
    this.timeoutMillis = b.reservationTimeout.toMillis();
    this.unpricedPolicy = b.unpricedPolicy;
    this.fallbackNanos = b.fallbackEstimate == null ? 0 : Money.toNanos(b.fallbackEstimate);
    this.failClosed = b.failClosed != null ? b.failClosed : this.store.failsClosed();
    this.unreadableNanos = Money.toNanos(b.unreadableReserve);
    this.blockUnreadable = b.blockUnreadable;
    this.unreadableTokens = b.unreadableTokens;
    this.idPrefix = Long.toHexString(ThreadLocalRandom.current().nextLong()) + ':';
    this.budgets = new Budget[b.budgets.size()];
    java.util.LinkedHashMap<String, Budget> names = new java.util.LinkedHashMap<>();
    for (int i = 0; i < budgets.length; i++) {
      budgets[i] =
          new Budget(
              b.budgets.get(i), dryRun, timeoutMillis, clock, b.maxTrackedValues, evictedValues);
      names.put(budgets[i].def.name(), budgets[i]);
    }
    this.byName = java.util.Collections.unmodifiableMap(names);
    if (loopGuard != null) {
      this.loopWindowMillis = loopGuard.window().toMillis();
      int maxCalls = loopGuard.maxCalls();
      long window = loopWindowMillis;
      this.newLoopState = k -> new LoopGuardState(maxCalls, window);
      BigDecimal max = loopGuard.maxSpend();
      this.loopMaxNanos = max == null ? Long.MAX_VALUE : Money.toNanos(max);
      this.loopStates =
          Caffeine.newBuilder()
              .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
              .expireAfterAccess(Duration.ofMillis(loopWindowMillis * 2))
              .build();
    } else {
      this.loopWindowMillis = 0;
      this.newLoopState = k -> new LoopGuardState(1, 1);
      this.loopMaxNanos = Long.MAX_VALUE;
      this.loopStates = null;
    }
    this.pipeline = new AdmissionPipeline(this);
    if (b.seedSource != null) {
      seed(b.seedSource);
    }
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The listener used when none is configured: logs each event through SLF4J. */
  public static BudgetListener loggingListener() {
    return LoggingBudgetListener.INSTANCE;
  }

  /** The budgets, in definition order. */
  public List<BudgetDefinition> budgets() {
    List<BudgetDefinition> out = new ArrayList<>(budgets.length);
    for (Budget b : budgets) {
      out.add(b.def);
    }
    return out;
  }

  /** The store holding the counters. */
  public BudgetStore store() {
    return store;
  }

  /** How many times the listener threw. */
  public long listenerFailures() {
    return listenerFailures.get();
  }

  /** How many store operations failed. */
  public long storeFailures() {
    return storeFailures.get();
  }

  /**
   * How many scope values were evicted because a budget tracked its {@linkplain
   * Builder#maxTrackedScopeValues maximum}: each lost its event bookkeeping here and, with the
   * default in-memory store, its counter (see there).
   */
  public long evictedScopeValues() {
    return evictedValues.get();
  }

  /**
   * Decides and reserves for one call. Never throws for request-time problems: a failing store
   * yields an unenforced admission (or a block with {@link Builder#failClosed(boolean)}).
   */
  public Admission admit(AdmissionRequest request) {
    return pipeline.admit(request);
  }

  /** Ends a reservation (settle or release); never throws. */
  void finish(Admission a, @Nullable String reservationId, long nanos, long tokens, long requests) {
    long now = clock.millis();
    if (reservationId != null) {
      try {
        store.settle(reservationId, nanos, tokens, requests, now);
      } catch (RuntimeException e) {
        storeFailures.incrementAndGet();
        warnings.warn("budget store failed to settle a reservation: {}", e.toString());
      }
    }
    String threadId = a.request().context().threadId();
    if (loopStates != null && threadId != null && !a.decision().loopGuard()) {
      LoopGuardState st = loopStates.getIfPresent(threadId);
      if (st != null) {
        BigDecimal est = a.request().estimatedCost();
        long estimated =
            est == null
                ? (unpricedPolicy == UnpricedPolicy.FALLBACK_RATE && !a.request().unreadable
                    ? fallbackNanos
                    : 0)
                : Money.toNanos(est);
        if (a.decision().action() != BudgetAction.BLOCK) {
          st.adjust(now, nanos - estimated);
        }
      }
    }
  }

  /**
   * Where budget {@code budgetName} stands for {@code scopeKey} now.
   *
   * @throws IllegalArgumentException if no budget has that name
   */
  public BudgetStatus status(String budgetName, String scopeKey) {
    Budget b = budget(budgetName);
    long now = clock.millis();
    BudgetPeriod p = b.def.period();
    SlotKey key = new SlotKey(b.def.name(), scopeKey, p.startMillis(now));
    SlotState s = store.state(key, bucketMillis(p), now);
    long limitNanos = SlotState.sat(b.limitNanos, s.creditNanos());
    Threshold current = null;
    int k = b.highest(s);
    if (k >= 0) {
      current = b.def.thresholds().get(k);
    }
    BigDecimal currentPercent = current == null ? null : current.percent();
    BudgetAction currentAction = current == null ? null : current.action();
    long remaining = Math.max(0, limitNanos - s.usedNanos());
    return new BudgetStatus(
        b.def.name(),
        scopeKey,
        Money.fromNanos(limitNanos),
        b.def.currency(),
        Money.fromNanos(s.spentNanos()),
        Money.fromNanos(s.reservedNanos()),
        Money.fromNanos(remaining),
        s.spentTokens(),
        s.spentRequests(),
        currentPercent,
        currentAction,
        p.isCalendar() ? Instant.ofEpochMilli(p.startMillis(now)) : null,
        p.end(Instant.ofEpochMilli(now)));
  }

  /**
   * Where every budget stands for each scope value this engine has admitted calls for recently
   * (bounded by the engine's per-budget scope cache): the feed for budget gauges and dashboards,
   * e.g. the OpenTelemetry sink's budget status source.
   */
  public List<BudgetStatus> knownStatuses() {
    List<BudgetStatus> out = new ArrayList<>();
    for (Budget b : budgets) {
      b.scopes.cleanUp();
      for (String scopeKey : b.scopes.asMap().keySet()) {
        out.add(status(b.def.name(), scopeKey));
      }
    }
    return out;
  }

  /**
   * Where every budget covering such a call stands, in definition order: what a caller can show as
   * "remaining" for a context.
   */
  public List<BudgetStatus> statuses(
      AttributionContext context, String provider, String model, @Nullable String keyFingerprint) {
    List<BudgetStatus> out = new ArrayList<>();
    for (Budget b : budgets) {
      String key = b.def.scopeKeyFor(context, provider, model, keyFingerprint);
      if (key != null) {
        out.add(status(b.def.name(), key));
      }
    }
    return out;
  }

  /**
   * Adds {@code amount} to the balance of a scope value of a budget (meant for {@link
   * BudgetPeriod#lifetime()} budgets; on calendar budgets it raises the current period only).
   *
   * @throws IllegalArgumentException if no budget has that name or the amount is not positive
   */
  public void topUp(String budgetName, String scopeKey, BigDecimal amount) {
    Budget b = budget(budgetName);
    if (amount.signum() <= 0) {
      throw new IllegalArgumentException("amount must be positive, was " + amount.toPlainString());
    }
    long now = clock.millis();
    SlotKey key = new SlotKey(b.def.name(), scopeKey, b.def.period().startMillis(now));
    store.topUp(key, Money.toNanos(amount), b.expiresAt(now), now);
  }

  private Budget budget(String name) {
    Budget b = byName.get(name);
    if (b == null) {
      throw new IllegalArgumentException(
          "no budget named '" + name + "'; known: " + byName.keySet());
    }
    return b;
  }

  void sweep(long now) {
    long next = nextSweep.get();
    if (now >= next && nextSweep.compareAndSet(next, now + 1000)) {
      try {
        store.expireReservations(now);
      } catch (RuntimeException e) {
        storeFailures.incrementAndGet();
        warnings.warn("budget store failed to expire reservations: {}", e.toString());
      }
    }
  }

  void emitOnce(
      ScopeState st,
      int bit,
      BudgetEvent.Type type,
      Budget b,
      Threshold t,
      SlotState s,
      AttributionContext ctx,
      String model,
      boolean dry,
      long now,
      String message) {
    if (!st.markFired(bit)) {
      return;
    }
    emit(event(type, b, st, t, s, ctx, model, dry, now, message));
  }

  BudgetEvent event(
      BudgetEvent.Type type,
      Budget b,
      ScopeState st,
      @Nullable Threshold t,
      @Nullable SlotState s,
      AttributionContext ctx,
      @Nullable String model,
      boolean dry,
      long now,
      String message) {
    BudgetEvent.Builder e =
        BudgetEvent.builder(type, Instant.ofEpochMilli(now))
            .budgetName(b.def.name())
            .scopeKey(st.scopeKey)
            .limit(b.def.limit())
            .currency(b.def.currency())
            .model(model)
            .context(ctx)
            .dryRun(dry)
            .message(message);
    BudgetPeriod period = b.def.period();
    if (period.isCalendar()) {
      e.period(
          Instant.ofEpochMilli(period.startMillis(now)),
          Instant.ofEpochMilli(period.endMillis(now)));
    }
    if (t != null) {
      e.thresholdPercent(t.percent()).action(b.def.soft() ? BudgetAction.NOTIFY : t.action());
    }
    if (s != null) {
      e.spent(Money.fromNanos(s.usedNanos()));
    }
    return e.build();
  }

  void emit(BudgetEvent event) {
    try {
      listener.onEvent(event);
    } catch (RuntimeException | Error e) {
      // Any Error a user's listener throws stays here: one escaping would abort the admission and
      // let the interceptor send the call unenforced, past a hard cap.
      listenerFailures.incrementAndGet();
      warnings.warn("budget listener failed on {}: {}", event.type(), e.toString());
    }
  }

  private void seed(BudgetSeedSource source) {
    long now = clock.millis();
    for (Budget b : budgets) {
      BudgetPeriod p = b.def.period();
      long from;
      switch (p.kind()) {
        case LIFETIME:
          from = 0;
          break;
        case ROLLING:
          from = now - Objects.requireNonNull(p.window()).toMillis();
          break;
        default:
          from = p.startMillis(now);
      }
      Map<List<String>, BigDecimal> spent;
      try {
        spent =
            source.spentByScope(
                new BudgetSeedSource.Request(
                    b.def.name(),
                    b.def.currency(),
                    b.def.scope(),
                    Instant.ofEpochMilli(from),
                    Instant.ofEpochMilli(now)));
      } catch (RuntimeException e) {
        warnings.warn(
            "seeding budget '{}' failed; it starts from zero: {}", b.def.name(), e.toString());
        continue;
      }
      if (spent == null) {
        continue;
      }
      for (Map.Entry<List<String>, BigDecimal> e : spent.entrySet()) {
        if (e.getKey() == null
            || e.getValue() == null
            || e.getValue().signum() <= 0
            || e.getKey().size() != b.def.scope().size()) {
          continue;
        }
        String scopeKey;
        try {
          scopeKey = b.def.scopeKeyOf(e.getKey());
        } catch (RuntimeException bad) {
          warnings.warn(
              "seed source returned scope values {} that budget '{}' does not cover; skipped",
              e.getKey().size(),
              b.def.name());
          continue;
        }
        SlotKey key = new SlotKey(b.def.name(), scopeKey, p.startMillis(now));
        store.addSpent(
            key, Money.toNanos(e.getValue()), 0, 0, bucketMillis(p), b.expiresAt(now), now);
      }
    }
  }

  /** {@code percent} % of {@code limit}, rounded down, saturating at {@link Long#MAX_VALUE}. */
  static long level(long limit, BigDecimal percent) {
    BigDecimal v =
        BigDecimal.valueOf(limit)
            .multiply(percent)
            .divide(BigDecimal.valueOf(100), 0, java.math.RoundingMode.FLOOR);
    return v.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : v.longValue();
  }

  /** Index of the first threshold of {@code def} with {@code action}, or -1. */
  static int firstIndexOf(BudgetDefinition def, BudgetAction action) {
    for (int i = 0; i < def.thresholds().size(); i++) {
      if (def.thresholds().get(i).action() == action) {
        return i;
      }
    }
    return -1;
  }

  /** Index of the capping threshold of {@code def}, or -1 when none (or the budget is soft). */
  static int capIndexOf(BudgetDefinition def) {
    int cap = -1;
    for (int i = 0; i < def.thresholds().size(); i++) {
      if (!def.soft() && def.thresholds().get(i).isCap()) {
        cap = i;
      }
    }
    return cap;
  }

  /** Milliseconds a rolling window's bucket spans; {@code 0} for the other kinds of period. */
  public static long bucketMillis(BudgetPeriod p) {
    Duration w = p.window();
    return w == null ? 0L : w.toMillis() / BudgetStore.ROLLING_BUCKETS;
  }

  /** Builds a {@link BudgetEngine}; {@link #build()} validates and names the bad field. */
  public static final class Builder {
    private final List<BudgetDefinition> budgets = new ArrayList<>();
    private @Nullable BudgetStore store;
    private Clock clock = Clock.systemUTC();
    private BudgetListener listener = LoggingBudgetListener.INSTANCE;
    private @Nullable LoopGuard loopGuard;
    private boolean dryRun;
    private Duration reservationTimeout = Duration.ofSeconds(DEFAULT_RESERVATION_TIMEOUT_SECONDS);
    private UnpricedPolicy unpricedPolicy = UnpricedPolicy.ALLOW;
    private @Nullable BigDecimal fallbackEstimate;
    private @Nullable Boolean failClosed;
    private BigDecimal unreadableReserve = new BigDecimal(DEFAULT_UNREADABLE_RESERVE);
    private boolean blockUnreadable;
    private long unreadableTokens = DEFAULT_UNREADABLE_TOKEN_RESERVE;
    private @Nullable BudgetSeedSource seedSource;
    private int maxTrackedValues = DEFAULT_MAX_TRACKED_SCOPE_VALUES;

    private Builder() {}

    /**
     * How many values of each per-value budget ({@code each(TENANT)} and the like) the engine
     * tracks at once; default {@value #DEFAULT_MAX_TRACKED_SCOPE_VALUES}. A tracked value holds
     * about 1 KB (its counter and event state: 100,000 values measured about 100 MB). Beyond the
     * maximum the least recently used values are evicted (counted by {@link
     * BudgetEngine#evictedScopeValues()}): an evicted value fires its threshold events again, and
     * with the default in-memory store its spend this period is forgotten, so it can spend up to
     * its limit again. Set it above the number of values active in one period; a shared store
     * (Redis) keeps every counter until its period ends regardless.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxTrackedScopeValues(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxTrackedScopeValues: must be at least 1, was " + max);
      }
      this.maxTrackedValues = max;
      return this;
    }

    /** Adds a budget. */
    public Builder budget(BudgetDefinition budget) {
      budgets.add(Objects.requireNonNull(budget, "budget"));
      return this;
    }

    /** Adds budgets, e.g. from {@link BudgetDefinitions#load(java.nio.file.Path)}. */
    public Builder budgets(List<BudgetDefinition> list) {
      list.forEach(this::budget);
      return this;
    }

    /** The store; default a new {@link InMemoryBudgetStore} on the engine's clock. */
    public Builder store(BudgetStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** The clock for periods, windows and expiry; default {@link Clock#systemUTC()}. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Receives events; default {@link BudgetEngine#loggingListener()}. */
    public Builder listener(BudgetListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Enables the loop guard; default none. */
    public Builder loopGuard(@Nullable LoopGuard loopGuard) {
      this.loopGuard = loopGuard;
      return this;
    }

    /** Makes every budget and the loop guard observe-only; default {@code false}. */
    public Builder dryRun(boolean dryRun) {
      this.dryRun = dryRun;
      return this;
    }

    /**
     * How long a reservation lives without settle or release; default {@value
     * #DEFAULT_RESERVATION_TIMEOUT_SECONDS} s. A reservation still open then is charged its full
     * estimate; a settle arriving later (within a day) replaces that charge by the real cost. Set
     * it above your longest calls, or an abandoned call holds its estimate as spend rather than as
     * a reservation. Also the grace a finished period's counters are kept.
     */
    public Builder reservationTimeout(Duration timeout) {
      this.reservationTimeout = Objects.requireNonNull(timeout, "reservationTimeout");
      return this;
    }

    /** The policy for unpriced calls other than {@link UnpricedPolicy#FALLBACK_RATE}. */
    public Builder unpricedPolicy(UnpricedPolicy policy) {
      this.unpricedPolicy = Objects.requireNonNull(policy, "unpricedPolicy");
      return this;
    }

    /**
     * The policy for unpriced calls with the estimate reserved for each under {@link
     * UnpricedPolicy#FALLBACK_RATE}.
     */
    public Builder unpricedPolicy(UnpricedPolicy policy, @Nullable BigDecimal fallbackEstimate) {
      this.unpricedPolicy = Objects.requireNonNull(policy, "unpricedPolicy");
      this.fallbackEstimate = fallbackEstimate;
      return this;
    }

    /**
     * Whether a failing store blocks calls under hard budgets ({@code true}) or lets them through
     * unenforced ({@code false}). Default: what the store says ({@link BudgetStore#failsClosed()}),
     * so a Redis store in its default {@code FAIL_CLOSED} mode blocks during an outage without
     * further configuration. {@code false} with a store that fails closed fails {@link #build()}:
     * choose the mode on the store.
     */
    public Builder failClosed(boolean failClosed) {
      this.failClosed = failClosed;
      return this;
    }

    /**
     * What a call reserves under each hard budget when its cost has no upper bound: its request
     * body could not be read (larger than the transport's read limit, one-shot, not the provider's
     * format), or its model is unknown or unpriced (under {@link UnpricedPolicy#ALLOW}). Soft and
     * dry-run budgets reserve nothing for such calls. Default {@value #DEFAULT_UNREADABLE_RESERVE}
     * in the budget's currency: above the worst case of a full-context call of mid-priced models
     * (gpt-4o with 128k input and 16k output tokens is about 0.48 USD) but below that of the
     * dearest (a 200k-token claude-opus call can cost about 5 USD); raise it if such calls are
     * yours, or {@linkplain #blockUnreadableRequests block} them.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder unreadableRequestReserve(BigDecimal reserve) {
      Objects.requireNonNull(reserve, "unreadableRequestReserve");
      if (reserve.signum() < 0) {
        throw new IllegalArgumentException(
            "unreadableRequestReserve: must not be negative, was " + reserve.toPlainString());
      }
      this.unreadableReserve = reserve;
      return this;
    }

    /**
     * The tokens a call whose request body could not be read reserves under each hard budget (at
     * least its own estimate), the token counterpart of the {@linkplain #unreadableRequestReserve
     * money reserve}; it matters only for budgets with a {@linkplain BudgetDefinition#tokenLimit()
     * token limit}. Default {@value #DEFAULT_UNREADABLE_TOKEN_RESERVE}, a full 200k context window.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder unreadableRequestTokenReserve(long tokens) {
      if (tokens < 0) {
        throw new IllegalArgumentException(
            "unreadableRequestTokenReserve: must not be negative, was " + tokens);
      }
      this.unreadableTokens = tokens;
      return this;
    }

    /**
     * Whether calls whose request body could not be read are blocked outright when a hard budget
     * matches them, instead of reserving the {@linkplain #unreadableRequestReserve reserve};
     * default {@code false}.
     */
    public Builder blockUnreadableRequests(boolean block) {
      this.blockUnreadable = block;
      return this;
    }

    /** Seeds the store at build time with spend already recorded this period. */
    public Builder seedFrom(@Nullable BudgetSeedSource source) {
      this.seedSource = source;
      return this;
    }

    /**
     * Validates and builds (and seeds, if a seed source is set).
     *
     * @throws IllegalArgumentException naming the bad field or budget
     */
    public BudgetEngine build() {
      Set<String> names = new HashSet<>();
      for (BudgetDefinition d : budgets) {
        if (!names.add(d.name())) {
          throw new IllegalArgumentException("budget '" + d.name() + "': name: defined twice");
        }
        if (d.thresholds().size() > MAX_THRESHOLDS) {
          throw new IllegalArgumentException(
              "budget '" + d.name() + "': thresholds: at most " + MAX_THRESHOLDS + " are allowed");
        }
      }
      if (reservationTimeout.isNegative() || reservationTimeout.toMillis() < 1) {
        throw new IllegalArgumentException(
            "reservationTimeout: must be positive, was " + reservationTimeout);
      }
      if (unpricedPolicy == UnpricedPolicy.FALLBACK_RATE
          && (fallbackEstimate == null || fallbackEstimate.signum() <= 0)) {
        throw new IllegalArgumentException(
            "unpricedPolicy: FALLBACK_RATE needs a positive fallback estimate");
      }
      if (unpricedPolicy != UnpricedPolicy.FALLBACK_RATE && fallbackEstimate != null) {
        throw new IllegalArgumentException(
            "unpricedPolicy: a fallback estimate is only used with FALLBACK_RATE");
      }
      if (Boolean.FALSE.equals(failClosed) && store != null && store.failsClosed()) {
        throw new IllegalArgumentException(
            "failClosed: false contradicts the store, which fails closed; to admit calls during"
                + " an outage choose the store's fail-open mode and leave failClosed unset");
      }
      return new BudgetEngine(this);
    }
  }
}
