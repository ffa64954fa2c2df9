package dev.attribution.core.internal.pipeline;

import dev.attribution.api.OverflowSpool;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Moves usage records from request threads to sinks without ever blocking the request thread.
 *
 * <p>Each sink gets its own bounded queue and its own daemon worker thread (named {@code
 * attribution-export-<sink>}), which exports batches of up to {@link Builder#batchSize(int)}
 * records, waiting at most {@link Builder#linger(Duration)} for a batch to fill. A slow or failing
 * sink therefore never delays another. {@link #submit(UsageRecord)} only offers to the queues: it
 * never blocks, never runs sink code and never throws. When a queue is full the record goes to the
 * sink's own {@link OverflowSpool} (see {@link UsageSink#overflowSpool()}), or is dropped and
 * counted with a rate-limited warning.
 *
 * <p>{@link #flush(Duration)} waits until everything submitted before it was exported; {@link
 * #close()} stops accepting, drains within {@link Builder#shutdownTimeout(Duration)}, then flushes
 * and closes every sink.
 */
public final class RecordPipeline implements AutoCloseable {

  /** Default capacity of each sink's queue: {@value}. */
  public static final int DEFAULT_QUEUE_CAPACITY = 8192;

  /** Default largest batch handed to a sink: {@value}. */
  public static final int DEFAULT_BATCH_SIZE = 512;

  /** Default linger in milliseconds: {@value}. */
  public static final long DEFAULT_LINGER_MILLIS = 200;

  /** Default shutdown timeout in milliseconds: {@value}. */
  public static final long DEFAULT_SHUTDOWN_TIMEOUT_MILLIS = 10_000;

  private final List<SinkLane> lanes;
  private final Duration shutdownTimeout;
  private final AtomicBoolean closed = new AtomicBoolean();

  private RecordPipeline(Builder b) {
    List<SinkLane> l = new ArrayList<>();
    Map<String, Integer> names = new LinkedHashMap<>();
    for (UsageSink sink : b.sinks) {
      String base = sink.name();
      int n = names.merge(base, 1, Integer::sum);
      String thread = "attribution-export-" + (n == 1 ? base : base + "-" + n);
      l.add(
          new SinkLane(
              sink,
              b.queueCapacity,
              b.batchSize,
              b.linger.toNanos(),
              sink.overflowSpool(),
              thread));
    }
    this.lanes = List.copyOf(l);
    this.shutdownTimeout = b.shutdownTimeout;
    lanes.forEach(SinkLane::start);
  }

  /** A new builder. At least one sink must be added. */
  public static Builder builder() {
    return new Builder();
  }

  /** Queues {@code record} for every sink. Never blocks, never throws. */
  public void submit(UsageRecord record) {
    if (record == null) {
      return;
    }
    for (int i = 0; i < lanes.size(); i++) {
      lanes.get(i).submit(record);
    }
  }

  /**
   * Waits until every record submitted before this call has been handed to its sinks (exported or
   * failed), then has each sink's worker call its {@link UsageSink#flush()} between batches.
   *
   * @return whether everything drained and every sink flushed within {@code timeout}
   */
  public boolean flush(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean ok = true;
    for (SinkLane lane : lanes) {
      ok &= lane.awaitDrained(deadline);
    }
    for (SinkLane lane : lanes) {
      ok &= lane.flushOnWorker(deadline);
    }
    return ok;
  }

  /** Totals over every sink. */
  public PipelineStats stats() {
    PipelineStats total = new PipelineStats(0, 0, 0, 0, 0, 0);
    for (SinkLane lane : lanes) {
      total = total.plus(lane.stats());
    }
    return total;
  }

  /** Counters per sink name, in the order the sinks were added. */
  public Map<String, PipelineStats> statsBySink() {
    Map<String, PipelineStats> m = new LinkedHashMap<>();
    for (SinkLane lane : lanes) {
      m.merge(lane.sinkName(), lane.stats(), PipelineStats::plus);
    }
    return m;
  }

  /**
   * Stops accepting records, drains the queues within the shutdown timeout, then flushes and closes
   * each sink. Records submitted afterwards are dropped and counted. Idempotent.
   */
  @Override
  public void close() {
    close(shutdownTimeout);
  }

  /**
   * As {@link #close()}, with an explicit timeout.
   *
   * @return whether every queue drained in time
   */
  public boolean close(Duration timeout) {
    if (!closed.compareAndSet(false, true)) {
      return true;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    // Stop every lane before draining any, so no sink keeps accepting while another drains.
    lanes.forEach(SinkLane::stopAccepting);
    boolean ok = true;
    for (SinkLane lane : lanes) {
      ok &= lane.close(deadline);
    }
    return ok;
  }

  /** Builds a {@link RecordPipeline}; invalid settings fail here, at start-up. */
  public static final class Builder {
    private final List<UsageSink> sinks = new ArrayList<>();
    private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
    private int batchSize = DEFAULT_BATCH_SIZE;
    private Duration linger = Duration.ofMillis(DEFAULT_LINGER_MILLIS);
    private Duration shutdownTimeout = Duration.ofMillis(DEFAULT_SHUTDOWN_TIMEOUT_MILLIS);

    private Builder() {}

    /** Adds a sink; each gets its own queue and worker. */
    public Builder addSink(UsageSink sink) {
      sinks.add(Objects.requireNonNull(sink, "sink"));
      return this;
    }

    /** Capacity of each sink's queue, at least 1; default {@value #DEFAULT_QUEUE_CAPACITY}. */
    public Builder queueCapacity(int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException("queueCapacity must be at least 1, was " + capacity);
      }
      this.queueCapacity = capacity;
      return this;
    }

    /** Largest batch handed to a sink, at least 1; default {@value #DEFAULT_BATCH_SIZE}. */
    public Builder batchSize(int size) {
      if (size < 1) {
        throw new IllegalArgumentException("batchSize must be at least 1, was " + size);
      }
      this.batchSize = size;
      return this;
    }

    /**
     * Longest wait for a batch to fill before exporting what there is; positive; default {@value
     * #DEFAULT_LINGER_MILLIS} ms.
     */
    public Builder linger(Duration linger) {
      if (linger.isNegative() || linger.isZero()) {
        throw new IllegalArgumentException("linger must be positive, was " + linger);
      }
      this.linger = linger;
      return this;
    }

    /** How long {@link RecordPipeline#close()} waits for queues to drain; default 10 s. */
    public Builder shutdownTimeout(Duration timeout) {
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("shutdownTimeout must not be negative, was " + timeout);
      }
      this.shutdownTimeout = timeout;
      return this;
    }

    /**
     * The pipeline, with its workers started.
     *
     * @throws IllegalStateException if no sink was added or the batch is larger than the queue
     */
    public RecordPipeline build() {
      if (sinks.isEmpty()) {
        throw new IllegalStateException("add at least one sink (UsageSink.noop() to discard)");
      }
      if (batchSize > queueCapacity) {
        throw new IllegalStateException(
            "batchSize " + batchSize + " is larger than queueCapacity " + queueCapacity);
      }
      return new RecordPipeline(this);
    }
  }
}
