/**
 * The {@code java.net.http.HttpClient} transport: {@link
 * dev.attribution.jdkhttp.AttributionHttpClient} wraps a client so every LLM call it sends is
 * attributed, priced, budgeted and routed.
 */
@NullMarked
package dev.attribution.jdkhttp;

import org.jspecify.annotations.NullMarked;
