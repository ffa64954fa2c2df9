/**
 * Budgets enforced before the money is spent.
 *
 * <p>Entry point: {@link dev.attribution.core.internal.budget.BudgetEngine#builder()}. Before a
 * call the caller {@linkplain
 * dev.attribution.core.internal.budget.BudgetEngine#admit(AdmissionRequest) admits} it with a
 * worst-case cost estimate; the engine reserves that estimate against every matching {@link
 * dev.attribution.core.budget.BudgetDefinition budget} at once and returns an {@link
 * dev.attribution.core.internal.budget.Admission} carrying the {@link
 * dev.attribution.core.internal.budget.Decision}. After the call the caller {@linkplain
 * dev.attribution.core.internal.budget.Admission#settle settles} the real cost, or {@linkplain
 * dev.attribution.core.internal.budget.Admission#release releases} the reservation. State lives
 * behind the {@link dev.attribution.api.budget.BudgetStore} SPI.
 */
@NullMarked
package dev.attribution.core.budget;

import dev.attribution.core.internal.budget.AdmissionRequest;
import org.jspecify.annotations.NullMarked;
