package dev.attribution.api;

import java.util.List;
import java.util.Objects;

/**
 * Receives {@link BudgetEvent}s: send them to Slack, a pager, an audit log.
 *
 * <p>May be called on request threads; keep it fast and hand slow work to your own executor. An
 * exception is caught, counted and logged; it never affects the call.
 */
@FunctionalInterface
public interface BudgetListener {

  /** Handles one event. */
  void onEvent(BudgetEvent event);

  /** A listener that ignores everything. */
  static BudgetListener noop() {
    return event -> {};
  }

  /** A listener that forwards each event to every one of {@code listeners}, in order. */
  static BudgetListener composite(BudgetListener... listeners) {
    List<BudgetListener> list = List.of(listeners);
    list.forEach(l -> Objects.requireNonNull(l, "listener"));
    return event -> {
      try {
        CompositeCalls.each(list, l -> l.onEvent(event));
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        // onEvent declares no checked exception; only a sneaky throw gets here.
        throw new IllegalStateException(e);
      }
    };
  }
}
