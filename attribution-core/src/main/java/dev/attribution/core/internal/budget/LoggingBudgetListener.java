package dev.attribution.core.internal.budget;

import dev.attribution.api.BudgetEvent;
import dev.attribution.api.BudgetListener;
import dev.attribution.api.internal.ControlChars;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default listener: one SLF4J line per event; blocks and stopped loops at WARN. Messages name
 * context values, so their control characters are escaped.
 */
public final class LoggingBudgetListener implements BudgetListener {

  static final LoggingBudgetListener INSTANCE = new LoggingBudgetListener();

  private static final Logger LOG = LoggerFactory.getLogger("dev.attribution.budget");

  private LoggingBudgetListener() {}

  @Override
  public void onEvent(BudgetEvent event) {
    switch (event.type()) {
      case BLOCKED:
      case LOOP_STOPPED:
      case UNPRICED_MODEL:
      case STORE_STATE_CHANGED:
        LOG.warn("{}{}", event.dryRun() ? "[dry-run] " : "", ControlChars.escape(event.message()));
        break;
      default:
        LOG.info("{}{}", event.dryRun() ? "[dry-run] " : "", ControlChars.escape(event.message()));
    }
  }
}
