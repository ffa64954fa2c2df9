package dev.attribution.core.internal.budget;

import dev.attribution.api.budget.ReserveResult;
import dev.attribution.api.budget.SlotState;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The answer of stage 4 of an admission ({@link AdmissionPipeline}): the reservation, against every
 * matching budget at once; a budget whose cap reroutes is dropped from it and remembered. Stage 5
 * ({@link ThresholdActions#pick}) reads it.
 *
 * @param id the reservation id, or {@code null} when nothing is reserved
 * @param reservedNanos the money reserved
 * @param result the store's answer for the budgets still reserved against, or {@code null}
 * @param matched those budgets, in the store's order
 * @param states their scope values
 * @param rerouteBy the first budget whose cap reroutes, or {@code null}
 * @param rerouteScope its scope values, or {@code null}
 * @param rerouteState its slot as the store saw it, or {@code null}
 * @param answer the admission when a cap blocks, the store fails or the bound must be refined
 */
record Reservation(
    @Nullable String id,
    long reservedNanos,
    long reservedTokens,
    @Nullable ReserveResult result,
    List<Budget> matched,
    List<ScopeState> states,
    @Nullable Budget rerouteBy,
    @Nullable ScopeState rerouteScope,
    @Nullable SlotState rerouteState,
    @Nullable Admission answer) {

  // The lists are the pipeline's scopes, or its copies after it dropped a rerouting budget; never
  // changed afterwards, so not copied again on every call.

  static Reservation ended(Admission answer) {
    return new Reservation(null, 0, 0, null, List.of(), List.of(), null, null, null, answer);
  }
}
