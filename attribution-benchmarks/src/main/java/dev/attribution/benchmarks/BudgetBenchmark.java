package dev.attribution.benchmarks;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.BudgetListener;
import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetPeriod;
import dev.attribution.core.internal.budget.Admission;
import dev.attribution.core.internal.budget.AdmissionRequest;
import dev.attribution.core.internal.budget.BudgetEngine;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.ZoneId;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Admission plus settlement against three matching budgets (per tenant per day, per tenant and
 * feature per month, per tenant rolling hour), each thread for its own tenant. Targets: median at
 * most 2 µs on one thread ({@code -bm sample -t 1}); two threads at least 1.5 times the throughput
 * of one ({@code -bm thrpt -t 1} vs {@code -t 2}).
 */
@BenchmarkMode({Mode.SampleTime, Mode.Throughput})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class BudgetBenchmark {

  /** The engine, shared by all threads. */
  @State(Scope.Benchmark)
  public static class Engine {
    BudgetEngine engine;
    final AtomicInteger tenants = new AtomicInteger();

    /** Builds the engine with three budgets every call matches. */
    @Setup
    public void setUp() {
      ZoneId berlin = ZoneId.of("Europe/Berlin");
      engine =
          BudgetEngine.builder()
              .listener(BudgetListener.noop())
              .budget(
                  BudgetDefinition.builder("tenant-day")
                      .each(ScopeDimension.TENANT)
                      .limit("1000000000")
                      .period(BudgetPeriod.calendarDay(berlin))
                      .build())
              .budget(
                  BudgetDefinition.builder("tenant-feature-month")
                      .each(ScopeDimension.TENANT)
                      .each(ScopeDimension.FEATURE)
                      .limit("1000000000")
                      .period(BudgetPeriod.calendarMonth(berlin))
                      .build())
              .budget(
                  BudgetDefinition.builder("tenant-hour")
                      .each(ScopeDimension.TENANT)
                      .limit("1000000000")
                      .period(BudgetPeriod.rolling(Duration.ofHours(1)))
                      .build())
              .build();
    }
  }

  /** One tenant per thread, so threads share no budget counter. */
  @State(Scope.Thread)
  public static class Call {
    AdmissionRequest request;
    final BigDecimal actual = new BigDecimal("0.000750");

    /** Picks this thread's tenant. */
    @Setup
    public void setUp(Engine e) {
      AttributionContext ctx =
          AttributionContext.builder()
              .tenantId("tenant-" + e.tenants.incrementAndGet())
              .feature("chat")
              .trafficClass("standard")
              .build();
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
