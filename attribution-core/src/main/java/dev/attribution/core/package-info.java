/**
 * The attribution engine: {@link dev.attribution.core.AttributionEngine} turns one HTTP exchange
 * with an LLM provider into a budget decision before the call and one priced {@link
 * dev.attribution.api.UsageRecord} after it. Transports (the OkHttp interceptor, other adapters)
 * call {@link dev.attribution.core.AttributionEngine#begin(CallRequest)} and report what happened
 * on the returned {@link dev.attribution.core.transport.LlmCall}.
 */
@NullMarked
package dev.attribution.core;

import dev.attribution.core.transport.CallRequest;
import org.jspecify.annotations.NullMarked;
