package dev.attribution.spring.autoconfigure;

import dev.attribution.core.pricing.UnpricedPolicy;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Everything the starter reads from {@code application.yaml}, under {@code attribution}. Every part
 * is switchable: {@code attribution.enabled=false} turns the whole starter off.
 *
 * <p>Map keys that contain dots or colons (a {@code tag.team} scope, a {@code gpt-4.1} model, a
 * {@code host:port}) must be written in brackets, as Spring Boot requires: {@code "[tag.team]":
 * "*"}.
 *
 * @param enabled whether the starter configures anything at all
 * @param currency the engine's currency (ISO 4217); default USD
 * @param dryRun budgets decide and report but never block or downgrade
 * @param failClosed block calls when the budget store fails instead of letting them through
 * @param providerHosts hosts (and ports) that are not known provider hosts, mapped to the provider
 *     whose API they speak, e.g. {@code "[localhost:8089]": openai} for a proxy or a local server
 * @param prices where prices come from
 * @param budgets budgets, in the schema of the budgets YAML file ({@code BudgetDefinitions})
 * @param budgetsFile a budgets file (YAML or JSON, the schema of {@code BudgetDefinitions}) as a
 *     Spring resource location, e.g. {@code classpath:budgets.yaml}; read in addition to {@code
 *     budgets}
 * @param loopGuard the agent-thread loop guard
 * @param routes named upstream routes that budgets and routing rules can send calls to
 * @param routingRules rules that send matching calls to a route
 * @param sinks where usage records go
 * @param redis the Redis budget store that replicas share
 * @param web the request filter that opens the attribution scope
 * @param propagation carrying the scope across threads
 * @param metrics Micrometer meters
 * @param interceptor the OkHttp interceptor
 * @param closeTimeout how long closing the engine at shutdown waits for queued records
 */
