package dev.attribution.spring.autoconfigure;

import dev.attribution.core.AttributionEngine;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.type.AnnotationMetadata;
import org.springframework.util.ClassUtils;

/**
 * Registers the {@code attribution} health indicator on Spring Boot 3.5, whose health API ({@code
 * org.springframework.boot.actuate.health}) is not the one this module compiles against (Boot 4's
 * {@code org.springframework.boot.health.contributor}). The bean implements 3.5's {@code
 * HealthIndicator} through a JDK proxy that builds 3.5's {@code Health} by reflection from the same
 * {@link AttributionHealthCheck} as Boot 4's indicator; its bean definition names that interface as
 * its type, so Actuator finds it before it is created.
 */
final class Boot3HealthRegistrar implements ImportBeanDefinitionRegistrar, BeanFactoryAware {

  static final String INDICATOR = "org.springframework.boot.actuate.health.HealthIndicator";
  private static final String HEALTH = "org.springframework.boot.actuate.health.Health";
  private static final String BEAN = "attributionHealthIndicator";

  private @Nullable BeanFactory beans;

  @Override
  public void setBeanFactory(BeanFactory beanFactory) {
    this.beans = beanFactory;
  }

  @Override
  public void registerBeanDefinitions(
      AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
    if (registry.containsBeanDefinition(BEAN) || beans == null) {
      return;
    }
    BeanFactory factory = beans;
    ClassLoader loader = Boot3HealthRegistrar.class.getClassLoader();
    Class<?> type = ClassUtils.resolveClassName(INDICATOR, loader);
    RootBeanDefinition definition = new RootBeanDefinition();
    definition.setTargetType(type);
    definition.setInstanceSupplier(
        () ->
            indicator(
                type,
                new AttributionHealthCheck(
                    factory.getBean(AttributionEngine.class),
                    AttributionActuatorAutoConfiguration.find(
                        factory, "dev.attribution.sink.jdbc.JdbcUsageSink"),
                    AttributionActuatorAutoConfiguration.find(
                        factory, "dev.attribution.budget.redis.RedisBudgetStore"))));
    registry.registerBeanDefinition(BEAN, definition);
  }

  /** A proxy implementing Boot 3.5's {@code HealthIndicator} over {@code check}. */
  static Object indicator(Class<?> type, AttributionHealthCheck check) {
    ClassLoader loader = type.getClassLoader();
    Class<?> health = ClassUtils.resolveClassName(HEALTH, loader);
    InvocationHandler handler =
        (proxy, method, args) -> {
          if (method.isDefault()) {
            return InvocationHandler.invokeDefault(proxy, method, args);
          }
          return switch (method.getName()) {
            case "health" -> health(health, check);
            case "toString" -> "AttributionHealthIndicator (Spring Boot 3.5)";
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            default -> throw new UnsupportedOperationException(method.getName());
          };
        };
    return Proxy.newProxyInstance(loader, new Class<?>[] {type}, handler);
  }

  /**
   * {@code Health.up()/down().withDetails(..).build()}; DOWN with the exception if the check fails.
   */
  private static Object health(Class<?> health, AttributionHealthCheck check) throws Exception {
    try {
      AttributionHealthCheck.Result r = check.check();
      Object builder = health.getMethod(r.up() ? "up" : "down").invoke(null);
      builder = invoke(builder, "withDetails", java.util.Map.class, r.details());
      return builder.getClass().getMethod("build").invoke(builder);
    } catch (RuntimeException e) {
      Object builder = health.getMethod("down").invoke(null);
      builder = invoke(builder, "withException", Throwable.class, e);
      return builder.getClass().getMethod("build").invoke(builder);
    }
  }

  private static Object invoke(Object target, String name, Class<?> parameter, Object argument)
      throws Exception {
    Method m = target.getClass().getMethod(name, parameter);
    try {
      return m.invoke(target, argument);
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }
}
