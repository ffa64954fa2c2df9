package dev.attribution.spring.autoconfigure;

import dev.attribution.api.BudgetAction;
import dev.attribution.api.BudgetEvent;
import dev.attribution.api.BudgetListener;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Remembers the last action each budget took for each scope value, for the Actuator endpoint. A
 * {@link BudgetListener} bean, so the engine feeds it; at most {@value #MAX_ENTRIES} scope values
 * are remembered (then new ones are not).
 */
public final class BudgetActivity implements BudgetListener {

  /** Scope values remembered at most: {@value}. */
  public static final int MAX_ENTRIES = 10_000;

  /**
   * The last action taken for one budget and scope value.
   *
   * @param action what the budget did
   * @param at when
   */
  public record LastAction(BudgetAction action, Instant at) {}

  private final Map<String, LastAction> last = new ConcurrentHashMap<>();

  /** Creates an empty record of activity. */
  public BudgetActivity() {}

  @Override
  public void onEvent(BudgetEvent event) {
    String budget = event.budgetName();
    String scope = event.scopeKey();
    if (budget == null || scope == null || event.action() == BudgetAction.NONE) {
      return;
    }
    String key = key(budget, scope);
    if (last.size() >= MAX_ENTRIES && !last.containsKey(key)) {
      return;
    }
    last.put(key, new LastAction(event.action(), event.at()));
  }

  /** The last action budget {@code budgetName} took for {@code scopeKey}, or {@code null}. */
  public @Nullable LastAction lastAction(String budgetName, String scopeKey) {
    return last.get(key(budgetName, scopeKey));
  }

  private static String key(String budget, String scope) {
    return budget + '\u0000' + scope;
  }
}
