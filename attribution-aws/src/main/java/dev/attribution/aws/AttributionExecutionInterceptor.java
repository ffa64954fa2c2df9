package dev.attribution.aws;

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionHeaders;
import dev.attribution.api.ContextSource;
import dev.attribution.api.internal.RateLimitedLogger;
import dev.attribution.core.AttributionEngine;
import dev.attribution.core.internal.transport.ResponseTap;
import dev.attribution.core.transport.BlockedResponse;
import dev.attribution.core.transport.CallRequest;
import dev.attribution.core.transport.LlmCall;
import dev.attribution.core.transport.UpstreamRewrite;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.SelectedAuthScheme;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkInternalExecutionAttribute;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.Identity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.identity.spi.IdentityProviders;

/**
 * The AWS SDK v2 interceptor behind {@link AwsAttribution#interceptor}. The SDK calls {@code
 * modifyHttpRequest} once per call, before its retry loop and before signing; {@code
 * beforeTransmission} and the response hooks run once per attempt.
 */
final class AttributionExecutionInterceptor implements ExecutionInterceptor {

  private static final Logger LOG = LoggerFactory.getLogger(AttributionExecutionInterceptor.class);

  /** Largest JSON response body copied for usage. */
  static final long MAX_PEEK_BYTES = 8L * 1024 * 1024;

  /** Largest request body read for the estimate. */
  static final long MAX_REQUEST_BYTES = 16L * 1024 * 1024;

  private static final ExecutionAttribute<CallRequest> REQUEST =
      new ExecutionAttribute<>("dev.attribution.request");
  private static final ExecutionAttribute<LlmCall> CALL =
      new ExecutionAttribute<>("dev.attribution.call");
  private static final ExecutionAttribute<Integer> ATTEMPT =
      new ExecutionAttribute<>("dev.attribution.attempt");

  /** Whether this attempt's response was handed to a tap (set per attempt). */
  private static final ExecutionAttribute<Boolean> READ =
      new ExecutionAttribute<>("dev.attribution.read");

  private final AttributionEngine engine;
  private final AtomicLong internalFailures = new AtomicLong();
  private final RateLimitedLogger failureLog = new RateLimitedLogger(LOG, 10_000);

  AttributionExecutionInterceptor(AttributionEngine engine) {
    this.engine = engine;
  }

  @Override
  public SdkHttpRequest modifyHttpRequest(
      Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
    SdkHttpRequest original = context.httpRequest();
    SdkHttpRequest outgoing = stripAttributionHeaders(original);
    LlmCall call;
    CallRequest request;
    try {
      byte[] body = null;
      if (engine.recognises(
          outgoing.method().name(), outgoing.host(), outgoing.port(), outgoing.encodedPath())) {
        body = readBody(context);
      }
      request = describe(original, outgoing, body, signingKey(attributes));
      call = engine.begin(request);
    } catch (RuntimeException | Error e) {
      failure("preparing the call", e);
      return outgoing;
    }
    attributes.putAttribute(REQUEST, request);
    attributes.putAttribute(CALL, call);
    attributes.putAttribute(ATTEMPT, 0);
    BlockedResponse blocked = call.blocked();
    if (blocked != null) {
      throw blockedException(blocked);
    }
    try {
      UpstreamRewrite rw = call.rewrite();
      if (rw != null && rw.path() != null && rw.host() == null && rw.scheme() == null) {
        // Before signing: the signature covers the rewritten path. A route to another host is not
        // applied (the request is signed for Bedrock's endpoint).
        outgoing = outgoing.toBuilder().encodedPath(rw.path()).build();
      }
      byte[] newBody = rw == null ? null : rw.body();
      if (newBody != null) {
        outgoing =
            outgoing.toBuilder()
                .putHeader("Content-Length", Integer.toString(newBody.length))
                .build();
      }
    } catch (RuntimeException | Error e) {
      failure("rewriting the request", e);
    }
    return outgoing;
  }

  @Override
  public Optional<RequestBody> modifyHttpContent(
      Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
    byte[] b = newBody(attributes);
    return b == null ? context.requestBody() : Optional.of(RequestBody.fromBytes(b));
  }

