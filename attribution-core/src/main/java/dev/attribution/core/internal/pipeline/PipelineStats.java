package dev.attribution.core.internal.pipeline;

/**
 * Counters of a {@link RecordPipeline} (or of one sink's lane), since it started. A record counts
 * once per sink: with two sinks, one submitted record adds 2 to {@link #accepted()}.
 *
 * @param accepted records queued for export
 * @param exported records a sink's {@code export} returned for without throwing
 * @param failed records in batches whose {@code export} threw
 * @param dropped records lost because the queue was full (and no spool took them) or the pipeline
 *     was closed
 * @param spooled records handed to the overflow spool because the queue was full
 * @param queued records waiting in queues now
 */
public record PipelineStats(
    long accepted, long exported, long failed, long dropped, long spooled, long queued) {

  /** Component-wise sum. */
  public PipelineStats plus(PipelineStats o) {
    return new PipelineStats(
        accepted + o.accepted,
        exported + o.exported,
        failed + o.failed,
        dropped + o.dropped,
        spooled + o.spooled,
        queued + o.queued);
  }
}
