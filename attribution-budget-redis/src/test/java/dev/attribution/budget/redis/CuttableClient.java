package dev.attribution.budget.redis;

import java.util.List;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * A client of the real Redis whose connection the test can cut without stopping Redis (which other
 * tests share): while {@link #down}, every call fails as a refused connection would.
 */
final class CuttableClient extends JedisPooled {

  volatile boolean down;

  CuttableClient() {
    super(RedisTestSupport.HOST, RedisTestSupport.PORT);
  }

  @Override
  public Object evalsha(String sha1, List<String> keys, List<String> args) {
    check();
    return super.evalsha(sha1, keys, args);
  }

  @Override
  public String scriptLoad(String script) {
    check();
    return super.scriptLoad(script);
  }

  private void check() {
    if (down) {
      throw new JedisConnectionException("connection cut by the test");
    }
  }
}
