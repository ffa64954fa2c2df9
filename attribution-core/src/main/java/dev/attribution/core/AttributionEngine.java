package dev.attribution.core;

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.CallStatus;
import dev.attribution.api.CostBreakdown;
import dev.attribution.api.CredentialResolver;
import dev.attribution.api.TokenUsage;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import dev.attribution.api.internal.ControlChars;
import dev.attribution.api.internal.RateLimitedLogger;
import dev.attribution.core.pipeline.RecordPipeline;
import dev.attribution.core.provider.Dialect;
import dev.attribution.core.provider.Endpoint;
import dev.attribution.core.provider.ProviderRegistry;
import dev.attribution.core.provider.Providers;
import dev.attribution.core.provider.RequestFacts;
import dev.attribution.core.provider.RequestParser;
import dev.attribution.core.routing.Route;
import dev.attribution.core.routing.RoutingRule;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine behind every transport: recognises the call, decides before it is sent (routing rules,
 * budgets, loop guard), and turns its response into one priced usage record on the record pipeline.
 *
 * <p>Thread-safe; build one per application and share it. {@link #begin(CallRequest)} never throws
 * and never blocks on I/O: a failure inside attribution is counted ({@link #stats()}), logged at
 * most every 10 seconds, and the call proceeds untouched. Only a budget decision stops a call.
 */
public final class AttributionEngine implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AttributionEngine.class);
  static final int MAX_WARNED_HOSTS = 64;

  /**
   * How long the shutdown hook lets records drain; it gives up after twice this, so a sink that
   * hangs in its flush or close cannot keep the JVM from exiting.
   */
  public static final Duration SHUTDOWN_HOOK_TIMEOUT = Duration.ofSeconds(10);

  private static final Set<String> CREDENTIAL_HEADERS =
      Set.of("authorization", "api-key", "x-api-key", "x-goog-api-key");
  private static final String KEY_PARAMETER = "key";
  private static final java.util.concurrent.atomic.AtomicBoolean PER_PROCESS_NOTICE =
      new java.util.concurrent.atomic.AtomicBoolean();

  private final ProviderRegistry registry;
  private final RecordPipeline pipeline;
  private final boolean ownsPipeline;
  private final CostModel costModel;
  private final BudgetGate budgets;
  private final Map<String, Route> routes;
  private final List<RoutingRule> rules;
  private final CredentialResolver credentials;
  private final KeyFingerprints fingerprints;
  private final Clock clock;
  private final LongSupplier nanoTime;
  private final boolean addStreamUsage;
  private final boolean recordUnrecognised;
  private final boolean blockSignedRewrites;
  private final String currency;
  private final @Nullable String failoverRoute;
  private final Set<Integer> failoverStatuses;
  private final boolean failoverOnTimeout;
  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong internalFailures = new AtomicLong();
  private final AtomicLong parseFailures = new AtomicLong();
  private final AtomicLong blockedCalls = new AtomicLong();
  private final RateLimitedLogger failureLog = new RateLimitedLogger(LOG, 10_000);
  private final Set<String> warnedHosts = ConcurrentHashMap.newKeySet();
  private final @Nullable Thread shutdownHook;

  private AttributionEngine(Builder b) {
    this.registry = b.registry;
    if (b.pipeline != null) {
      this.pipeline = b.pipeline;
      this.ownsPipeline = false;
    } else {
      RecordPipeline.Builder pb = RecordPipeline.builder();
      if (b.sinks.isEmpty()) {
        pb.addSink(UsageSink.noop());
      }
      b.sinks.forEach(pb::addSink);
      if (b.budgetEngine != null) {
        dev.attribution.core.budget.BudgetEngine be = b.budgetEngine;
        for (UsageSink sink : b.sinks) {
          sink.bindBudgetStatuses(be::knownStatuses);
        }
      }
      this.pipeline = pb.build();
      this.ownsPipeline = true;
    }
    this.costModel = b.costModel;
    this.budgets = b.budgets;
    this.routes = Map.copyOf(b.routes);
    this.rules = List.copyOf(b.rules);
    this.credentials = b.credentials;
    this.fingerprints = Objects.requireNonNull(b.fingerprints);
    this.clock = b.clock;
    this.nanoTime = b.nanoTime;
    this.addStreamUsage = b.addStreamUsage;
    this.recordUnrecognised = b.recordUnrecognised;
    this.blockSignedRewrites = b.blockSignedRewrites;
    this.currency = b.currency;
    this.failoverRoute = b.failoverRoute;
    this.failoverStatuses = Set.copyOf(b.failoverStatuses);
    this.failoverOnTimeout = b.failoverOnTimeout;
    this.shutdownHook = b.shutdownHook ? registerShutdownHook(b.shutdownHookTimeout) : null;
  }

  /**
   * Registers the hook that drains records when the application exits without closing the engine (a
   * {@code main} that returns, {@code System.exit}, SIGTERM): an engine's own pipeline is closed
   * (drained within {@code timeout}, sinks flushed and closed), a pipeline passed in is flushed
   * within {@code timeout} and left to its owner. The work runs on a daemon thread the hook waits
   * for at most twice {@code timeout}: JVM exit waits for hooks, and a sink's flush or close is not
   * bounded by the pipeline.
   */
  private @Nullable Thread registerShutdownHook(Duration timeout) {
    Runnable drain =
        () -> {
          if (ownsPipeline) {
            pipeline.close(timeout);
          } else {
            pipeline.flush(timeout);
          }
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
      return decide(request, started, startNanos, null);
    } catch (RuntimeException | LinkageError e) {
      internalFailure("deciding on a call", e);
      return new LlmCall(this, false, null, request.context(), started, startNanos);
    }
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
      CallRequest request, LlmCall failed, int httpStatus, boolean timedOut) {
    Route target = failoverRoute == null ? null : routes.get(failoverRoute);
    if (target == null || failed.failover || !failed.recognised() || failed.blocked() != null) {
      return null;
    }
    if (target.name().equals(failed.route)) {
      return null;
    }
    boolean eligible = timedOut ? failoverOnTimeout : failoverStatuses.contains(httpStatus);
    if (!eligible) {
      return null;
    }
    Instant started = clock.instant();
    long startNanos = nanoTime.getAsLong();
    try {
      LlmCall c = decide(request, started, startNanos, target);
      c.failover = true;
      c.attempt = failed.attempt + 1;
      c.attribute("failover_from", failed.route == null ? failed.provider : failed.route);
      return c;
    } catch (RuntimeException | LinkageError e) {
      internalFailure("starting a failover", e);
      return null;
    }
  }

  private LlmCall decide(
      CallRequest req, Instant started, long startNanos, @Nullable Route forcedRoute) {
    if (!req.method().equals("POST")) {
      return new LlmCall(this, false, null, req.context(), started, startNanos);
    }
    Endpoint endpoint = registry.recognize(req.host(), req.port(), req.path());
    if (endpoint == null) {
      warnIfUnmappedLlmHost(req);
      LlmCall c = new LlmCall(this, recordUnrecognised, null, req.context(), started, startNanos);
      c.serverHost = req.host();
      c.contextSource = req.contextSource();
      c.attempt = req.attempt();
      c.keyFingerprint =
          fingerprints.fingerprint(KeyFingerprints.keyOf(req.headers(), req.query()));
      return c;
    }
    calls.incrementAndGet();
    LlmCall call = new LlmCall(this, true, endpoint, req.context(), started, startNanos);
    call.provider = endpoint.provider();
    call.operation = endpoint.operation();
    call.serverHost = req.host();
    call.contextSource = req.contextSource();
    call.attempt = req.attempt();
    if (!req.rejectedHeaders().isEmpty()) {
      call.attribute("rejected_headers", req.rejectedHeaders());
    }

    byte[] body = req.body();
    RequestFacts facts = RequestFacts.unknown(endpoint.modelInPath(), endpoint.streamingByPath());
    boolean unreadable = body == null; // too large, one-shot, or not read: no upper bound
    if (body != null) {
      try {
        facts = RequestParser.parse(endpoint, body);
      } catch (Exception e) {
        parseFailure(endpoint.provider(), e);
        unreadable = true;
      }
    }
    String model = facts.model();
    if (endpoint.provider().equals(Providers.AZURE_OPENAI) && endpoint.modelInPath() != null) {
      model = registry.azureModel(endpoint.modelInPath());
    }
    model = boundedModel(model);
    call.requestedModel = model;
    call.effectiveModel = model;
    call.streaming = facts.streaming();
    String originalKey = KeyFingerprints.keyOf(req.headers(), req.query());
    boolean signed = isSigned(req);

    // 1. Routing rules, independent of budgets (a failover attempt has its route already).
    Route route = forcedRoute;
    if (route != null) {
      call.routeRule = "failover";
    } else {
      for (RoutingRule rule : rules) {
        if (rule.matches(req.context(), endpoint.provider(), model)) {
          route = routes.get(rule.route());
          call.routeRule = rule.name();
          break;
        }
      }
    }
    if (route != null && signed) {
      call.attribute("rewrite_skipped", "signed_request");
      route = null;
      call.routeRule = null;
    }
    String provider = route != null ? route.provider() : endpoint.provider();
    String sendModel = route != null ? route.modelFor(model) : model;

    // 2. Budgets: reserve the worst case before any money is spent. Estimating tokenises the
    // request, so it is skipped entirely when no budgets are configured.
    call.requestBody = body;
    long maxOut = facts.maxOutputTokens() >= 0 ? facts.maxOutputTokens() : -1;
    long outputs = facts.outputCount(); // n, best_of, candidateCount: output billed per generation
    BigDecimal estimate = null;
    long estimatedTokens = 0;
    long inputTokens = 0;
    if (budgets != BudgetGate.NONE) {
      String text = body == null ? "" : new String(body, StandardCharsets.UTF_8);
      inputTokens = costModel.estimateInputTokens(provider, sendModel, text);
      call.estimatedInputTokens = inputTokens;
      // Without a maximum, output is bounded as the money estimate bounds it (not by zero), so a
      // token cap holds for requests that set no max_tokens.
      estimatedTokens =
          worstTokens(
              inputTokens, maxOut >= 0 ? maxOut : costModel.defaultMaxOutputTokens(), outputs);
      estimate =
          sendModel == null || unreadable
              ? null
              : costModel.estimate(provider, sendModel, inputTokens, maxOut, outputs, started);
    }
    String keyForBudget = fingerprints.fingerprint(originalKey);
    String budgetProvider = provider;
    long budgetInput = inputTokens;
    BudgetGate.Gate gate =
        budgets.admit(
            req.context(),
            provider,
            sendModel == null ? "unknown" : sendModel,
            keyForBudget,
            estimate,
            estimatedTokens,
            unreadable,
            m -> costModel.estimate(budgetProvider, m, budgetInput, maxOut, outputs, started));
    call.gate = gate;
    BudgetAction action = gate.dryRun() ? BudgetAction.NONE : gate.action();
    if (gate.action() != BudgetAction.NONE) {
      call.budgetName = gate.budgetName();
      call.budgetPercent = gate.percent();
      call.budgetAction = gate.action();
      if (gate.dryRun()) {
        call.attribute("budget_dry_run", gate.action().wireName());
        call.budgetAction = BudgetAction.NONE;
      }
    }
    if ((action == BudgetAction.DOWNGRADE || action == BudgetAction.REROUTE) && signed) {
      call.attribute("rewrite_skipped", "signed_request");
      if (blockSignedRewrites) {
        action = BudgetAction.BLOCK;
        call.budgetAction = BudgetAction.BLOCK;
      } else {
        action = BudgetAction.NONE;
        call.budgetAction = BudgetAction.NONE;
      }
    }
    if (action == BudgetAction.BLOCK) {
      gate.release(null);
      call.blocked = blockedResponse(endpoint.dialect(), gate, started);
      blockedCalls.incrementAndGet();
      call.finishBlocked();
      return call;
    }
    if (action == BudgetAction.DOWNGRADE && gate.targetModel() != null) {
      String target = gate.targetModel();
      BigDecimal newEstimate =
          costModel.estimate(provider, target, inputTokens, maxOut, outputs, started);
      call.gate = gate.readmit(provider, target, newEstimate, estimatedTokens);
      sendModel = target;
    } else if (action == BudgetAction.REROUTE && gate.route() != null) {
      Route r = routes.get(gate.route());
      if (r != null) {
        route = r;
        call.routeRule = "budget:" + gate.budgetName();
        provider = r.provider();
        sendModel = r.modelFor(model);
        BigDecimal newEstimate =
            sendModel == null
                ? null
                : costModel.estimate(provider, sendModel, inputTokens, maxOut, outputs, started);
        call.gate =
            gate.readmit(
                provider, sendModel == null ? "unknown" : sendModel, newEstimate, estimatedTokens);
      }
    }
    call.provider = provider;
    call.effectiveModel = sendModel;
    if (route != null) {
      call.route = route.name();
      call.serverHost = route.baseUrl().getHost();
    }

    // 3. The rewrite: body, URL, credentials.
    call.rewrite = rewrite(req, endpoint, facts, body, model, sendModel, route, call, signed);
    String finalKey = originalKey;
    if (call.rewrite != null) {
      if (!call.rewrite.removeHeaders().isEmpty()) {
        finalKey = null;
      }
      for (Map.Entry<String, String> h : call.rewrite.setHeaders().entrySet()) {
        if (CREDENTIAL_HEADERS.contains(h.getKey().toLowerCase(Locale.ROOT))) {
          String v = h.getValue();
          finalKey = v.regionMatches(true, 0, "Bearer ", 0, 7) ? v.substring(7) : v;
        }
      }
    }
    call.keyFingerprint =
        java.util.Objects.equals(finalKey, originalKey)
            ? keyForBudget
            : fingerprints.fingerprint(finalKey);
    return call;
  }

  /**
   * The model name cut to {@link UsageRecord#MAX_MODEL_LENGTH}: it comes from the request, and
   * budgets, logs and records must not carry a megabyte of it. Only a name that long changes, and
   * the request is still sent with the name it had.
   */
  private static @Nullable String boundedModel(@Nullable String model) {
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
   * call is silently recorded as provider {@code unknown}, with no tokens, cost or budget check.
   * Logged once per host (bounded, so hostile traffic cannot grow the set), whatever {@link
   * Builder#recordUnrecognised(boolean)} says.
   */
  private void warnIfUnmappedLlmHost(CallRequest req) {
    if (!ProviderRegistry.isLlmPath(req.path()) || warnedHosts.size() >= MAX_WARNED_HOSTS) {
      return;
    }
    String hostPort = req.host().toLowerCase(Locale.ROOT) + ":" + req.port();
    if (warnedHosts.add(hostPort)) {
      LOG.warn(
          "POST {}{} looks like an LLM API call, but {} is not a known provider host, so its calls"
              + " get no tokens, cost or budget checks (and are recorded, as provider 'unknown',"
              + " only with recordUnrecognised(true)). If it is"
              + " a proxy or a model server, map it: AttributionEngine.builder().providers("
              + "ProviderRegistry.builder().mapHost(\"{}\", \"openai\").build()), with the"
              + " provider whose API it speaks. Logged once per host.",
          ControlChars.escape(hostPort),
          ControlChars.escape(req.path()),
          ControlChars.escape(hostPort),
          ControlChars.escape(hostPort));
    }
  }

  /** {@code input + maxOut * outputs} worst-case tokens, saturating at Long.MAX_VALUE. */
  private static long worstTokens(long input, long maxOut, long outputs) {
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

  private @Nullable UpstreamRewrite rewrite(
      CallRequest req,
      Endpoint endpoint,
      RequestFacts facts,
      byte @Nullable [] body,
      @Nullable String requestedModel,
      @Nullable String sendModel,
      @Nullable Route route,
      LlmCall call,
      boolean signed) {
    if (signed) {
      return null;
    }
    byte[] newBody = null;
    String newPath = null;
    boolean modelChanged = sendModel != null && !sendModel.equals(requestedModel);
    if (modelChanged) {
      if (endpoint.dialect() == Dialect.GEMINI_GENERATE) {
        newPath = replaceGeminiModel(req.path(), sendModel);
      } else if (body != null) {
        newBody = RequestParser.withModel(body, facts, sendModel);
        if (newBody == null) {
          call.attribute("rewrite_skipped", "model_not_in_body");
          call.effectiveModel = requestedModel;
        }
      }
    }
    if (addStreamUsage
        && facts.streaming()
        && !facts.includeUsageRequested()
        && endpoint.dialect() == Dialect.OPENAI_CHAT) {
      byte[] base = newBody != null ? newBody : body;
      if (base != null) {
        try {
          RequestFacts f = newBody != null ? RequestParser.parse(endpoint, newBody) : facts;
          byte[] withUsage = RequestParser.withIncludeUsage(base, f);
          if (withUsage != null) {
            newBody = withUsage;
            call.attribute("include_usage_added", "true");
          }
        } catch (Exception e) {
          parseFailure(endpoint.provider(), e);
        }
      }
    }
    String scheme = null;
    String host = null;
    int port = -1;
    Map<String, String> set = new LinkedHashMap<>();
    if (route != null) {
      scheme = route.baseUrl().getScheme();
      host = route.baseUrl().getHost();
      port = route.baseUrl().getPort() >= 0 ? route.baseUrl().getPort() : defaultPort(scheme);
      String base = route.baseUrl().getPath() == null ? "" : route.baseUrl().getPath();
      if (base.endsWith("/")) {
        base = base.substring(0, base.length() - 1);
      }
      String p = newPath != null ? newPath : req.path();
      newPath = base + operationSuffix(p, endpoint);
    }
    String key = null;
    try {
      key = credentials.apiKey(req.context(), call.provider, route != null ? route.name() : null);
    } catch (RuntimeException | Error e) {
      // The application's code: an Error escaping here would drop the whole decision (downgrade,
      // route, record) and send the call as built.
      internalFailure("the credential resolver", e);
    }
    if (key == null && route != null) {
      key = route.apiKey();
    }
    if (key != null) {
      String target = route != null ? route.provider() : endpoint.provider();
      set.put(credentialHeader(target, endpoint), credentialValue(target, endpoint, key));
    }
    // Every credential of the original request goes when a key replaces it, and when a route
    // (another host, maybe another provider) has no key of its own and was not opted in: a key
    // meant for one provider must never reach another by accident. Without a key the upstream
    // answers 401, which is the safe failure.
    boolean strip = key != null || (route != null && !route.forwardApplicationCredentials());
    if (strip && key == null && hasCredentials(req)) {
      call.attribute("credentials_stripped", "true");
    }
    UpstreamRewrite rw =
        new UpstreamRewrite(
            newBody,
            scheme,
            host,
            port,
            newPath,
            set,
            strip ? CREDENTIAL_HEADERS : Set.of(),
            strip && hasKeyParameter(req.query()) ? Set.of(KEY_PARAMETER) : Set.of());
    return rw.isEmpty() ? null : rw;
  }

  private static boolean hasCredentials(CallRequest req) {
    for (String h : CREDENTIAL_HEADERS) {
      if (req.headers().apply(h) != null) {
        return true;
      }
    }
    return hasKeyParameter(req.query());
  }

  private static boolean hasKeyParameter(@Nullable String query) {
    if (query == null) {
      return false;
    }
    for (String part : query.split("&", -1)) {
      if (part.equals(KEY_PARAMETER) || part.startsWith(KEY_PARAMETER + "=")) {
        return true;
      }
    }
    return false;
  }

  private static int defaultPort(String scheme) {
    return "https".equals(scheme) ? 443 : 80;
  }

  private static String operationSuffix(String path, Endpoint endpoint) {
    String[] suffixes = {
      "/chat/completions", "/responses", "/embeddings", "/completions", "/messages"
    };
    for (String s : suffixes) {
      int i = path.lastIndexOf(s);
      if (i >= 0 && i + s.length() >= path.length() - 1) {
        return s;
      }
    }
    int slash = path.lastIndexOf('/');
    return slash >= 0 ? path.substring(slash) : "/" + path;
  }

  private static String replaceGeminiModel(String path, String model) {
    int colon = path.lastIndexOf(':');
    int slash = path.lastIndexOf('/', colon);
    if (colon < 0 || slash < 0) {
      return path;
    }
    return path.substring(0, slash + 1) + model + path.substring(colon);
  }

  private static String credentialHeader(String provider, Endpoint endpoint) {
    if (endpoint.dialect() == Dialect.ANTHROPIC_MESSAGES) {
      return "x-api-key";
    }
    if (endpoint.dialect() == Dialect.GEMINI_GENERATE) {
      return "x-goog-api-key";
    }
    if (provider.equals(Providers.AZURE_OPENAI)) {
      return "api-key";
    }
    return "Authorization";
  }

  private static String credentialValue(String provider, Endpoint endpoint, String key) {
    return credentialHeader(provider, endpoint).equals("Authorization") ? "Bearer " + key : key;
  }

  private BlockedResponse blockedResponse(Dialect dialect, BudgetGate.Gate gate, Instant now) {
    String reason =
        gate.reason().isEmpty()
            ? "Budget " + gate.budgetName() + " is exhausted; the call was not sent."
            : gate.reason();
    String type = blockErrorType(gate.budgetName());
    String json;
    if (dialect == Dialect.ANTHROPIC_MESSAGES) {
      json =
          "{\"type\":\"error\",\"error\":{\"type\":\""
              + type
              + "\",\"message\":"
              + quote(reason)
              + "}}";
    } else if (dialect == Dialect.GEMINI_GENERATE) {
      json =
          "{\"error\":{\"code\":429,\"message\":"
              + quote(reason)
              + ",\"status\":\"RESOURCE_EXHAUSTED\",\"details\":[{\"reason\":\""
              + type
              + "\"}]}}";
    } else {
      json =
          "{\"error\":{\"message\":"
              + quote(reason)
              + ",\"type\":\""
              + type
              + "\",\"param\":null,\"code\":\""
              + type
              + "\"}}";
    }
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("x-should-retry", "false");
    headers.put("x-attribution-blocked", gate.budgetName() == null ? "budget" : gate.budgetName());
    Instant retry = gate.retryAt();
    if (retry != null) {
      long secs = Math.max(1, Duration.between(now, retry).toSeconds());
      headers.put("retry-after", Long.toString(secs));
    }
    return new BlockedResponse(
        429,
        Map.copyOf(headers),
        "application/json",
        json.getBytes(StandardCharsets.UTF_8),
        reason);
  }

  String blockErrorType(@Nullable String budgetName) {
    return BudgetEngineGate.LOOP_GUARD.equals(budgetName) ? "loop_detected" : "budget_exceeded";
  }

  private static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
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
    if (body == null) {
      return 0;
    }
    try {
      return costModel.estimateInputTokens(
          provider, model, new String(body, StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      internalFailure("estimating input tokens", e);
      return (body.length + 3) / 4;
    }
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

  void internalFailure(String what, Throwable e) {
    internalFailures.incrementAndGet();
    failureLog.warn("Attribution failed while {}; the call proceeds untouched", what, e);
  }

  void unreadable(String provider, String reason) {
    parseFailures.incrementAndGet();
    failureLog.warn(
        "Could not read the usage of a {} response ({}); it is recorded without usage",
        provider,
        reason);
  }

  void parseFailure(String provider, Exception e) {
    parseFailures.incrementAndGet();
    failureLog.warn(
        "Could not parse a {} payload ({}); usage for this call may be missing",
        provider,
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
    return new EngineStats(
        calls.get(),
        blockedCalls.get(),
        internalFailures.get(),
        parseFailures.get(),
        pipeline.stats());
  }

  /** The record pipeline records go to. */
  public RecordPipeline pipeline() {
    return pipeline;
  }

  /** Flushes the pipeline, waiting at most {@code timeout}. */
  public boolean flush(Duration timeout) {
    return pipeline.flush(timeout);
  }

  /**
   * Closes the pipeline if the engine created it (draining every record), and removes the shutdown
   * hook, which then has nothing left to do.
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
    if (ownsPipeline) {
      pipeline.close();
    }
  }

  /** Builds an {@link AttributionEngine}; configuration errors fail in {@link #build()}. */
  public static final class Builder {
    private ProviderRegistry registry = ProviderRegistry.defaults();
    private @Nullable RecordPipeline pipeline;
    private final List<UsageSink> sinks = new ArrayList<>();
    CostModel costModel = CostModel.UNPRICED;
    BudgetGate budgets = BudgetGate.NONE;
    private dev.attribution.core.budget.@Nullable BudgetEngine budgetEngine;
    private dev.attribution.core.pricing.@Nullable PricingEngine pricingEngine;
    private final Map<String, Route> routes = new HashMap<>();
    private final List<RoutingRule> rules = new ArrayList<>();
    private CredentialResolver credentials = CredentialResolver.none();
    private @Nullable KeyFingerprints fingerprints;
    private Clock clock = Clock.systemUTC();
    private LongSupplier nanoTime = System::nanoTime;
    private boolean addStreamUsage = true;
    private boolean recordUnrecognised;
    private boolean blockSignedRewrites;
    private String currency = CostBreakdown.DEFAULT_CURRENCY;
    private @Nullable String failoverRoute;
    private final Set<Integer> failoverStatuses = new java.util.HashSet<>();
    private boolean failoverOnTimeout;
    private boolean shutdownHook = true;
    Duration shutdownHookTimeout = SHUTDOWN_HOOK_TIMEOUT;

    private Builder() {}

    /**
     * Whether a JVM shutdown hook drains records when the application exits without calling {@link
     * AttributionEngine#close()}; default {@code true}. The hook closes the pipeline the engine
     * created or flushes a pipeline passed to {@link #pipeline(RecordPipeline)}, within {@link
     * AttributionEngine#SHUTDOWN_HOOK_TIMEOUT} (it gives up after twice that, so a hung sink cannot
     * keep the JVM from exiting), and is removed by {@code close()}. Switch it off when your own
     * shutdown sequence closes the engine, or in tests that build many short-lived engines (the
     * hook keeps an unclosed engine reachable).
     */
    public Builder shutdownHook(boolean enabled) {
      this.shutdownHook = enabled;
      return this;
    }

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

    /** Which hosts and paths are LLM endpoints; default {@link ProviderRegistry#defaults()}. */
    public Builder providers(ProviderRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /** Sends records to this pipeline, which the caller owns and closes. */
    public Builder pipeline(RecordPipeline pipeline) {
      this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
      return this;
    }

    /**
     * Adds a sink to the pipeline the engine creates (default settings; use {@link
     * #pipeline(RecordPipeline)} to tune it).
     */
    public Builder addSink(UsageSink sink) {
      sinks.add(Objects.requireNonNull(sink, "sink"));
      return this;
    }

    /**
     * Prices calls with {@code pricing}; without it every call is recorded as unpriced (with its
     * tokens), never as free.
     */
    public Builder pricing(dev.attribution.core.pricing.PricingEngine pricing) {
      this.costModel = new PricingCostModel(Objects.requireNonNull(pricing, "pricing"));
      this.pricingEngine = pricing;
      return this;
    }

    /**
     * Enforces {@code budgets} before each call: reserve the worst case, then notify, downgrade,
     * reroute or block. Routes named by budget thresholds must be defined with {@link
     * #route(Route)}.
     */
    public Builder budgets(dev.attribution.core.budget.BudgetEngine budgets) {
      this.budgets = new BudgetEngineGate(Objects.requireNonNull(budgets, "budgets"));
      this.budgetEngine = budgets;
      return this;
    }

    /** Defines a route that rules and budgets can send calls to. */
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

    /** The clock for record times and budget periods; default UTC system clock. */
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
     * API) are recorded, with provider {@code unknown}; default {@code false}. Either way their
     * bodies are never buffered or read.
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

    /** The currency of zero costs for blocked and unpriced calls; default USD. */
    public Builder currency(String currency) {
      this.currency = CostBreakdown.zero(currency).currency();
      return this;
    }

    /**
     * The engine.
     *
     * @throws IllegalStateException if a routing rule names an undefined route
     */
    public AttributionEngine build() {
      for (RoutingRule r : rules) {
        if (!routes.containsKey(r.route())) {
          throw new IllegalStateException(
              "routing rule "
                  + r.name()
                  + " sends calls to route '"
                  + r.route()
                  + "', which is not defined; define it with route(Route)");
        }
      }
      if (failoverRoute != null && !routes.containsKey(failoverRoute)) {
        throw new IllegalStateException(
            "failover route '" + failoverRoute + "' is not defined; define it with route(Route)");
      }
      if (budgetEngine != null) {
        for (dev.attribution.core.budget.BudgetDefinition d : budgetEngine.budgets()) {
          for (dev.attribution.core.budget.Threshold t : d.thresholds()) {
            String r = t.route();
            if (r != null && !routes.containsKey(r)) {
              throw new IllegalStateException(
                  "budget "
                      + d.name()
                      + " reroutes to route '"
                      + r
                      + "', which is not defined; define it with route(Route)");
            }
          }
          for (dev.attribution.api.budget.ScopePart p : d.scope()) {
            if (p.dimension() == dev.attribution.api.budget.ScopeDimension.KEY
                && fingerprints == null) {
              throw new IllegalStateException(
                  "budget "
                      + d.name()
                      + " is scoped by API-key fingerprint; set keyFingerprintSecret(..) so"
                      + " fingerprints are the same across restarts and replicas");
            }
          }
        }
      }
      if (budgetEngine != null && pricingEngine != null) {
        DowngradeTargets.warnUnpriced(budgetEngine.budgets(), pricingEngine);
      }
      if (fingerprints == null) {
        fingerprints = KeyFingerprints.perProcess();
        if (PER_PROCESS_NOTICE.compareAndSet(false, true)) {
          LOG.info(
              "No keyFingerprintSecret set: API-key fingerprints are random per process and change"
                  + " on restart; set one for stable fingerprints");
        }
      }
      if (pipeline != null && !sinks.isEmpty()) {
        throw new IllegalStateException(
            "set either pipeline(..) or addSink(..), not both: add the sinks to your pipeline");
      }
      return new AttributionEngine(this);
    }
  }
}
