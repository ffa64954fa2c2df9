package dev.attribution.core.routing;

import dev.attribution.api.AttributionContext;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Sends matching calls to a named {@link Route}, independent of budgets: e.g. all background
 * traffic to a cheaper provider, or one customer to its own deployment. Every condition that is set
 * must match; a rule with no conditions matches everything. Rules are tried in the order given and
 * the first match wins. Immutable.
 */
public final class RoutingRule {

  private final String name;
  private final String route;
  private final Set<String> trafficClasses;
  private final Set<String> features;
  private final Set<String> tenants;
  private final Set<String> models;
  private final Set<String> providers;

  private RoutingRule(Builder b) {
    this.name = b.name;
    this.route = Objects.requireNonNull(b.route);
    this.trafficClasses = Set.copyOf(b.trafficClasses);
    this.features = Set.copyOf(b.features);
    this.tenants = Set.copyOf(b.tenants);
    this.models = Set.copyOf(b.models);
    this.providers = Set.copyOf(b.providers);
  }

  /** A builder for a rule called {@code name}. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** The rule's name, recorded in {@code UsageRecord.routeRule()}. */
  public String name() {
    return name;
  }

  /** The route matching calls are sent to. */
  public String route() {
    return route;
  }

  /** Whether a call with this context, provider and model matches. */
  public boolean matches(AttributionContext context, String provider, @Nullable String model) {
    return in(trafficClasses, context.trafficClass())
        && in(features, context.feature())
        && in(tenants, context.tenantId())
        && in(models, model)
        && in(providers, provider);
  }

  private static boolean in(Set<String> allowed, @Nullable String value) {
    return allowed.isEmpty() || (value != null && allowed.contains(value));
  }

  @Override
  public String toString() {
    return "RoutingRule{" + name + " -> " + route + '}';
  }

  /** Builds a {@link RoutingRule}. */
  public static final class Builder {
    private final String name;
    private @Nullable String route;
    private final java.util.Set<String> trafficClasses = new java.util.HashSet<>();
    private final java.util.Set<String> features = new java.util.HashSet<>();
    private final java.util.Set<String> tenants = new java.util.HashSet<>();
    private final java.util.Set<String> models = new java.util.HashSet<>();
    private final java.util.Set<String> providers = new java.util.HashSet<>();

    private Builder(String name) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("routing rule name must not be blank");
      }
      this.name = name;
    }

    /** The route to send matching calls to (must be defined on the engine). */
    public Builder route(String route) {
      if (route == null || route.isBlank()) {
        throw new IllegalArgumentException("routing rule " + name + ": route must not be blank");
      }
      this.route = route;
      return this;
    }

    /** Matches only these traffic classes. */
    public Builder trafficClass(String... values) {
      trafficClasses.addAll(Set.of(values));
      return this;
    }

    /** Matches only these features. */
    public Builder feature(String... values) {
      features.addAll(Set.of(values));
      return this;
    }

    /** Matches only these tenants. */
    public Builder tenant(String... values) {
      tenants.addAll(Set.of(values));
      return this;
    }

    /** Matches only these requested models. */
    public Builder model(String... values) {
      models.addAll(Set.of(values));
      return this;
    }

    /** Matches only calls to these providers. */
    public Builder provider(String... values) {
      providers.addAll(Set.of(values));
      return this;
    }

    /**
     * The immutable rule.
     *
     * @throws IllegalStateException naming the rule when no route was set
     */
    public RoutingRule build() {
      if (route == null) {
        throw new IllegalStateException("routing rule " + name + ": route is required");
      }
      return new RoutingRule(this);
    }
  }
}
