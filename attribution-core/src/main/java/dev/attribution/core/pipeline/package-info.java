/**
 * The record pipeline: usage records leave the request thread through a bounded queue and are
 * exported in batches by one worker thread per sink. Entry point: {@link
 * dev.attribution.core.pipeline.RecordPipeline#builder()}.
 */
@NullMarked
package dev.attribution.core.pipeline;

import org.jspecify.annotations.NullMarked;
