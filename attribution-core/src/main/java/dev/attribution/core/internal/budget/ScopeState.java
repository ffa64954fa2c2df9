package dev.attribution.core.internal.budget;

import static dev.attribution.core.internal.budget.BudgetEngine.BIT_BLOCKED;
import static dev.attribution.core.internal.budget.BudgetEngine.BIT_DOWNGRADED;
import static dev.attribution.core.internal.budget.BudgetEngine.BIT_REROUTED;
import static dev.attribution.core.internal.budget.BudgetEngine.capIndexOf;
import static dev.attribution.core.internal.budget.BudgetEngine.firstIndexOf;

import dev.attribution.api.BudgetAction;
import dev.attribution.api.budget.SlotKey;
import dev.attribution.core.budget.BudgetDefinition;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/** Per scope value of a budget: the current period's key and which events fired in it. */
final class ScopeState {
  final String scopeKey;
  volatile @Nullable SlotKey key;
  final AtomicLong fired = new AtomicLong();

  private final AtomicLong armedAt = new AtomicLong(Long.MIN_VALUE);

  ScopeState(String scopeKey) {
    this.scopeKey = scopeKey;
  }

  /** Clears every fired event once per {@code windowMillis}, counted from the first call. */
  void rearmEvery(long windowMillis, long nowMillis) {
    long at = armedAt.get();
    if (at == Long.MIN_VALUE) {
      armedAt.compareAndSet(at, nowMillis);
    } else if (nowMillis - at >= windowMillis && armedAt.compareAndSet(at, nowMillis)) {
      fired.set(0);
    }
  }

  /**
   * Rolling and lifetime budgets have one endless period, so their events re-arm once usage falls
   * back (the window slid, a top-up): thresholds above {@code highest}; the downgrade event below
   * the first downgrade threshold; block and reroute events below the threshold under the cap (a
   * hysteresis, so calls alternating around the cap do not repeat the event).
   */
  void rearm(BudgetDefinition def, int highest) {
    long keep = ~0L << (highest + 1) ^ ~0L; // bits 0..highest
    keep |= ~0L << BIT_DOWNGRADED; // action bits, unless re-armed below
    int firstDowngrade = firstIndexOf(def, BudgetAction.DOWNGRADE);
    int capIndex = capIndexOf(def);
    if (firstDowngrade >= 0 && highest < firstDowngrade) {
      keep &= ~(1L << BIT_DOWNGRADED);
    }
    if (capIndex >= 0 && highest < Math.max(capIndex - 1, 0)) {
      keep &= ~(1L << BIT_BLOCKED) & ~(1L << BIT_REROUTED);
    }
    long clear = ~keep;
    if ((fired.get() & clear) != 0) {
      long k = keep;
      fired.getAndUpdate(v -> v & k);
    }
  }

  boolean markFired(int bit) {
    long mask = 1L << bit;
    while (true) {
      long cur = fired.get();
      if ((cur & mask) != 0) {
        return false;
      }
      if (fired.compareAndSet(cur, cur | mask)) {
        return true;
      }
    }
  }
}
