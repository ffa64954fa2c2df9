package dev.attribution.budget.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * One Lua script run by EVALSHA. Loaded once with SCRIPT LOAD; when Redis answers NOSCRIPT (it
 * restarted or flushed its script cache) the script is loaded again and the call retried once.
 */
final class Script {

  private final String text;
  private final String sha;

  Script(String text) {
    this.text = text;
    this.sha = sha1(text);
  }

  /** Loads the script; failures are ignored (the first call loads it on NOSCRIPT). */
  void preload(RedisClient redis) {
    try {
      redis.scriptLoad(text);
    } catch (RuntimeException e) {
      // Redis unreachable at start-up: the store starts degraded and loads on first use.
    }
  }

  Object run(RedisClient redis, List<String> keys, List<String> args) {
    try {
      return redis.evalsha(sha, keys, args);
    } catch (JedisNoScriptException e) {
      redis.scriptLoad(text);
      return redis.evalsha(sha, keys, args);
    }
  }

  private static String sha1(String s) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-1");
      return HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required by the Java platform", e);
    }
  }
}
