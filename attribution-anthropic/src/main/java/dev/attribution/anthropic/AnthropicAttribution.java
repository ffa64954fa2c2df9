package dev.attribution.anthropic;

import com.anthropic.core.http.HttpClient;
import com.anthropic.core.http.Interceptor;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionHeaders;
import dev.attribution.api.internal.RateLimitedLogger;
import dev.attribution.core.AttributionEngine;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Attribution for anthropic-java (2.36 or later): an interceptor for the SDK's own hook, which
 * attributes, prices, enforces budgets on and routes every call the client makes.
 *
 * <pre>{@code
 * AnthropicClient client = AnthropicOkHttpClient.builder().fromEnv()
 *     .addInterceptor(AnthropicAttribution.interceptor(engine)).build();
 * }</pre>
 *
 * <p>The SDK runs interceptors inside its retry loop, so each attempt is one record, numbered from
 * {@code X-Stainless-Retry-Count}. Synchronous calls (streams included) are attributed from the
 * caller's thread scope; the async client retries and reads on other threads, so give async calls
 * their context as headers ({@code params.toBuilder().putAllAdditionalHeaders(
 * AnthropicAttribution.headers(ctx))}): the interceptor reads and removes them before the request
 * leaves. A blocked call is answered locally with Anthropic's 429 shape and {@code x-should-retry:
 * false}, so the SDK throws its {@code RateLimitException} without retrying.
 *
 * <p>Any failure inside attribution is caught, counted ({@link #internalFailures()}) and logged at
 * most every 10 seconds; the call then proceeds as the application built it.
 */
public final class AnthropicAttribution implements Interceptor {

  private static final Logger LOG = LoggerFactory.getLogger(AnthropicAttribution.class);

  /** Default largest JSON response body read for usage: {@value} bytes. */
  public static final long DEFAULT_MAX_PEEK_BYTES = 8L * 1024 * 1024;

  /** Default largest request body read for model and estimate: {@value} bytes. */
  public static final long DEFAULT_MAX_REQUEST_BYTES = 16L * 1024 * 1024;

  private final AttributionEngine engine;
  private final long maxPeekBytes;
  private final long maxRequestBytes;
  private final AtomicLong internalFailures = new AtomicLong();
  private final RateLimitedLogger failureLog = new RateLimitedLogger(LOG, 10_000);

  private AnthropicAttribution(Builder b) {
    this.engine = b.engine;
    this.maxPeekBytes = b.maxPeekBytes;
    this.maxRequestBytes = b.maxRequestBytes;
  }

  /** An interceptor with default settings, for {@code AnthropicOkHttpClient.Builder}. */
  public static AnthropicAttribution interceptor(AttributionEngine engine) {
    return builder(engine).build();
  }

  /** A builder for an interceptor over {@code engine}. */
  public static Builder builder(AttributionEngine engine) {
    return new Builder(engine);
  }

  /**
   * {@code context} as per-request headers in the shape anthropic-java's {@code
   * putAllAdditionalHeaders} takes; the interceptor removes them before the request leaves.
   */
  public static Map<String, List<String>> headers(AttributionContext context) {
    return AttributionHeaders.forOpenAi(context);
  }

  /** Wraps the SDK's next client; called by the SDK when it builds the client. */
  @Override
  public HttpClient intercept(HttpClient next) {
    return new AttributingHttpClient(Objects.requireNonNull(next, "next"), this);
  }

  /** Failures inside the interceptor itself since start (the calls proceeded untouched). */
  public long internalFailures() {
    return internalFailures.get();
  }

  AttributionEngine engine() {
    return engine;
  }

  long maxPeekBytes() {
    return maxPeekBytes;
  }

  long maxRequestBytes() {
    return maxRequestBytes;
  }

  void failure(String what, Throwable e) {
    internalFailures.incrementAndGet();
    failureLog.warn("Attribution failed while {}; the call proceeds untouched", what, e);
  }

  /** Builds an {@link AnthropicAttribution}. */
  public static final class Builder {
    private final AttributionEngine engine;
    private long maxPeekBytes = DEFAULT_MAX_PEEK_BYTES;
    private long maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;

    private Builder(AttributionEngine engine) {
      this.engine = Objects.requireNonNull(engine, "engine");
    }

    /**
     * Largest JSON response body read for usage, default {@value #DEFAULT_MAX_PEEK_BYTES}; larger
     * bodies pass through and are recorded without usage ({@code usage_unreadable=body_too_large}).
     */
    public Builder maxPeekBytes(long bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxPeekBytes must be at least 1024, was " + bytes);
      }
      this.maxPeekBytes = bytes;
      return this;
    }

    /**
     * Largest request body read for its model and estimate; default {@value
     * #DEFAULT_MAX_REQUEST_BYTES}.
     */
    public Builder maxRequestBytes(long bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxRequestBytes must be at least 1024, was " + bytes);
      }
      this.maxRequestBytes = bytes;
      return this;
    }

    /** The interceptor. */
    public AnthropicAttribution build() {
      return new AnthropicAttribution(this);
    }
  }
}
