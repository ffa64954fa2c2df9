/** The README's setup section as one runnable application. */
@NullMarked
package dev.attribution.examples.minimal;

import org.jspecify.annotations.NullMarked;
