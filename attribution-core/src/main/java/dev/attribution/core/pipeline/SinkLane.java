package dev.attribution.core.pipeline;

import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import dev.attribution.core.logging.RateLimitedLogger;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One sink's bounded queue and its worker thread. */
final class SinkLane {

  private static final Logger LOG = LoggerFactory.getLogger(RecordPipeline.class);

  /** Longest a partial batch waits before the worker re-checks for a flush or close request. */
  private static final long HURRY_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  /** Not a real record: put in the queue only to wake the worker at close; never exported. */
  private static final UsageRecord WAKE_UP =
      UsageRecord.builder().startedAt(Instant.EPOCH).provider("wake-up").build();

  private final UsageSink sink;
  private final ArrayBlockingQueue<UsageRecord> queue;
  private final int batchSize;
  private final long lingerNanos;
  private final @Nullable OverflowSpool spool;
  private final Thread worker;
  private final RateLimitedLogger dropLog = new RateLimitedLogger(LOG, 10_000);
  private final RateLimitedLogger failLog = new RateLimitedLogger(LOG, 10_000);

  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong spooled = new AtomicLong();
  // Written by the worker only; read by anyone.
  private final AtomicLong exported = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong lostAfterAccept = new AtomicLong();
  private final Object progress = new Object();
  private final AtomicLong flushTickets = new AtomicLong();
  private final AtomicLong flushedTicket = new AtomicLong();
  private volatile boolean flushRequested;
  private volatile boolean closing;

  SinkLane(
      UsageSink sink,
      int capacity,
      int batchSize,
      long lingerNanos,
      @Nullable OverflowSpool spool,
      String threadName) {
    this.sink = sink;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.batchSize = batchSize;
    this.lingerNanos = lingerNanos;
    this.spool = spool;
    this.worker = new Thread(this::run, threadName);
    this.worker.setDaemon(true);
  }

  void start() {
    worker.start();
  }

  String sinkName() {
    return sink.name();
  }

  void submit(UsageRecord record) {
    if (closing) {
      dropped.incrementAndGet();
      dropLog.warn("Usage record dropped for sink {}: the pipeline is closed", sink.name());
      return;
    }
    if (queue.offer(record)) {
      accepted.incrementAndGet();
      if (queue.size() >= batchSize) {
        flushRequested = true;
      }
      return;
    }
    if (spool != null) {
      try {
        spool.append(record);
        spooled.incrementAndGet();
        return;
      } catch (IOException | RuntimeException | LinkageError e) {
        dropped.incrementAndGet();
        dropLog.warn(
            "Queue for sink {} is full and the spool failed; records are being dropped ({} so far)",
            sink.name(),
            dropped.get(),
            e);
        return;
      }
    }
    dropped.incrementAndGet();
    dropLog.warn(
        "Queue for sink {} is full ({} records); records are being dropped ({} so far). "
            + "Raise queueCapacity or configure a spool.",
        sink.name(),
        queue.remainingCapacity() + queue.size(),
        dropped.get());
  }

  private void run() {
    List<UsageRecord> batch = new ArrayList<>(batchSize);
    while (true) {
      try {
        flushIfRequested();
        UsageRecord first = queue.poll(lingerNanos, TimeUnit.NANOSECONDS);
        if (first != null && first != WAKE_UP) {
          batch.add(first);
          // Wait up to the linger time for a fuller batch unless asked to hurry.
          long deadline = System.nanoTime() + lingerNanos;
          while (batch.size() < batchSize) {
            queue.drainTo(batch, batchSize - batch.size());
            batch.removeIf(r -> r == WAKE_UP);
            if (batch.size() >= batchSize || flushRequested || closing) {
              break;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
              break;
            }
            // Short slices, so a flush() or close() arriving meanwhile is noticed at once
            // instead of after the whole linger.
            UsageRecord next = queue.poll(Math.min(left, HURRY_CHECK_NANOS), TimeUnit.NANOSECONDS);
            if (next != null && next != WAKE_UP) {
              batch.add(next);
            }
          }
          export(batch);
          batch.clear();
        }
        if (queue.isEmpty()) {
          flushRequested = false;
          if (closing) {
            return;
          }
        }
      } catch (InterruptedException e) {
        // Interrupt only comes from close() after its timeout: stop now, count what is left.
        lostAfterAccept.addAndGet(discardQueued() + batch.size());
        signal();
        return;
      }
    }
  }

