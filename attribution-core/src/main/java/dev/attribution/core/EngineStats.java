package dev.attribution.core;

import java.util.Map;

/**
 * Counters of an {@link AttributionEngine} since start.
 *
 * @param calls recognised LLM calls begun
 * @param blocked calls blocked by a budget or the loop guard
 * @param internalFailures failures inside attribution (the calls proceeded untouched)
 * @param parseFailures request or response payloads that could not be parsed or read (not JSON,
 *     undecodable, too large)
 * @param unpricedCalls calls priced with no price for their model (recorded with an unknown cost)
 * @param budgetStoreFailures budget-store operations that failed (the failure mode decided)
 * @param budgetListenerFailures budget listener calls that threw
 * @param records the record pipeline's counters, summed over sinks
 * @param recordsBySink the same counters per sink, by the sink's name
 */
public record EngineStats(
    long calls,
    long blocked,
    long internalFailures,
    long parseFailures,
    long unpricedCalls,
    long budgetStoreFailures,
    long budgetListenerFailures,
    Records records,
    Map<String, Records> recordsBySink) {

  /** Copies the map. */
  public EngineStats {
    recordsBySink = Map.copyOf(recordsBySink);
  }

  /**
   * Counters of the records on their way to sinks. A record counts once per sink: with two sinks,
   * one record adds 2 to {@link #accepted()}.
   *
   * @param accepted records queued for export
   * @param exported records a sink's {@code export} returned for without throwing
   * @param failed records in batches whose {@code export} threw
   * @param dropped records lost because a queue was full (and no spool took them) or the engine was
   *     closed
   * @param spooled records handed to a sink's overflow spool because its queue was full
   * @param queued records waiting in queues now
   */
  public record Records(
      long accepted, long exported, long failed, long dropped, long spooled, long queued) {}
}
