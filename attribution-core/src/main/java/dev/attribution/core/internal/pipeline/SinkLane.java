package dev.attribution.core.internal.pipeline;

import dev.attribution.api.OverflowSpool;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import dev.attribution.api.internal.RateLimitedLogger;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One sink's bounded queue and its worker thread. */
public final class SinkLane {

  private static final Logger LOG = LoggerFactory.getLogger(RecordPipeline.class);

  /** Longest a partial batch waits before the worker re-checks for a flush or close request. */
  private static final long HURRY_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

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
        LockSupport.unpark(worker);
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
    // The worker parks instead of blocking in queue.poll(): a producer's offer() then signals
    // nobody, so request threads never pay for waking this thread on every record. Producers
    // unpark it only when a batch is full; flush() and close() unpark it too.
    List<UsageRecord> batch = new ArrayList<>(batchSize);
    while (true) {
      flushIfRequested();
      queue.drainTo(batch, batchSize);
      if (!batch.isEmpty()) {
        long deadline = System.nanoTime() + lingerNanos;
        while (batch.size() < batchSize && !flushRequested && !closing) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            break;
          }
          // Short slices, so a flush() or close() arriving meanwhile is noticed at once.
          LockSupport.parkNanos(this, Math.min(left, HURRY_CHECK_NANOS));
          if (Thread.interrupted()) {
            stopInterrupted(batch);
            return;
          }
          queue.drainTo(batch, batchSize - batch.size());
        }
        export(batch);
        batch.clear();
        continue;
      }
      flushRequested = false;
      if (closing) {
        return;
      }
      LockSupport.parkNanos(this, lingerNanos);
      if (Thread.interrupted()) {
        stopInterrupted(batch);
        return;
      }
    }
  }

  /** Interrupt only comes from close() after its timeout: stop now, count what is left. */
  private void stopInterrupted(List<UsageRecord> batch) {
    lostAfterAccept.addAndGet(discardQueued() + batch.size());
    signal();
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

  /** Wakes a worker parked between batches. */
  private void wakeWorker() {
    LockSupport.unpark(worker);
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
    wakeWorker();
    return awaitProgress(
        deadlineNanos, () -> exported.get() + failed.get() + droppedAfterAccept() >= target);
  }

  /** Empties the queue atomically and returns how many records it held. */
  private long discardQueued() {
    List<UsageRecord> left = new ArrayList<>();
    queue.drainTo(left);
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
        queue.size());
  }
}
