/**
 * Logging that cannot flood: {@link dev.attribution.core.logging.RateLimitedLogger}, used by the
 * engine and by transports and sinks in other modules for faults that can repeat on every call.
 */
@NullMarked
package dev.attribution.core.logging;

import org.jspecify.annotations.NullMarked;
