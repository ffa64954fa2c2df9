package dev.attribution.langchain4j;

import dev.attribution.core.AttributionEngine;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpClientBuilderLoader;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A LangChain4j {@link HttpClientBuilder} that builds its delegate's client and puts attribution in
 * front of it: each call is attributed to the current {@code Attribution} scope, recorded, priced,
 * and admitted or refused by the engine's budgets before it leaves. A refused call throws
 * LangChain4j's {@code HttpException} with status 429 and the provider-shaped error as its message,
 * without reaching the provider; streamed responses are observed byte for byte as LangChain4j reads
 * them. Works with any provider module, since they all call through this abstraction:
 *
 * <pre>{@code
 * OpenAiChatModel model = OpenAiChatModel.builder()
 *     .httpClientBuilder(AttributionHttpClientBuilder.wrap(new JdkHttpClientBuilder(), engine))
 *     .apiKey(key).modelName("gpt-4o-mini").build();
 * }</pre>
 *
 * Timeouts set on this builder are passed to the delegate.
 */
public final class AttributionHttpClientBuilder implements HttpClientBuilder {

  private final HttpClientBuilder delegate;
  private final AttributionEngine engine;

  private AttributionHttpClientBuilder(HttpClientBuilder delegate, AttributionEngine engine) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.engine = Objects.requireNonNull(engine, "engine");
  }

  /** {@code delegate} with attribution in front of the clients it builds. */
  public static AttributionHttpClientBuilder wrap(
      HttpClientBuilder delegate, AttributionEngine engine) {
    return new AttributionHttpClientBuilder(delegate, engine);
  }

  /**
   * The builder LangChain4j would use by default (the one its class path provides, e.g. {@code
   * langchain4j-http-client-jdk}), with attribution in front.
   */
  public static AttributionHttpClientBuilder wrapDefault(AttributionEngine engine) {
    return wrap(HttpClientBuilderLoader.loadHttpClientBuilder(), engine);
  }

  @Override
  public @Nullable Duration connectTimeout() {
    return delegate.connectTimeout();
  }

  @Override
  public AttributionHttpClientBuilder connectTimeout(@Nullable Duration timeout) {
    delegate.connectTimeout(timeout);
    return this;
  }

  @Override
  public @Nullable Duration readTimeout() {
    return delegate.readTimeout();
  }

  @Override
  public AttributionHttpClientBuilder readTimeout(@Nullable Duration timeout) {
    delegate.readTimeout(timeout);
    return this;
  }

  @Override
  public HttpClient build() {
    return new AttributedHttpClient(delegate.build(), engine);
  }
}
