/**
 * The library's own implementation (provider): one {@link
 * dev.attribution.core.internal.provider.ProviderDialect} per wire shape holds everything known
 * about it, and {@link dev.attribution.core.internal.provider.ProviderRegistry} picks the dialect
 * for a call; the parsers here are provider-neutral plumbing the dialects drive. Not part of the
 * public API: <strong>no compatibility is promised</strong>; types here may change or disappear in
 * any release. Configure the library through {@code
 * dev.attribution.core.AttributionEngine.builder()}.
 */
@NullMarked
package dev.attribution.core.internal.provider;

import org.jspecify.annotations.NullMarked;
