package dev.attribution.api.budget;

import java.util.List;

/**
 * The outcome of {@link BudgetStore#reserve}.
 *
 * @param reserved whether every charge fitted and was reserved (otherwise none was)
 * @param rejectedIndex index of the first charge that did not fit, or {@code -1}
 * @param states one state per charge, in order: after the reservation when it succeeded, as found
 *     when it failed
 */
public record ReserveResult(boolean reserved, int rejectedIndex, List<SlotState> states) {}
