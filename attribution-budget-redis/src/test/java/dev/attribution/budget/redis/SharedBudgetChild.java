package dev.attribution.budget.redis;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.BudgetEvent;
import dev.attribution.api.BudgetListener;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetPeriod;
import dev.attribution.core.budget.Threshold;
import dev.attribution.core.internal.budget.Admission;
import dev.attribution.core.internal.budget.AdmissionRequest;
import dev.attribution.core.internal.budget.BudgetEngine;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One application instance in its own JVM, for {@link MultiJvmSharedBudgetTest}: an engine on a
 * {@link RedisBudgetStore} shared through Redis, hammered by its own callers until the budget
 * refuses them, then one {@code RESULT} line on stdout.
 *
 * <p>Arguments: prefix, threads, lease money ("-" for none), start epoch millis, deadline millis.
 */
public final class SharedBudgetChild {

  static final String BUDGET = "shared";
  static final BigDecimal LIMIT = new BigDecimal("20.00");
  static final BigDecimal MAX_ESTIMATE = new BigDecimal("0.050");
  static final int STOP_AFTER_BLOCKS = 50;

  private SharedBudgetChild() {}

  static BudgetDefinition budget() {
    return BudgetDefinition.builder(BUDGET)
        .limit(LIMIT)
        .currency("USD")
        .period(BudgetPeriod.calendarDay(ZoneOffset.UTC))
        .thresholds(Threshold.notifyAt(50), Threshold.notifyAt(80), Threshold.blockAt(100))
        .build();
  }

  /** Runs one instance. */
  public static void main(String[] args) throws Exception {
    String prefix = args[0];
    int threads = Integer.parseInt(args[1]);
    BigDecimal lease = "-".equals(args[2]) ? null : new BigDecimal(args[2]);
    long start = Long.parseLong(args[3]);
    long runMillis = Long.parseLong(args[4]);

    Map<String, AtomicLong> forwarded = new ConcurrentHashMap<>();
    BudgetListener counting =
        e -> {
          String k =
              e.type()
                  + (e.thresholdPercent() == null
                      ? ""
                      : "@" + e.thresholdPercent().stripTrailingZeros().toPlainString());
          forwarded.computeIfAbsent(k, x -> new AtomicLong()).incrementAndGet();
        };
    RedisBudgetStore.Builder sb =
        RedisBudgetStore.builder().client(RedisTestSupport.client(), true).keyPrefix(prefix);
    if (lease != null) {
      sb.lease(lease, 0, 0).leaseDuration(java.time.Duration.ofMillis(200));
    }
    RedisBudgetStore store = sb.probeInterval(java.time.Duration.ofMillis(100)).build();
    List<BudgetDefinition> defs = List.of(budget());
    BudgetEngine engine =
        BudgetEngine.builder()
            .budgets(defs)
            .store(store)
            .failClosed(true)
            .listener(store.sharedListener(counting))
            .build();

    AtomicLong admitted = new AtomicLong();
    AtomicLong blocked = new AtomicLong();
    AtomicLong settledNanos = new AtomicLong();
    AtomicLong unexpected = new AtomicLong();
    while (System.currentTimeMillis() < start) {
      Thread.sleep(5);
    }
    long deadline = System.currentTimeMillis() + runMillis;
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread w =
          new Thread(
              () -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                int blocksInARow = 0;
                while (System.currentTimeMillis() < deadline && blocksInARow < STOP_AFTER_BLOCKS) {
                  BigDecimal est =
                      new BigDecimal(rnd.nextLong(10_000_000L, 50_000_001L)).movePointLeft(9);
                  Admission a =
                      engine.admit(
                          AdmissionRequest.of(
                              AttributionContext.empty(), "openai", "gpt-4o", null, est, 1000));
                  if (a.decision().action() == BudgetAction.BLOCK) {
                    blocked.incrementAndGet();
                    blocksInARow++;
                    sleep(10);
                    continue;
                  }
                  if (!a.hasReservation()) {
                    unexpected.incrementAndGet();
                  }
                  blocksInARow = 0;
                  admitted.incrementAndGet();
                  sleep(rnd.nextInt(0, 3));
                  BigDecimal actual =
                      est.multiply(BigDecimal.valueOf(rnd.nextInt(50, 101)))
                          .movePointLeft(2)
                          .setScale(9, RoundingMode.DOWN);
                  a.settle(actual, 900);
                  settledNanos.addAndGet(actual.unscaledValue().longValueExact());
                }
              });
      w.start();
      workers.add(w);
    }
    for (Thread w : workers) {
      w.join();
    }
    store.close();
    StringBuilder out = new StringBuilder("RESULT");
    out.append(" admitted=").append(admitted.get());
    out.append(" blocked=").append(blocked.get());
    out.append(" settledNanos=").append(settledNanos.get());
    out.append(" unexpected=").append(unexpected.get());
    out.append(" localAdmissions=").append(store.stats().leaseAdmissions());
    out.append(" leaseGrants=").append(store.stats().leaseGrants());
    out.append(" storeFailures=").append(engine.storeFailures());
    for (Map.Entry<String, AtomicLong> e : forwarded.entrySet()) {
      out.append(" event:").append(e.getKey()).append('=').append(e.getValue().get());
    }
    System.out.println(out);
    System.out.flush();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static String eventKey(BudgetEvent.Type type, int percent) {
    return "event:" + type + "@" + percent;
  }
}
