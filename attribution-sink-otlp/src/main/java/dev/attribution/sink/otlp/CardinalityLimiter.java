package dev.attribution.sink.otlp;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Caps the distinct values each metric attribute may take: the first {@code maxValues} values seen
 * for a key pass through, every later new value becomes {@link TelemetryNames#OTHER}. Values
 * already admitted keep passing. Thread-safe; the cap may be exceeded by a few values under a race,
 * which is harmless.
 */
final class CardinalityLimiter {

  private final int maxValues;
  private final Map<String, Set<String>> seen = new ConcurrentHashMap<>();
  private final AtomicLong folded = new AtomicLong();

  CardinalityLimiter(int maxValues) {
    this.maxValues = maxValues;
  }

  /** {@code value}, or {@link TelemetryNames#OTHER} if {@code key} already has its fill. */
  String admit(String key, String value) {
    Set<String> values = seen.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet());
    if (values.contains(value)) {
      return value;
    }
    if (values.size() >= maxValues) {
      folded.incrementAndGet();
      return TelemetryNames.OTHER;
    }
    values.add(value);
    return value;
  }

  /** How many times a value was folded into {@link TelemetryNames#OTHER}. */
  long folded() {
    return folded.get();
  }
}
