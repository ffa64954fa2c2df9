package dev.attribution.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link UsageSink} that keeps every record in memory, in arrival order. For tests and demos; it
 * grows without bound. Thread-safe.
 */
public final class InMemoryUsageSink implements UsageSink {

  private final List<UsageRecord> records = new ArrayList<>();

  InMemoryUsageSink() {}

  @Override
  public synchronized void export(List<UsageRecord> batch) {
    records.addAll(batch);
    notifyAll();
  }

  /** A snapshot of every record received so far. */
  public synchronized List<UsageRecord> records() {
    return List.copyOf(records);
  }

  /** Forgets every record received so far. */
  public synchronized void clear() {
    records.clear();
  }

  /**
   * Waits until at least {@code count} records have arrived or {@code timeout} passes.
   *
   * @return a snapshot of the records received
   * @throws InterruptedException if interrupted while waiting
   */
  public synchronized List<UsageRecord> awaitCount(int count, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (records.size() < count) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      long ms = Math.max(1, left / 1_000_000);
      wait(ms);
    }
    return List.copyOf(records);
  }

  @Override
  public String name() {
    return "in-memory";
  }
}
