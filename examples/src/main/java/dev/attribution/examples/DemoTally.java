package dev.attribution.examples;

import dev.attribution.api.BudgetAction;
import dev.attribution.api.CallStatus;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A second sink next to the database, for the demo's progress lines: counts and spend since the
 * last {@link #drain()}. Any application can add a sink like this one; the pipeline runs it on its
 * own worker, so it never slows a request.
 */
final class DemoTally implements UsageSink {

  /** What happened since the previous drain. */
  record Day(
      int calls,
      BigDecimal cost,
      Map<String, BigDecimal> costByTenant,
      int notified,
      int downgraded,
      int blocked,
      int failed,
      int cancelled) {}

  private int calls;
  private BigDecimal cost = BigDecimal.ZERO;
  private Map<String, BigDecimal> byTenant = new TreeMap<>();
  private int notified;
  private int downgraded;
  private int blocked;
  private int failed;
  private int cancelled;

  @Override
  public synchronized void export(List<UsageRecord> batch) {
    for (UsageRecord r : batch) {
      calls++;
      // An unpriced call has an unknown cost: it adds nothing to the tally of known spend.
      BigDecimal known = r.cost() == null ? BigDecimal.ZERO : r.cost().total();
      cost = cost.add(known);
      byTenant.merge(r.tenantId() == null ? "unattributed" : r.tenantId(), known, BigDecimal::add);
      if (r.budgetAction() == BudgetAction.NOTIFY) {
        notified++;
      } else if (r.budgetAction() == BudgetAction.DOWNGRADE) {
        downgraded++;
      }
      if (r.status() == CallStatus.BLOCKED) {
        blocked++;
      } else if (r.status() == CallStatus.UPSTREAM_ERROR || r.status() == CallStatus.FAILED) {
        failed++;
      } else if (r.status() == CallStatus.CANCELLED) {
        cancelled++;
      }
    }
  }

  /** The tally since the previous drain, which starts a new one. */
  synchronized Day drain() {
    Day d = new Day(calls, cost, byTenant, notified, downgraded, blocked, failed, cancelled);
    calls = 0;
    cost = BigDecimal.ZERO;
    byTenant = new TreeMap<>();
    notified = 0;
    downgraded = 0;
    blocked = 0;
    failed = 0;
    cancelled = 0;
    return d;
  }

  @Override
  public String name() {
    return "demo-tally";
  }
}
