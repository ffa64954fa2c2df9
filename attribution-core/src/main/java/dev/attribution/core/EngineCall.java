package dev.attribution.core;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.CallStatus;
import dev.attribution.api.CostSource;
import dev.attribution.api.TokenUsage;
import dev.attribution.api.UsageRecord;
import dev.attribution.core.internal.provider.Endpoint;
import dev.attribution.core.internal.provider.ParsedResponse;
import dev.attribution.core.internal.provider.ResponseParser;
import dev.attribution.core.internal.provider.StreamReader;
import dev.attribution.core.internal.transport.LentRequestBodies;
import dev.attribution.core.transport.BlockedResponse;
import dev.attribution.core.transport.LlmCall;
import dev.attribution.core.transport.UpstreamRewrite;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The engine's {@link LlmCall}: one call in flight, from the decision to its usage record.
 *
 * <p>Its methods are synchronized: a stream is fed on the reading thread while {@link
 * AttributionEngine#close()} or the unclosed-body cleaner may finish the call on another, and the
 * stream reader is not thread-safe. Uncontended, that is one lock per fed chunk.
 */
final class EngineCall implements LlmCall, LentRequestBodies.Holder {

  /** The record attribute that says why the response's usage could not be read. */
  static final String USAGE_UNREADABLE = "usage_unreadable";

  /**
   * The record attribute of a call finished because its response was never finished: {@value
   * #ABANDONED_UNREACHABLE} (the application dropped its body) or {@value #ABANDONED_ENGINE_CLOSED}
   * (still unfinished when the engine closed).
   */
  static final String ABANDONED = "abandoned";

  static final String ABANDONED_UNREACHABLE = "unreachable";
  static final String ABANDONED_ENGINE_CLOSED = "engine_closed";

  private final AttributionEngine engine;

  /** Everything decided before the call was sent; kept whole rather than copied field by field. */
  final CallDecision decision;

  private final Instant startedAt;
  private final long startNanos;
  private final AtomicBoolean finished = new AtomicBoolean();

  /**
   * The call's own copy of the request body, made when the adapter lent the application's array and
   * the call finishes after the adapter returns ({@link LentRequestBodies}); else {@code null}, and
   * the decision's body is read.
   */
  private volatile byte @Nullable [] ownRequestBody;

  // The engine's registry of unfinished calls (InFlightCalls), guarded by the slot's stripe lock.
  /** Picks this call's list in the registry. */
  final int inFlightSlot = java.util.concurrent.ThreadLocalRandom.current().nextInt();

  boolean inFlight;
  @Nullable EngineCall inFlightPrev;
  @Nullable EngineCall inFlightNext;

  /** Record attributes noted so far; {@code null} until the first (most calls note none). */
  private @Nullable TreeMap<String, String> attributes;

  /** The provider's response status; {@code null} until a response arrives (or none does). */
  private @Nullable Integer httpStatus;

  private long firstByteNanos = -1;
  private @Nullable String headerRequestId;

  /** The error type the response headers name (Bedrock's {@code x-amzn-ErrorType}), or null. */
  private @Nullable String headerErrorType;

  /** The usage the response headers report (Bedrock's InvokeModel), used when the body has none. */
  private @Nullable TokenUsage headerUsage;

  /** Whether the response announced an event stream, whatever the request asked for. */
  private boolean eventStreamResponse;

  private @Nullable StreamReader tracker;
  private boolean trackerFailed;

  EngineCall(AttributionEngine engine, CallDecision d, Instant startedAt, long startNanos) {
    this.engine = engine;
    this.decision = d;
    this.startedAt = startedAt;
    this.startNanos = startNanos;
    if (!d.attributes().isEmpty()) {
      this.attributes = new TreeMap<>(d.attributes());
    }
  }

  /** Whether the engine records this call at all (false for non-LLM traffic it ignores). */
  @Override
  public boolean tracked() {
    return decision.tracked();
  }

  /** Whether the endpoint is a recognised LLM API. */
  @Override
  public boolean recognised() {
    return decision.endpoint() != null;
  }

  /** The local answer to send instead of calling upstream, or {@code null} to proceed. */
  @Override
  public @Nullable BlockedResponse blocked() {
    return decision.blocked();
  }

  /** How to change the request before sending it, or {@code null} for no change. */
  @Override
  public @Nullable UpstreamRewrite rewrite() {
    return decision.rewrite();
  }

  /** Whether the request asked for a streamed response. */
  @Override
  public boolean streamingRequested() {
    return decision.streaming();
  }

  /** The context the call is attributed to. */
  @Override
  public AttributionContext context() {
    return decision.context();
  }

  @Override
  public void keepOwnRequestBody() {
    byte[] body = decision.requestBody();
    if (body != null && ownRequestBody == null) {
      ownRequestBody = body.clone();
    }
  }

  /** The request body as the call was begun with it: its own copy when it keeps one. */
  private byte @Nullable [] requestBody() {
    byte[] own = ownRequestBody;
    return own != null ? own : decision.requestBody();
  }

  private void attribute(String key, String value) {
    TreeMap<String, String> a = attributes;
    if (a == null) {
      a = new TreeMap<>();
      attributes = a;
    }
    a.put(key, value);
  }

  private boolean hasAttribute(String key) {
    TreeMap<String, String> a = attributes;
    return a != null && a.containsKey(key);
  }

  /**
   * Reports the response status and headers, at the moment they arrived (that is the time to first
   * byte).
   */
  @Override
  public synchronized void onResponse(int status, Function<String, @Nullable String> headers) {
    try {
      this.httpStatus = status;
      this.firstByteNanos = engine.nanoTime();
      String id = headers.apply("x-request-id");
      if (id == null) {
        id = headers.apply("request-id");
      }
      if (id == null) {
        // AWS (Bedrock Runtime): its bodies carry no id of their own.
        id = headers.apply("x-amzn-requestid");
      }
      this.headerRequestId = id;
      String type = headers.apply("content-type");
      this.eventStreamResponse =
          type != null
              && (type.regionMatches(true, 0, "text/event-stream", 0, 17)
                  || type.regionMatches(true, 0, "application/vnd.amazon.eventstream", 0, 34));
      Endpoint ep = decision.endpoint();
      if (status >= 400 && ep != null) {
        this.headerErrorType = ep.dialect().errorType(headers);
      } else if (status < 300 && ep != null) {
        this.headerUsage = ep.dialect().usageFromHeaders(headers);
      }
    } catch (RuntimeException e) {
      engine.internalFailure("reading response headers", e);
    }
  }

  @Override
  public synchronized void onStreamBytes(byte[] buf, int off, int len) {
    if (!decision.tracked() || finished.get() || trackerFailed) {
      return;
    }
    try {
      if (tracker == null) {
        Endpoint e =
            decision.endpoint() != null
                ? decision.endpoint()
                : engine.unrecognisedEndpoint(
                    decision.provider() != null ? decision.provider() : "");
        tracker = e.dialect().newStream(e);
      }
      tracker.feed(buf, off, len);
    } catch (RuntimeException | Error e) {
      // Stop reading usage from this stream; the record says so and the failure is counted.
      trackerFailed = true;
      engine.internalFailure("reading a streamed response", e);
      markUnreadable("internal_failure");
    }
  }

  @Override
  public void completeBody(byte[] body, int length) {
    completeBody(body, 0, length);
  }

  /** Parses the body where it lies: the scanner first, Jackson for what it declines. */
  @Override
  public synchronized void completeBody(byte[] body, int offset, int length) {
    if (length <= 0) {
      completeWithoutBody();
      return;
    }
    if (!decision.tracked() || finished.get()) {
      return;
    }
    ParsedResponse parsed = ParsedResponse.empty();
    Endpoint ep = decision.endpoint();
    if (ep != null) {
      try {
        parsed = ResponseParser.parse(ep, body, offset, length);
      } catch (Exception e) {
        unparseable(e);
      }
    }
    finish(parsed, false, null);
  }

  /**
   * Finishes a call whose complete (non-streamed) response body {@code body} yields; the stream is
   * read and closed here.
   */
  @Override
  public synchronized void completeBody(java.io.InputStream body) {
    if (!decision.tracked() || finished.get()) {
      closeQuietly(body);
      return;
    }
    ParsedResponse parsed = ParsedResponse.empty();
    if (decision.endpoint() != null) {
      try {
        parsed = ResponseParser.parse(decision.endpoint(), body);
      } catch (Exception e) {
        unparseable(e);
      }
    }
    closeQuietly(body);
    finish(parsed, false, null);
  }

  /** Not JSON, or a value beyond the parser's bounds: the record says why usage is missing. */
  private void unparseable(Exception e) {
    if (!hasAttribute(USAGE_UNREADABLE)) {
      attribute(USAGE_UNREADABLE, "unparseable");
      engine.parseFailure(decision.provider(), e);
    }
  }

  private static void closeQuietly(java.io.InputStream in) {
    try {
      in.close();
    } catch (java.io.IOException e) {
      // nothing to do: it was an in-memory view of the body
    }
  }

  /**
   * Marks that the response's usage could not be read, and why (e.g. {@code body_too_large}, {@code
   * undecodable_gzip}, {@code content_type}): the record carries the reason as attribute {@code
   * usage_unreadable}, and the engine counts it with its parse failures ({@link
   * EngineStats#parseFailures()}). Call it before finishing the call; only the first reason is
   * kept.
   */
  @Override
  public synchronized void markUnreadable(String reason) {
    if (!decision.tracked() || finished.get() || hasAttribute(USAGE_UNREADABLE)) {
      return;
    }
    attribute(USAGE_UNREADABLE, reason);
    engine.unreadable(decision.provider(), reason);
  }

  /** Finishes a call whose response body was not read (too large, not JSON, or none). */
  @Override
  public synchronized void completeWithoutBody() {
    if (!decision.tracked() || finished.get()) {
      return;
    }
    finish(ParsedResponse.empty(), false, null);
  }

  /**
   * Finishes a streamed call.
   *
   * @param reachedEnd whether the stream was read to its end; {@code false} when the application
   *     closed it early (recorded as cancelled unless the provider's terminal event was seen)
   */
  @Override
  public synchronized void completeStream(boolean reachedEnd) {
    if (!decision.tracked() || finished.get()) {
      return;
    }
    ParsedResponse parsed = tracker != null ? tracker.finish() : ParsedResponse.empty();
    boolean cancelled = !reachedEnd && !parsed.completed();
    finish(parsed, cancelled, null);
  }

  /** Finishes a call that failed in transport; the exception is not changed or swallowed. */
  @Override
  public synchronized void failed(Throwable error) {
    if (!decision.tracked() || finished.get()) {
      return;
    }
    ParsedResponse parsed = tracker != null ? tracker.finish() : ParsedResponse.empty();
    finish(parsed, false, error);
  }

  /**
   * Finishes a call whose body the application dropped unfinished (the unclosed-body cleaner calls
   * this): cancelled, with what was seen so far.
   */
  @Override
  public void abandoned() {
    if (abandon(ABANDONED_UNREACHABLE)) {
      engine.bodyDropped(decision.serverHost(), decision.operation());
    }
  }

  /**
   * Finishes a call that was never finished, saying {@code why} ({@link #ABANDONED}): cancelled
   * unless the provider's terminal event was seen, with the usage seen so far or, when none
   * arrived, the estimate made for a stream closed early; the reservation is settled with that.
   *
   * @return whether this finished the call (false when it was already finished or is untracked)
   */
  synchronized boolean abandon(String why) {
    if (!decision.tracked() || finished.get()) {
      return false;
    }
    ParsedResponse parsed = ParsedResponse.empty();
    if (tracker != null) {
      try {
        parsed = tracker.finish();
      } catch (RuntimeException | Error e) {
        engine.internalFailure("reading an abandoned stream", e);
      }
    }
    attribute(ABANDONED, why);
    finish(parsed, !parsed.completed(), null, true);
    return true;
  }

  /** Records a blocked call; the engine does this itself when it blocks. */
  void finishBlocked() {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    try {
      BlockedResponse b = decision.blocked();
      UsageRecord.Builder r = base(engine.now());
      // No httpStatus: nothing went over the network; the application got the local answer.
      r.status(CallStatus.BLOCKED)
          .errorType(BlockedResponses.errorType(decision.budgetName()))
          .errorMessage(b != null ? b.reason() : null)
          .cost(dev.attribution.api.CostBreakdown.zero(engine.currency()))
          .costSource(CostSource.COMPUTED)
          .latency(Duration.ofNanos(Math.max(0, engine.nanoTime() - startNanos)));
      engine.submit(r.build());
    } catch (RuntimeException e) {
      engine.internalFailure("recording a blocked call", e);
    }
  }

  private UsageRecord.Builder base(Instant endedAt) {
    UsageRecord.Builder r =
        UsageRecord.builder()
            .startedAt(startedAt)
            .endedAt(endedAt.isBefore(startedAt) ? startedAt : endedAt)
            .context(decision.context())
            .contextSource(decision.contextSource())
            .provider(decision.provider())
            .operation(decision.operation())
            .serverHost(decision.serverHost())
            .requestedModel(decision.requestedModel())
            .effectiveModel(decision.effectiveModel())
            .route(decision.route())
            .routeRule(decision.routeRule())
            .streaming(decision.streaming())
            .attempt(decision.attempt())
            .budgetAction(decision.budgetAction())
            .budgetName(decision.budgetName())
            .budgetPercent(decision.budgetPercent())
            .dryRunAction(decision.dryRunAction())
            .deployment(decision.deployment())
            .keyFingerprint(decision.keyFingerprint());
    TreeMap<String, String> a = attributes;
    if (a != null && !a.isEmpty()) {
      r.attributes(Map.copyOf(a));
    }
    return r;
  }

  private void finish(ParsedResponse parsed, boolean cancelled, @Nullable Throwable error) {
    finish(parsed, cancelled, error, false);
  }

  private void finish(
      ParsedResponse parsed, boolean closedEarly, @Nullable Throwable error, boolean abandoned) {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    try {
      long end = engine.nanoTime();
      TokenUsage usage = parsed.usage();
      if (usage == null && parsed.usageInvalid() == null && headerUsage != null) {
        // The body reported nothing (a family whose body has no counts, a body never read or
        // dropped): the counts the provider put in the headers are the real ones, not an estimate.
        usage = headerUsage;
      }
      boolean estimated = false;
      Integer http = httpStatus;
      // A redirect that reached the application (not followed: another origin, or a client that
      // does not follow) is an answer without a model run, like an error: nothing is charged.
      boolean upstreamError = http != null && http >= 300;
      // A non-streamed answer exists whole once its 2xx status arrived: the provider generated and
      // billed all of it. Closed or dropped unread, nothing was cancelled and its usage is unknown
      // (the budget keeps the worst case it reserved), never free and never estimated from nothing.
      boolean wholeAnswer =
          error == null
              && tracker == null
              && !eventStreamResponse
              && !decision.streaming()
              && http != null
              && http >= 200
              && http < 300;
      boolean wholeAnswerUnread = wholeAnswer && usage == null;
      boolean cancelled = closedEarly && !wholeAnswer;
      if (usage == null
          && !upstreamError
          && !wholeAnswerUnread
          && decision.endpoint() != null
          && (decision.streaming() || error != null || abandoned)) {
        // Usage never arrived (a stream closed early, a broken or abandoned call): estimate from
        // what was seen (a body never read has seen no output).
        long out = (parsed.streamedTextChars() + 3) / 4;
        long in =
            decision.estimatedInputTokens() >= 0
                ? decision.estimatedInputTokens()
                : engine.estimateInputTokens(
                    decision.provider() != null
                        ? decision.provider()
                        : decision.endpoint().provider(),
                    decision.effectiveModel(),
                    requestBody());
        usage = TokenUsage.of(in, out);
        estimated = true;
      }
      // Counts that failed validation are never priced: the cost is unknown, not zero or absurd.
      String invalid = parsed.usageInvalid();
      if (usage == null
          && invalid == null
          && !upstreamError
          && error == null
          && !cancelled
          && parsed.errorType() == null) {
        // An answered call whose usage could not be read (body too large or not parseable):
        // unknown, never free.
        invalid = decision.endpoint() != null ? "missing:usage" : null;
      }
      if (usage == null) {
        usage = TokenUsage.zero();
      }
      String pricedModel =
          decision.effectiveModel() != null ? decision.effectiveModel() : parsed.responseModel();
      // An unrecognised endpoint (provider null) is never priced: its cost is unknown, not zero.
      String pricedProvider = decision.provider();
      CostModel.Priced priced =
          invalid != null || pricedProvider == null
              ? CostModel.Priced.unpriced(parsed.providerCost())
              : engine.price(
                  pricedProvider,
                  pricedModel,
                  usage,
                  parsed.webSearchRequests(),
                  startedAt,
                  parsed.providerCost(),
                  decision.context());
      noteUsageFacts(parsed, invalid, priced);
      // An error event inside a 2xx stream (Anthropic "event: error", OpenRouter's error chunk).
      boolean streamError = !upstreamError && error == null && parsed.errorType() != null;
      CostSource source = priced.source();
      if (estimated && source == CostSource.COMPUTED) {
        source = CostSource.ESTIMATED;
      }
      CallStatus status;
      if (error != null) {
        status = cancelled ? CallStatus.CANCELLED : CallStatus.FAILED;
      } else if (upstreamError || streamError) {
        status = CallStatus.UPSTREAM_ERROR;
      } else if (cancelled) {
        status = CallStatus.CANCELLED;
      } else {
        status = CallStatus.OK;
      }
      dev.attribution.api.CostBreakdown cost = priced.cost();
      if ((usage.isZero() && invalid == null && (cost == null || cost.isZero()))
          || (upstreamError && cost == null)) {
        // Nothing ran, or an error answer whose usage (if any) could not be read: nothing billed.
        decision.gate().release(null);
      } else {
        // An unknown cost (null) keeps the reserved worst case as the charge.
        if (cost == null && decision.gate().holdsReservation()) {
          attribute("budget_charge", "reservation");
        }
        // Usage that could not be read is unknown in tokens too: the reserved tokens are charged.
        decision
            .gate()
            .settle(cost == null ? null : cost.total(), invalid != null ? -1 : usage.totalTokens());
      }
      UsageRecord.Builder r = base(engine.now());
      r.responseModel(parsed.responseModel())
          .usage(usage)
          .usageEstimated(estimated)
          .cost(cost)
          .computedCost(priced.computedCost())
          .providerReportedCost(priced.providerCost())
          .charge(priced.charge())
          .costSource(source)
          .priceVersion(priced.priceVersion())
          .latency(Duration.ofNanos(Math.max(0, end - startNanos)))
          .timeToFirstByte(
              firstByteNanos >= 0
                  ? Duration.ofNanos(Math.max(0, firstByteNanos - startNanos))
                  : null)
          .status(status)
          .httpStatus(http)
          .providerRequestId(parsed.responseId() != null ? parsed.responseId() : headerRequestId);
      if (error != null) {
        r.errorType(error.getClass().getSimpleName())
            .errorMessage(ErrorText.message(error.getMessage()));
      } else if (upstreamError || streamError) {
        // Provider errors can echo the request (prompt text, even a key sent in the body).
        String type =
            ErrorText.type(headerErrorType != null ? headerErrorType : parsed.errorType());
        r.errorType(type != null ? type : "http_" + http)
            .errorMessage(ErrorText.message(parsed.errorMessage()));
        // The code often says more than the type (invalid_request_error: context_length_exceeded).
        String code = ErrorText.type(parsed.errorCode());
        if (code != null) {
          r.attribute("error_code", code);
        }
      }
      engine.submit(r.build());
    } catch (RuntimeException e) {
      engine.internalFailure("recording a call", e);
    } finally {
      // Only now, with the record queued, does the call leave the registry of unfinished calls:
      // the engine's close() then waits on this call's lock (held while it is finished) instead of
      // draining the sinks before this record reaches them.
      engine.finished(this);
    }
  }

  /** Marks on the record what the response said about its usage that the cost does not show. */
  private void noteUsageFacts(
      ParsedResponse parsed, @Nullable String invalid, CostModel.Priced priced) {
    if (invalid != null) {
      attribute("usage_invalid", invalid);
    }
    if (parsed.webSearchRequests() > 0) {
      attribute("web_search_requests", Long.toString(parsed.webSearchRequests()));
    }
    if (priced.unpricedWebSearches() > 0) {
      attribute("web_search_unpriced", Long.toString(priced.unpricedWebSearches()));
    }
  }
}
