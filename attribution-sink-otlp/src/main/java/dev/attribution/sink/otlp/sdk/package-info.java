/**
 * Optional convenience: an OpenTelemetry SDK that exports metrics and logs as OTLP over
 * HTTP/protobuf through the JDK's HTTP client. Entry point: {@link
 * dev.attribution.sink.otlp.sdk.OtlpSdk#builder()}.
 *
 * <p>Needs {@code opentelemetry-sdk}, {@code opentelemetry-exporter-otlp} (without its OkHttp
 * sender) and {@code opentelemetry-exporter-sender-jdk} on the class path; the rest of the module
 * does not.
 */
@NullMarked
package dev.attribution.sink.otlp.sdk;

import org.jspecify.annotations.NullMarked;
