/**
 * Routes and routing rules: named upstreams (base URL, credentials, model map) and ordered rules
 * over the context and the request that send calls to them, so traffic moves without code changes.
 */
@NullMarked
package dev.attribution.core.routing;

import org.jspecify.annotations.NullMarked;
