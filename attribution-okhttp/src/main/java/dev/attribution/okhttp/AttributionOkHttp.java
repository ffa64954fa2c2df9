package dev.attribution.okhttp;

import dev.attribution.core.AttributionEngine;
import okhttp3.OkHttpClient;

/**
 * Entry point for OkHttp users.
 *
 * <pre>{@code
 * // openai-java: one line on the builder (sync and async clients alike)
 * OpenAIClient client = OpenAIOkHttpClient.builder().fromEnv()
 *     .addInterceptor(AttributionOkHttp.interceptor(engine)).build();
 *
 * // a plain OkHttp or Retrofit client, including enqueue() calls:
 * OkHttpClient http = AttributionOkHttp.instrument(existingClient, engine);
 * }</pre>
 */
public final class AttributionOkHttp {

  private AttributionOkHttp() {}

  /**
   * The interceptor alone. Calls executed synchronously (and openai-java's sync client, retries
   * included) see the caller's thread-local scope; calls that run elsewhere should carry {@code
   * AttributionHeaders}, or use {@link #instrument}.
   */
  public static AttributionInterceptor interceptor(AttributionEngine engine) {
    return AttributionInterceptor.create(engine);
  }

  /**
   * {@code client} with the interceptor added and its event-listener factory wrapped so each call
   * keeps the context in force where {@code newCall()} ran, even when {@code enqueue()} runs it on
   * a dispatcher thread. The original client is unchanged; both share its connection pool and
   * dispatcher.
   */
  public static OkHttpClient instrument(OkHttpClient client, AttributionEngine engine) {
    return instrument(client, AttributionInterceptor.create(engine));
  }

  /** As {@link #instrument(OkHttpClient, AttributionEngine)}, with a configured interceptor. */
  public static OkHttpClient instrument(OkHttpClient client, AttributionInterceptor interceptor) {
    ContextCapture capture = new ContextCapture();
    return client
        .newBuilder()
        .eventListenerFactory(capture.wrap(client.eventListenerFactory()))
        .addInterceptor(interceptor.withCapture(capture))
        .build();
  }
}
