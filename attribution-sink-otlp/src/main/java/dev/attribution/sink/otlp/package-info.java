/**
 * Usage records as OpenTelemetry GenAI metrics and log events, through the application's {@link
 * io.opentelemetry.api.OpenTelemetry} instance. Entry point: {@link
 * dev.attribution.sink.otlp.OtelUsageSink#builder(io.opentelemetry.api.OpenTelemetry)}; every
 * metric, attribute and event name is in {@link dev.attribution.sink.otlp.TelemetryNames}.
 *
 * <p>This package needs {@code opentelemetry-api} only. The optional OTLP exporter convenience is
 * in {@link dev.attribution.sink.otlp.sdk}.
 */
@NullMarked
package dev.attribution.sink.otlp;

import org.jspecify.annotations.NullMarked;