@ConfigurationProperties("attribution")
public record AttributionProperties(
    @DefaultValue("true") boolean enabled,
    @Nullable String currency,
    @DefaultValue("false") boolean dryRun,
    @DefaultValue("false") boolean failClosed,
    @DefaultValue Map<String, String> providerHosts,
    @DefaultValue Prices prices,
    @Nullable String budgetsFile,
    @DefaultValue List<Budget> budgets,
    @DefaultValue LoopGuard loopGuard,
    @DefaultValue Map<String, Route> routes,
    @DefaultValue List<RoutingRule> routingRules,
    @DefaultValue Sinks sinks,
    @DefaultValue Redis redis,
    @DefaultValue Web web,
    @DefaultValue Propagation propagation,
    @DefaultValue Metrics metrics,
    @DefaultValue Interceptor interceptor,
    @DefaultValue("5s") Duration closeTimeout) {

  /**
   * Prices: the bundled catalog, optionally replaced by a LiteLLM price file and adjusted by
   * overrides.
   *
   * @param liteLlmFile a LiteLLM {@code model_prices_and_context_window.json} to price from instead
   *     of the bundled catalog
   * @param overridesFile a price-overrides file (discounts, your own models, plans; the schema of
   *     {@code PriceOverrides})
   * @param overrides price overrides inline, as YAML text in the schema of {@code PriceOverrides}
   * @param unpriced what a call to a model without a price does: ALLOW (recorded as unpriced, the
   *     default), FALLBACK_RATE or BLOCK
   */
  public record Prices(
      @Nullable Path liteLlmFile,
      @Nullable Path overridesFile,
      @Nullable String overrides,
      @Nullable UnpricedPolicy unpriced) {}

  /**
   * One budget, field for field the schema of the budgets YAML file.
   *
   * @param name the budget's name, unique
   * @param scope dimension to a fixed value or {@code "*"} for each value ({@code tenant}, {@code
   *     user}, {@code feature}, ..., {@code "[tag.key]"}); empty for one global budget
   * @param limit the money limit per period
   * @param currency the limit's currency; default the engine's
   * @param tokenLimit a token limit per period
   * @param requestLimit a request limit per period
   * @param period the period; default a calendar month in UTC
   * @param thresholds what happens at which percent; default 50 notify, 80 downgrade, 100 block
   * @param downgrade model to cheaper model, for downgrade thresholds
   * @param downgradeExemptTrafficClasses traffic classes never downgraded, e.g. {@code critical}
   * @param soft never block: thresholds notify only
   * @param dryRun this budget decides and reports but never acts
   */
  public record Budget(
      @Nullable String name,
      @DefaultValue Map<String, String> scope,
      @Nullable BigDecimal limit,
      @Nullable String currency,
      @Nullable Long tokenLimit,
      @Nullable Long requestLimit,
      @Nullable Period period,
      @DefaultValue List<Threshold> thresholds,
      @DefaultValue Map<String, String> downgrade,
      @DefaultValue List<String> downgradeExemptTrafficClasses,
      @Nullable Boolean soft,
      @Nullable Boolean dryRun) {}

  /**
   * A budget period.
   *
   * @param kind day, week, month, rolling or lifetime
   * @param zone the time zone of a calendar period; default UTC
   * @param firstDay the first day of a week period; default monday
   * @param window the window of a rolling period, e.g. {@code PT1H}
   */
  public record Period(
      @Nullable String kind,
      @Nullable String zone,
      @Nullable String firstDay,
      @Nullable Duration window) {}

  /**
   * One budget threshold.
   *
   * @param percent the percent of the limit at which it acts
   * @param action notify, downgrade, reroute or block
   * @param route the route of a reroute threshold
   */
  public record Threshold(
      @Nullable BigDecimal percent, @Nullable String action, @Nullable String route) {}

  /**
   * The loop guard: at most {@code maxCalls} calls per agent thread id in any {@code window}.
   *
   * @param maxCalls calls allowed per thread id in the window; 0 turns the guard off
   * @param window the sliding window
   */
  public record LoopGuard(@DefaultValue("0") int maxCalls, @DefaultValue("60s") Duration window) {}

  /**
   * A named upstream.
   *
   * @param baseUrl its base URL
   * @param provider the provider whose API it speaks
   * @param apiKey the key it is called with; default the application's own
   * @param forwardApplicationCredentials send the application's key to this route
   * @param models model to model on this route
   * @param defaultModel the model used for models {@code models} does not name
   */
  public record Route(
      @Nullable String baseUrl,
      @Nullable String provider,
      @Nullable String apiKey,
      @DefaultValue("false") boolean forwardApplicationCredentials,
      @DefaultValue Map<String, String> models,
      @Nullable String defaultModel) {}

  /**
   * A rule that sends matching calls to a route; every condition given must match.
   *
   * @param name the rule's name, for records
   * @param route the route's name
   * @param trafficClass traffic classes that match
   * @param feature features that match
   * @param tenant tenants that match
   * @param model models that match
   * @param provider providers that match
   */
  public record RoutingRule(
      @Nullable String name,
      @Nullable String route,
      @DefaultValue List<String> trafficClass,
      @DefaultValue List<String> feature,
      @DefaultValue List<String> tenant,
      @DefaultValue List<String> model,
      @DefaultValue List<String> provider) {}

  /**
   * Sinks. Every {@code UsageSink} bean of the application is added too (the engine shuts it down;
   * declare it with {@code @Bean(destroyMethod = "")}).
   *
   * @param jdbc the JDBC sink on the application's {@code DataSource}
   * @param otlp the OpenTelemetry sink on the application's {@code OpenTelemetry} bean
   */
  public record Sinks(@DefaultValue Jdbc jdbc, @DefaultValue Otlp otlp) {}

  /**
   * The JDBC sink, opt-in, on the application's {@code DataSource}.
   *
   * @param enabled write records to the application's database
   * @param table the table
   * @param createSchema create the table and indexes when missing
   * @param spoolDirectory the local spool for records the database could not take; default under
   *     the user's home, one per table: give each process on a host its own
   * @param rollupZone the zone whose dates are the days of the daily rollups kept beside the table
   *     for the weekly review (default UTC); a table that has them keeps its own
   */
  public record Jdbc(
      @DefaultValue("false") boolean enabled,
      @DefaultValue("llm_usage") String table,
      @DefaultValue("true") boolean createSchema,
      @Nullable Path spoolDirectory,
      @DefaultValue("UTC") ZoneId rollupZone) {}

  /**
   * The OpenTelemetry sink, on when an {@code OpenTelemetry} bean exists.
   *
   * @param enabled export usage and cost through the application's OpenTelemetry
   * @param metricAttributes context fields put on cost and request metrics (tenant, feature,
   *     assistant, traffic_class, tag.key)
   */
  public record Otlp(
      @DefaultValue("true") boolean enabled, @DefaultValue List<String> metricAttributes) {}

  /**
   * The Redis budget store, opt-in: one budget shared by every replica.
   *
   * @param enabled keep budgets in Redis
   * @param url the Redis URL, e.g. {@code redis://localhost:6379}
   * @param keyPrefix the prefix of every key
   * @param failOpen when Redis is unreachable, admit against a local shadow (true) or refuse calls
   *     under hard budgets (false, the store's default)
   */
  public record Redis(
      @DefaultValue("false") boolean enabled,
      @DefaultValue("redis://localhost:6379") String url,
      @DefaultValue("attribution:budget:") String keyPrefix,
      @DefaultValue("false") boolean failOpen) {}

  /**
   * The request filter (servlet and WebFlux) that opens each request's attribution scope.
   *
   * @param enabled open a scope per inbound request
   * @param stripInboundHeaders hide inbound {@code x-attribution-*} headers from the application,
   *     so the caller of your service cannot choose who is billed
   * @param tenantHeader the request header that names the tenant; empty to not read one
   * @param userHeader the request header that names the user when no principal is authenticated;
   *     empty to not read one
   * @param featureHeader the request header that names the feature; empty to not read one
   * @param tenantClaim the JWT claim that names the tenant (Spring Security resource server); it
   *     wins over the header
   * @param order the filter's order; the default runs after Spring Security's filter chain
   */
  public record Web(
      @DefaultValue("true") boolean enabled,
      @DefaultValue("true") boolean stripInboundHeaders,
      @DefaultValue("X-Tenant-Id") String tenantHeader,
      @DefaultValue("X-User-Id") String userHeader,
      @DefaultValue("X-Feature") String featureHeader,
      @DefaultValue("tenant_id") String tenantClaim,
      @DefaultValue("-90") int order) {}

  /**
   * Carrying the scope across threads.
   *
   * @param enabled decorate Spring's task executors ({@code @Async}, {@code TaskExecutor}) so tasks
   *     run in the context of the code that submitted them
   */
  public record Propagation(@DefaultValue("true") boolean enabled) {}

  /**
   * Micrometer meters.
   *
   * @param enabled register the meters
   * @param contextKeys context fields used as tags (tenant, user, feature, assistant, thread,
   *     traffic_class, tag.key)
   * @param maxValuesPerKey distinct values per context tag; later values are folded into {@code
   *     other}
   */
  public record Metrics(
      @DefaultValue("true") boolean enabled,
      @DefaultValue({"tenant", "feature"}) List<String> contextKeys,
      @DefaultValue("100") int maxValuesPerKey) {}

  /**
   * The OkHttp interceptor.
   *
   * @param blockWithException a blocked call throws an {@code IOException} instead of returning a
   *     provider-shaped 429
   */
  public record Interceptor(@DefaultValue("false") boolean blockWithException) {}
}
