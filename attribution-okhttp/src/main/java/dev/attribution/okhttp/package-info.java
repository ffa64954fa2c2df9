/**
 * The OkHttp transport: {@link dev.attribution.okhttp.AttributionInterceptor} attributes, prices,
 * enforces budgets on and routes every LLM call made through an OkHttp client (OkHttp 4.12 and 5.x;
 * openai-java accepts it with {@code addInterceptor}). {@link
 * dev.attribution.okhttp.AttributionOkHttp} is the entry point.
 */
@NullMarked
package dev.attribution.okhttp;

import org.jspecify.annotations.NullMarked;
