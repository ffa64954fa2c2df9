/**
 * The library's own implementation (pipeline). Not part of the public API: <strong>no compatibility
 * is promised</strong>; types here may change or disappear in any release. Configure the library
 * through {@code dev.attribution.core.AttributionEngine.builder()}.
 */
@NullMarked
package dev.attribution.core.internal.pipeline;

import org.jspecify.annotations.NullMarked;
