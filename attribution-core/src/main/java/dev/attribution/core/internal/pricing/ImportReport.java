package dev.attribution.core.internal.pricing;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one import of price data did: how many entries were loaded, how many were skipped and why,
 * and which were malformed (with the reason). Unknown fields are ignored, not reported. Immutable.
 */
public final class ImportReport {

  private final String source;
  private final String sha256;
  private final int loaded;
  private final Map<String, Integer> skipped;
  private final List<String> malformed;

  ImportReport(
      String source,
      String sha256,
      int loaded,
      Map<String, Integer> skipped,
      List<String> malformed) {
    this.source = source;
    this.sha256 = sha256;
    this.loaded = loaded;
    this.skipped = Collections.unmodifiableMap(new TreeMap<>(skipped));
    this.malformed = List.copyOf(malformed);
  }

  /** Where the data came from: a file path, a URL, {@code bundled} or {@code overrides}. */
  public String source() {
    return source;
  }

  /** Hex SHA-256 of the bytes imported. */
  public String sha256() {
    return sha256;
  }

  /** Entries that became prices. */
  public int loaded() {
    return loaded;
  }

  /** Entries deliberately not loaded, counted by reason (e.g. no per-token price). */
  public Map<String, Integer> skipped() {
    return skipped;
  }

  /** Total of {@link #skipped()}. */
  public int skippedCount() {
    int n = 0;
    for (int v : skipped.values()) {
      n += v;
    }
    return n;
  }

  /** Entries that could not be read, each as {@code "key: reason"}. */
  public List<String> malformed() {
    return malformed;
  }

  @Override
  public String toString() {
    return "ImportReport{"
        + source
        + " loaded="
        + loaded
        + " skipped="
        + skippedCount()
        + ' '
        + skipped
        + " malformed="
        + malformed.size()
        + (malformed.isEmpty() ? "" : " " + malformed.subList(0, Math.min(5, malformed.size())))
        + '}';
  }
}
