package dev.attribution.benchmarks;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.BudgetListener;
import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.budget.redis.RedisBudgetStore;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetPeriod;
import dev.attribution.core.internal.budget.Admission;
import dev.attribution.core.internal.budget.AdmissionRequest;
import dev.attribution.core.internal.budget.BudgetEngine;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Admission plus settlement on a {@link RedisBudgetStore} over loopback Redis (127.0.0.1:6379): two
 * matching budgets (an organisation-wide daily cap every thread shares, and a daily cap per tenant,
 * one tenant per thread), with and without lease mode. Without leases each admit and each settle is
 * one Redis round trip; with leases most calls touch no Redis at all.
 *
 * <p>{@code java -jar target/benchmarks.jar RedisBudgetBenchmark -f 1 -wi 2 -i 3 -w 1s -r 1s -t 4}
 */
@BenchmarkMode({Mode.SampleTime, Mode.Throughput})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class RedisBudgetBenchmark {

  /** The engine and store, shared by all threads. */
  @State(Scope.Benchmark)
  public static class Engine {
    /** Whether lease mode is on. */
    @Param({"false", "true"})
    public boolean lease;

    BudgetEngine engine;
    RedisBudgetStore store;
    String prefix;
    final AtomicInteger tenants = new AtomicInteger();

    /** Builds the store and engine under a fresh key prefix. */
    @Setup(Level.Trial)
    public void setUp() {
      prefix = "bench:budget-redis:" + UUID.randomUUID() + ":";
      RedisBudgetStore.Builder b =
          RedisBudgetStore.builder()
              .client(new JedisPooled("127.0.0.1", 6379), true)
              .keyPrefix(prefix);
      if (lease) {
        b.lease(new BigDecimal("0.10"), 0, 0).leaseDuration(Duration.ofSeconds(1));
      }
      store = b.build();
      engine =
          BudgetEngine.builder()
              .listener(BudgetListener.noop())
              .store(store)
              .budget(
                  BudgetDefinition.builder("org-day")
                      .limit("1000000000")
                      .currency("USD")
                      .period(BudgetPeriod.calendarDay(ZoneOffset.UTC))
                      .build())
              .budget(
                  BudgetDefinition.builder("tenant-day")
                      .each(ScopeDimension.TENANT)
                      .limit("1000000000")
                      .currency("USD")
                      .period(BudgetPeriod.calendarDay(ZoneOffset.UTC))
                      .build())
              .build();
    }

    /** Closes the store and deletes the keys. */
    @TearDown(Level.Trial)
    public void tearDown() {
      store.close();
      try (JedisPooled j = new JedisPooled("127.0.0.1", 6379)) {
        String cursor = ScanParams.SCAN_POINTER_START;
        ScanParams p = new ScanParams().match(prefix + "*").count(1000);
        do {
          ScanResult<String> r = j.scan(cursor, p);
          List<String> keys = new ArrayList<>(r.getResult());
          if (!keys.isEmpty()) {
            j.del(keys.toArray(new String[0]));
          }
          cursor = r.getCursor();
        } while (!"0".equals(cursor));
      }
    }
  }

  /** One tenant per thread. */
  @State(Scope.Thread)
  public static class Call {
    AdmissionRequest request;
    final BigDecimal actual = new BigDecimal("0.000750");

    /** Picks this thread's tenant. */
    @Setup
    public void setUp(Engine e) {
      AttributionContext ctx =
          AttributionContext.builder().tenantId("tenant-" + e.tenants.incrementAndGet()).build();
      request =
          AdmissionRequest.of(ctx, "openai", "gpt-4o-mini", null, new BigDecimal("0.001200"), 2000);
    }
  }

  /** admit + settle. */
  @Benchmark
  public Admission admitAndSettle(Engine e, Call c) {
    Admission a = e.engine.admit(c.request);
    a.settle(c.actual, 1500);
    return a;
  }
}
