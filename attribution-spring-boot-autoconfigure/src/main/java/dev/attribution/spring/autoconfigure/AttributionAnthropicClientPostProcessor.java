package dev.attribution.spring.autoconfigure;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.AnthropicClientAsync;
import com.anthropic.core.ClientOptions;
import dev.attribution.anthropic.AnthropicAttribution;
import dev.attribution.core.AttributionEngine;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Adds the anthropic-java interceptor to every {@code AnthropicClient} and {@code
 * AnthropicClientAsync} bean of the application, through the SDK's own {@code withOptions(o ->
 * o.addInterceptor(..))}, which keeps everything else the application configured (HTTP client,
 * timeouts, retries, headers). A client that already has an {@link AnthropicAttribution} is left as
 * it is, so an application that added one itself is not attributed twice. An SDK too old for that
 * hook is left alone, with a warning.
 */
final class AttributionAnthropicClientPostProcessor implements BeanPostProcessor {

  private static final Logger LOG =
      LoggerFactory.getLogger(AttributionAnthropicClientPostProcessor.class);

  private final Supplier<AttributionEngine> engine;
  private volatile AnthropicAttribution interceptor;

  /** {@code engine} is asked for lazily: post-processors are created before other beans. */
  AttributionAnthropicClientPostProcessor(Supplier<AttributionEngine> engine) {
    this.engine = engine;
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    try {
      if (bean instanceof AnthropicClient c && !attributed(c.options())) {
        return c.withOptions(o -> o.addInterceptor(interceptor()));
      }
      if (bean instanceof AnthropicClientAsync c && !attributed(c.options())) {
        return c.withOptions(o -> o.addInterceptor(interceptor()));
      }
    } catch (LinkageError e) {
      LOG.warn(
          "anthropic-java bean {} left unattributed: this SDK version has no interceptor hook"
              + " (2.36 or later has); add AnthropicAttribution to its builder yourself",
          beanName);
    }
    return bean;
  }

  private static boolean attributed(ClientOptions options) {
    return options.interceptors().stream().anyMatch(AnthropicAttribution.class::isInstance);
  }

  private AnthropicAttribution interceptor() {
    AnthropicAttribution i = interceptor;
    if (i == null) {
      synchronized (this) {
        i = interceptor;
        if (i == null) {
          i = AnthropicAttribution.interceptor(engine.get());
          interceptor = i;
        }
      }
    }
    return i;
  }
}
