package dev.attribution.spring.autoconfigure;

import dev.attribution.api.BudgetListener;
import dev.attribution.api.UsageSink;
import dev.attribution.api.budget.BudgetStore;
import dev.attribution.budget.redis.RedisBudgetStore;
import dev.attribution.core.AttributionEngine;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.okhttp.AttributionInterceptor;
import dev.attribution.sink.jdbc.JdbcUsageSink;
import dev.attribution.sink.otlp.OtelUsageSink;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Clock;
import java.util.List;
import javax.sql.DataSource;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.ConfigurationPropertiesBinding;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.convert.converter.Converter;
import org.springframework.core.io.ResourceLoader;
import redis.clients.jedis.JedisPooled;

/**
 * The engine, built from {@link AttributionProperties}, with every {@link UsageSink}, {@link
 * BudgetListener} and {@link AttributionEngineCustomizer} bean of the application, the JDBC sink on
 * the application's {@code DataSource} (opt-in: {@code attribution.sinks.jdbc.enabled=true}), the
 * OpenTelemetry sink when an {@code OpenTelemetry} bean exists, and the Redis budget store when
 * {@code attribution.redis.enabled=true}. The engine is closed with the application context, which
 * writes every queued record. The OkHttp interceptor and {@link AttributionOkHttpCustomizer} are
 * beans when OkHttp is on the class path.
 */
@AutoConfiguration(
    afterName = {
      "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
      "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
      "org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration",
      "org.springframework.boot.actuate.autoconfigure.opentelemetry.OpenTelemetryAutoConfiguration"
    })
