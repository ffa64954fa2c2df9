package dev.attribution.spring.autoconfigure;

import dev.attribution.okhttp.AttributionInterceptor;
import dev.attribution.okhttp.AttributionOkHttp;
import okhttp3.OkHttpClient;

/**
 * Adds the starter's interceptor to an OkHttp client the application builds itself. Inject it and
 * call {@link #customize} on the builder, or {@link #instrument} on a finished client (which also
 * keeps the context of {@code enqueue()}d calls).
 */
public final class AttributionOkHttpCustomizer {

  private final AttributionInterceptor interceptor;

  /** Creates a customiser that adds {@code interceptor}. */
  public AttributionOkHttpCustomizer(AttributionInterceptor interceptor) {
    this.interceptor = interceptor;
  }

  /** Adds the interceptor as an application interceptor, once. */
  public OkHttpClient.Builder customize(OkHttpClient.Builder builder) {
    if (!builder.interceptors().contains(interceptor)) {
      builder.addInterceptor(interceptor);
    }
    return builder;
  }

  /** {@code client} with the interceptor, as {@link AttributionOkHttp#instrument} makes it. */
  public OkHttpClient instrument(OkHttpClient client) {
    return AttributionOkHttp.instrument(client, interceptor);
  }

  /** The interceptor this customiser adds. */
  public AttributionInterceptor interceptor() {
    return interceptor;
  }
}
