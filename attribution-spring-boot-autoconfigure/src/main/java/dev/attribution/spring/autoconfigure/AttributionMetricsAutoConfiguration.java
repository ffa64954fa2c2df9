package dev.attribution.spring.autoconfigure;

import dev.attribution.core.AttributionEngine;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * {@link AttributionMetrics} when Micrometer is on the class path: a sink of the engine and a
 * {@code MeterBinder} that Spring Boot binds to every registry ({@code
 * attribution.metrics.enabled}).
 */
@AutoConfiguration(after = AttributionAutoConfiguration.class)
@ConditionalOnClass(MeterBinder.class)
@ConditionalOnBean(AttributionEngine.class)
@ConditionalOnProperty(prefix = "attribution.metrics", name = "enabled", matchIfMissing = true)
public class AttributionMetricsAutoConfiguration {

  /** Creates the configuration; Spring calls it. */
  public AttributionMetricsAutoConfiguration() {}

  /** The meters; the engine shuts the sink down, so Spring does not. */
  @Bean(destroyMethod = "")
  @ConditionalOnMissingBean
  public AttributionMetrics attributionMetrics(
      AttributionProperties properties, ObjectProvider<AttributionEngine> engine) {
    return new AttributionMetrics(properties.metrics(), engine::getIfAvailable);
  }
}
