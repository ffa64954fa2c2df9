package dev.attribution.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.ContextSource;
import dev.attribution.api.CredentialResolver;
import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.Threshold;
import dev.attribution.core.internal.budget.BudgetEngine;
import dev.attribution.core.internal.pricing.PricingEngine;
import dev.attribution.core.internal.provider.ProviderRegistry;
import dev.attribution.core.routing.Route;
import dev.attribution.core.routing.RoutingRule;
import dev.attribution.core.transport.CallRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** Each stage of a call's decision, on its own, with real prices and budgets. */
class CallStagesTest {

  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
  private static final PricingEngine PRICES = PricingEngine.builder().build();
  private static final Route BACKUP =
      Route.builder("backup")
          .baseUrl("https://backup.example/v1")
          .provider("openai")
          .mapModel("gpt-4o", "gpt-4o-mini")
          .build();

  private final List<String> failures = new ArrayList<>();

  private CallDecider decider(List<RoutingRule> rules, BudgetDefinition... budgets) {
    return decider(
        rules,
        budgets.length == 0
            ? BudgetGate.NONE
            : new BudgetEngineGate(BudgetEngine.builder().budgets(List.of(budgets)).build()));
  }

  private CallDecider decider(List<RoutingRule> rules, BudgetGate gate) {
    EngineFailures f =
        new EngineFailures() {
          @Override
          public void parseFailure(String provider, Exception e) {
            failures.add("parse " + provider);
          }

          @Override
          public void internalFailure(String what, Throwable e) {
            failures.add(what);
          }
        };
    ProviderRegistry registry = ProviderRegistry.defaults();
    return new CallDecider(
        registry,
        new PricingCostModel(PRICES),
        gate,
        Map.of(BACKUP.name(), BACKUP),
        rules,
        KeyFingerprints.withSecret("stage-test-secret-0123456789"),
        new UpstreamRewriter(registry, CredentialResolver.none(), true, f),
        f,
        false,
        false);
  }

  private static CallRequest chat(@Nullable String body, Map<String, String> headers) {
    return new CallRequest(
        "POST",
        "https",
        "api.openai.com",
        443,
        "/v1/chat/completions",
        null,
        body == null ? null : body.getBytes(StandardCharsets.UTF_8),
        headers::get,
        AttributionContext.builder().tenantId("acme").build(),
        ContextSource.SCOPE,
        1,
        "");
  }

  private static CallRequest chat(String body) {
    return chat(body, Map.of("Authorization", "Bearer sk-test-0123456789"));
  }

  private static BudgetDefinition tiny(String name, Threshold threshold) {
    return BudgetDefinition.builder(name)
        .each(ScopeDimension.TENANT)
        .limit("0.000001")
        .thresholds(threshold)
        .downgrade("gpt-4o", "gpt-4o-mini")
        .build();
  }

  // ---- recognise ----

  @Test
  void recognisingReadsTheProviderModelAndLimitsAndDecidesNothing() {
    Recognised r =
        decider(List.of())
            .recognise(chat("{\"model\":\"gpt-4o\",\"stream\":true,\"max_tokens\":7}"));
    assertThat(r).isNotNull();
    assertThat(r.provider()).isEqualTo("openai");
    assertThat(r.model()).isEqualTo("gpt-4o");
    assertThat(r.facts().streaming()).isTrue();
    assertThat(r.facts().maxOutputTokens()).isEqualTo(7);
    assertThat(r.unreadable()).isFalse();
    assertThat(r.signed()).isFalse();
    assertThat(r.originalKey()).isEqualTo("sk-test-0123456789");
    assertThat(r.attributes()).isEmpty();
  }

  @Test
  void aBodyThatWasNotReadOrDoesNotParseIsUnreadable() {
    CallDecider d = decider(List.of());
    assertThat(d.recognise(chat(null)).unreadable()).isTrue();
    assertThat(d.recognise(chat("{not json")).unreadable()).isTrue();
    assertThat(failures).containsExactly("parse openai");
  }

  @Test
  void aHostNoProviderClaimsIsNotRecognised() {
    CallRequest r = chat("{}");
    CallRequest other =
        new CallRequest(
            "POST",
            "https",
            "example.com",
            443,
            "/v1/chat/completions",
            null,
            r.body(),
            r.headers(),
            r.context(),
            r.contextSource(),
            1,
            "");
    assertThat(decider(List.of()).recognise(other)).isNull();
  }

  // ---- route ----

