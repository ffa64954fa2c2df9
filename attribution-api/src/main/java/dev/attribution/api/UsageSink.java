package dev.attribution.api;

import dev.attribution.api.budget.BudgetStatusSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where usage records go: a database, OpenTelemetry, a log, your own system.
 *
 * <p>Shaped like an OpenTelemetry exporter. The record pipeline calls {@link #export(List)} on its
 * own worker thread with batches, never on a request thread, and never concurrently for one sink.
 * An exception from any method is caught, counted and logged by the pipeline; the batch counts as
 * failed and the application is never affected. An implementation that must not lose records (e.g.
 * the JDBC sink) keeps its own durable spool rather than throwing.
 */
public interface UsageSink {

  /**
   * Exports one batch. Called from a single worker thread; the list is unmodifiable and never
   * empty.
   *
   * @throws Exception when the batch could not be exported; the pipeline counts it as failed
   */
  void export(List<UsageRecord> batch) throws Exception;

  /**
   * Pushes out anything buffered inside the sink. The default does nothing. The pipeline calls it
   * on the export worker between batches, and once more at close after the worker stopped, so it
   * never overlaps {@link #export(List)} (unless an export outlived the close timeout).
   */
  default void flush() throws Exception {}

  /** Flushes and releases resources; called once, when the pipeline closes. */
  default void shutdown() throws Exception {}

  /**
   * Called once by the engine at start-up with the source of its budgets' current statuses, for
   * sinks that report budget gauges; the default ignores it. Must not block.
   *
   * @param source a snapshot of every budget's standing, cheap to call
   */
  default void bindBudgetStatuses(BudgetStatusSource source) {}

  /**
   * Where records go when this sink's queue is full, instead of being dropped: a durable spool the
   * sink replays itself (the JDBC sink has one). Default {@code null}: records are dropped and
   * counted.
   */
  default @Nullable OverflowSpool overflowSpool() {
    return null;
  }

  /** A short name for logs, metrics and the worker thread; defaults to the class's simple name. */
  default String name() {
    String n = getClass().getSimpleName();
    return n.isEmpty() ? "sink" : n;
  }

  /** A sink that discards everything. */
  static UsageSink noop() {
    return new UsageSink() {
      @Override
      public void export(List<UsageRecord> batch) {}

      @Override
      public String name() {
        return "noop";
      }
    };
  }

  /** A new thread-safe sink that keeps every record in memory, for tests and demos. */
  static InMemoryUsageSink inMemory() {
    return new InMemoryUsageSink();
  }

  /**
   * One sink that exports to each of {@code sinks} in order. Every sink is called even if an
   * earlier one throws; afterwards the first failure is rethrown with the others suppressed. Prefer
   * registering sinks separately with the pipeline, which gives each its own worker so a slow one
   * cannot delay the others.
   */
  static UsageSink composite(UsageSink... sinks) {
    List<UsageSink> list = new ArrayList<>(Arrays.asList(sinks));
    list.forEach(s -> Objects.requireNonNull(s, "sink"));
    return new UsageSink() {
      @Override
      public void export(List<UsageRecord> batch) throws Exception {
        CompositeCalls.each(list, s -> s.export(batch));
      }

      @Override
      public void flush() throws Exception {
        CompositeCalls.each(list, UsageSink::flush);
      }

      @Override
      public void shutdown() throws Exception {
        CompositeCalls.each(list, UsageSink::shutdown);
      }

      @Override
      public void bindBudgetStatuses(BudgetStatusSource source) {
        for (UsageSink s : list) {
          s.bindBudgetStatuses(source);
        }
      }

      @Override
      public String name() {
        StringBuilder sb = new StringBuilder("composite(");
        for (int i = 0; i < list.size(); i++) {
          sb.append(i == 0 ? "" : ",").append(list.get(i).name());
        }
        return sb.append(')').toString();
      }
    };
  }
}
