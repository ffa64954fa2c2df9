package dev.attribution.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Fingerprints of API keys: the last four characters and the first 8 hex digits of the key's
 * SHA-256, e.g. {@code ...x9Qa#3f2a9c1b}. Enough to tell keys apart in reports, useless to call an
 * API with. The key itself is never kept.
 */
final class KeyFingerprints {

  private KeyFingerprints() {}

  /** The key the request carries (Bearer token, x-api-key, api-key, x-goog-api-key, ?key=). */
  static @Nullable String keyOf(
      Function<String, @Nullable String> headers, @Nullable String query) {
    String auth = headers.apply("Authorization");
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return auth.substring(7).trim();
    }
    for (String h : new String[] {"x-api-key", "api-key", "x-goog-api-key"}) {
      String v = headers.apply(h);
      if (v != null && !v.isBlank()) {
        return v.trim();
      }
    }
    if (query != null) {
      for (String part : query.split("&")) {
        if (part.startsWith("key=")) {
          return part.substring(4);
        }
      }
    }
    return null;
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /**
   * Applications use a handful of keys, so fingerprints are memoised (at most {@value
   * #CACHE_LIMIT}; the map is simply cleared when full) instead of hashing on every call.
   */
  private static final int CACHE_LIMIT = 256;

  private static final java.util.concurrent.ConcurrentHashMap<String, String> CACHE =
      new java.util.concurrent.ConcurrentHashMap<>();

  static @Nullable String fingerprint(@Nullable String key) {
    if (key == null || key.isEmpty()) {
      return null;
    }
    String cached = CACHE.get(key);
    if (cached != null) {
      return cached;
    }
    if (CACHE.size() >= CACHE_LIMIT) {
      CACHE.clear();
    }
    String fp = compute(key);
    CACHE.put(key, fp);
    return fp;
  }

  private static String compute(String key) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      StringBuilder sb = new StringBuilder(20).append("...");
      sb.append(key.length() > 8 ? key.substring(key.length() - 4) : "");
      sb.append('#');
      for (int i = 0; i < 4; i++) {
        sb.append(HEX[(d[i] >> 4) & 0xF]).append(HEX[d[i] & 0xF]);
      }
      return sb.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JVM", e);
    }
  }
}
