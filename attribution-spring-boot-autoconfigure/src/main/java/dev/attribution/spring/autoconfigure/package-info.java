/**
 * Spring Boot auto-configuration for attribution: one {@link
 * dev.attribution.core.AttributionEngine} built from {@code attribution.*} properties, the OkHttp
 * interceptor, the JDBC and OpenTelemetry sinks and the Redis budget store when the application has
 * them, a request filter that opens the attribution scope, context propagation across executors and
 * Reactor, an Actuator endpoint and health contributor, and Micrometer meters. Every part is
 * switched by a property; see {@link dev.attribution.spring.autoconfigure.AttributionProperties}.
 */
@NullMarked
package dev.attribution.spring.autoconfigure;

import org.jspecify.annotations.NullMarked;
