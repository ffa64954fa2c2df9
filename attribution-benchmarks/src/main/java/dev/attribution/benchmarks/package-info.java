/** JMH benchmarks of the library's hot paths; run them from the packaged jar, never in tests. */
@NullMarked
package dev.attribution.benchmarks;

import org.jspecify.annotations.NullMarked;
