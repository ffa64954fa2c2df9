package dev.attribution.budget.redis;

import java.util.List;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.UnifiedJedis;

/** The two Redis calls the store needs, over either client shape Jedis offers. */
interface RedisClient {

  Object evalsha(String sha, List<String> keys, List<String> args);

  String scriptLoad(String script);

  void close();

  static RedisClient of(UnifiedJedis jedis, boolean owned) {
    return new RedisClient() {
      @Override
      public Object evalsha(String sha, List<String> keys, List<String> args) {
        return jedis.evalsha(sha, keys, args);
      }

      @Override
      public String scriptLoad(String script) {
        return jedis.scriptLoad(script);
      }

      @Override
      public void close() {
        if (owned) {
          jedis.close();
        }
      }
    };
  }

  static RedisClient of(JedisPool pool, boolean owned) {
    return new RedisClient() {
      @Override
      public Object evalsha(String sha, List<String> keys, List<String> args) {
        try (Jedis j = pool.getResource()) {
          return j.evalsha(sha, keys, args);
        }
      }

      @Override
      public String scriptLoad(String script) {
        try (Jedis j = pool.getResource()) {
          return j.scriptLoad(script);
        }
      }

      @Override
      public void close() {
        if (owned) {
          pool.close();
        }
      }
    };
  }
}
