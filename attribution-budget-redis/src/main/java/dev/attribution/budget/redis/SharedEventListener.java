package dev.attribution.budget.redis;

import dev.attribution.api.BudgetEvent;
import dev.attribution.api.BudgetListener;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetPeriod;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Forwards per-period budget events once across every instance sharing the store: the first
 * instance to mark an event in Redis ({@code SET NX} with an expiry past the period) forwards it,
 * the others drop it. If Redis cannot be reached the event is forwarded (a duplicate is better than
 * a lost alert).
 */
final class SharedEventListener implements BudgetListener {

  private static final long DAY = 86_400_000L;

  private final RedisBudgetStore store;
  private final BudgetListener delegate;
  private final Map<String, BudgetPeriod> periods = new HashMap<>();

  SharedEventListener(
      RedisBudgetStore store, BudgetListener delegate, List<BudgetDefinition> budgets) {
    this.store = store;
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    for (BudgetDefinition d : budgets) {
      periods.put(d.name(), d.period());
    }
  }

  @Override
  public void onEvent(BudgetEvent event) {
    if (!shared(event.type()) || event.budgetName() == null || event.scopeKey() == null) {
      delegate.onEvent(event);
      return;
    }
    BudgetPeriod p = periods.get(event.budgetName());
    if (p == null) {
      delegate.onEvent(event);
      return;
    }
    long at = event.at().toEpochMilli();
    long ttl;
    if (p.isCalendar()) {
      ttl = p.endMillis(at) - at + DAY;
    } else if (p.kind() == BudgetPeriod.Kind.ROLLING) {
      ttl = Objects.requireNonNull(p.window()).toMillis();
    } else {
      ttl = DAY;
    }
    String member =
        event.budgetName()
            + '|'
            + event.scopeKey()
            + '|'
            + p.startMillis(at)
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
