package dev.attribution.core;

import dev.attribution.core.internal.provider.ProviderDialect;
import dev.attribution.core.internal.provider.ProviderRegistry;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Fingerprints of API keys: the last four characters and the first 8 hex digits of the key's
 * HMAC-SHA256 under a per-deployment secret, e.g. {@code ...x9Qa#3f2a9c1b}. Enough to tell keys
 * apart in reports, useless to call an API with, and not reversible by trying candidate keys
 * without the secret (a plain hash of a short or low-entropy key is). The key itself is never kept.
 *
 * <p>Thread-safe: one {@link Mac} per thread, and a memo of the few keys an application uses.
 */
final class KeyFingerprints {

  /** Fewest bytes of secret accepted: {@value}. */
  static final int MIN_SECRET_BYTES = 16;

  /**
   * The secret of every engine built without one: random, so fingerprints are stable within this
   * process only.
   */
  private static final byte[] PROCESS_SECRET = randomSecret();

  /**
   * Applications use a handful of keys, so fingerprints are memoised (at most {@value
   * #CACHE_LIMIT}; the map is simply cleared when full) instead of hashing on every call.
   */
  private static final int CACHE_LIMIT = 256;

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private final SecretKeySpec secret;
  private final boolean configured;
  private final ThreadLocal<Mac> macs;
  private final ConcurrentHashMap<String, String> cache = new ConcurrentHashMap<>();

  private KeyFingerprints(byte[] secret, boolean configured) {
    this.secret = new SecretKeySpec(secret, "HmacSHA256");
    this.configured = configured;
    this.macs = ThreadLocal.withInitial(this::newMac);
    newMac(); // fail at build time, not on the first call, if HmacSHA256 is missing
  }

  /**
   * Fingerprints under {@code secret} (UTF-8), stable across restarts and replicas that share it.
   *
   * @throws IllegalArgumentException if the secret is shorter than {@value #MIN_SECRET_BYTES} bytes
   */
  static KeyFingerprints withSecret(String secret) {
    byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
    if (bytes.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "keyFingerprintSecret must be at least "
              + MIN_SECRET_BYTES
              + " bytes; use a long random value kept like a password");
    }
    return new KeyFingerprints(bytes, true);
  }

  /** Fingerprints under this process's random secret: stable only until the process restarts. */
  static KeyFingerprints perProcess() {
    return new KeyFingerprints(PROCESS_SECRET, false);
  }

  /** Whether the secret was set by the user (fingerprints survive restarts). */
  boolean configured() {
    return configured;
  }

  /**
   * The key the request carries, as the registry's dialects find it (a bearer token, {@code
   * x-api-key}, {@code api-key}, {@code x-goog-api-key}, {@code ?key=}, or a dialect's own header):
   * which headers carry keys is provider knowledge, kept in each {@link ProviderDialect}.
   */
  static @Nullable String keyOf(
      ProviderRegistry registry,
      Function<String, @Nullable String> headers,
      @Nullable String query) {
    return registry.keyOf(headers, query);
  }

  @Nullable String fingerprint(@Nullable String key) {
    if (key == null || key.isEmpty()) {
      return null;
    }
    String cached = cache.get(key);
    if (cached != null) {
      return cached;
    }
    if (cache.size() >= CACHE_LIMIT) {
      cache.clear();
    }
    String fp = compute(key);
    cache.put(key, fp);
    return fp;
  }

  private String compute(String key) {
    byte[] d = macs.get().doFinal(key.getBytes(StandardCharsets.UTF_8));
    StringBuilder sb = new StringBuilder(20).append("...");
    sb.append(key.length() > 8 ? key.substring(key.length() - 4) : "");
    sb.append('#');
    for (int i = 0; i < 4; i++) {
      sb.append(HEX[(d[i] >> 4) & 0xF]).append(HEX[d[i] & 0xF]);
    }
    return sb.toString();
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(secret);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required by every JVM", e);
    }
  }

  private static byte[] randomSecret() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return b;
  }
}
