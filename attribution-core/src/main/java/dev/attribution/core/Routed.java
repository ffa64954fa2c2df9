package dev.attribution.core;

import dev.attribution.core.routing.Route;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Stage 2 of a decision ({@link CallDecider#route}): where the call goes, after routing rules or a
 * failover, before budgets.
 *
 * @param call the recognised call
 * @param route the route it is sent over, or {@code null} for the host it names
 * @param rule the rule that chose the route ({@code failover}, a rule name, {@code budget:<name>}),
 *     or {@code null}
 * @param provider the provider the call is sent to
 * @param sendModel the model it is sent with, or {@code null} when unknown
 * @param attributes record attributes this stage noted ({@code rewrite_skipped})
 */
record Routed(
    Recognised call,
    @Nullable Route route,
    @Nullable String rule,
    String provider,
    @Nullable String sendModel,
    Map<String, String> attributes) {

  Routed {
    attributes = Map.copyOf(attributes);
  }

  /** The model name budgets and estimates use: the send model, or {@code unknown}. */
  String budgetModel() {
    return sendModel == null ? "unknown" : sendModel;
  }
}