@ConditionalOnClass(AttributionEngine.class)
@ConditionalOnProperty(prefix = "attribution", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(AttributionProperties.class)
public class AttributionAutoConfiguration {

  private static final Logger LOG = LoggerFactory.getLogger(AttributionAutoConfiguration.class);

  /** Creates the configuration; Spring calls it. */
  public AttributionAutoConfiguration() {}

  /** Lets a budget's period be written as its kind alone, as the budgets file allows. */
  @Bean
  @ConfigurationPropertiesBinding
  public static PeriodConverter attributionPeriodConverter() {
    return new PeriodConverter();
  }

  /** Reads {@code period: month} as a period of that kind with default settings. */
  public static final class PeriodConverter
      implements Converter<String, AttributionProperties.Period> {

    /** Creates the converter. */
    public PeriodConverter() {}

    @Override
    public AttributionProperties.Period convert(String kind) {
      return new AttributionProperties.Period(kind.trim(), null, null, null);
    }
  }

  /** Remembers each budget's last action for the Actuator endpoint. */
  @Bean
  @ConditionalOnMissingBean
  public BudgetActivity attributionBudgetActivity() {
    return new BudgetActivity();
  }

  /** The engine; closed with the context, which drains every queued record. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public AttributionEngine attributionEngine(
      AttributionProperties properties,
      ResourceLoader resources,
      ObjectProvider<UsageSink> sinks,
      ObjectProvider<BudgetListener> listeners,
      ObjectProvider<BudgetStore> store,
      ObjectProvider<AttributionEngineCustomizer> customizers) {
    List<BudgetDefinition> budgets = EngineSettings.budgets(properties, resources);
    AttributionEngine.Builder b = AttributionEngine.builder();
    EngineSettings.apply(properties, budgets, b);
    sinks.orderedStream().forEach(b::addSink);
    List<BudgetListener> all = listeners.orderedStream().toList();
    if (!all.isEmpty()) {
      b.listener(
          all.size() == 1
              ? all.get(0)
              : BudgetListener.composite(all.toArray(BudgetListener[]::new)));
    }
    BudgetStore s = store.getIfAvailable();
    if (s != null && !budgets.isEmpty()) {
      b.budgetStore(s);
    }
    customizers.orderedStream().forEach(c -> c.customize(b));
    return b.build();
  }

  /** The configured budgets and what is left of them. */
  @Bean
  @ConditionalOnMissingBean
  public AttributionBudgets attributionBudgets(
      AttributionEngine engine, AttributionProperties properties, ResourceLoader resources) {
    return new AttributionBudgets(
        engine, EngineSettings.budgets(properties, resources), Clock.systemUTC());
  }

  /** The OkHttp interceptor and a customiser for the application's own OkHttp clients. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({AttributionInterceptor.class, OkHttpClient.class})
  public static class OkHttpConfiguration {

    /** Creates the configuration; Spring calls it. */
    public OkHttpConfiguration() {}

    /** The interceptor every OkHttp-based client of the application shares. */
    @Bean
    @ConditionalOnMissingBean
    public AttributionInterceptor attributionInterceptor(
        AttributionEngine engine, AttributionProperties properties) {
      return AttributionInterceptor.builder(engine)
          .blockWithException(properties.interceptor().blockWithException())
          .build();
    }

    /** Adds the interceptor to OkHttp clients the application builds. */
    @Bean
    @ConditionalOnMissingBean
    public AttributionOkHttpCustomizer attributionOkHttpCustomizer(
        AttributionInterceptor interceptor) {
      return new AttributionOkHttpCustomizer(interceptor);
    }
  }

  /**
   * anthropic-java client beans get the interceptor through the SDK's own hook ({@code
   * attribution-anthropic} on the class path; {@code attribution.interceptor.sdk-clients=false}
   * switches it off). openai-java has no such hook on a built client, see the README.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = {
        "dev.attribution.anthropic.AnthropicAttribution",
        "com.anthropic.client.AnthropicClient",
        "com.anthropic.core.http.Interceptor"
      })
  @ConditionalOnProperty(
      prefix = "attribution.interceptor",
      name = "sdk-clients",
      matchIfMissing = true)
  public static class AnthropicClientConfiguration {

    /** Creates the configuration; Spring calls it. */
    public AnthropicClientConfiguration() {}

    /** Adds the interceptor to {@code AnthropicClient} and {@code AnthropicClientAsync} beans. */
    @Bean
    static BeanPostProcessor attributionAnthropicClientPostProcessor(
        ObjectProvider<AttributionEngine> engine) {
      return new AttributionAnthropicClientPostProcessor(engine::getObject);
    }
  }

  /** Records into the application's database, when {@code attribution.sinks.jdbc.enabled}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({JdbcUsageSink.class, DataSource.class})
  @ConditionalOnBean(DataSource.class)
  @ConditionalOnProperty(prefix = "attribution.sinks.jdbc", name = "enabled")
  public static class JdbcSinkConfiguration {

    /** Creates the configuration; Spring calls it. */
    public JdbcSinkConfiguration() {}

    /** The sink; the engine shuts it down, so Spring does not. */
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean
    public JdbcUsageSink attributionJdbcSink(
        DataSource dataSource, AttributionProperties properties) {
      AttributionProperties.Jdbc jdbc = properties.sinks().jdbc();
      JdbcUsageSink.Builder b =
          JdbcUsageSink.builder(dataSource)
              .table(jdbc.table())
              .createSchema(jdbc.createSchema())
              .rollupZone(jdbc.rollupZone());
      if (jdbc.spoolDirectory() != null) {
        b.spoolDirectory(jdbc.spoolDirectory());
      }
      return b.build();
    }
  }

  /** Usage and cost through the application's OpenTelemetry, when it has an instance. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({OtelUsageSink.class, OpenTelemetry.class})
  @ConditionalOnBean(OpenTelemetry.class)
  @ConditionalOnProperty(prefix = "attribution.sinks.otlp", name = "enabled", matchIfMissing = true)
  public static class OtlpSinkConfiguration {

    /** Creates the configuration; Spring calls it. */
    public OtlpSinkConfiguration() {}

    /** The sink; the engine shuts it down, so Spring does not. */
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean
    public OtelUsageSink attributionOtelSink(
        OpenTelemetry openTelemetry, AttributionProperties properties) {
      OtelUsageSink.Builder b = OtelUsageSink.builder(openTelemetry);
      List<String> attributes = properties.sinks().otlp().metricAttributes();
      if (!attributes.isEmpty()) {
        b.metricAttributes(attributes.toArray(String[]::new));
      }
      return b.build();
    }
  }

  /** One budget for every replica, in Redis, when {@code attribution.redis.enabled}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({RedisBudgetStore.class, JedisPooled.class})
  @ConditionalOnProperty(prefix = "attribution.redis", name = "enabled")
  public static class RedisStoreConfiguration {

    /** Creates the configuration; Spring calls it. */
    public RedisStoreConfiguration() {}

    /**
     * The store; the engine closes it, so Spring does not. None (a null bean) when no budget is
     * configured: the engine would not take the store, and nothing else would close its pool.
     */
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean(BudgetStore.class)
    public @Nullable RedisBudgetStore attributionRedisBudgetStore(
        AttributionProperties properties, ResourceLoader resources) {
      if (EngineSettings.budgets(properties, resources).isEmpty()) {
        LOG.info("attribution.redis.enabled is set but no budget is configured: no Redis store");
        return null;
      }
      AttributionProperties.Redis redis = properties.redis();
      return RedisBudgetStore.builder()
          .client(new JedisPooled(java.net.URI.create(redis.url())), true)
          .keyPrefix(redis.keyPrefix())
          .failureMode(
              redis.failOpen()
                  ? RedisBudgetStore.FailureMode.FAIL_OPEN
                  : RedisBudgetStore.FailureMode.FAIL_CLOSED)
          .build();
    }
  }
}
