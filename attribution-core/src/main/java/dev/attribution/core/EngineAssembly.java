package dev.attribution.core;

// Over 600 lines because AttributionEngine.Builder, public API, stays nested here with one
// documented setter per setting; deciding a call lives in CallDecider and its stages.

import dev.attribution.api.UsageSink;
import dev.attribution.api.budget.InMemoryBudgetStore;
import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.api.budget.ScopePart;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.Threshold;
import dev.attribution.core.internal.budget.BudgetEngine;
import dev.attribution.core.internal.pipeline.RecordPipeline;
import dev.attribution.core.internal.pricing.CostPreference;
import dev.attribution.core.internal.pricing.PricingEngine;
import dev.attribution.core.internal.pricing.TokenEstimator;
import dev.attribution.core.internal.pricing.UnpricedModelListener;
import dev.attribution.core.pricing.UnpricedPolicy;
import dev.attribution.core.routing.RoutingRule;
import java.math.BigDecimal;
import org.jspecify.annotations.Nullable;

/**
 * Turns an {@link AttributionEngine.Builder}'s settings into an engine: checks every setting
 * against the others, then assembles the parts (provider registry, pricing, budgets, record
 * pipeline) and hands them to the engine's constructor through the builder.
 */
final class EngineAssembly {
  private EngineAssembly() {}

  /** See {@link AttributionEngine.Builder#build()}. */
  static AttributionEngine build(AttributionEngine.Builder b) {
    validate(b);
    b.registry = b.providers.build();
    PricingEngine.Builder pb =
        PricingEngine.builder()
            .clock(b.clock)
            .unpricedPolicy(b.unpricedPolicy)
            .costPreference(
                b.preferProviderReportedCost
                    ? CostPreference.PROVIDER_REPORTED
                    : CostPreference.COMPUTED)
            .defaultMaxOutputTokens(b.defaultMaxOutputTokens);
    if (b.liteLlmFile != null) {
      pb.liteLlmFile(b.liteLlmFile);
    }
    if (b.liteLlmUrl != null) {
      pb.liteLlmUrl(b.liteLlmUrl);
    }
    if (b.priceOverrides != null) {
      pb.overrides(b.priceOverrides);
    }
    if (b.fallbackRates != null) {
      pb.fallbackRates(b.fallbackRates);
    }
    if (b.budgetDefinitions.isEmpty() && b.loopGuard == null && b.listener != null) {
      pb.unpricedListener(UnpricedModelListener.toBudgetEvents(b.listener));
    }
    PricingEngine pricing = pb.build();
    b.pricingEngine = pricing;
    // Tokenizers load here, at start-up, not on the first call's request thread.
    TokenEstimator.warmUp();
    if (!b.budgetDefinitions.isEmpty() || b.loopGuard != null) {
      BudgetEngine.Builder bb =
          BudgetEngine.builder()
              .budgets(b.budgetDefinitions)
              .clock(b.clock)
              .dryRun(b.dryRun)
              .blockUnreadableRequests(b.blockUnreadableRequests)
              .maxTrackedScopeValues(b.maxTrackedScopeValues);
      if (b.unpricedPolicy == UnpricedPolicy.FALLBACK_RATE) {
        bb.unpricedPolicy(b.unpricedPolicy, fallbackEstimate(b, pricing));
      } else {
        bb.unpricedPolicy(b.unpricedPolicy);
      }
      if (b.loopGuard != null) {
        bb.loopGuard(b.loopGuard);
      }
      if (b.budgetStore != null) {
        bb.store(b.budgetStore);
      }
      if (b.listener != null) {
        bb.listener(b.listener);
      }
      if (b.failClosed != null) {
        bb.failClosed(b.failClosed);
      }
      if (b.reservationTimeout != null) {
        bb.reservationTimeout(b.reservationTimeout);
      }
      if (b.seedSource != null) {
        bb.seedFrom(b.seedSource);
      }
      if (b.unreadableRequestReserve != null) {
        bb.unreadableRequestReserve(b.unreadableRequestReserve);
      }
      if (b.unreadableRequestTokenReserve != null) {
        bb.unreadableRequestTokenReserve(b.unreadableRequestTokenReserve);
      }
      b.budgetEngine = bb.build();
      DowngradeTargets.warnUnpriced(b.budgetEngine.budgets(), pricing);
    }
    if (b.fingerprints == null) {
      b.fingerprints = KeyFingerprints.perProcess();
      if (AttributionEngine.PER_PROCESS_NOTICE.compareAndSet(false, true)) {
        AttributionEngine.LOG.info(
            "No keyFingerprintSecret set: API-key fingerprints are random per process and change"
                + " on restart; set one for stable fingerprints");
      }
    }
    RecordPipeline.Builder rb =
        RecordPipeline.builder()
            .queueCapacity(b.queueCapacity)
            .batchSize(b.batchSize)
            .linger(b.linger)
            .shutdownTimeout(b.closeTimeout);
    if (b.sinks.isEmpty()) {
      rb.addSink(UsageSink.noop());
    }
    b.sinks.forEach(rb::addSink);
    b.pipeline = rb.build();
    if (b.budgetEngine != null) {
      BudgetEngine be = b.budgetEngine;
      for (UsageSink sink : b.sinks) {
        sink.bindBudgetStatuses(be::knownStatuses);
      }
    }
    return new AttributionEngine(b);
  }