  @Override
  public Optional<AsyncRequestBody> modifyAsyncHttpContent(
      Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
    byte[] b = newBody(attributes);
    return b == null ? context.asyncRequestBody() : Optional.of(AsyncRequestBody.fromBytes(b));
  }

  private static byte @Nullable [] newBody(ExecutionAttributes attributes) {
    LlmCall call = attributes.getAttribute(CALL);
    UpstreamRewrite rw = call == null ? null : call.rewrite();
    return rw == null ? null : rw.body();
  }

  /**
   * Each attempt after the first (the SDK's retries) is a call of its own, numbered, admitted by
   * the budgets again: a retry the budget refuses fails here, before it is sent.
   */
  @Override
  public void beforeTransmission(
      Context.BeforeTransmission context, ExecutionAttributes attributes) {
    CallRequest first = attributes.getAttribute(REQUEST);
    Integer sent = attributes.getAttribute(ATTEMPT);
    if (first == null || sent == null) {
      return;
    }
    int attempt = sent + 1;
    attributes.putAttribute(ATTEMPT, attempt);
    attributes.putAttribute(READ, false);
    if (attempt == 1) {
      return;
    }
    LlmCall retry;
    try {
      retry =
          engine.begin(
              new CallRequest(
                  first.method(),
                  first.scheme(),
                  first.host(),
                  first.port(),
                  first.path(),
                  first.query(),
                  first.body(),
                  first.headers(),
                  first.context(),
                  first.contextSource(),
                  attempt,
                  first.rejectedHeaders()));
    } catch (RuntimeException | Error e) {
      failure("preparing a retry", e);
      return;
    }
    attributes.putAttribute(CALL, retry);
    BlockedResponse blocked = retry.blocked();
    if (blocked != null) {
      throw blockedException(blocked);
    }
  }

  /**
   * The sync client's body. The SDK's interceptor chain calls this hook for async clients too, when
   * the headers arrive and before any body exists (the body follows as a publisher in {@link
   * #modifyAsyncHttpResponseContent}): an absent body is therefore left alone here, and an attempt
   * that truly had none is finished in {@link #afterExecution}.
   */
  @Override
  public Optional<InputStream> modifyHttpResponseContent(
      Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
    Optional<InputStream> body = context.responseBody();
    if (body.isEmpty()) {
      return body;
    }
    ResponseTap tap = tap(context.httpResponse(), attributes);
    return tap == null ? body : Optional.of(ResponseTap.tee(body.get(), tap));
  }

  @Override
  public Optional<Publisher<ByteBuffer>> modifyAsyncHttpResponseContent(
      Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
    Optional<Publisher<ByteBuffer>> body = context.responsePublisher();
    ResponseTap tap = tap(context.httpResponse(), attributes);
    if (tap == null) {
      return body;
    }
    if (body.isEmpty()) {
      tap.end(true);
      return body;
    }
    return Optional.of(new TeePublisher(body.get(), tap));
  }

