package dev.attribution.budget.redis;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/** The real Redis on 127.0.0.1:6379: clients, unique prefixes, clean-up and a short outage. */
final class RedisTestSupport {

  static final String HOST = "127.0.0.1";
  static final int PORT = 6379;

  private RedisTestSupport() {}

  static JedisPooled client() {
    return new JedisPooled(HOST, PORT);
  }

  /** A prefix no other test (or helper) uses. */
  static String uniquePrefix(String test) {
    return "test:budget-redis:" + test + ":" + UUID.randomUUID().toString().substring(0, 8) + ":";
  }

  /** Deletes every key under {@code prefix}. */
  static void deleteKeys(String prefix) {
    try (JedisPooled j = client()) {
      String cursor = ScanParams.SCAN_POINTER_START;
      ScanParams p = new ScanParams().match(prefix + "*").count(1000);
      do {
        ScanResult<String> r = j.scan(cursor, p);
        List<String> keys = r.getResult();
        if (!keys.isEmpty()) {
          j.del(keys.toArray(new String[0]));
        }
        cursor = r.getCursor();
      } while (!"0".equals(cursor));
    } catch (RuntimeException e) {
      // Redis down (an outage test failed half-way): nothing to clean.
    }
  }

  /** Keys under {@code prefix}. */
  static List<String> keys(String prefix) {
    List<String> out = new ArrayList<>();
    try (JedisPooled j = client()) {
      String cursor = ScanParams.SCAN_POINTER_START;
      ScanParams p = new ScanParams().match(prefix + "*").count(1000);
      do {
        ScanResult<String> r = j.scan(cursor, p);
        out.addAll(r.getResult());
        cursor = r.getCursor();
      } while (!"0".equals(cursor));
    }
    return out;
  }

  /** Stops Redis without saving (it loses every key). Always pair with {@link #startRedis()}. */
  static void stopRedis() throws IOException, InterruptedException {
    run("redis-cli", "-p", Integer.toString(PORT), "shutdown", "nosave");
  }

  /** Starts Redis exactly as the machine runs it and waits until it answers. */
  static void startRedis() throws IOException, InterruptedException {
    run(
        "redis-server",
        "--daemonize",
        "yes",
        "--bind",
        "127.0.0.1",
        "-::1",
        "--port",
        Integer.toString(PORT),
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        "/var/lib/redis",
        "--logfile",
        "/var/log/redis/ci.log");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try (JedisPooled j = client()) {
        if ("PONG".equals(j.ping())) {
          return;
        }
      } catch (RuntimeException e) {
        Thread.sleep(50);
      }
    }
    throw new IllegalStateException("Redis did not come back within 10 s");
  }

  private static void run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    p.waitFor(10, TimeUnit.SECONDS);
  }
}