  /** On the worker: runs the sink's flush if someone asked since the last one. */
  private void flushIfRequested() {
    long ticket = flushTickets.get();
    if (ticket > flushedTicket.get()) {
      flushSink();
      flushedTicket.set(ticket);
      signal();
    }
  }

  /** Wakes a worker idling in a long poll; skipped when records are queued (it is not idle). */
  private void wakeWorker() {
    if (queue.isEmpty()) {
      queue.offer(WAKE_UP);
    }
  }

  /**
   * Has the worker call the sink's flush between batches, so flush never overlaps an export, and
   * waits for it.
   *
   * @return whether the flush ran before the deadline (true after close: nothing is left to flush)
   */
  boolean flushOnWorker(long deadlineNanos) {
    if (closing) {
      return true;
    }
    long ticket = flushTickets.incrementAndGet();
    wakeWorker();
    // A close that stopped the worker meanwhile flushes the sink itself.
    return awaitProgress(
        deadlineNanos, () -> flushedTicket.get() >= ticket || (closing && !worker.isAlive()));
  }

  /** Waits, woken by the worker's progress, until {@code done} holds, the deadline or death. */
  private boolean awaitProgress(long deadlineNanos, BooleanSupplier done) {
    synchronized (progress) {
      while (!done.getAsBoolean()) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0 || !worker.isAlive()) {
          return done.getAsBoolean();
        }
        try {
          progress.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return true;
  }

  private void export(List<UsageRecord> batch) {
    try {
      sink.export(Collections.unmodifiableList(new ArrayList<>(batch)));
      exported.addAndGet(batch.size());
    } catch (Exception | LinkageError e) {
      if (e instanceof InterruptedException) {
        // close() gave up waiting; keep the interrupt so the worker stops instead of exporting on.
        Thread.currentThread().interrupt();
      }
      failed.addAndGet(batch.size());
      failLog.warn(
          "Sink {} failed to export {} usage records; they are counted as failed",
          sink.name(),
          batch.size(),
          e);
    }
    signal();
  }

  private void signal() {
    synchronized (progress) {
      progress.notifyAll();
    }
  }

  /** Waits until every record accepted before this call has been exported or failed. */
  boolean awaitDrained(long deadlineNanos) {
    long target = accepted.get();
    flushRequested = true;
    return awaitProgress(
        deadlineNanos, () -> exported.get() + failed.get() + droppedAfterAccept() >= target);
  }

  /** Empties the queue atomically and returns how many records it held. */
  private long discardQueued() {
    List<UsageRecord> left = new ArrayList<>();
    queue.drainTo(left);
    left.removeIf(r -> r == WAKE_UP);
    return left.size();
  }

  private long droppedAfterAccept() {
    return lostAfterAccept.get();
  }

  private void flushSink() {
    try {
      sink.flush();
    } catch (Exception | LinkageError e) {
      failLog.warn("Sink {} failed to flush", sink.name(), e);
    }
  }

  /** From now on every submitted record is dropped and counted. */
  void stopAccepting() {
    closing = true;
    // So a worker idling in a long poll sees the close now, not after the linger.
    wakeWorker();
  }

  /** Stops accepting, drains within the deadline, then flushes and closes the sink. */
  boolean close(long deadlineNanos) {
    stopAccepting();
    boolean drained = awaitDrained(deadlineNanos);
    try {
      worker.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (worker.isAlive()) {
      worker.interrupt();
      try {
        worker.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (!worker.isAlive()) {
      // A submit that raced with stopAccepting() may have queued after the worker's last look.
      lostAfterAccept.addAndGet(discardQueued());
    }
    flushSink();
    try {
      sink.shutdown();
    } catch (Exception | LinkageError e) {
      failLog.warn("Sink {} failed to close", sink.name(), e);
    }
    return drained;
  }

  PipelineStats stats() {
    return new PipelineStats(
        accepted.get(),
        exported.get(),
        failed.get(),
        dropped.get() + lostAfterAccept.get(),
        spooled.get(),
        // Real records only: a wake-up marker may sit in the queue for a moment.
        queue.stream().filter(r -> r != WAKE_UP).count());
  }
}
