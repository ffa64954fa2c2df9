package dev.attribution.budget.redis;

import dev.attribution.api.BudgetEvent;
import dev.attribution.api.BudgetListener;
import java.time.Instant;
import java.util.Objects;

/**
 * Forwards per-period budget events once across every instance sharing the store: the first
 * instance to mark an event in Redis ({@code SET NX} with an expiry past the period) forwards it,
 * the others drop it. If Redis cannot be reached the event is forwarded (a duplicate is better than
 * a lost alert).
 */
final class SharedEventListener implements BudgetListener {

  private static final long DAY = 86_400_000L;

  private final StoreCore store;
  private final BudgetListener delegate;

  SharedEventListener(StoreCore store, BudgetListener delegate) {
    this.store = store;
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  @Override
  public void onEvent(BudgetEvent event) {
    if (!shared(event.type()) || event.budgetName() == null || event.scopeKey() == null) {
      delegate.onEvent(event);
      return;
    }
    long at = event.at().toEpochMilli();
    Instant start = event.periodStart();
    Instant end = event.periodEnd();
    // A calendar period's event is remembered until a day after the period ends; rolling and
    // lifetime budgets (no period in the event) remember it for a day.
    long ttl = end == null ? DAY : end.toEpochMilli() - at + DAY;
    String member =
        event.budgetName()
            + '|'
            + event.scopeKey()
            + '|'
            + (start == null ? 0L : start.toEpochMilli())
            + '|'
            + event.type()
            + '|'
            + (event.thresholdPercent() == null ? "" : event.thresholdPercent().toPlainString())
            + (event.dryRun() ? "|dry" : "");
    if (store.fireOnce(member, Math.max(ttl, 1))) {
      delegate.onEvent(event);
    }
  }

  private static boolean shared(BudgetEvent.Type t) {
    switch (t) {
      case THRESHOLD_CROSSED:
      case DOWNGRADED:
      case REROUTED:
      case BLOCKED:
      case PERIOD_RESET:
        return true;
      default:
        return false;
    }
  }
}
