package dev.attribution.core;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.ContextSource;
import dev.attribution.core.internal.provider.Endpoint;
import dev.attribution.core.transport.BlockedResponse;
import dev.attribution.core.transport.UpstreamRewrite;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Everything decided about a call before it is sent ({@link CallDecider}): what it is, where it
 * goes, what budgets said and how the request changes. Immutable; an {@link EngineCall} is built
 * from one and nothing writes into it afterwards.
 *
 * @param tracked whether the call is recorded at all
 * @param endpoint the recognised endpoint, or {@code null}
 * @param context who the call is for
 * @param contextSource where that context came from
 * @param provider the provider the call is sent to (or the endpoint's, when blocked), or {@code
 *     null} when the endpoint is unrecognised
 * @param operation the endpoint's operation, or {@code null} when the endpoint is unrecognised
 * @param serverHost the host the call goes to, or {@code null}
 * @param requestedModel the model the request asked for, or {@code null}
 * @param effectiveModel the model the call is sent with, or {@code null}
 * @param route the route the call is sent over, or {@code null}
 * @param routeRule what chose the route, or {@code null}
 * @param streaming whether the request asked for a stream
 * @param attempt which attempt this is, from 1
 * @param failover whether this is the failover attempt
 * @param keyFingerprint the fingerprint of the key the sent request carries, or {@code null}
 * @param estimatedInputTokens the input tokens estimated for budgets, or -1
 * @param requestBody the request body, for estimating usage a stream never reports, or {@code null}
 * @param gate the budget admission to settle
 * @param budgetAction the budget action recorded
 * @param budgetName the budget that acted, or {@code null}
 * @param budgetPercent its threshold percent, or {@code null}
 * @param dryRunAction what a dry-run budget would have done, or {@code null}
 * @param deployment the Azure OpenAI deployment in the request path, or {@code null}
 * @param blocked the local answer when blocked, or {@code null}
 * @param rewrite how the request changes, or {@code null}
 * @param attributes the record attributes noted while deciding
 */
record CallDecision(
    boolean tracked,
    @Nullable Endpoint endpoint,
    AttributionContext context,
    ContextSource contextSource,
    @Nullable String provider,
    @Nullable String operation,
    @Nullable String serverHost,
    @Nullable String requestedModel,
    @Nullable String effectiveModel,
    @Nullable String route,
    @Nullable String routeRule,
    boolean streaming,
    int attempt,
    boolean failover,
    @Nullable String keyFingerprint,
    long estimatedInputTokens,
    byte @Nullable [] requestBody,
    BudgetGate.Gate gate,
    BudgetAction budgetAction,
    @Nullable String budgetName,
    @Nullable BigDecimal budgetPercent,
    @Nullable BudgetAction dryRunAction,
    @Nullable String deployment,
    @Nullable BlockedResponse blocked,
    @Nullable UpstreamRewrite rewrite,
    Map<String, String> attributes) {

  CallDecision {
    attributes = Map.copyOf(attributes);
  }

  /** A call the engine ignores: not recorded, not changed. */
  static CallDecision untracked(AttributionContext context) {
    return new CallDecision(
        false,
        null,
        context,
        ContextSource.NONE,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        false,
        1,
        false,
        null,
        -1,
        null,
        BudgetGate.ALLOW_ALL,
        BudgetAction.NONE,
        null,
        null,
        null,
        null,
        null,
        null,
        Map.of());
  }

  /**
   * A POST to an endpoint no provider claims: recorded (when {@code tracked}) without a provider,
   * never changed.
   */
  static CallDecision unrecognised(
      boolean tracked,
      AttributionContext context,
      ContextSource contextSource,
      String serverHost,
      int attempt,
      @Nullable String keyFingerprint) {
    return new CallDecision(
        tracked,
        null,
        context,
        contextSource,
        null,
        null,
        serverHost,
        null,
        null,
        null,
        null,
        false,
        attempt,
        false,
        keyFingerprint,
        -1,
        null,
        BudgetGate.ALLOW_ALL,
        BudgetAction.NONE,
        null,
        null,
        null,
        null,
        null,
        null,
        Map.of());
  }

  /** This decision as attempt {@code attempt}, the failover from {@code from}. */
  CallDecision asFailover(int attempt, String from) {
    Map<String, String> attrs = new HashMap<>(attributes);
    attrs.put("failover_from", from);
    return new CallDecision(
        tracked,
        endpoint,
        context,
        contextSource,
        provider,
        operation,
        serverHost,
        requestedModel,
        effectiveModel,
        route,
        routeRule,
        streaming,
        attempt,
        true,
        keyFingerprint,
        estimatedInputTokens,
        requestBody,
        gate,
        budgetAction,
        budgetName,
        budgetPercent,
        dryRunAction,
        deployment,
        blocked,
        rewrite,
        attrs);
  }
}
