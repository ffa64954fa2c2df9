package dev.attribution.core.internal.budget;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.BudgetEvent;
import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetPeriod;
import dev.attribution.testing.MutableClock;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * What the budget engine's tests share: a fake clock, the events the engine emitted, two tenants, a
 * per-tenant daily budget that downgrades gpt-4o, and a call of a given estimate.
 */
abstract class BudgetEngineFixture {

  final MutableClock clock = new MutableClock(Instant.parse("2026-03-10T12:00:00Z"));
  final List<BudgetEvent> events = new CopyOnWriteArrayList<>();

  static final AttributionContext ACME =
      AttributionContext.builder().tenantId("acme").trafficClass("standard").build();
  static final AttributionContext GLOBEX =
      AttributionContext.builder().tenantId("globex").trafficClass("standard").build();

  static BigDecimal usd(String v) {
    return new BigDecimal(v);
  }

  BudgetEngine.Builder engine(BudgetDefinition... defs) {
    BudgetEngine.Builder b = BudgetEngine.builder().clock(clock).listener(events::add);
    for (BudgetDefinition d : defs) {
      b.budget(d);
    }
    return b;
  }

  static BudgetDefinition.Builder perTenant(String limit) {
    return BudgetDefinition.builder("per-tenant")
        .each(ScopeDimension.TENANT)
        .limit(limit)
        .period(BudgetPeriod.calendarDay(ZoneOffset.UTC))
        .downgrade("gpt-4o", "gpt-4o-mini");
  }

  static AdmissionRequest call(AttributionContext ctx, String estimate) {
    return AdmissionRequest.of(ctx, "openai", "gpt-4o", null, usd(estimate), 1000);
  }

  List<BudgetEvent.Type> eventTypes() {
    return events.stream().map(BudgetEvent::type).collect(Collectors.toList());
  }

  long count(BudgetEvent.Type type) {
    return events.stream().filter(e -> e.type() == type).count();
  }
}
