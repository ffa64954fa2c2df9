package dev.attribution.sink.jdbc;

/**
 * Counters of a {@link JdbcUsageSink} since it was built.
 *
 * @param written records written to the database straight from a batch (a replayed duplicate that
 *     the database ignored counts too)
 * @param spooled records appended to the local spool because the database was unavailable, slow or
 *     behind, or because the pipeline's queue overflowed into it
 * @param replayed records written to the database from the spool
 * @param dropped records lost: spool disabled, unavailable, full or unwritable, or a spooled line
 *     corrupt; each loss is also logged (rate-limited)
 * @param batches database transactions committed
 * @param batchNanosTotal summed wall time of those transactions, connection acquisition included
 * @param batchNanosMax the longest of them
 * @param spoolBytes bytes waiting in the spool now
 * @param spoolCorruptLines spooled lines skipped at replay because they were damaged (a flipped
 *     byte, invalid UTF-8, a line torn by a crash); each is also in {@code dropped}
 * @param spoolWriteFailures spool appends that failed (e.g. disk full); their records are in {@code
 *     dropped}, and the spool is left as it was before the append
 * @param rollupFailures batches written without adding their calls to the daily rollups, because
 *     the rollup update failed for a reason other than the connection or the transaction (each is
 *     logged, rate-limited); the weekly review then reads the calls instead of the rollups
 */
public record JdbcSinkStats(
    long written,
    long spooled,
    long replayed,
    long dropped,
    long batches,
    long batchNanosTotal,
    long batchNanosMax,
    long spoolBytes,
    long spoolCorruptLines,
    long spoolWriteFailures,
    long rollupFailures) {

  /** Mean batch latency in nanoseconds, 0 before the first batch. */
  public long batchNanosMean() {
    return batches == 0 ? 0 : batchNanosTotal / batches;
  }
}
