package dev.attribution.spring.autoconfigure;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attribution.core.AttributionEngine;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetDefinitions;
import dev.attribution.core.budget.LoopGuard;
import dev.attribution.core.pricing.PriceOverrides;
import dev.attribution.core.routing.Route;
import dev.attribution.core.routing.RoutingRule;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;

/** Applies {@link AttributionProperties} to an engine builder; package-private machinery. */
final class EngineSettings {

  private EngineSettings() {}

  /**
   * The budgets of the properties and of the budgets file, parsed by {@link BudgetDefinitions} so
   * both are one schema with one set of error messages.
   */
  static List<BudgetDefinition> budgets(AttributionProperties p, ResourceLoader resources) {
    List<BudgetDefinition> out = new ArrayList<>();
    String file = p.budgetsFile();
    if (file != null && !file.isBlank()) {
      Resource r = resources.getResource(file);
      try (InputStream in = r.getInputStream()) {
        out.addAll(
            BudgetDefinitions.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), file));
      } catch (IOException e) {
        throw new UncheckedIOException("attribution.budgets-file: cannot read " + file, e);
      }
    }
    if (!p.budgets().isEmpty()) {
      out.addAll(
          BudgetDefinitions.parse(
              budgetsJson(p.budgets()), "application properties (attribution.budgets)"));
    }
    return List.copyOf(out);
  }

  /** The budgets as the JSON document {@code BudgetDefinitions} reads; absent fields left out. */
  static String budgetsJson(List<AttributionProperties.Budget> budgets) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ArrayNode list = f.arrayNode();
    for (AttributionProperties.Budget b : budgets) {
      ObjectNode n = list.addObject();
      put(n, "name", b.name());
      if (!b.scope().isEmpty()) {
        ObjectNode scope = n.putObject("scope");
        b.scope().forEach(scope::put);
      }
      put(n, "limit", b.limit());
      put(n, "currency", b.currency());
      if (b.tokenLimit() != null) {
        n.put("tokenLimit", b.tokenLimit());
      }
      if (b.requestLimit() != null) {
        n.put("requestLimit", b.requestLimit());
      }
      AttributionProperties.Period period = b.period();
      if (period != null) {
        ObjectNode pn = n.putObject("period");
        put(pn, "kind", period.kind());
        put(pn, "zone", period.zone());
        put(pn, "firstDay", period.firstDay());
        put(pn, "window", period.window() == null ? null : period.window().toString());
      }
      if (!b.thresholds().isEmpty()) {
        ArrayNode ts = n.putArray("thresholds");
        for (AttributionProperties.Threshold t : b.thresholds()) {
          ObjectNode tn = ts.addObject();
          put(tn, "percent", t.percent());
          put(tn, "action", t.action());
          put(tn, "route", t.route());
        }
      }
      if (!b.downgrade().isEmpty()) {
        ObjectNode d = n.putObject("downgrade");
        b.downgrade().forEach(d::put);
      }
      if (!b.downgradeExemptTrafficClasses().isEmpty()) {
        ArrayNode a = n.putArray("downgradeExemptTrafficClasses");
        b.downgradeExemptTrafficClasses().forEach(a::add);
      }
      if (b.soft() != null) {
        n.put("soft", b.soft());
      }
      if (b.dryRun() != null) {
        n.put("dryRun", b.dryRun());
      }
    }
    ObjectNode root = f.objectNode();
    root.set("budgets", list);
    try {
      return new ObjectMapper().writeValueAsString(root);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void put(ObjectNode n, String field, @Nullable String value) {
    if (value != null) {
      n.put(field, value);
    }
  }

  private static void put(ObjectNode n, String field, @Nullable BigDecimal value) {
    if (value != null) {
      n.put(field, value);
    }
  }

  /** Applies every property except sinks, listeners and the store, which come as beans. */
  static void apply(
      AttributionProperties p, List<BudgetDefinition> budgets, AttributionEngine.Builder b) {
    if (p.currency() != null) {
      b.currency(p.currency());
    }
    p.providerHosts().forEach(b::mapHost);
    AttributionProperties.Prices prices = p.prices();
    if (prices.liteLlmFile() != null) {
      b.liteLlmPrices(prices.liteLlmFile());
    }
    if (prices.overridesFile() != null && prices.overrides() != null) {
      throw new IllegalArgumentException(
          "attribution.prices: set overrides-file or overrides, not both");
    }
    if (prices.overridesFile() != null) {
      b.priceOverrides(PriceOverrides.load(prices.overridesFile()));
    }
    if (prices.overrides() != null) {
      b.priceOverrides(
          PriceOverrides.parse(
              prices.overrides(), "application properties (attribution.prices.overrides)"));
    }
    if (prices.unpriced() != null) {
      b.unpricedModels(prices.unpriced());
    }
    b.budgets(budgets);
    if (p.loopGuard().maxCalls() > 0) {
      b.loopGuard(LoopGuard.of(p.loopGuard().maxCalls(), null, p.loopGuard().window()));
    }
    for (Map.Entry<String, AttributionProperties.Route> e : p.routes().entrySet()) {
      b.route(route(e.getKey(), e.getValue()));
    }
    for (int i = 0; i < p.routingRules().size(); i++) {
      b.routingRule(rule(i, p.routingRules().get(i)));
    }
    if (p.dryRun()) {
      b.dryRun(true);
    }
    if (p.failClosed()) {
      b.failClosed(true);
    }
    b.closeTimeout(p.closeTimeout());
    // Spring closes the engine with the context; a JVM hook as well would close it twice.
    b.shutdownHook(false);
  }

  private static Route route(String name, AttributionProperties.Route r) {
    Route.Builder b = Route.builder(name);
    if (r.baseUrl() != null) {
      b.baseUrl(r.baseUrl());
    }
    if (r.provider() != null) {
      b.provider(r.provider());
    }
    b.apiKey(r.apiKey());
    b.forwardApplicationCredentials(r.forwardApplicationCredentials());
    r.models().forEach(b::mapModel);
    b.defaultModel(r.defaultModel());
    return b.build();
  }

  private static RoutingRule rule(int index, AttributionProperties.RoutingRule r) {
    String name = r.name() == null ? "rule-" + index : r.name();
    RoutingRule.Builder b = RoutingRule.builder(name);
    if (r.route() != null) {
      b.route(r.route());
    }
    if (!r.trafficClass().isEmpty()) {
      b.trafficClass(r.trafficClass().toArray(String[]::new));
    }
    if (!r.feature().isEmpty()) {
      b.feature(r.feature().toArray(String[]::new));
    }
    if (!r.tenant().isEmpty()) {
      b.tenant(r.tenant().toArray(String[]::new));
    }
    if (!r.model().isEmpty()) {
      b.model(r.model().toArray(String[]::new));
    }
    if (!r.provider().isEmpty()) {
      b.provider(r.provider().toArray(String[]::new));
    }
    return b.build();
  }
}
