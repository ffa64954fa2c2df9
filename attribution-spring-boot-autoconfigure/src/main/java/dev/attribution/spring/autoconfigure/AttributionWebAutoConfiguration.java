package dev.attribution.spring.autoconfigure;

import dev.attribution.api.Attribution;
import dev.attribution.core.AttributionEngine;
import io.micrometer.context.ContextSnapshotFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.support.ContextPropagatingTaskDecorator;

/**
 * The request filter that opens each request's attribution scope (servlet and WebFlux), the default
 * {@link AttributionContextResolver}, and a {@link TaskDecorator} that Spring Boot applies to its
 * task executors, so {@code @Async} methods and {@code TaskExecutor} tasks run in the context of
 * the code that submitted them.
 */
@AutoConfiguration(
    after = AttributionAutoConfiguration.class,
    beforeName = {
      "org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration",
      "org.springframework.boot.task.autoconfigure.TaskExecutionAutoConfiguration"
    })
@ConditionalOnBean(AttributionEngine.class)
public class AttributionWebAutoConfiguration {

  /** Creates the configuration; Spring calls it. */
  public AttributionWebAutoConfiguration() {}

  /** Headers, principal and JWT claim, as {@code attribution.web.*} names them. */
  @Bean
  @ConditionalOnMissingBean
  public AttributionContextResolver attributionContextResolver(AttributionProperties properties) {
    return new DefaultAttributionContextResolver(properties.web());
  }

  /** The servlet filter. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass(name = "org.springframework.web.filter.OncePerRequestFilter")
  @ConditionalOnProperty(prefix = "attribution.web", name = "enabled", matchIfMissing = true)
  public static class ServletConfiguration {

    /** Creates the configuration; Spring calls it. */
    public ServletConfiguration() {}

    /** Opens each request's scope; Spring Boot registers it for every request. */
    @Bean
    @ConditionalOnMissingBean
    public AttributionServletFilter attributionServletFilter(
        AttributionContextResolver resolver, AttributionProperties properties) {
      return new AttributionServletFilter(
          resolver, properties.web().stripInboundHeaders(), properties.web().order());
    }
  }

  /** The WebFlux filter. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
  @ConditionalOnClass(
      name = {
        "org.springframework.web.server.WebFilter",
        "io.micrometer.context.ThreadLocalAccessor"
      })
  @ConditionalOnProperty(prefix = "attribution.web", name = "enabled", matchIfMissing = true)
  public static class ReactiveConfiguration {

    /** Creates the configuration; Spring calls it. */
    public ReactiveConfiguration() {}

    /** Puts each request's context into the Reactor context. */
    @Bean
    @ConditionalOnMissingBean
    public AttributionWebFilter attributionWebFilter(
        AttributionContextResolver resolver, AttributionProperties properties) {
      return new AttributionWebFilter(
          resolver, properties.web().stripInboundHeaders(), properties.web().order());
    }
  }

  /**
   * Propagates every context-propagation thread local (the attribution scope among them) into
   * tasks; Spring Boot applies a {@code TaskDecorator} bean to the executors it builds.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(ContextSnapshotFactory.class)
  @ConditionalOnProperty(
      prefix = "attribution.propagation",
      name = "enabled",
      matchIfMissing = true)
  public static class ContextPropagationConfiguration {

    /** Creates the configuration; Spring calls it. */
    public ContextPropagationConfiguration() {}

    /** Captures the submitting thread's context for each task. */
    @Bean
    @ConditionalOnMissingBean(TaskDecorator.class)
    public TaskDecorator attributionTaskDecorator() {
      return new ContextPropagatingTaskDecorator();
    }
  }

  /** Without context-propagation: carries only the attribution scope. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnMissingClass("io.micrometer.context.ContextSnapshotFactory")
  @ConditionalOnProperty(
      prefix = "attribution.propagation",
      name = "enabled",
      matchIfMissing = true)
  public static class ScopeOnlyPropagationConfiguration {

    /** Creates the configuration; Spring calls it. */
    public ScopeOnlyPropagationConfiguration() {}

    /** Captures the submitting thread's attribution context for each task. */
    @Bean
    @ConditionalOnMissingBean(TaskDecorator.class)
    public TaskDecorator attributionTaskDecorator() {
      return Attribution::wrap;
    }
  }
}
