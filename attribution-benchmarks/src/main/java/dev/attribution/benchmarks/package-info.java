/**
 * JMH benchmarks of the hot paths, one class per topic. Run: {@code java -jar
 * attribution-benchmarks/target/benchmarks.jar PricingBenchmark -f 1 -wi 2 -i 3 -w 1s -r 1s}.
 */
@NullMarked
package dev.attribution.benchmarks;

import org.jspecify.annotations.NullMarked;
