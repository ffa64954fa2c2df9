package dev.attribution.core;

// Over 600 lines because AttributionEngine.Builder, public API, stays nested here with one
// documented setter per setting; deciding a call lives in CallDecider and its stages.

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.BudgetListener;
import dev.attribution.api.CallStatus;
import dev.attribution.api.CostBreakdown;
import dev.attribution.api.CredentialResolver;
import dev.attribution.api.TokenUsage;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import dev.attribution.api.budget.BudgetSeedSource;
import dev.attribution.api.budget.BudgetStatus;
import dev.attribution.api.budget.BudgetStore;
import dev.attribution.api.internal.ControlChars;
import dev.attribution.api.internal.RateLimitedLogger;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetDefinitions;
import dev.attribution.core.budget.LoopGuard;
import dev.attribution.core.internal.budget.BudgetEngine;
import dev.attribution.core.internal.pipeline.PipelineStats;
import dev.attribution.core.internal.pipeline.RecordPipeline;
import dev.attribution.core.internal.pricing.PricingEngine;
import dev.attribution.core.internal.provider.Endpoint;
import dev.attribution.core.internal.provider.ProviderDialect;
import dev.attribution.core.internal.provider.ProviderRegistry;
import dev.attribution.core.pricing.PriceDataException;
import dev.attribution.core.pricing.PriceOverrides;
import dev.attribution.core.pricing.TokenRates;
import dev.attribution.core.pricing.UnpricedPolicy;
import dev.attribution.core.routing.Route;
import dev.attribution.core.routing.RoutingRule;
import dev.attribution.core.transport.CallRequest;
import dev.attribution.core.transport.LlmCall;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

// Why this file is over 600 lines: the public nested Builder is the library's one configuration
// surface - some forty documented setters, about 450 lines of mostly Javadoc that users read in
// one place - and the engine's own public methods are documented beside it. Checking the settings
// against each other and assembling the parts lives in EngineAssembly; the per-call work lives in
// EngineCall and the internal packages.
/**
 * The engine behind every transport: recognises the call, decides before it is sent (routing rules,
 * budgets, loop guard), and turns its response into one priced usage record on the record pipeline.
 *
 * <p>Thread-safe; build one per application and share it. {@link #begin(CallRequest)} never throws
 * and never blocks on I/O: a failure inside attribution is counted ({@link #stats()}), logged at
 * most every 10 seconds, and the call proceeds untouched. Only a budget decision stops a call.
 */
public final class AttributionEngine implements AutoCloseable {

  static final Logger LOG = LoggerFactory.getLogger(AttributionEngine.class);
  static final int MAX_WARNED_HOSTS = 64;

  /**
   * How long the shutdown hook lets records drain; it gives up after twice this, so a sink that
   * hangs in its flush or close cannot keep the JVM from exiting.
   */
  public static final Duration SHUTDOWN_HOOK_TIMEOUT = Duration.ofSeconds(10);

  static final java.util.concurrent.atomic.AtomicBoolean PER_PROCESS_NOTICE =
      new java.util.concurrent.atomic.AtomicBoolean();

  private final ProviderRegistry registry;
  private final CallDecider decider;
  private final RecordPipeline pipeline;
  private final PricingEngine pricing;
  private final @Nullable BudgetEngine budgetEngine;
  private final CostModel costModel;
  private final Map<String, Route> routes;
  private final KeyFingerprints fingerprints;
  private final Clock clock;
  private final LongSupplier nanoTime;
  private final String currency;
  private final @Nullable String failoverRoute;
  private final Set<Integer> failoverStatuses;
  private final boolean failoverOnTimeout;
  private final AtomicLong internalFailures = new AtomicLong();
  private final AtomicLong parseFailures = new AtomicLong();
  private final AtomicLong blockedCalls = new AtomicLong();
  private final RateLimitedLogger failureLog = new RateLimitedLogger(LOG, 10_000);
  private final @Nullable Thread shutdownHook;
  private final java.util.concurrent.atomic.AtomicBoolean closed =
      new java.util.concurrent.atomic.AtomicBoolean();

  /** Whether a response body dropped without close() was logged (once per engine). */
  private final AtomicBoolean warnedDroppedBody = new AtomicBoolean();

  /** Calls started and not finished, finished as abandoned by {@link #close()}. */
  private final InFlightCalls inFlight =
      new InFlightCalls(
          InFlightCalls.PER_STRIPE,
          () ->
              LOG.warn(
                  "More than {} calls are unfinished at once (responses never closed?); close()"
                      + " will not finish the ones beyond that",
                  InFlightCalls.STRIPES * InFlightCalls.PER_STRIPE));

