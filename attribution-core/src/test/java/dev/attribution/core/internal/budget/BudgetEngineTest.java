package dev.attribution.core.internal.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.BudgetEvent;
import dev.attribution.api.budget.BudgetSeedSource;
import dev.attribution.api.budget.BudgetStatus;
import dev.attribution.api.budget.InMemoryBudgetStore;
import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetPeriod;
import dev.attribution.core.budget.Threshold;
import dev.attribution.core.pricing.UnpricedPolicy;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BudgetEngineTest extends BudgetEngineFixture {

  @Test
  void admitsAndSettlesTheRealCostUnderTheLimit() {
    BudgetEngine e = engine(perTenant("10").build()).build();
    Admission a = e.admit(call(ACME, "2"));
    assertThat(a.decision().action()).isEqualTo(BudgetAction.NONE);
    assertThat(a.hasReservation()).isTrue();
    assertThat(e.status("per-tenant", "tenant=acme").reserved()).isEqualByComparingTo("2");
    assertThat(a.settle(usd("1.25"), 900)).isTrue();
    BudgetStatus s = e.status("per-tenant", "tenant=acme");
    assertThat(s.spent()).isEqualByComparingTo("1.25");
    assertThat(s.reserved()).isEqualByComparingTo("0");
    assertThat(s.remaining()).isEqualByComparingTo("8.75");
    assertThat(s.spentTokens()).isEqualTo(900);
    assertThat(s.spentRequests()).isEqualTo(1);
    assertThat(s.periodEnd()).isEqualTo(Instant.parse("2026-03-11T00:00:00Z"));
    assertThat(s.thresholdPercent()).isNull();
    assertThat(s.thresholdAction()).isNull();
    assertThat(events).isEmpty();
  }

  @Test
  void settleAndReleaseTakeEffectExactlyOnce() {
    BudgetEngine e = engine(perTenant("10").build()).build();
    Admission a = e.admit(call(ACME, "2"));
    assertThat(a.settle(usd("1"), 10)).isTrue();
    assertThat(a.settle(usd("1"), 10)).isFalse();
    assertThat(a.release(usd("5"))).isFalse();
    assertThat(a.isOpen()).isFalse();
    Admission b = e.admit(call(ACME, "2"));
    assertThat(b.release(usd("0.5"))).isTrue();
    assertThat(b.settle(usd("2"), 10)).isFalse();
    BudgetStatus s = e.status("per-tenant", "tenant=acme");
    assertThat(s.spent()).isEqualByComparingTo("1.5");
    assertThat(s.reserved()).isEqualByComparingTo("0");
  }

  @Test
  void releaseWithoutBillChargesNothing() {
    BudgetEngine e = engine(perTenant("10").build()).build();
    e.admit(call(ACME, "4")).release(null);
    assertThat(e.status("per-tenant", "tenant=acme").spent()).isEqualByComparingTo("0");
    assertThat(e.status("per-tenant", "tenant=acme").reserved()).isEqualByComparingTo("0");
  }

  @Test
  void notifiesAtFiftyPercentOncePerPeriod() {
    BudgetEngine e = engine(perTenant("10").build()).build();
    e.admit(call(ACME, "4")).settle(usd("4"), 1);
    Admission a = e.admit(call(ACME, "1.5"));
    assertThat(a.decision().action()).isEqualTo(BudgetAction.NOTIFY);
    assertThat(a.decision().thresholdPercent()).isEqualByComparingTo("50");
    assertThat(a.decision().budgetName()).isEqualTo("per-tenant");
    a.settle(usd("1"), 1);
    e.admit(call(ACME, "0.5")).settle(usd("0.5"), 1);
    assertThat(count(BudgetEvent.Type.THRESHOLD_CROSSED)).isEqualTo(1);
    BudgetEvent ev = events.get(0);
    assertThat(ev.budgetName()).isEqualTo("per-tenant");
    assertThat(ev.scopeKey()).isEqualTo("tenant=acme");
    assertThat(ev.thresholdPercent()).isEqualByComparingTo("50");
    assertThat(ev.limit()).isEqualByComparingTo("10");
    assertThat(ev.message()).contains("per-tenant", "tenant=acme", "50");
    // Another tenant has its own budget and its own events.
    e.admit(call(GLOBEX, "6"));
    assertThat(count(BudgetEvent.Type.THRESHOLD_CROSSED)).isEqualTo(2);
  }

  @Test
  void downgradesAtEightyPercentWithTheModelMap() {
    BudgetEngine e = engine(perTenant("10").build()).build();
    e.admit(call(ACME, "7")).settle(usd("7"), 1);
    Admission a = e.admit(call(ACME, "1.5"));
    assertThat(a.decision().action()).isEqualTo(BudgetAction.DOWNGRADE);
    assertThat(a.decision().targetModel()).isEqualTo("gpt-4o-mini");
    assertThat(a.decision().thresholdPercent()).isEqualByComparingTo("80");
    assertThat(a.decision().reason()).contains("gpt-4o-mini");
    assertThat(eventTypes())
        .containsExactly(
            BudgetEvent.Type.THRESHOLD_CROSSED,
            BudgetEvent.Type.THRESHOLD_CROSSED,
            BudgetEvent.Type.DOWNGRADED);
  }

  @Test
  void readmissionAfterDowngradeReservesTheCheaperEstimate() {
    BudgetEngine e = engine(perTenant("10").build()).build();
    e.admit(call(ACME, "7")).settle(usd("7"), 1);
    Admission a = e.admit(call(ACME, "2"));
    assertThat(a.decision().action()).isEqualTo(BudgetAction.DOWNGRADE);
    Admission b = a.readmit("gpt-4o-mini", usd("0.1"), 1000);
    assertThat(a.isOpen()).isFalse();
    assertThat(b.request().model()).isEqualTo("gpt-4o-mini");
    // gpt-4o-mini has no further downgrade: the 80 % threshold now only notifies.
    assertThat(b.decision().action()).isEqualTo(BudgetAction.NOTIFY);
    assertThat(e.status("per-tenant", "tenant=acme").reserved()).isEqualByComparingTo("0.1");
    b.settle(usd("0.05"), 500);
    assertThat(e.status("per-tenant", "tenant=acme").spent()).isEqualByComparingTo("7.05");
  }

  @Test
  void criticalTrafficIsExemptFromDowngrade() {
    BudgetEngine e = engine(perTenant("10").build()).build();
    e.admit(call(ACME, "8")).settle(usd("8"), 1);
    AttributionContext critical = ACME.toBuilder().trafficClass("critical").build();
    Admission a = e.admit(call(critical, "1"));
    assertThat(a.decision().action()).isEqualTo(BudgetAction.NOTIFY);
    assertThat(a.decision().targetModel()).isNull();
    Admission b = e.admit(call(ACME, "0.5"));
    assertThat(b.decision().action()).isEqualTo(BudgetAction.DOWNGRADE);
  }

  @Test
  void blocksWhenBudgetExhaustedUntilThePeriodEnds() {
    BudgetEngine e = engine(perTenant("10").build()).build();
    e.admit(call(ACME, "9")).settle(usd("9"), 1);
    Admission a = e.admit(call(ACME, "2"));
    assertThat(a.decision().action()).isEqualTo(BudgetAction.BLOCK);
    assertThat(a.decision().blocked()).isTrue();
    assertThat(a.hasReservation()).isFalse();
    assertThat(a.decision().retryAt()).isEqualTo(Instant.parse("2026-03-11T00:00:00Z"));
    assertThat(a.decision().reason()).contains("per-tenant", "tenant=acme", "exhausted", "9");
    assertThat(a.settle(usd("2"), 1)).isTrue(); // nothing held, nothing charged
    e.admit(call(ACME, "2"));
    assertThat(count(BudgetEvent.Type.BLOCKED)).isEqualTo(1);
    assertThat(e.status("per-tenant", "tenant=acme").spent()).isEqualByComparingTo("9");
    // A call that fits exactly is still admitted.
    Admission exact = e.admit(call(ACME, "1"));
    assertThat(exact.decision().blocked()).isFalse();
    exact.settle(usd("1"), 1);
    assertThat(e.status("per-tenant", "tenant=acme").thresholdPercent()).isEqualByComparingTo("80");
    assertThat(e.status("per-tenant", "tenant=acme").thresholdAction())
        .isEqualTo(BudgetAction.DOWNGRADE);
    assertThat(e.admit(call(ACME, "0.000000001")).decision().blocked()).isTrue();
    // Next day: a new period, reset event once.
    clock.set(Instant.parse("2026-03-11T00:00:00Z"));
    Admission next = e.admit(call(ACME, "2"));
    assertThat(next.decision().action()).isEqualTo(BudgetAction.NONE);
    assertThat(count(BudgetEvent.Type.PERIOD_RESET)).isEqualTo(1);
    e.admit(call(ACME, "1"));
    assertThat(count(BudgetEvent.Type.PERIOD_RESET)).isEqualTo(1);
  }

  @Test
  void reservationIsAllOrNothingAcrossMatchingBudgets() {
    BudgetDefinition tenant = perTenant("100").build();
    BudgetDefinition global =
        BudgetDefinition.builder("global").limit("5").period(BudgetPeriod.lifetime()).build();
    BudgetEngine e = engine(tenant, global).build();
    e.admit(call(GLOBEX, "4")).settle(usd("4"), 1);
    Admission a = e.admit(call(ACME, "2"));
    assertThat(a.decision().action()).isEqualTo(BudgetAction.BLOCK);
    assertThat(a.decision().budgetName()).isEqualTo("global");
    assertThat(a.decision().retryAt()).isNull();
    assertThat(e.status("per-tenant", "tenant=acme").reserved()).isEqualByComparingTo("0");
  }

  @Test
  void reroutesAtTheCapAndChargesOnlyTheOtherBudgets() {
    BudgetDefinition tenant =
        perTenant("10")
            .thresholds(Threshold.notifyAt(50), Threshold.rerouteAt(100, "local-llama"))
            .build();
    BudgetDefinition global =
        BudgetDefinition.builder("global").limit("1000").period(BudgetPeriod.lifetime()).build();
    BudgetEngine e = engine(tenant, global).build();
    e.admit(call(ACME, "9")).settle(usd("9"), 1);
    Admission a = e.admit(call(ACME, "2"));
    assertThat(a.decision().action()).isEqualTo(BudgetAction.REROUTE);
    assertThat(a.decision().route()).isEqualTo("local-llama");
    assertThat(a.decision().budgetName()).isEqualTo("per-tenant");
    assertThat(a.hasReservation()).isTrue();
    a.settle(usd("0.5"), 10);
    assertThat(e.status("per-tenant", "tenant=acme").spent()).isEqualByComparingTo("9");
    assertThat(e.status("global", "global").spent()).isEqualByComparingTo("9.5");
    e.admit(call(ACME, "2"));
    assertThat(count(BudgetEvent.Type.REROUTED)).isEqualTo(1);
  }

  @Test
  void softBudgetsOnlyNotify() {
    BudgetEngine e = engine(perTenant("10").soft(true).build()).build();
    e.admit(call(ACME, "9")).settle(usd("9"), 1);
    Admission a = e.admit(call(ACME, "5"));
    assertThat(a.decision().action()).isEqualTo(BudgetAction.NOTIFY);
    assertThat(a.decision().thresholdPercent()).isEqualByComparingTo("100");
    a.settle(usd("5"), 1);
    assertThat(e.status("per-tenant", "tenant=acme").spent()).isEqualByComparingTo("14");
    assertThat(count(BudgetEvent.Type.THRESHOLD_CROSSED)).isEqualTo(3);
    assertThat(count(BudgetEvent.Type.BLOCKED)).isZero();
  }

  @Test
  void dryRunBudgetRecordsTheBlockWithoutBlocking() {
    BudgetEngine e = engine(perTenant("10").dryRun(true).build()).build();
    e.admit(call(ACME, "9")).settle(usd("9"), 1);
    Admission a = e.admit(call(ACME, "5"));
    assertThat(a.decision().action()).isEqualTo(BudgetAction.NONE);
    assertThat(a.decision().intendedAction()).isEqualTo(BudgetAction.BLOCK);
    assertThat(a.decision().dryRun()).isTrue();
    assertThat(a.decision().reason()).startsWith("[dry-run] would block");
    assertThat(events)
        .filteredOn(ev -> ev.type() == BudgetEvent.Type.BLOCKED)
        .singleElement()
        .satisfies(ev -> assertThat(ev.dryRun()).isTrue());
  }

  @Test
  void engineWideDryRunRecordsDowngradesWithoutApplyingThem() {
    BudgetEngine e = engine(perTenant("10").build()).dryRun(true).build();
    e.admit(call(ACME, "8")).settle(usd("8"), 1);
    Admission a = e.admit(call(ACME, "1"));
    assertThat(a.decision().action()).isEqualTo(BudgetAction.NONE);
    assertThat(a.decision().intendedAction()).isEqualTo(BudgetAction.DOWNGRADE);
    assertThat(a.decision().targetModel()).isEqualTo("gpt-4o-mini");
    assertThat(a.decision().dryRun()).isTrue();
  }

  @Test
  void scopeSelectsFixedAndEachValues() {
    BudgetDefinition chat =
        BudgetDefinition.builder("acme-chat-per-user")
            .fixed(ScopeDimension.TENANT, "acme")
            .fixed(ScopeDimension.FEATURE, "chat")
            .each(ScopeDimension.USER)
            .eachTag("team")
            .limit("1")
            .build();
    BudgetEngine e = engine(chat).build();
    AttributionContext u1 =
        ACME.toBuilder().feature("chat").userId("u1").tag("team", "red").build();
    e.admit(call(u1, "1")).settle(usd("1"), 1);
    assertThat(
            e.status("acme-chat-per-user", "tenant=acme,feature=chat,user=u1,tag.team=red").spent())
        .isEqualByComparingTo("1");
    assertThat(e.admit(call(u1, "0.5")).decision().blocked()).isTrue();
    AttributionContext u2 = u1.toBuilder().userId("u2").build();
    assertThat(e.admit(call(u2, "0.5")).decision().blocked()).isFalse();
    // Other feature, or no user: not covered.
    assertThat(e.admit(call(u1.toBuilder().feature("search").build(), "5")).hasReservation())
        .isFalse();
    assertThat(e.admit(call(u1.toBuilder().userId(null).build(), "5")).hasReservation()).isFalse();
  }

  @Test
  void providerModelAndKeyScopes() {
    BudgetDefinition perKey =
        BudgetDefinition.builder("per-key")
            .fixed(ScopeDimension.PROVIDER, "openai")
            .each(ScopeDimension.MODEL)
            .each(ScopeDimension.KEY)
            .limit("1")
            .build();
    BudgetEngine e = engine(perKey).build();
    e.admit(AdmissionRequest.of(ACME, "openai", "gpt-4o", "fp1", usd("1"), 1)).settle(usd("1"), 1);
    assertThat(e.status("per-key", "provider=openai,model=gpt-4o,key=fp1").spent())
        .isEqualByComparingTo("1");
    assertThat(
            e.admit(AdmissionRequest.of(ACME, "openai", "gpt-4o", "fp2", usd("1"), 1))
                .decision()
                .blocked())
        .isFalse();
    assertThat(
            e.admit(AdmissionRequest.of(ACME, "anthropic", "x", "fp1", usd("1"), 1))
                .hasReservation())
        .isFalse();
  }

  @Test
  void tokenAndRequestLimitsBlock() {
    BudgetDefinition tokens = perTenant("1000").tokenLimit(1500L).build();
    BudgetEngine e = engine(tokens).build();
    e.admit(call(ACME, "1")).settle(usd("1"), 1000);
    Admission a = e.admit(call(ACME, "1"));
    assertThat(a.decision().blocked()).isTrue();
    assertThat(a.decision().reason()).contains("1000 of 1500 tokens");

    BudgetDefinition requests =
        BudgetDefinition.builder("req").limit("1000").requestLimit(2L).build();
    BudgetEngine r = engine(requests).build();
    r.admit(call(ACME, "1")).settle(usd("1"), 1);
    r.admit(call(ACME, "1")).settle(usd("1"), 1);
    assertThat(r.admit(call(ACME, "1")).decision().blocked()).isTrue();
  }

  @Test
  void rollingWindowFreesSpendAsItSlides() {
    BudgetDefinition hourly =
        BudgetDefinition.builder("hourly")
            .each(ScopeDimension.TENANT)
            .limit("10")
            .period(BudgetPeriod.rolling(Duration.ofHours(1)))
            .build();
    BudgetEngine e = engine(hourly).build();
    e.admit(call(ACME, "6")).settle(usd("6"), 1);
    clock.advance(Duration.ofMinutes(30));
    e.admit(call(ACME, "4")).settle(usd("4"), 1);
    Admission blocked = e.admit(call(ACME, "1"));
    assertThat(blocked.decision().blocked()).isTrue();
    assertThat(blocked.decision().retryAt()).isNotNull();
    assertThat(e.status("hourly", "tenant=acme").periodEnd()).isNull();
    clock.advance(Duration.ofMinutes(31));
    assertThat(e.status("hourly", "tenant=acme").spent()).isEqualByComparingTo("4");
    assertThat(e.admit(call(ACME, "6")).decision().blocked()).isFalse();
  }

  @Test
  void rollingWindowEventsFireAgainAfterUsageFellBack() {
    BudgetDefinition hourly =
        BudgetDefinition.builder("hourly")
            .limit("10")
            .period(BudgetPeriod.rolling(Duration.ofHours(1)))
            .build();
    BudgetEngine e = engine(hourly).build();
    e.admit(call(ACME, "6")).settle(usd("6"), 1);
    e.admit(call(ACME, "1")).settle(usd("1"), 1);
    assertThat(count(BudgetEvent.Type.THRESHOLD_CROSSED)).isEqualTo(1);
    assertThat(e.admit(call(ACME, "5")).decision().blocked()).isTrue();
    assertThat(e.admit(call(ACME, "5")).decision().blocked()).isTrue();
    assertThat(count(BudgetEvent.Type.BLOCKED)).isEqualTo(1);
    clock.advance(Duration.ofMinutes(61));
    e.admit(call(ACME, "1")).settle(usd("1"), 1); // usage 10 %: everything re-armed
    e.admit(call(ACME, "5")).settle(usd("5"), 1);
    assertThat(count(BudgetEvent.Type.THRESHOLD_CROSSED)).isEqualTo(2);
    assertThat(e.admit(call(ACME, "5")).decision().blocked()).isTrue();
    assertThat(count(BudgetEvent.Type.BLOCKED)).isEqualTo(2);
  }

  @Test
  void statusesListEveryBudgetCoveringACall() {
    BudgetDefinition global = BudgetDefinition.builder("global").limit("100").build();
    BudgetEngine e = engine(perTenant("10").build(), global).build();
    e.admit(call(ACME, "2")).settle(usd("2"), 1);
    List<BudgetStatus> s = e.statuses(ACME, "openai", "gpt-4o", null);
    assertThat(s).extracting(BudgetStatus::budgetName).containsExactly("per-tenant", "global");
    assertThat(s)
        .extracting(BudgetStatus::remaining)
        .containsExactly(usd("8.000000000"), usd("98.000000000"));
    assertThat(e.statuses(AttributionContext.empty(), "openai", "gpt-4o", null))
        .extracting(BudgetStatus::budgetName)
        .containsExactly("global");
  }

  @Test
  void lifetimeBalanceIsRaisedByTopUp() {
    BudgetDefinition prepaid =
        BudgetDefinition.builder("prepaid")
            .each(ScopeDimension.TENANT)
            .limit("5")
            .period(BudgetPeriod.lifetime())
            .build();
    BudgetEngine e = engine(prepaid).build();
    e.admit(call(ACME, "5")).settle(usd("5"), 1);
    clock.advance(Duration.ofDays(400));
    assertThat(e.admit(call(ACME, "1")).decision().blocked()).isTrue();
    e.topUp("prepaid", "tenant=acme", usd("10"));
    BudgetStatus s = e.status("prepaid", "tenant=acme");
    assertThat(s.limit()).isEqualByComparingTo("15");
    assertThat(s.remaining()).isEqualByComparingTo("10");
    assertThat(e.admit(call(ACME, "1")).decision().blocked()).isFalse();
    assertThatThrownBy(() -> e.topUp("nope", "tenant=acme", usd("1")))
        .hasMessageContaining("no budget named 'nope'");
  }

  @Test
  void monthlyBudgetInAZoneResetsAtLocalMonthEnd() {
    ZoneId tokyo = ZoneId.of("Asia/Tokyo");
    clock.set(Instant.parse("2026-01-31T14:00:00Z")); // 23:00 on 31 Jan in Tokyo
    BudgetDefinition monthly =
        BudgetDefinition.builder("monthly")
            .limit("10")
            .period(BudgetPeriod.calendarMonth(tokyo))
            .build();
    BudgetEngine e = engine(monthly).build();
    e.admit(call(ACME, "10")).settle(usd("10"), 1);
    BudgetStatus s = e.status("monthly", "global");
    assertThat(s.periodStart()).isEqualTo(Instant.parse("2025-12-31T15:00:00Z"));
    assertThat(s.periodEnd()).isEqualTo(Instant.parse("2026-01-31T15:00:00Z"));
    assertThat(e.admit(call(ACME, "1")).decision().retryAt())
        .isEqualTo(Instant.parse("2026-01-31T15:00:00Z"));
    clock.set(Instant.parse("2026-01-31T15:00:00Z")); // 00:00 on 1 Feb in Tokyo
    assertThat(e.admit(call(ACME, "1")).decision().blocked()).isFalse();
    assertThat(e.status("monthly", "global").periodEnd())
        .isEqualTo(Instant.parse("2026-02-28T15:00:00Z"));
    assertThat(count(BudgetEvent.Type.PERIOD_RESET)).isEqualTo(1);
  }

  @Test
  void reservationsOfCallsThatNeverSettleAreChargedInFullAtExpiryAndCorrectedOnSettle() {
    BudgetEngine e =
        engine(perTenant("10").build()).reservationTimeout(Duration.ofMinutes(5)).build();
    Admission lost = e.admit(call(ACME, "8"));
    assertThat(e.admit(call(ACME, "5")).decision().blocked()).isTrue();
    clock.advance(Duration.ofMinutes(6));
    assertThat(e.admit(call(ACME, "5")).decision().blocked()).isTrue();
    assertThat(e.status("per-tenant", "tenant=acme").spent()).isEqualByComparingTo("8");
    assertThat(e.status("per-tenant", "tenant=acme").reserved()).isEqualByComparingTo("0");
    // The late settle puts the real cost in place of the expiry charge.
    lost.settle(usd("3"), 1);
    assertThat(e.status("per-tenant", "tenant=acme").spent()).isEqualByComparingTo("3");
    assertThat(e.admit(call(ACME, "5")).decision().blocked()).isFalse();
  }

  @Test
  void seedingRestoresSpendRecordedEarlierThisPeriod() {
    BudgetSeedSource source =
        request -> {
          assertThat(request.budgetName()).isEqualTo("per-tenant");
          assertThat(request.scope()).hasSize(1);
          assertThat(request.from()).isEqualTo(Instant.parse("2026-03-10T00:00:00Z"));
          assertThat(request.to()).isEqualTo(clock.instant());
          // A key that does not fit the scope is skipped, not fatal.
          return Map.of(List.of("acme"), usd("9.5"), List.of("a", "b"), usd("100"));
        };
    BudgetEngine e = engine(perTenant("10").build()).seedFrom(source).build();
    assertThat(e.status("per-tenant", "tenant=acme").spent()).isEqualByComparingTo("9.5");
    assertThat(e.admit(call(ACME, "1")).decision().blocked()).isTrue();
    assertThat(e.admit(call(GLOBEX, "1")).decision().blocked()).isFalse();
  }

  @Test
  void builderRejectsBadConfigurationNamingTheField() {
    assertThatThrownBy(() -> engine(perTenant("1").build(), perTenant("2").build()).build())
        .hasMessage("budget 'per-tenant': name: defined twice");
    assertThatThrownBy(() -> engine().reservationTimeout(Duration.ZERO).build())
        .hasMessageContaining("reservationTimeout");
    assertThatThrownBy(() -> engine().unpricedPolicy(UnpricedPolicy.FALLBACK_RATE).build())
        .hasMessageContaining("FALLBACK_RATE needs a positive fallback estimate");
  }

  @Test
  void capThatRefusesTheRequestedModelDowngradesToTheCheaperModelInstead() {
    BudgetEngine e = engine(perTenant("10").build()).build();
    e.admit(call(ACME, "7.5")).settle(usd("7.5"), 1);
    AdmissionRequest dear =
        call(ACME, "3").withEstimator(m -> m.equals("gpt-4o-mini") ? usd("0.20") : null);
    Admission a = e.admit(dear);
    assertThat(a.decision().action()).isEqualTo(BudgetAction.DOWNGRADE);
    assertThat(a.decision().targetModel()).isEqualTo("gpt-4o-mini");
    assertThat(e.status("per-tenant", "tenant=acme").reserved()).isEqualByComparingTo("0.20");
    // The caller re-admits with the target's estimate: the same amount stays reserved.
    Admission b = a.readmit("gpt-4o-mini", usd("0.20"), 1000);
    assertThat(b.decision().blocked()).isFalse();
    assertThat(e.status("per-tenant", "tenant=acme").reserved()).isEqualByComparingTo("0.20");
    b.settle(usd("0.10"), 10);
    assertThat(e.status("per-tenant", "tenant=acme").spent()).isEqualByComparingTo("7.60");
    assertThat(count(BudgetEvent.Type.DOWNGRADED)).isEqualTo(1);

    // Critical traffic is exempt from downgrades, so it is blocked; a target too dear is too.
    AttributionContext critical =
        AttributionContext.builder().tenantId("acme").trafficClass("critical").build();
    assertThat(e.admit(call(critical, "3").withEstimator(m -> usd("0.2"))).decision().blocked())
        .isTrue();
    assertThat(e.admit(call(ACME, "3").withEstimator(m -> usd("2.5"))).decision().blocked())
        .isTrue();
  }

  @Test
  void perValueBudgetsTrackABoundedNumberOfValuesAndCountEvictions() {
    BudgetEngine e = engine(perTenant("10").build()).maxTrackedScopeValues(100).build();
    for (int i = 0; i < 1000; i++) {
      AttributionContext t = AttributionContext.builder().tenantId("t" + i).build();
      e.admit(call(t, "0.01")).settle(usd("0.01"), 1);
    }
    assertThat(e.knownStatuses()).hasSizeLessThanOrEqualTo(100);
    assertThat(e.evictedScopeValues()).isGreaterThanOrEqualTo(900);
    InMemoryBudgetStore store = (InMemoryBudgetStore) e.store();
    assertThat(store.counters()).isLessThanOrEqualTo(200);
    // The newest values are still tracked exactly.
    assertThat(e.status("per-tenant", "tenant=t999").spent()).isEqualByComparingTo("0.01");
    assertThatThrownBy(() -> engine().maxTrackedScopeValues(0))
        .hasMessageContaining("maxTrackedScopeValues");
  }
}
