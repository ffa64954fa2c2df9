package dev.attribution.core;

import dev.attribution.api.BudgetAction;
import dev.attribution.api.ContextSource;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.internal.ControlChars;
import dev.attribution.core.internal.provider.Endpoint;
import dev.attribution.core.internal.provider.ProviderRegistry;
import dev.attribution.core.internal.provider.RequestFacts;
import dev.attribution.core.internal.provider.RequestParser;
import dev.attribution.core.routing.Route;
import dev.attribution.core.routing.RoutingRule;
import dev.attribution.core.transport.CallRequest;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides a call before it is sent, in four stages, each an immutable answer the next one reads:
 * {@link #recognise} (provider, endpoint, what the body says) → {@link #route} (routing rules or
 * the failover route) → {@link #admit} (budgets: reserve the worst case, then proceed, downgrade,
 * reroute or block) → {@link UpstreamRewriter#rewrite} (body, URL, credentials). {@link #decide}
 * composes them into one {@link CallDecision}.
 */
final class CallDecider {

  private static final Logger LOG = LoggerFactory.getLogger(AttributionEngine.class);

  private final ProviderRegistry registry;
  private final CostModel costModel;
  private final BudgetGate budgets;
  private final Map<String, Route> routes;
  private final List<RoutingRule> rules;
  private final KeyFingerprints fingerprints;
  private final UpstreamRewriter rewriter;
  private final EngineFailures failures;
  private final boolean recordUnrecognised;
  private final boolean blockSignedRewrites;
  private final AtomicLong calls = new AtomicLong();
  private final Set<String> warnedHosts = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean warnedNoContext = new AtomicBoolean();

  CallDecider(
      ProviderRegistry registry,
      CostModel costModel,
      BudgetGate budgets,
      Map<String, Route> routes,
      List<RoutingRule> rules,
      KeyFingerprints fingerprints,
      UpstreamRewriter rewriter,
      EngineFailures failures,
      boolean recordUnrecognised,
      boolean blockSignedRewrites) {
    this.registry = Objects.requireNonNull(registry);
    this.costModel = Objects.requireNonNull(costModel);
    this.budgets = Objects.requireNonNull(budgets);
    this.routes = Map.copyOf(routes);
    this.rules = List.copyOf(rules);
    this.fingerprints = Objects.requireNonNull(fingerprints);
    this.rewriter = Objects.requireNonNull(rewriter);
    this.failures = Objects.requireNonNull(failures);
    this.recordUnrecognised = recordUnrecognised;
    this.blockSignedRewrites = blockSignedRewrites;
  }

  /** Recognised LLM calls decided so far. */
  long calls() {
    return calls.get();
  }

  /**
   * The whole decision for {@code req}, started at {@code started}; {@code forcedRoute} is the
   * failover route of a failover attempt, or {@code null}. A blocked decision's reservation is
   * already released; recording the block is the caller's.
   */
  CallDecision decide(CallRequest req, Instant started, @Nullable Route forcedRoute) {
    if (!req.method().equals("POST")) {
      return CallDecision.untracked(req.context());
    }
    Recognised recognised = recognise(req);
    if (recognised == null) {
      return unrecognised(req);
    }
    warnIfNoContext(req);
    Admitted admitted = admit(route(recognised, forcedRoute), started);
    if (admitted.blocked() != null) {
      return blockedDecision(admitted);
    }
    return decision(admitted, rewriter.rewrite(admitted));
  }

  private CallDecision unrecognised(CallRequest req) {
    warnIfUnmappedLlmHost(req);
    return CallDecision.unrecognised(
        recordUnrecognised,
        req.context(),
        req.contextSource(),
        req.host(),
        req.attempt(),
        fingerprints.fingerprint(KeyFingerprints.keyOf(registry, req.headers(), req.query())));
  }

  // ---- stage 1: recognise ----

  /**
   * The provider and endpoint {@code req}'s host and path name, and what its body says; {@code
   * null} for a POST no provider claims.
   */
  @Nullable Recognised recognise(CallRequest req) {
    Endpoint endpoint = registry.recognize(req.host(), req.port(), req.path());
    if (endpoint == null) {
      return null;
    }
    calls.incrementAndGet();
    Map<String, String> attrs =
        req.rejectedHeaders().isEmpty()
            ? Map.of()
            : Map.of("rejected_headers", req.rejectedHeaders());
    byte[] body = req.body();
    RequestFacts facts = null;
    if (body != null) {
      try {
        facts = RequestParser.parse(endpoint, body);
      } catch (Exception e) {
        failures.parseFailure(endpoint.provider(), e);
      }
    }
    // No body (too large, one-shot, or not read) or an unreadable one: no upper bound.
    boolean unreadable = facts == null;
    if (facts == null) {
      facts = RequestFacts.unknown(endpoint.modelInPath(), endpoint.streamingByPath());
    }
    return new Recognised(
        req,
        endpoint,
        facts,
        body,
        unreadable,
        boundedModel(endpoint.dialect().model(endpoint, facts)),
        isSigned(req),
        KeyFingerprints.keyOf(registry, req.headers(), req.query()),
        endpoint.dialect().deployment(endpoint),
        attrs);
  }

  // ---- stage 2: route ----

  /**
   * Where {@code call} goes: {@code forcedRoute} (a failover attempt), else the first routing rule
   * that matches, else the host it names. Independent of budgets. A signed request is never
   * rerouted.
   */
  Routed route(Recognised call, @Nullable Route forcedRoute) {
    Route route = forcedRoute;
    String rule = null;
    if (route != null) {
      rule = "failover";
    } else {
      for (RoutingRule r : rules) {
        if (r.matches(call.request().context(), call.provider(), call.model())) {
          route = routes.get(r.route());
          rule = r.name();
          break;
        }
      }
    }
    Map<String, String> attrs = Map.of();
    if (route != null && call.signed()) {
      attrs = Map.of("rewrite_skipped", "signed_request");
      route = null;
      rule = null;
    }
    return routed(call, route, rule, attrs);
  }

  private static Routed routed(
      Recognised call, @Nullable Route route, @Nullable String rule, Map<String, String> attrs) {
    String provider = route != null ? route.provider() : call.provider();
    String sendModel = route != null ? route.modelFor(call.model()) : call.model();
    return new Routed(call, route, rule, provider, sendModel, attrs);
  }

  // ---- stage 3: admit ----

  /**
   * What the budgets say about {@code routed}: the worst case is reserved before any money is
   * spent, then the call proceeds, is downgraded or rerouted (and re-reserved for its new target),
   * or is blocked (and its reservation released). The input side of the worst case is bounded by
   * the body's UTF-8 byte count without tokenising; the tokenizer runs only when that bound could
   * change the decision (near a threshold), or to re-estimate a downgrade or reroute. Skipped
   * entirely when no budgets are configured.
   */
  Admitted admit(Routed routed, Instant started) {
    Recognised call = routed.call();
    String keyFingerprint = fingerprints.fingerprint(call.originalKey());
    // Without budgets nothing asks for the exact count (no downgrade, no reroute): no counter.
    ExactInput exact =
        budgets == BudgetGate.NONE
            ? null
            : new ExactInput(routed.provider(), routed.sendModel(), call.body(), started);
    BudgetGate.Gate gate =
        exact == null ? BudgetGate.ALLOW_ALL : reserve(routed, keyFingerprint, exact, started);
    BudgetAction recorded = BudgetAction.NONE;
    BudgetAction dryRunAction = null;
    String budgetName = null;
    BigDecimal budgetPercent = null;
    BudgetAction action = gate.dryRun() ? BudgetAction.NONE : gate.action();
    if (gate.action() != BudgetAction.NONE) {
      budgetName = gate.budgetName();
      budgetPercent = gate.percent();
      recorded = gate.action();
      if (gate.dryRun()) {
        dryRunAction = gate.action();
        recorded = BudgetAction.NONE;
      }
    }
    Map<String, String> attrs = Map.of();
    if ((action == BudgetAction.DOWNGRADE || action == BudgetAction.REROUTE) && call.signed()) {
      attrs = Map.of("rewrite_skipped", "signed_request");
      action = blockSignedRewrites ? BudgetAction.BLOCK : BudgetAction.NONE;
      recorded = action;
    }
    if (action == BudgetAction.BLOCK) {
      gate.release(null);
      return new Admitted(
          routed,
          gate,
          recorded,
          budgetName,
          budgetPercent,
          dryRunAction,
          BlockedResponses.of(call.endpoint(), gate, started),
          exact == null ? -1 : exact.counted(),
          keyFingerprint,
          attrs);
    }
    Routed sent = routed;
    RequestFacts facts = call.facts();
    long maxOut = facts.maxOutputTokens() >= 0 ? facts.maxOutputTokens() : -1;
    long outputs = facts.outputCount();
    String provider = routed.provider();
    if (action == BudgetAction.DOWNGRADE && gate.targetModel() != null) {
      String target = gate.targetModel();
      long inputTokens = Objects.requireNonNull(exact).tokens();
      BigDecimal newEstimate =
          costModel.estimate(provider, target, inputTokens, maxOut, outputs, started);
      gate =
          gate.readmit(provider, target, newEstimate, readmitTokens(inputTokens, maxOut, outputs));
      sent = new Routed(call, routed.route(), routed.rule(), provider, target, routed.attributes());
    } else if (action == BudgetAction.REROUTE && gate.route() != null) {
      Route r = routes.get(gate.route());
      if (r != null) {
        long inputTokens = Objects.requireNonNull(exact).tokens();
        sent = routed(call, r, "budget:" + gate.budgetName(), routed.attributes());
        String m = sent.sendModel();
        BigDecimal newEstimate =
            m == null
                ? null
                : costModel.estimate(r.provider(), m, inputTokens, maxOut, outputs, started);
        gate =
            gate.readmit(
                r.provider(),
                sent.budgetModel(),
                newEstimate,
                readmitTokens(inputTokens, maxOut, outputs));
      }
    }
    if (sent != routed && gate.action() == BudgetAction.BLOCK && !gate.dryRun()) {
      // The cheaper target is over a cap of its own (or another call took the room between the
      // release and the re-admission): blocked like any call, never sent unreserved.
      gate.release(null);
      return new Admitted(
          routed,
          gate,
          BudgetAction.BLOCK,
          gate.budgetName(),
          gate.percent(),
          dryRunAction,
          BlockedResponses.of(call.endpoint(), gate, started),
          exact == null ? -1 : exact.counted(),
          keyFingerprint,
          attrs);
    }
    return new Admitted(
        sent,
        gate,
        recorded,
        budgetName,
        budgetPercent,
        dryRunAction,
        null,
        exact == null ? -1 : exact.counted(),
        keyFingerprint,
        attrs);
  }

  /**
   * Reserves {@code routed}'s worst case against the budgets: on the body's byte bound when there
   * is one (with the exact count on demand), else on the exact count.
   */
  private BudgetGate.Gate reserve(
      Routed routed, @Nullable String keyFingerprint, ExactInput exact, Instant started) {
    Recognised call = routed.call();
    RequestFacts facts = call.facts();
    byte[] body = call.body();
    long maxOut = facts.maxOutputTokens() >= 0 ? facts.maxOutputTokens() : -1;
    long outputs = facts.outputCount(); // n, best_of, candidateCount: output billed per generation
    // Without a maximum, output is bounded as the money estimate bounds it (not by zero), so a
    // token cap holds for requests that set no max_tokens.
    long outCap = maxOut >= 0 ? maxOut : costModel.defaultMaxOutputTokens();
    String provider = routed.provider();
    String sendModel = routed.sendModel();
    boolean priced = sendModel != null && !call.unreadable();
    // A body that was read but does not parse is unreadable: no bound, so budgets treat it as such.
    long bound =
        body == null || call.unreadable()
            ? -1
            : costModel.inputTokenBound(provider, sendModel, body.length);
    long inputTokens = bound >= 0 ? bound : exact.tokens();
    long estimatedTokens = worstTokens(inputTokens, outCap, outputs);
    BigDecimal estimate =
        priced
            ? costModel.estimate(
                provider, Objects.requireNonNull(sendModel), inputTokens, maxOut, outputs, started)
            : null;
    // The estimator (at inputTokens) and the exact count on demand are the counter itself: one
    // object per call instead of a capturing lambda for each.
    exact.prepare(inputTokens, maxOut, outputs, outCap, priced);
    if (bound < 0) {
      return budgets.admit(
          call.request().context(),
          provider,
          routed.budgetModel(),
          keyFingerprint,
          estimate,
          estimatedTokens,
          call.unreadable(),
          exact);
    }
    return budgets.admit(
        call.request().context(),
        provider,
        routed.budgetModel(),
        keyFingerprint,
        estimate,
        estimatedTokens,
        exact,
        priced
            ? costModel.estimate(
                provider, Objects.requireNonNull(sendModel), 0, maxOut, outputs, started)
            : null,
        worstTokens(0, outCap, outputs),
        exact);
  }

  private long readmitTokens(long input, long maxOut, long outputs) {
    return worstTokens(input, maxOut >= 0 ? maxOut : costModel.defaultMaxOutputTokens(), outputs);
  }

  /**
   * A call's input tokens counted by the tokenizer at most once, when first asked for: budgets ask
   * only when the body's byte bound could change their decision, a downgrade or reroute asks to
   * re-estimate. For budgets it is also the estimator of other models at the tokens the decision
   * used ({@link #apply}) and the exact estimate on demand ({@link #get}), once {@link #prepare}d.
   * Used on the deciding thread only.
   */
  private final class ExactInput
      implements Function<String, @Nullable BigDecimal>, Supplier<BudgetGate.Exact> {
    private final String provider;
    private final @Nullable String model;
    private final byte @Nullable [] body;
    private final Instant started;
    private long tokens = -1;
    private long estimatorTokens;
    private long maxOut;
    private long outputs;
    private long outCap;
    private boolean priced;

    ExactInput(String provider, @Nullable String model, byte @Nullable [] body, Instant started) {
      this.provider = provider;
      this.model = model;
      this.body = body;
      this.started = started;
    }

    /** What the estimator and the exact estimate need, as {@link #reserve} computed it. */
    void prepare(long estimatorTokens, long maxOut, long outputs, long outCap, boolean priced) {
      this.estimatorTokens = estimatorTokens;
      this.maxOut = maxOut;
      this.outputs = outputs;
      this.outCap = outCap;
      this.priced = priced;
    }

    long tokens() {
      if (tokens < 0) {
        tokens = estimateInputTokens(provider, model, body);
      }
      return tokens;
    }

    /** The count, or -1 when nobody asked for it. */
    long counted() {
      return tokens;
    }

    /** The estimate for model {@code m} at the input tokens the decision used. */
    @Override
    public @Nullable BigDecimal apply(String m) {
      return costModel.estimate(provider, m, estimatorTokens, maxOut, outputs, started);
    }

    /** The estimate at the exact count, for a decision the byte bound could change. */
    @Override
    public BudgetGate.Exact get() {
      long in = tokens();
      long maxOut = this.maxOut;
      long outputs = this.outputs;
      return new BudgetGate.Exact(
          priced
              ? costModel.estimate(
                  provider, Objects.requireNonNull(model), in, maxOut, outputs, started)
              : null,
          worstTokens(in, outCap, outputs),
          m -> costModel.estimate(provider, m, in, maxOut, outputs, started));
    }
  }

  /**
   * The input tokens of {@code body} for {@code model}, by the tokenizer; 0 without a body, a
   * quarter of its bytes when the tokenizer fails (counted as an internal failure).
   */
  long estimateInputTokens(String provider, @Nullable String model, byte @Nullable [] body) {
    if (body == null) {
      return 0;
    }
    try {
      return costModel.estimateInputTokens(
          provider, model, new String(body, StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      failures.internalFailure("estimating input tokens", e);
      return (body.length + 3) / 4;
    }
  }

  // ---- the decision ----

  /**
   * A blocked call: recorded under the endpoint's provider and the requested model, with the rule
   * that routed it but no route, since nothing was sent, and the fingerprint of the key it would
   * have been sent with (a resolver's or route's key included), so a blocked call is attributed to
   * a key like any other.
   */
  private CallDecision blockedDecision(Admitted a) {
    Recognised call = a.routed().call();
    String key = null;
    try {
      key = rewriter.keyWouldSend(a.routed());
    } catch (RuntimeException e) {
      failures.internalFailure("finding a blocked call's key", e);
    }
    String keyFingerprint =
        Objects.equals(key, call.originalKey())
            ? a.keyFingerprint()
            : fingerprints.fingerprint(key);
    return decision(
        a,
        call.provider(),
        call.request().host(),
        call.model(),
        null,
        keyFingerprint,
        null,
        Map.of());
  }

  private CallDecision decision(Admitted a, Rewritten rw) {
    Routed routed = a.routed();
    Recognised call = routed.call();
    Route route = routed.route();
    String keyFingerprint =
        Objects.equals(rw.finalKey(), call.originalKey())
            ? a.keyFingerprint()
            : fingerprints.fingerprint(rw.finalKey());
    return decision(
        a,
        routed.provider(),
        route != null ? route.baseUrl().getHost() : call.request().host(),
        rw.modelKept() ? call.model() : routed.sendModel(),
        route != null ? route.name() : null,
        keyFingerprint,
        rw.rewrite(),
        rw.attributes());
  }

  private static CallDecision decision(
      Admitted a,
      String provider,
      @Nullable String serverHost,
      @Nullable String effectiveModel,
      @Nullable String route,
      @Nullable String keyFingerprint,
      dev.attribution.core.transport.@Nullable UpstreamRewrite rewrite,
      Map<String, String> rewriteAttributes) {
    Routed routed = a.routed();
    Recognised call = routed.call();
    CallRequest req = call.request();
    Map<String, String> attrs =
        merged(call.attributes(), routed.attributes(), a.attributes(), rewriteAttributes);
    return new CallDecision(
        true,
        call.endpoint(),
        req.context(),
        req.contextSource(),
        provider,
        call.endpoint().operation(),
        serverHost,
        call.model(),
        effectiveModel,
        route,
        routed.rule(),
        call.facts().streaming(),
        req.attempt(),
        false,
        keyFingerprint,
        a.estimatedInputTokens(),
        call.body(),
        a.gate(),
        a.recordedAction(),
        a.budgetName(),
        a.budgetPercent(),
        a.dryRunAction(),
        call.deployment(),
        a.blocked(),
        rewrite,
        attrs);
  }

  // ---- helpers ----

  /** The stages' attributes in one map, later stages winning; no copy when none noted any. */
  private static Map<String, String> merged(
      Map<String, String> a, Map<String, String> b, Map<String, String> c, Map<String, String> d) {
    if (a.isEmpty() && b.isEmpty() && c.isEmpty() && d.isEmpty()) {
      return Map.of();
    }
    Map<String, String> out = new HashMap<>(a);
    out.putAll(b);
    out.putAll(c);
    out.putAll(d);
    return out;
  }

  /**
   * The model name cut to {@link UsageRecord#MAX_MODEL_LENGTH}: it comes from the request, and
   * budgets, logs and records must not carry a megabyte of it. Only a name that long changes, and
   * the request is still sent with the name it had.
   */
  static @Nullable String boundedModel(@Nullable String model) {
    if (model == null || model.length() <= UsageRecord.MAX_MODEL_LENGTH) {
      return model;
    }
    int end = UsageRecord.MAX_MODEL_LENGTH - 1;
    if (Character.isHighSurrogate(model.charAt(end - 1))) {
      end--;
    }
    return model.substring(0, end) + "\u2026";
  }

  /**
   * A POST to an unknown host on a path that would be recognised on a known one is almost always a
   * proxy or a local model server the application forgot to map: without this warning every such
   * call passes with no tokens, cost or budget check (recorded, without a provider, only with
   * {@code recordUnrecognised}). Logged once per host (bounded, so hostile traffic cannot grow the
   * set), whatever {@code recordUnrecognised} says.
   */
  private void warnIfUnmappedLlmHost(CallRequest req) {
    if (!registry.isLlmPath(req.path())
        || warnedHosts.size() >= AttributionEngine.MAX_WARNED_HOSTS) {
      return;
    }
    String hostPort = req.host().toLowerCase(Locale.ROOT) + ":" + req.port();
    if (warnedHosts.add(hostPort)) {
      LOG.warn(
          "POST {}{} looks like an LLM API call, but {} is not a known provider host, so its calls"
              + " get no tokens, cost or budget checks (and are recorded, without a provider,"
              + " only with recordUnrecognised(true)). If it is"
              + " a proxy or a model server, map it: AttributionEngine.builder().mapHost(\"{}\","
              + " \"openai\"), with the provider whose API it speaks. Logged once per host.",
          ControlChars.escape(hostPort),
          ControlChars.escape(req.path()),
          ControlChars.escape(hostPort),
          ControlChars.escape(hostPort));
    }
  }

  /**
   * A recognised call with no context at all (no request tag, no scope on the calling thread, no
   * {@code x-attribution-*} header) is almost always a forgotten request filter or an executor that
   * was not wrapped: without this warning it is recorded with no tenant, user or feature and nobody
   * notices until the review. Logged once per engine; each record says {@code context_source}
   * {@code none}.
   */
  private void warnIfNoContext(CallRequest req) {
    if (req.contextSource() == ContextSource.NONE && warnedNoContext.compareAndSet(false, true)) {
      LOG.warn(
          "A call to {}{} has no attribution context: no scope is open on the calling thread and"
              + " it carries no x-attribution-* headers, so it is recorded without tenant, user"
              + " or feature (context_source none). Open one per request with"
              + " Attribution.openIsolated(..), run background work on an Attribution.wrap(..)"
              + " executor, or pass AttributionHeaders on calls that leave the thread. Logged"
              + " once.",
          ControlChars.escape(req.host()),
          ControlChars.escape(req.path()));
    }
  }

  /** {@code input + maxOut * outputs} worst-case tokens, saturating at Long.MAX_VALUE. */
  static long worstTokens(long input, long maxOut, long outputs) {
    long out = Math.max(0, maxOut);
    out =
        Math.multiplyHigh(out, outputs) != 0 || out * outputs < 0 ? Long.MAX_VALUE : out * outputs;
    long sum = input + out;
    return sum < 0 ? Long.MAX_VALUE : sum;
  }

  private static boolean isSigned(CallRequest req) {
    String auth = req.headers().apply("Authorization");
    return auth != null && auth.startsWith("AWS4-HMAC-SHA256");
  }
}