  AttributionEngine(Builder b) {
    this.registry = Objects.requireNonNull(b.registry);
    this.pipeline = Objects.requireNonNull(b.pipeline);
    this.pricing = Objects.requireNonNull(b.pricingEngine);
    this.budgetEngine = b.budgetEngine;
    this.costModel = new PricingCostModel(pricing);
    this.routes = Map.copyOf(b.routes);
    this.fingerprints = Objects.requireNonNull(b.fingerprints);
    this.clock = b.clock;
    this.nanoTime = b.nanoTime;
    this.currency = b.currency;
    this.failoverRoute = b.failoverRoute;
    this.failoverStatuses = Set.copyOf(b.failoverStatuses);
    this.failoverOnTimeout = b.failoverOnTimeout;
    EngineFailures failures =
        new EngineFailures() {
          @Override
          public void parseFailure(String provider, Exception e) {
            AttributionEngine.this.parseFailure(provider, e);
          }

          @Override
          public void internalFailure(String what, Throwable e) {
            AttributionEngine.this.internalFailure(what, e);
          }
        };
    this.decider =
        new CallDecider(
            registry,
            costModel,
            budgetEngine == null ? BudgetGate.NONE : new BudgetEngineGate(budgetEngine),
            routes,
            b.rules,
            fingerprints,
            new UpstreamRewriter(registry, b.credentials, b.addStreamUsage, failures),
            failures,
            b.recordUnrecognised,
            b.blockSignedRewrites);
    this.shutdownHook = b.shutdownHook ? registerShutdownHook(b.shutdownHookTimeout) : null;
  }