  /** The money reserved per unpriced call under FALLBACK_RATE: the fallback rates' worst case. */
  private static @Nullable BigDecimal fallbackEstimate(
      AttributionEngine.Builder b, PricingEngine pricing) {
    return pricing.estimateWorstCase(
        "unpriced", "unpriced", 0, b.defaultMaxOutputTokens, b.clock.instant());
  }

  private static void validate(AttributionEngine.Builder b) {
    for (RoutingRule r : b.rules) {
      if (!b.routes.containsKey(r.route())) {
        throw new IllegalStateException(
            "routing rule "
                + r.name()
                + " sends calls to route '"
                + r.route()
                + "', which is not defined; define it with route(Route)");
      }
    }
    if (b.failoverRoute != null && !b.routes.containsKey(b.failoverRoute)) {
      throw new IllegalStateException(
          "failover route '" + b.failoverRoute + "' is not defined; define it with route(Route)");
    }
    java.util.Set<String> names = new java.util.HashSet<>();
    for (BudgetDefinition d : b.budgetDefinitions) {
      if (!names.add(d.name())) {
        throw new IllegalStateException(
            "budget '" + d.name() + "' is defined twice; give each budget its own name");
      }
      if (!d.currency().equals(b.currency)) {
        throw new IllegalStateException(
            "budget '"
                + d.name()
                + "' is in "
                + d.currency()
                + " but the engine records costs in "
                + b.currency
                + "; set currency(\""
                + d.currency()
                + "\") on the engine or the budget's currency to "
                + b.currency);
      }
      for (Threshold t : d.thresholds()) {
        String r = t.route();
        if (r != null && !b.routes.containsKey(r)) {
          throw new IllegalStateException(
              "budget "
                  + d.name()
                  + " reroutes to route '"
                  + r
                  + "', which is not defined; define it with route(Route)");
        }
      }
      for (ScopePart p : d.scope()) {
        if (p.dimension() == ScopeDimension.KEY && b.fingerprints == null) {
          throw new IllegalStateException(
              "budget "
                  + d.name()
                  + " is scoped by API-key fingerprint; set keyFingerprintSecret(..) so"
                  + " fingerprints are the same across restarts and replicas");
        }
      }
    }
    boolean budgeting = !b.budgetDefinitions.isEmpty() || b.loopGuard != null;
    if (!budgeting) {
      String stray =
          b.budgetStore != null
              ? "budgetStore(..)"
              : b.seedSource != null
                  ? "seedBudgetsFrom(..)"
                  : b.failClosed != null ? "failClosed(..)" : b.dryRun ? "dryRun(true)" : null;
      if (stray != null) {
        throw new IllegalStateException(
            stray + " is set but there is no budget or loop guard; add budget(..) or remove it");
      }
    }
    if (b.unpricedPolicy == UnpricedPolicy.FALLBACK_RATE && b.fallbackRates == null) {
      throw new IllegalStateException(
          "unpricedModels(FALLBACK_RATE) needs fallbackRates(..): the rates to price unpriced"
              + " models at");
    }
    if (b.unpricedPolicy != UnpricedPolicy.FALLBACK_RATE && b.fallbackRates != null) {
      throw new IllegalStateException(
          "fallbackRates(..) is set but unpricedModels is "
              + b.unpricedPolicy
              + "; set unpricedModels(UnpricedPolicy.FALLBACK_RATE) or remove fallbackRates");
    }
    if (b.seedSource != null
        && b.budgetStore != null
        && !(b.budgetStore instanceof InMemoryBudgetStore)) {
      throw new IllegalStateException(
          "seedBudgetsFrom(..) with a shared budget store would count recorded spend twice (the"
              + " store already holds it); remove seedBudgetsFrom or use the in-memory store");
    }
  }
}
