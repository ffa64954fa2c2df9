/**
 * Pieces the library's own transport adapters share (reading a response as the application reads
 * it). Not part of the public API: <strong>no compatibility is promised</strong>; adapters for
 * other clients implement {@code dev.attribution.core.transport}.
 */
@NullMarked
package dev.attribution.core.internal.transport;

import org.jspecify.annotations.NullMarked;
