/**
 * The anthropic-java transport: {@link dev.attribution.anthropic.AnthropicAttribution} is an
 * interceptor for the SDK's own {@code com.anthropic.core.http.Interceptor} hook (the SDK exposes
 * no OkHttp hook).
 */
@NullMarked
package dev.attribution.anthropic;

import org.jspecify.annotations.NullMarked;
