package dev.attribution.core;

import dev.attribution.core.pipeline.PipelineStats;

/**
 * Counters of an {@link AttributionEngine} since start.
 *
 * @param calls recognised LLM calls begun
 * @param blocked calls blocked by a budget or the loop guard
 * @param internalFailures failures inside attribution (the calls proceeded untouched)
 * @param parseFailures request or response payloads that could not be parsed or read (not JSON,
 *     undecodable, too large)
 * @param pipeline the record pipeline's counters
 */
public record EngineStats(
    long calls, long blocked, long internalFailures, long parseFailures, PipelineStats pipeline) {}
