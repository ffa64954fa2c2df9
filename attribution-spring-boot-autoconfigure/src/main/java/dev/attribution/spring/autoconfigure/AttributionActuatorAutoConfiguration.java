package dev.attribution.spring.autoconfigure;

import dev.attribution.core.AttributionEngine;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.util.ClassUtils;

/**
 * The {@code attribution} Actuator endpoint (exposed like any endpoint: {@code
 * management.endpoints.web.exposure.include=attribution}) and the {@code attribution} health
 * contributor ({@code management.health.attribution.enabled}), on Spring Boot 4's health API or on
 * 3.5's.
 */
@AutoConfiguration(after = AttributionAutoConfiguration.class)
@ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
@ConditionalOnBean(AttributionEngine.class)
public class AttributionActuatorAutoConfiguration {

  private static final ClassLoader LOADER =
      AttributionActuatorAutoConfiguration.class.getClassLoader();

  /** Creates the configuration; Spring calls it. */
  public AttributionActuatorAutoConfiguration() {}

  /** The endpoint. */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnAvailableEndpoint
  public AttributionEndpoint attributionEndpoint(
      AttributionEngine engine, AttributionBudgets budgets, BudgetActivity activity) {
    return new AttributionEndpoint(engine, budgets, activity);
  }

  /** The health contributor, on Spring Boot 4's health API. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  @ConditionalOnEnabledHealthIndicator("attribution")
  public static class HealthConfiguration {

    /** Creates the configuration; Spring calls it. */
    public HealthConfiguration() {}

    /** Sink lag, spool size and the budget store's state. */
    @Bean
    @ConditionalOnMissingBean(name = "attributionHealthIndicator")
    public AttributionHealthIndicator attributionHealthIndicator(
        AttributionEngine engine, BeanFactory beans) {
      return new AttributionHealthIndicator(
          engine,
          find(beans, "dev.attribution.sink.jdbc.JdbcUsageSink"),
          find(beans, "dev.attribution.budget.redis.RedisBudgetStore"));
    }
  }

  /**
   * The health contributor on Spring Boot 3.5's health API ({@code
   * org.springframework.boot.actuate.health}), registered by {@link Boot3HealthRegistrar}. Switched
   * off by {@code management.health.attribution.enabled=false} (3.5's {@code
   * management.health.defaults.enabled} is not consulted).
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = Boot3HealthRegistrar.INDICATOR)
  @ConditionalOnMissingClass("org.springframework.boot.health.contributor.HealthIndicator")
  @ConditionalOnProperty(
      prefix = "management.health.attribution",
      name = "enabled",
      matchIfMissing = true)
  @Import(Boot3HealthRegistrar.class)
  public static class Boot3HealthConfiguration {

    /** Creates the configuration; Spring calls it. */
    public Boot3HealthConfiguration() {}
  }

  /** The bean of class {@code className}, without loading the class when it is absent. */
  static @Nullable Object find(BeanFactory beans, String className) {
    if (!ClassUtils.isPresent(className, LOADER)) {
      return null;
    }
    return beans.getBeanProvider(ClassUtils.resolveClassName(className, LOADER)).getIfAvailable();
  }
}
