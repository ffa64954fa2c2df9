/** The runnable demo and integration samples. */
@NullMarked
package dev.attribution.examples;

import org.jspecify.annotations.NullMarked;