  @Test
  void theFailoverRouteIsTakenOverAnyRuleAndMapsTheModel() {
    RoutingRule rule = RoutingRule.builder("never").route("backup").model("other").build();
    CallDecider d = decider(List.of(rule));
    Routed routed = d.route(d.recognise(chat("{\"model\":\"gpt-4o\"}")), BACKUP);
    assertThat(routed.route()).isEqualTo(BACKUP);
    assertThat(routed.rule()).isEqualTo("failover");
    assertThat(routed.provider()).isEqualTo("openai");
    assertThat(routed.sendModel()).isEqualTo("gpt-4o-mini");
    assertThat(routed.attributes()).isEmpty();
  }

  @Test
  void theFirstMatchingRuleRoutesAndNoMatchKeepsTheRequestedHost() {
    RoutingRule rule = RoutingRule.builder("cheap").route("backup").model("gpt-4o").build();
    CallDecider d = decider(List.of(rule));
    Routed matched = d.route(d.recognise(chat("{\"model\":\"gpt-4o\"}")), null);
    assertThat(matched.rule()).isEqualTo("cheap");
    assertThat(matched.route()).isEqualTo(BACKUP);

    Routed unmatched = d.route(d.recognise(chat("{\"model\":\"o3\"}")), null);
    assertThat(unmatched.route()).isNull();
    assertThat(unmatched.rule()).isNull();
    assertThat(unmatched.sendModel()).isEqualTo("o3");
    assertThat(unmatched.budgetModel()).isEqualTo("o3");
  }

  @Test
  void aSignedRequestIsNeverRoutedAndTheStageSaysSo() {
    CallDecider d = decider(List.of());
    Recognised signed =
        d.recognise(
            chat(
                "{\"model\":\"gpt-4o\"}",
                Map.of("Authorization", "AWS4-HMAC-SHA256 Credential=x, Signature=y")));
    Routed routed = d.route(signed, BACKUP);
    assertThat(routed.route()).isNull();
    assertThat(routed.rule()).isNull();
    assertThat(routed.sendModel()).isEqualTo("gpt-4o");
    assertThat(routed.attributes()).containsEntry("rewrite_skipped", "signed_request");
  }

  // ---- admit ----

  @Test
  void withoutBudgetsEverythingIsAdmittedUnestimated() {
    CallDecider d = decider(List.of());
    Admitted a = d.admit(d.route(d.recognise(chat("{\"model\":\"gpt-4o\"}")), null), NOW);
    assertThat(a.blocked()).isNull();
    assertThat(a.recordedAction()).isEqualTo(BudgetAction.NONE);
    assertThat(a.estimatedInputTokens()).isEqualTo(-1);
    assertThat(a.gate()).isSameAs(BudgetGate.ALLOW_ALL);
    assertThat(a.keyFingerprint()).isNotNull().doesNotContain("sk-test");
  }

  @Test
  void aDowngradeChangesTheSendModelAndKeepsTheRoute() {
    CallDecider d = decider(List.of(), tiny("t", Threshold.downgradeAt(1)));
    Admitted a =
        d.admit(d.route(d.recognise(chat("{\"model\":\"gpt-4o\",\"max_tokens\":5}")), null), NOW);
    assertThat(a.blocked()).isNull();
    assertThat(a.recordedAction()).isEqualTo(BudgetAction.DOWNGRADE);
    assertThat(a.budgetName()).isEqualTo("t");
    assertThat(a.routed().sendModel()).isEqualTo("gpt-4o-mini");
    assertThat(a.routed().route()).isNull();
    assertThat(a.estimatedInputTokens()).isPositive();
    a.gate().release(null);
  }

  @Test
  void aBlockAnswersWithAProviderShaped429AndReleasesTheReservation() {
    CallDecider d = decider(List.of(), tiny("t", Threshold.blockAt(100)));
    Admitted a =
        d.admit(d.route(d.recognise(chat("{\"model\":\"gpt-4o\",\"max_tokens\":5}")), null), NOW);
    assertThat(a.recordedAction()).isEqualTo(BudgetAction.BLOCK);
    assertThat(a.blocked()).isNotNull();
    assertThat(a.blocked().status()).isEqualTo(429);
    assertThat(a.blocked().headers()).containsEntry("x-attribution-blocked", "t");
    assertThat(new String(a.blocked().body(), StandardCharsets.UTF_8))
        .contains("\"type\":\"budget_exceeded\"");
    assertThat(a.routed().sendModel()).isEqualTo("gpt-4o");
    assertThat(a.gate().holdsReservation()).isFalse();
  }

