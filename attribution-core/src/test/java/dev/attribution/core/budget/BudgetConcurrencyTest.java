package dev.attribution.core.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.AttributionContext;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BudgetConcurrencyTest {

  @Test
  void sixtyFourThreadsNeverOverspendAHardLimitWithUpperBoundEstimates() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-03-10T12:00:00Z"));
    BigDecimal limit = new BigDecimal("50.00");
    BudgetEngine engine =
        BudgetEngine.builder()
            .clock(clock)
            .listener(e -> {})
            .budget(
                BudgetDefinition.builder("hard")
                    .each(ScopeDimension.TENANT)
                    .limit(limit)
                    .period(BudgetPeriod.calendarDay(ZoneOffset.UTC))
                    .build())
            .budget(BudgetDefinition.builder("global").limit("1000000").build())
            .build();
    AttributionContext ctx = AttributionContext.builder().tenantId("acme").build();
    int threads = 64;
    int callsPerThread = 200;
    AtomicLong admitted = new AtomicLong();
    AtomicLong blocked = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      futures.add(
          pool.submit(
              () -> {
                start.await();
                ThreadLocalRandom r = ThreadLocalRandom.current();
                for (int i = 0; i < callsPerThread; i++) {
                  // Worst case 0.01..0.50; the real cost is anywhere up to it.
                  BigDecimal estimate = BigDecimal.valueOf(r.nextInt(1, 51), 2);
                  Admission a =
                      engine.admit(AdmissionRequest.of(ctx, "openai", "m", null, estimate, 100));
                  if (a.decision().blocked()) {
                    blocked.incrementAndGet();
                    continue;
                  }
                  admitted.incrementAndGet();
                  if (r.nextInt(10) == 0) {
                    a.release(null);
                  } else {
                    BigDecimal actual =
                        estimate.multiply(BigDecimal.valueOf(r.nextInt(50, 101), 2));
                    a.settle(actual, 50);
                  }
                }
                return null;
              }));
    }
    start.countDown();
    for (Future<?> f : futures) {
      f.get(2, TimeUnit.MINUTES);
    }
    pool.shutdown();
    BudgetStatus s = engine.status("hard", "tenant=acme");
    BigDecimal overshoot = s.spent().subtract(limit).max(BigDecimal.ZERO);
    System.out.println(
        "64 threads: admitted="
            + admitted
            + " blocked="
            + blocked
            + " spent="
            + s.spent().toPlainString()
            + " limit="
            + limit.toPlainString()
            + " overshoot="
            + overshoot.toPlainString());
    assertThat(blocked.get()).as("the limit must actually be reached").isPositive();
    assertThat(overshoot).isEqualByComparingTo(BigDecimal.ZERO);
    assertThat(s.reserved()).isEqualByComparingTo(BigDecimal.ZERO);
    assertThat(engine.status("global", "global").spent()).isEqualByComparingTo(s.spent());
  }
}
