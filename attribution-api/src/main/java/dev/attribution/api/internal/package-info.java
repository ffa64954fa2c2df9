/**
 * Helpers shared by the library's own modules (rate-limited logging, control-character
 * neutralising). Not part of the public API: <strong>no compatibility is promised</strong>; types
 * here may change or disappear in any release.
 */
@NullMarked
package dev.attribution.api.internal;

import org.jspecify.annotations.NullMarked;