  /**
   * A call whose response had no body in either form (a sync response without content) is finished
   * here, once the SDK is done with it.
   */
  @Override
  public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
    if (!Boolean.TRUE.equals(attributes.getAttribute(READ))) {
      ResponseTap tap = tap(context.httpResponse(), attributes);
      if (tap != null) {
        tap.end(true);
      }
    }
  }

  /**
   * The call's tap for this attempt's response, or {@code null} when nothing is to be read. Once
   * per attempt: the response head is reported to the call here.
   */
  private @Nullable ResponseTap tap(SdkHttpResponse response, ExecutionAttributes attributes) {
    LlmCall call = attributes.getAttribute(CALL);
    if (call == null || Boolean.TRUE.equals(attributes.getAttribute(READ))) {
      return null;
    }
    attributes.putAttribute(READ, true);
    try {
      Map<String, List<String>> headers = response.headers();
      Function<String, @Nullable String> lookup = name -> first(headers, name);
      return ResponseTap.start(call, response.statusCode(), lookup, MAX_PEEK_BYTES, this::failure);
    } catch (RuntimeException | Error e) {
      failure("reading the response", e);
      return null;
    }
  }

  @Override
  public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
    LlmCall call = attributes.getAttribute(CALL);
    if (call != null && !(context.exception().getCause() instanceof BudgetBlockedException)) {
      // A no-op when the attempt's answer already finished the call.
      call.failed(context.exception());
    }
  }

  private static SdkClientException blockedException(BlockedResponse blocked) {
    return SdkClientException.builder()
        .message("Blocked by budget before sending: " + blocked.reason())
        .cause(
            new BudgetBlockedException(
                blocked.reason(), "Blocked by budget before sending: " + blocked.reason()))
        .build();
  }

  /**
   * The key the SDK will sign this call with, for the record's key fingerprint and per-key budgets:
   * the access key id of its AWS credentials, which is what the dialect reads from a signed
   * request's {@code Credential=}. {@code modifyHttpRequest} runs before signing, so the request
   * carries no {@code Authorization} yet, and the SDK (2.59) selects its auth scheme and resolves
   * the identity only later in its pipeline. The identity already selected is used when there is
   * one (older SDKs select it before the interceptors run); otherwise the client's credentials
   * provider is asked, and its answer used only if it is already there (a static or cached
   * provider; never waited for). Otherwise, and on an SDK without these attributes, the fingerprint
   * stays unknown. A call signed with a bearer token (a Bedrock API key) is not covered.
   */
  static @Nullable String signingKey(ExecutionAttributes attributes) {
    try {
      SelectedAuthScheme<?> scheme =
          attributes.getAttribute(SdkInternalExecutionAttribute.SELECTED_AUTH_SCHEME);
      String key = scheme == null ? null : accessKeyId(scheme.identity());
      if (key != null) {
        return key;
      }
      IdentityProviders providers =
          attributes.getAttribute(SdkInternalExecutionAttribute.IDENTITY_PROVIDERS);
      IdentityProvider<AwsCredentialsIdentity> credentials =
          providers == null ? null : providers.identityProvider(AwsCredentialsIdentity.class);
      return credentials == null ? null : accessKeyId(credentials.resolveIdentity());
    } catch (RuntimeException | LinkageError e) {
      return null;
    }
  }

  private static @Nullable String accessKeyId(
      @Nullable CompletableFuture<? extends Identity> identity) {
    if (identity == null || !identity.isDone() || identity.isCompletedExceptionally()) {
      return null;
    }
    Identity id = identity.getNow(null);
    return id instanceof AwsCredentialsIdentity
        ? ((AwsCredentialsIdentity) id).accessKeyId()
        : null;
  }

  private CallRequest describe(
      SdkHttpRequest original,
      SdkHttpRequest outgoing,
      byte @Nullable [] body,
      @Nullable String signingKey) {
    AttributionContext ctx = AttributionContext.empty();
    ContextSource source = ContextSource.NONE;
    AttributionContext current = Attribution.current();
    if (!current.isEmpty()) {
      ctx = current;
      source = ContextSource.SCOPE;
    }
    String rejected = "";
    Map<String, List<String>> headers = original.headers();
    if (hasAttributionHeaders(headers)) {
      AttributionHeaders.Parsed parsed = AttributionHeaders.parse(name -> first(headers, name));
      if (parsed.present()) {
        rejected = parsed.rejected();
        if (!parsed.context().isEmpty()) {
          ctx = parsed.context().mergedOnto(ctx);
          source = ContextSource.HEADER;
        }
      }
    }
    Map<String, List<String>> sent = outgoing.headers();
    return new CallRequest(
        outgoing.method().name(),
        outgoing.protocol(),
        outgoing.host(),
        outgoing.port(),
        outgoing.encodedPath(),
        outgoing.encodedQueryParameters().orElse(null),
        body,
        name -> {
          String v = first(sent, name);
          if (v == null && signingKey != null && name.equalsIgnoreCase("authorization")) {
            // Not signed yet (so the engine may still rewrite it): the key, as a bearer value.
            return "Bearer " + signingKey;
          }
          return v;
        },
        ctx,
        source,
        1,
        rejected);
  }

  private static @Nullable String first(Map<String, List<String>> headers, String name) {
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
        return e.getValue().get(0);
      }
    }
    return null;
  }

  private static boolean hasAttributionHeaders(Map<String, List<String>> headers) {
    for (String name : headers.keySet()) {
      if (AttributionHeaders.isAttributionHeader(name)) {
        return true;
      }
    }
    return false;
  }

  private static SdkHttpRequest stripAttributionHeaders(SdkHttpRequest request) {
    if (!hasAttributionHeaders(request.headers())) {
      return request;
    }
    SdkHttpRequest.Builder b = request.toBuilder();
    for (String name : request.headers().keySet()) {
      if (AttributionHeaders.isAttributionHeader(name)) {
        b.removeHeader(name);
      }
    }
    return b.build();
  }

  /** The marshalled request body (JSON the SDK built in memory), bounded; {@code null} if not. */
  private static byte @Nullable [] readBody(Context.ModifyHttpRequest context) {
    try {
      Optional<RequestBody> sync = context.requestBody();
      if (sync.isPresent()) {
        Optional<Long> length = sync.get().optionalContentLength();
        if (length.isPresent() && length.get() > MAX_REQUEST_BYTES) {
          return null;
        }
        try (InputStream in = sync.get().contentStreamProvider().newStream()) {
          if (length.isPresent()) {
            // One array of the announced size (readNBytes of the limit would copy through 8 KB
            // chunks); a body longer than announced is not read.
            byte[] b = in.readNBytes(length.get().intValue());
            return in.read() == -1 ? b : null;
          }
          byte[] b = in.readNBytes((int) MAX_REQUEST_BYTES + 1);
          return b.length > MAX_REQUEST_BYTES ? null : b;
        }
      }
      Optional<AsyncRequestBody> async = context.asyncRequestBody();
      if (async.isPresent()) {
        Optional<Long> length = async.get().contentLength();
        if (length.isEmpty() || length.get() > MAX_REQUEST_BYTES) {
          return null;
        }
        return collect(async.get(), length.get().intValue());
      }
    } catch (Exception e) {
      return null;
    }
    return null;
  }

  private static byte @Nullable [] collect(AsyncRequestBody body, int length) throws Exception {
    CompletableFuture<byte[]> done = new CompletableFuture<>();
    ByteBuffer all = ByteBuffer.allocate(length);
    body.subscribe(
        new Subscriber<ByteBuffer>() {
          @Override
          public void onSubscribe(Subscription s) {
            s.request(Long.MAX_VALUE);
          }

          @Override
          public void onNext(ByteBuffer item) {
            if (item.remaining() > all.remaining()) {
              done.completeExceptionally(new IllegalStateException("longer than announced"));
              return;
            }
            all.put(item.duplicate());
          }

          @Override
          public void onError(Throwable t) {
            done.completeExceptionally(t);
          }

          @Override
          public void onComplete() {
            done.complete(java.util.Arrays.copyOf(all.array(), all.position()));
          }
        });
    return done.get(5, TimeUnit.SECONDS);
  }

  void failure(String what, Throwable e) {
    internalFailures.incrementAndGet();
    failureLog.warn("Attribution failed while {}; the call proceeds untouched", what, e);
  }

  /** The response publisher, each buffer shown to the tap before the SDK's subscriber sees it. */
  private static final class TeePublisher implements Publisher<ByteBuffer> {
    private final Publisher<ByteBuffer> upstream;
    private final ResponseTap tap;

    TeePublisher(Publisher<ByteBuffer> upstream, ResponseTap tap) {
      this.upstream = upstream;
      this.tap = tap;
    }

    @Override
    public void subscribe(Subscriber<? super ByteBuffer> s) {
      upstream.subscribe(
          new Subscriber<ByteBuffer>() {
            @Override
            public void onSubscribe(Subscription subscription) {
              s.onSubscribe(
                  new Subscription() {
                    @Override
                    public void request(long n) {
                      subscription.request(n);
                    }

                    @Override
                    public void cancel() {
                      try {
                        subscription.cancel();
                      } finally {
                        tap.end(false);
                      }
                    }
                  });
            }

            @Override
            public void onNext(ByteBuffer b) {
              // Copied from the buffer as needed; its position is not moved.
              tap.bytes(b);
              s.onNext(b);
            }

            @Override
            public void onError(Throwable t) {
              tap.failed(t);
              s.onError(t);
            }

            @Override
            public void onComplete() {
              tap.end(true);
              s.onComplete();
            }
          });
    }
  }
}
