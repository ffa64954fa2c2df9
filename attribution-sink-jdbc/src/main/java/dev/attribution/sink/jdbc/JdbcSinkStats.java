package dev.attribution.sink.jdbc;

/**
 * Counters of a {@link JdbcUsageSink} since it was built.
 *
 * @param written records written to the database straight from a batch (a replayed duplicate that
 *     the database ignored counts too)
 * @param spooled records appended to the local spool because the database was unavailable, slow or
 *     behind, or because the pipeline's queue overflowed into it
 * @param replayed records written to the database from the spool
 * @param dropped records lost: spool disabled, spool full, spool unwritable, or a spooled line
 *     unreadable; each loss is also logged (rate-limited)
 * @param batches database transactions committed
 * @param batchNanosTotal summed wall time of those transactions, connection acquisition included
 * @param batchNanosMax the longest of them
 * @param spoolBytes bytes waiting in the spool now
 */
public record JdbcSinkStats(
    long written,
    long spooled,
    long replayed,
    long dropped,
    long batches,
    long batchNanosTotal,
    long batchNanosMax,
    long spoolBytes) {

  /** Mean batch latency in nanoseconds, 0 before the first batch. */
  public long batchNanosMean() {
    return batches == 0 ? 0 : batchNanosTotal / batches;
  }
}
