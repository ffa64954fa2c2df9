/**
 * What a budget store and a seed source implement, and the values they exchange: {@link
 * dev.attribution.api.budget.BudgetStore} (with the {@link
 * dev.attribution.api.budget.InMemoryBudgetStore} default and its contract), the per-slot values
 * {@link dev.attribution.api.budget.SlotKey}, {@link dev.attribution.api.budget.SlotCharge}, {@link
 * dev.attribution.api.budget.SlotState} and {@link dev.attribution.api.budget.ReserveResult}, a
 * budget's {@link dev.attribution.api.budget.BudgetStatus} and {@link
 * dev.attribution.api.budget.BudgetSeedSource} for starting counters from recorded spend.
 *
 * <p>Budgets themselves are defined in {@code attribution-core} ({@code BudgetDefinition}); a store
 * sees only slots and amounts, never definitions.
 */
@NullMarked
package dev.attribution.api.budget;

import org.jspecify.annotations.NullMarked;