  /**
   * Registers the hook that drains records when the application exits without closing the engine (a
   * {@code main} that returns, {@code System.exit}, SIGTERM): the pipeline is closed (drained
   * within {@code timeout}, sinks flushed and closed). The work runs on a daemon thread the hook
   * waits for at most twice {@code timeout}: JVM exit waits for hooks, and a sink's flush or close
   * is not bounded by the pipeline.
   */
  private @Nullable Thread registerShutdownHook(Duration timeout) {
    Runnable drain =
        () -> {
          finishUnfinished();
          pipeline.close(timeout);
        };
    Thread hook =
        new Thread(
            () -> {
              Thread worker = new Thread(drain, "attribution-shutdown-drain");
              worker.setDaemon(true);
              worker.start();
              try {
                worker.join(timeout.multipliedBy(2).toMillis());
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "attribution-shutdown");
    try {
      Runtime.getRuntime().addShutdownHook(hook);
      return hook;
    } catch (IllegalStateException e) {
      return null; // already shutting down: nothing to drain later
    }
  }

  /** The registered shutdown hook, or {@code null}; for tests. */
  @Nullable Thread shutdownHook() {
    return shutdownHook;
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts a call: recognises it, applies routing rules and budgets, and says whether to block or
   * how to rewrite it. Never throws; on an internal failure the returned call proceeds untouched.
   */
  public LlmCall begin(CallRequest request) {
    Instant started = clock.instant();
    long startNanos = nanoTime.getAsLong();
    try {
      return start(decider.decide(request, started, null), started, startNanos);
    } catch (RuntimeException | LinkageError e) {
      internalFailure("deciding on a call", e);
      return new EngineCall(this, CallDecision.untracked(request.context()), started, startNanos);
    }
  }

  /** The endpoint a tracked but unrecognised call's stream is read as. */
  Endpoint unrecognisedEndpoint(String provider) {
    return registry.unrecognised(provider);
  }

  /**
   * Whether a {@code method} request to {@code host:port} + {@code path} is a recognised LLM call,
   * whose request body is worth reading. Never throws.
   */
  public boolean recognises(String method, String host, int port, String path) {
    try {
      return method.equals("POST") && registry.recognize(host, port, path) != null;
    } catch (RuntimeException e) {
      internalFailure("recognising a call", e);
      return false;
    }
  }

  /**
   * Starts the one failover attempt for {@code failed}: the same request sent over the configured
   * failover route, when the failed attempt's status (or timeout) is one that fails over and it was
   * not itself a failover. Budgets admit it like any call. Never throws.
   *
   * @param request the request as the application built it
   * @param failed the attempt that failed
   * @param httpStatus the failed attempt's HTTP status, or 0 for a transport failure
   * @param timedOut whether the failed attempt timed out
   * @return the failover call, or {@code null} when there is none to make
   */
  public @Nullable LlmCall beginFailover(
      CallRequest request, LlmCall failedCall, int httpStatus, boolean timedOut) {
    if (!(failedCall instanceof EngineCall)) {
      return null;
    }
    EngineCall failed = (EngineCall) failedCall;
    Route target = failoverRoute == null ? null : routes.get(failoverRoute);
    if (target == null
        || failed.decision.failover()
        || !failed.recognised()
        || failed.blocked() != null) {
      return null;
    }
    if (target.name().equals(failed.decision.route())) {
      return null;
    }
    boolean eligible = timedOut ? failoverOnTimeout : failoverStatuses.contains(httpStatus);
    if (!eligible) {
      return null;
    }
    Instant started = clock.instant();
    long startNanos = nanoTime.getAsLong();
    try {
      CallDecision d =
          decider
              .decide(request, started, target)
              .asFailover(
                  failed.decision.attempt() + 1,
                  failed.decision.route() == null
                      ? failed.decision.provider()
                      : failed.decision.route());
      return start(d, started, startNanos);
    } catch (RuntimeException | LinkageError e) {
      internalFailure("starting a failover", e);
      return null;
    }
  }

  /**
   * The call in flight for {@code decision}; a blocked call is counted and recorded at once, with
   * everything the decision says (a blocked failover is recorded as the failover attempt).
   */
  private EngineCall start(CallDecision decision, Instant started, long startNanos) {
    EngineCall call = new EngineCall(this, decision, started, startNanos);
    if (decision.blocked() != null) {
      blockedCalls.incrementAndGet();
      call.finishBlocked();
    } else if (call.tracked()) {
      inFlight.add(call);
    }
    return call;
  }

  /**
   * Records a custom meter reading (vector-store reads, memory writes, GPU seconds) in the current
   * {@link Attribution} context, priced at the meter's unit price from the catalog. Never throws.
   *
   * @param meter the meter name, e.g. {@code vector.read}
   * @param quantity how many units were used
   */
  public void recordMeter(String meter, BigDecimal quantity) {
    try {
      Objects.requireNonNull(meter, "meter");
      if (quantity.signum() < 0) {
        throw new IllegalArgumentException("quantity must not be negative");
      }
      Instant now = clock.instant();
      AttributionContext ctx = Attribution.current();
      CostModel.Priced p = costModel.priceMeter(meter, quantity, now, ctx);
      UsageRecord r =
          UsageRecord.builder()
              .startedAt(now)
              .context(ctx)
              .contextSource(
                  ctx.isEmpty()
                      ? dev.attribution.api.ContextSource.NONE
                      : dev.attribution.api.ContextSource.SCOPE)
              .provider("meter")
              .operation("meter")
              .requestedModel(meter)
              .effectiveModel(meter)
              .usage(TokenUsage.zero())
              .cost(p.cost())
              .charge(p.charge())
              .costSource(p.source())
              .priceVersion(p.priceVersion())
              .status(CallStatus.OK)
              .attribute("meter.name", meter)
              .attribute("meter.quantity", quantity.toPlainString())
              .build();
      submit(r);
    } catch (RuntimeException e) {
      internalFailure("recording meter " + meter, e);
    }
  }

  // ---- services for LlmCall ----

  long estimateInputTokens(String provider, @Nullable String model, byte @Nullable [] body) {
    return decider.estimateInputTokens(provider, model, body);
  }

  Instant now() {
    return clock.instant();
  }

  long nanoTime() {
    return nanoTime.getAsLong();
  }

  String currency() {
    return currency;
  }

  CostModel.Priced price(
      String provider,
      @Nullable String model,
      TokenUsage usage,
      long perCallUnits,
      Instant at,
      @Nullable BigDecimal providerCost,
      AttributionContext context) {
    try {
      return costModel.price(provider, model, usage, perCallUnits, at, providerCost, context);
    } catch (RuntimeException | Error e) {
      // Errors too (a user's unpriced-model listener runs in here): the call is still recorded.
      internalFailure("pricing a call", e);
      return CostModel.Priced.unpriced(providerCost);
    }
  }

  void submit(UsageRecord record) {
    pipeline.submit(record);
  }

  /**
   * A response body the application dropped without closing it was found by the garbage collector:
   * its call is recorded (abandoned) and its connection released, but until then both it and the
   * budget reservation were held, and OkHttp's own leak warning no longer fires because the body is
   * closed for it. Logged once per engine, naming where the call went.
   */
  void bodyDropped(@Nullable String host, @Nullable String operation) {
    if (warnedDroppedBody.compareAndSet(false, true)) {
      LOG.warn(
          "A response body from {} ({}) was dropped without close(): its call is recorded once"
              + " (abandoned=unreachable) and, where the client allows, its connection is released"
              + " now, but the connection and the call's budget reservation were held until the"
              + " garbage collector found it. Close every response, error responses and half-read"
              + " streams included (try-with-resources). Logged once.",
          host == null ? "an unknown host" : ControlChars.escape(host),
          operation == null ? "unknown operation" : ControlChars.escape(operation));
    }
  }

  /** {@code call} is finished: it leaves the registry of unfinished calls. */
  void finished(EngineCall call) {
    inFlight.remove(call);
  }

  /** How many calls are started and unfinished; for tests. */
  int unfinishedCalls() {
    return inFlight.size();
  }

  /**
   * Finishes every call still unfinished (a response never closed, a stream still being read, a
   * request still waiting for its answer) as abandoned, with what was seen so far (a stream or a
   * request without an answer as cancelled, a non-streamed answer that arrived whole as ok at an
   * unknown cost), so each has its record before the sinks drain. Never throws.
   */
  private void finishUnfinished() {
    try {
      for (EngineCall c : inFlight.snapshot()) {
        c.abandon(EngineCall.ABANDONED_ENGINE_CLOSED);
      }
    } catch (RuntimeException | Error e) {
      internalFailure("finishing unfinished calls", e);
    }
  }

  void internalFailure(String what, Throwable e) {
    internalFailures.incrementAndGet();
    failureLog.warn("Attribution failed while {}; the call proceeds untouched", what, e);
  }

  void unreadable(@Nullable String provider, String reason) {
    parseFailures.incrementAndGet();
    failureLog.warn(
        "Could not read the usage of a {} response ({}); it is recorded without usage",
        provider == null ? "unrecognised" : provider,
        reason);
  }

  void parseFailure(@Nullable String provider, Exception e) {
    parseFailures.incrementAndGet();
    failureLog.warn(
        "Could not parse a {} payload ({}); usage for this call may be missing",
        provider == null ? "unrecognised" : provider,
        e.getClass().getSimpleName());
  }

  /**
   * The fingerprint this engine records for {@code apiKey} (see {@link
   * Builder#keyFingerprintSecret(String)}), e.g. to name one key in a budget scope. Never logs or
   * keeps the key.
   */
  public String keyFingerprint(String apiKey) {
    if (apiKey == null || apiKey.isEmpty()) {
      throw new IllegalArgumentException("apiKey must not be empty");
    }
    return Objects.requireNonNull(fingerprints.fingerprint(apiKey));
  }

  /**
   * The fingerprint an engine built with {@code keyFingerprintSecret(secret)} records for {@code
   * apiKey}: for tools that compute fingerprints to write into budget files.
   *
   * @throws IllegalArgumentException if the secret is too short or the key empty
   */
  public static String keyFingerprint(String secret, String apiKey) {
    if (apiKey == null || apiKey.isEmpty()) {
      throw new IllegalArgumentException("apiKey must not be empty");
    }
    return Objects.requireNonNull(KeyFingerprints.withSecret(secret).fingerprint(apiKey));
  }

  /** Counters since start. */
  public EngineStats stats() {
    Map<String, EngineStats.Records> bySink = new LinkedHashMap<>();
    pipeline.statsBySink().forEach((name, st) -> bySink.put(name, records(st)));
    return new EngineStats(
        decider.calls(),
        blockedCalls.get(),
        internalFailures.get(),
        parseFailures.get(),
        pricing.unpricedCalls(),
        budgetEngine == null ? 0 : budgetEngine.storeFailures(),
        budgetEngine == null ? 0 : budgetEngine.listenerFailures(),
        records(pipeline.stats()),
        bySink);
  }

  private static EngineStats.Records records(PipelineStats st) {
    return new EngineStats.Records(
        st.accepted(), st.exported(), st.failed(), st.dropped(), st.spooled(), st.queued());
  }

  /**
   * Where budget {@code budgetName} stands for one scope value now, e.g. to show a tenant what is
   * left.
   *
   * @param budgetName the budget's name
   * @param scopeKey the scope value as records and events name it, e.g. {@code tenant=acme} (see
   *     {@link BudgetDefinition#scopeKeyFor})
   * @throws IllegalArgumentException if no budget has that name
   */
  public BudgetStatus budgetStatus(String budgetName, String scopeKey) {
    if (budgetEngine == null) {
      throw new IllegalArgumentException(
          "no budget named '" + budgetName + "': no budgets are set");
    }
    return budgetEngine.status(budgetName, scopeKey);
  }

  /**
   * Where every budget stands for each scope value this engine has admitted calls for recently (at
   * most {@code maxTrackedScopeValues} per budget): the feed for dashboards and budget gauges.
   */
  public List<BudgetStatus> budgetStatuses() {
    return budgetEngine == null ? List.of() : budgetEngine.knownStatuses();
  }

  /**
   * Raises a budget's limit for one scope value in the current period (a lifetime budget's balance:
   * a customer's top-up). Exact; in the budget's currency.
   *
   * @throws IllegalArgumentException if no budget has that name or the amount is not positive
   */
  public void topUp(String budgetName, String scopeKey, BigDecimal amount) {
    if (budgetEngine == null) {
      throw new IllegalArgumentException(
          "no budget named '" + budgetName + "': no budgets are set");
    }
    budgetEngine.topUp(budgetName, scopeKey, amount);
  }

  /**
   * Reads the LiteLLM price file or URL the engine was built with again and swaps the new prices in
   * atomically (calls in flight finish on the old prices).
   *
   * @return the new price version, as records carry it
   * @throws IllegalStateException when the engine was built without {@code liteLlmPrices}
   * @throws PriceDataException when the data is unreadable or bad; the old prices stay
   */
  public String reloadPrices() {
    pricing.reloadLiteLlm();
    return pricing.priceVersion();
  }

  /** The version of the prices in force, as records carry it in {@code priceVersion}. */
  public String priceVersion() {
    return pricing.priceVersion();
  }

  /**
   * Waits until every record submitted so far has been exported by every sink and the sinks have
   * flushed, at most {@code timeout}.
   *
   * @return {@code true} when everything was exported in time
   */
  public boolean flush(Duration timeout) {
    return pipeline.flush(timeout);
  }

  /**
   * Closes everything the engine was given, in order: finishes every call still unfinished (a
   * response never closed, a stream still being read, a request still waiting for its answer) as
   * abandoned with what was seen so far (attribute {@code abandoned=engine_closed}; {@code
   * cancelled} unless it is a non-streamed answer that arrived whole, which is {@code ok} at an
   * unknown cost charged at its reservation), drains every queued record (at most the builder's
   * {@code closeTimeout}), flushes and closes every sink, closes the budget store, and removes the
   * shutdown hook. Closing twice is a no-op.
   */
  @Override
  public void close() {
    if (shutdownHook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // The JVM is already shutting down: the hook runs anyway and closing twice is a no-op.
      }
    }
    finishUnfinished();
    try {
      pipeline.close();
    } finally {
      if (budgetEngine != null && closed.compareAndSet(false, true)) {
        try {
          budgetEngine.store().close();
        } catch (RuntimeException e) {
          LOG.warn("closing the budget store failed", e);
        }
      }
    }
  }

  /**
   * Builds an {@link AttributionEngine}. Every setting lives here once and is passed to the parts
   * that need it (one clock, one currency, one unpriced-model policy, one failure mode); settings
   * that contradict each other fail {@link #build()} with a message that says what to change.
   */
  public static final class Builder {
    final ProviderRegistry.Builder providers = ProviderRegistry.builder();
    final List<UsageSink> sinks = new ArrayList<>();
    int queueCapacity = RecordPipeline.DEFAULT_QUEUE_CAPACITY;
    int batchSize = RecordPipeline.DEFAULT_BATCH_SIZE;
    Duration linger = Duration.ofMillis(RecordPipeline.DEFAULT_LINGER_MILLIS);
    Duration closeTimeout = Duration.ofMillis(RecordPipeline.DEFAULT_SHUTDOWN_TIMEOUT_MILLIS);
    @Nullable Path liteLlmFile;
    @Nullable URI liteLlmUrl;
    @Nullable PriceOverrides priceOverrides;
    UnpricedPolicy unpricedPolicy = UnpricedPolicy.ALLOW;
    @Nullable TokenRates fallbackRates;
    boolean preferProviderReportedCost = true;
    long defaultMaxOutputTokens = PricingEngine.DEFAULT_MAX_OUTPUT_TOKENS;
    final List<BudgetDefinition> budgetDefinitions = new ArrayList<>();
    @Nullable BudgetStore budgetStore;
    @Nullable BudgetListener listener;
    @Nullable LoopGuard loopGuard;
    boolean dryRun;
    @Nullable Boolean failClosed;
    @Nullable Duration reservationTimeout;
    @Nullable BudgetSeedSource seedSource;
    @Nullable BigDecimal unreadableRequestReserve;
    @Nullable Long unreadableRequestTokenReserve;
    boolean blockUnreadableRequests;
    int maxTrackedScopeValues = BudgetEngine.DEFAULT_MAX_TRACKED_SCOPE_VALUES;
    final Map<String, Route> routes = new HashMap<>();
    final List<RoutingRule> rules = new ArrayList<>();
    CredentialResolver credentials = CredentialResolver.none();
    @Nullable KeyFingerprints fingerprints;
    Clock clock = Clock.systemUTC();
    LongSupplier nanoTime = System::nanoTime;
    boolean addStreamUsage = true;
    boolean recordUnrecognised;
    boolean blockSignedRewrites;
    String currency = CostBreakdown.DEFAULT_CURRENCY;
    @Nullable String failoverRoute;
    final Set<Integer> failoverStatuses = new java.util.HashSet<>();
    boolean failoverOnTimeout;
    boolean shutdownHook = true;
    Duration shutdownHookTimeout = SHUTDOWN_HOOK_TIMEOUT;

    // Assembled by build(), read by the engine's constructor.
    @Nullable RecordPipeline pipeline;
    @Nullable PricingEngine pricingEngine;
    @Nullable BudgetEngine budgetEngine;
    @Nullable ProviderRegistry registry;

    private Builder() {}

    // ---- providers ----

    /**
     * Treats calls to {@code hostAndPort} as calls to {@code provider}'s API: for a proxy, a
     * gateway or a self-hosted server (vLLM, Ollama, LiteLLM) that speaks that provider's API.
     * Without it such calls go unrecorded, and one warning names the host and this method.
     *
     * @param hostAndPort {@code host} or {@code host:port}, as in the request URL
     * @param provider a provider id ({@code openai}, {@code anthropic}, {@code gcp.gemini}, ...) or
     *     an alias ({@code gemini}, {@code azure})
     * @throws IllegalArgumentException if the host is blank or the provider unknown
     */
    public Builder mapHost(String hostAndPort, String provider) {
      providers.mapHost(hostAndPort, provider);
      return this;
    }

    /**
     * Names the model behind an Azure OpenAI deployment, for records, prices and budgets alike.
     * Without it a deployment is recorded under its own name and priced only if a price carries
     * that name.
     *
     * @param deployment the deployment name in the request path
     * @param model the model it serves, e.g. {@code gpt-4o-mini}
     */
    public Builder azureDeployment(String deployment, String model) {
      providers.azureDeployment(deployment, model);
      return this;
    }

    /**
     * Adds a provider dialect, asked before the built-in ones. Package-private on purpose: the
     * dialect interface is internal, so this is a hook for the library's own tests (see {@code
     * AddingAProviderTest}) and for new built-in dialects before they are listed in {@link
     * ProviderRegistry}, not a user setting.
     */
    Builder dialect(ProviderDialect dialect) {
      providers.dialect(dialect);
      return this;
    }

    // ---- prices ----

    /**
     * Prices from a LiteLLM price file ({@code model_prices_and_context_window.json}) instead of
     * the bundled snapshot; {@link AttributionEngine#reloadPrices()} reads it again. A missing or
     * malformed file fails {@link #build()}.
     */
    public Builder liteLlmPrices(Path file) {
      this.liteLlmFile = Objects.requireNonNull(file, "file");
      this.liteLlmUrl = null;
      return this;
    }

    /**
     * Prices downloaded from {@code url} (LiteLLM's format) at build, instead of the bundled
     * snapshot; {@link AttributionEngine#reloadPrices()} downloads them again.
     */
    public Builder liteLlmPrices(URI url) {
      this.liteLlmUrl = Objects.requireNonNull(url, "url");
      this.liteLlmFile = null;
      return this;
    }

    /** Your negotiated prices, custom models, aliases, plans and meters, over the catalog. */
    public Builder priceOverrides(PriceOverrides overrides) {
      this.priceOverrides = Objects.requireNonNull(overrides, "overrides");
      return this;
    }

    /**
     * What happens to a call whose model has no price: {@link UnpricedPolicy#ALLOW} (default)
     * records it with its tokens and an unknown cost; {@link UnpricedPolicy#BLOCK} refuses it under
     * a money budget; {@link UnpricedPolicy#FALLBACK_RATE} prices it at {@link
     * #fallbackRates(TokenRates)}. One setting for prices and budgets alike.
     */
    public Builder unpricedModels(UnpricedPolicy policy) {
      this.unpricedPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** The rates for unpriced models under {@link UnpricedPolicy#FALLBACK_RATE}. */
    public Builder fallbackRates(TokenRates rates) {
      this.fallbackRates = Objects.requireNonNull(rates, "rates");
      return this;
    }

    /**
     * Whether a cost the provider reports (OpenRouter's {@code usage.cost}) is the record's cost
     * ({@code true}, default) or only kept beside the computed one ({@code false}).
     */
    public Builder preferProviderReportedCost(boolean prefer) {
      this.preferProviderReportedCost = prefer;
      return this;
    }

    /**
     * The output cap assumed for a request that sets none, when a budget reserves its worst case;
     * default {@value PricingEngine#DEFAULT_MAX_OUTPUT_TOKENS} or the model's own limit if lower.
     */
    public Builder defaultMaxOutputTokens(long tokens) {
      if (tokens <= 0) {
        throw new IllegalArgumentException(
            "defaultMaxOutputTokens must be positive, was " + tokens);
      }
      this.defaultMaxOutputTokens = tokens;
      return this;
    }

    // ---- budgets ----

    /** Enforces {@code budget} before each call it covers. */
    public Builder budget(BudgetDefinition budget) {
      budgetDefinitions.add(Objects.requireNonNull(budget, "budget"));
      return this;
    }

    /** Enforces every budget in {@code budgets}, e.g. from {@link BudgetDefinitions#load}. */
    public Builder budgets(Collection<BudgetDefinition> budgets) {
      for (BudgetDefinition d : budgets) {
        budget(d);
      }
      return this;
    }

    /**
     * Stops agent threads that loop: too many calls, or too much money, per thread id within a
     * window. Default none.
     */
    public Builder loopGuard(LoopGuard guard) {
      this.loopGuard = Objects.requireNonNull(guard, "guard");
      return this;
    }

    /**
     * Where budget counters live; default an in-memory store per engine. Use a shared store
     * (attribution-budget-redis) when several replicas share one budget. The engine closes it.
     */
    public Builder budgetStore(BudgetStore store) {
      this.budgetStore = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * Receives budget events (thresholds crossed, downgrades, blocks, loops stopped, unpriced
     * models seen); default: each is logged. Called on the request thread; must be quick.
     */
    public Builder listener(BudgetListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Makes every budget and the loop guard observe-only: decisions are recorded (the record's
     * {@code budgetAction}, events marked dry-run) but no call is changed; default {@code false}.
     */
    public Builder dryRun(boolean dryRun) {
      this.dryRun = dryRun;
      return this;
    }

    /**
     * Whether a failing budget store blocks calls under hard budgets ({@code true}) or lets them
     * through unenforced ({@code false}). Default: what the store says ({@link
     * BudgetStore#failsClosed()}). {@code false} with a store that fails closed fails {@link
     * #build()}: choose the mode on the store.
     */
    public Builder failClosed(boolean failClosed) {
      this.failClosed = failClosed;
      return this;
    }

    /**
     * How long a call's reservation is held before it is charged in full (a call that never
     * finishes); default {@value BudgetEngine#DEFAULT_RESERVATION_TIMEOUT_SECONDS} s.
     */
    public Builder reservationTimeout(Duration timeout) {
      this.reservationTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Starts each budget's counters from the spend already recorded this period (e.g. the JDBC
     * sink's table), so a restart does not reset a running period. Only for stores local to the
     * process: a shared store already holds the spend.
     */
    public Builder seedBudgetsFrom(BudgetSeedSource source) {
      this.seedSource = Objects.requireNonNull(source, "source");
      return this;
    }

    /**
     * The money reserved for a call whose request body cannot be read (too large, one-shot, not
     * JSON), so its worst case is unknown; default {@value
     * BudgetEngine#DEFAULT_UNREADABLE_RESERVE}.
     */
    public Builder unreadableRequestReserve(BigDecimal reserve) {
      this.unreadableRequestReserve = Objects.requireNonNull(reserve, "reserve");
      return this;
    }

    /**
     * The tokens reserved for such a call under token limits; default {@value
     * BudgetEngine#DEFAULT_UNREADABLE_TOKEN_RESERVE}.
     */
    public Builder unreadableRequestTokenReserve(long tokens) {
      this.unreadableRequestTokenReserve = tokens;
      return this;
    }

    /** Whether a call whose request cannot be read is refused under a hard budget; default no. */
    public Builder blockUnreadableRequests(boolean block) {
      this.blockUnreadableRequests = block;
      return this;
    }

    /**
     * How many scope values (tenants, users, ...) each budget tracks in memory before the least
     * recently used are forgotten (their counters stay in the store); default {@value
     * BudgetEngine#DEFAULT_MAX_TRACKED_SCOPE_VALUES}.
     */
    public Builder maxTrackedScopeValues(int max) {
      this.maxTrackedScopeValues = max;
      return this;
    }

    // ---- records ----

    /**
     * Sends every record to {@code sink}, on its own bounded queue and worker thread. The engine
     * flushes and closes it. Without a sink records are counted and dropped.
     */
    public Builder addSink(UsageSink sink) {
      sinks.add(Objects.requireNonNull(sink, "sink"));
      return this;
    }

    /**
     * Records each sink's queue holds before a full queue spills to the sink's overflow spool (if
     * it has one) or drops and counts; default {@value RecordPipeline#DEFAULT_QUEUE_CAPACITY}.
     */
    public Builder queueCapacity(int capacity) {
      this.queueCapacity = capacity;
      return this;
    }

    /** Most records per export call; default {@value RecordPipeline#DEFAULT_BATCH_SIZE}. */
    public Builder batchSize(int size) {
      this.batchSize = size;
      return this;
    }

    /**
     * How long a sink's worker waits to fill a batch; default {@value
     * RecordPipeline#DEFAULT_LINGER_MILLIS} ms.
     */
    public Builder linger(Duration linger) {
      this.linger = Objects.requireNonNull(linger, "linger");
      return this;
    }

    /**
     * How long {@link AttributionEngine#close()} waits for queued records to drain; default {@value
     * RecordPipeline#DEFAULT_SHUTDOWN_TIMEOUT_MILLIS} ms.
     */
    public Builder closeTimeout(Duration timeout) {
      this.closeTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Whether a JVM shutdown hook drains records when the application exits without calling {@link
     * AttributionEngine#close()}; default {@code true}. The hook closes the engine's sinks within
     * {@link AttributionEngine#SHUTDOWN_HOOK_TIMEOUT} (it gives up after twice that, so a hung sink
     * cannot keep the JVM from exiting), and is removed by {@code close()}. Switch it off when your
     * own shutdown sequence closes the engine, or in tests that build many short-lived engines.
     */
    public Builder shutdownHook(boolean enabled) {
      this.shutdownHook = enabled;
      return this;
    }

    // ---- routes ----

    /**
     * Retries a call once over {@code route} when it fails with one of {@code statuses} (e.g. 429,
     * 500, 502, 503) or, with {@code onTimeout}, times out. Bounded: a failover attempt never fails
     * over again, so there are no retry storms. Both attempts are recorded; budgets admit the
     * failover like any call.
     *
     * @throws IllegalArgumentException if a status is not 400..599
     */
    public Builder failover(String route, boolean onTimeout, int... statuses) {
      if (route == null || route.isBlank()) {
        throw new IllegalArgumentException("failover: route must not be blank");
      }
      for (int st : statuses) {
        if (st < 400 || st > 599) {
          throw new IllegalArgumentException("failover: status " + st + " is not an error status");
        }
        failoverStatuses.add(st);
      }
      this.failoverRoute = route;
      this.failoverOnTimeout = onTimeout;
      return this;
    }

    /** Defines a route that rules, budgets and failover can send calls to. */
    public Builder route(Route route) {
      Objects.requireNonNull(route, "route");
      if (routes.putIfAbsent(route.name(), route) != null) {
        throw new IllegalArgumentException("route " + route.name() + " is defined twice");
      }
      return this;
    }

    /** Adds a routing rule; rules are tried in the order added. */
    public Builder routingRule(RoutingRule rule) {
      rules.add(Objects.requireNonNull(rule, "rule"));
      return this;
    }

    /** Chooses upstream keys per tenant or route (bring-your-own-key). */
    public Builder credentials(CredentialResolver resolver) {
      this.credentials = Objects.requireNonNull(resolver, "resolver");
      return this;
    }

    // ---- the rest ----

    /**
     * The secret that keys API-key fingerprints (HMAC-SHA256), at least 16 bytes: set the same
     * value on every replica, from your secret store, so fingerprints are stable across restarts
     * and replicas and cannot be reversed by trying candidate keys. Default: a random secret per
     * process, so fingerprints change on restart; a budget scoped by key then fails {@link
     * #build()}.
     *
     * @throws IllegalArgumentException if the secret is shorter than 16 bytes
     */
    public Builder keyFingerprintSecret(String secret) {
      this.fingerprints = KeyFingerprints.withSecret(Objects.requireNonNull(secret, "secret"));
      return this;
    }

    /**
     * The clock for record times, price versions, budget periods and reservation expiry; default
     * the UTC system clock.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The monotonic time source for latencies, in nanoseconds; default {@link System#nanoTime}. */
    public Builder nanoTime(LongSupplier nanoTime) {
      this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
      return this;
    }

    /**
     * Whether to add {@code stream_options.include_usage} to OpenAI-style chat streams that lack
     * it, so streams report usage (the application then also sees one extra, choice-less chunk
     * before {@code [DONE]}, which the OpenAI SDKs handle); default {@code true}.
     */
    public Builder addStreamUsage(boolean enabled) {
      this.addStreamUsage = enabled;
      return this;
    }

    /**
     * Whether POSTs to unrecognised endpoints (hosts and paths that are not a known or mapped LLM
     * API) are recorded, without a provider; default {@code false}. Either way their bodies are
     * never buffered or read.
     */
    public Builder recordUnrecognised(boolean enabled) {
      this.recordUnrecognised = enabled;
      return this;
    }

    /**
     * What to do when a budget would downgrade or reroute a request signed over its body (AWS
     * SigV4), which must not be rewritten: {@code false} (default) lets it through unchanged,
     * {@code true} blocks it. The record says so either way.
     */
    public Builder blockSignedRewrites(boolean block) {
      this.blockSignedRewrites = block;
      return this;
    }

    /**
     * The currency of records and budgets; default USD. Catalog prices are in USD, so another
     * currency needs price overrides in it; a budget in a different currency fails {@link
     * #build()}.
     */
    public Builder currency(String currency) {
      this.currency = CostBreakdown.zero(currency).currency();
      return this;
    }

    /**
     * The engine: loads prices, checks every setting against the others, seeds budgets and starts
     * one worker thread per sink.
     *
     * @throws IllegalStateException when settings contradict each other (the message says which and
     *     what to change)
     * @throws IllegalArgumentException when a value is out of range (named in the message)
     * @throws PriceDataException when price data cannot be read
     */
    public AttributionEngine build() {
      return EngineAssembly.build(this);
    }
  }
}