  @Test
  void aDryRunRecordsNoActionButSaysWhatItWouldHaveDone() {
    BudgetDefinition dry =
        BudgetDefinition.builder("t")
            .each(ScopeDimension.TENANT)
            .limit("0.000001")
            .thresholds(Threshold.blockAt(100))
            .dryRun(true)
            .build();
    CallDecider d = decider(List.of(), dry);
    Admitted a = d.admit(d.route(d.recognise(chat("{\"model\":\"gpt-4o\"}")), null), NOW);
    assertThat(a.blocked()).isNull();
    assertThat(a.recordedAction()).isEqualTo(BudgetAction.NONE);
    assertThat(a.dryRunAction()).isEqualTo(BudgetAction.BLOCK);
    assertThat(a.budgetName()).isEqualTo("t");
    a.gate().release(null);
  }

  @Test
  void aBodyThatDoesNotParseIsAdmittedAsUnreadableNotOnItsByteBound() {
    BudgetGate strict =
        new BudgetEngineGate(
            BudgetEngine.builder()
                .budgets(
                    List.of(
                        BudgetDefinition.builder("t")
                            .each(ScopeDimension.TENANT)
                            .limit("100")
                            .thresholds(Threshold.blockAt(100))
                            .build()))
                .blockUnreadableRequests(true)
                .build());
    CallDecider d = decider(List.of(), strict);
    Admitted unparseable = d.admit(d.route(d.recognise(chat("{not json")), null), NOW);
    assertThat(unparseable.recordedAction()).isEqualTo(BudgetAction.BLOCK);
    assertThat(unparseable.blocked()).isNotNull();

    Admitted readable =
        d.admit(d.route(d.recognise(chat("{\"model\":\"gpt-4o\",\"max_tokens\":5}")), null), NOW);
    assertThat(readable.blocked()).isNull();
    readable.gate().release(null);
  }

  // ---- rewrite and the whole decision ----

  @Test
  void theDecisionWritesTheDowngradedModelIntoTheBodyAndRecordsBothModels() {
    CallDecider d = decider(List.of(), tiny("t", Threshold.downgradeAt(1)));
    CallDecision decision = d.decide(chat("{\"model\":\"gpt-4o\",\"max_tokens\":5}"), NOW, null);
    assertThat(decision.tracked()).isTrue();
    assertThat(decision.requestedModel()).isEqualTo("gpt-4o");
    assertThat(decision.effectiveModel()).isEqualTo("gpt-4o-mini");
    assertThat(decision.rewrite()).isNotNull();
    assertThat(new String(decision.rewrite().body(), StandardCharsets.UTF_8))
        .contains("\"gpt-4o-mini\"");
    assertThat(decision.serverHost()).isEqualTo("api.openai.com");
    assertThat(decision.attempt()).isEqualTo(1);
    assertThat(decision.failover()).isFalse();
    decision.gate().release(null);
  }

  @Test
  void aFailoverDecisionGoesToTheRouteWithItsAttemptAndOrigin() {
    CallDecider d = decider(List.of());
    CallDecision decision =
        d.decide(chat("{\"model\":\"gpt-4o\"}"), NOW, BACKUP).asFailover(2, "openai");
    assertThat(decision.route()).isEqualTo("backup");
    assertThat(decision.routeRule()).isEqualTo("failover");
    assertThat(decision.serverHost()).isEqualTo("backup.example");
    assertThat(decision.effectiveModel()).isEqualTo("gpt-4o-mini");
    assertThat(decision.attempt()).isEqualTo(2);
    assertThat(decision.failover()).isTrue();
    assertThat(decision.attributes()).containsEntry("failover_from", "openai");
    assertThat(decision.rewrite().host()).isEqualTo("backup.example");
    assertThat(decision.rewrite().path()).isEqualTo("/v1/chat/completions");
  }

  @Test
  void aNonPostIsUntrackedAndAnUnknownHostUnrecognised() {
    CallDecider d = decider(List.of());
    CallRequest post = chat("{}");
    CallRequest get =
        new CallRequest(
            "GET",
            "https",
            "api.openai.com",
            443,
            "/v1/models",
            null,
            null,
            post.headers(),
            post.context(),
            post.contextSource(),
            1,
            "");
    assertThat(d.decide(get, NOW, null).tracked()).isFalse();
    assertThat(d.calls()).isZero();
    d.decide(post, NOW, null);
    assertThat(d.calls()).isEqualTo(1);
  }
}
