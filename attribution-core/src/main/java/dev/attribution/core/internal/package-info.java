/**
 * Machinery shared by the packages of attribution-core. Not API: it may change in any release;
 * other modules must not use it.
 */
@NullMarked
package dev.attribution.core.internal;

import org.jspecify.annotations.NullMarked;
