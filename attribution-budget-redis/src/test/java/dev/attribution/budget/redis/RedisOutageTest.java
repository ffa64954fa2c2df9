package dev.attribution.budget.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.BudgetEvent;
import dev.attribution.api.BudgetListener;
import dev.attribution.api.budget.BudgetStatus;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Redis is stopped without saving (it loses every key) while two instances are busy, then started
 * again. Fail-closed refuses calls meanwhile, fail-open admits them against its shadow; in both,
 * every settled call is in Redis afterwards.
 */
class RedisOutageTest {

  private static final BigDecimal ESTIMATE = new BigDecimal("0.002");
  private static final BigDecimal ACTUAL = new BigDecimal("0.001234567");
  private final String prefix = RedisTestSupport.uniquePrefix("outage");

  @AfterEach
  void deleteKeys() {
    RedisTestSupport.deleteKeys(prefix);
  }

  @Test
  void failClosedRefusesWhileRedisIsDownAndLosesNoSettledSpend() throws Exception {
    Outcome o = runThroughRestart(RedisBudgetStore.FailureMode.FAIL_CLOSED);
    assertThat(o.refusedByStore.get()).isPositive();
    assertThat(o.shadowAdmissions).isZero();
    assertThat(o.refused.get()).isPositive();
    assertThat(o.spent).isEqualByComparingTo(o.settled());
  }

  @Test
  void failOpenAdmitsAgainstTheShadowAndReconcilesEverySettledCall() throws Exception {
    Outcome o = runThroughRestart(RedisBudgetStore.FailureMode.FAIL_OPEN);
    assertThat(o.refusedByStore.get()).isZero();
    assertThat(o.shadowAdmissions).isPositive();
    assertThat(o.spent).isEqualByComparingTo(o.settled());
  }

  @Test
  void failOpenOvershootDuringAnOutageStaysWithinTheHeadroomEachInstanceLastSaw() throws Exception {
    BudgetDefinition budget =
        BudgetDefinition.builder("small")
            .limit("1.00")
            .currency("USD")
            .period(BudgetPeriod.calendarMonth(ZoneOffset.UTC))
            .thresholds(dev.attribution.core.budget.Threshold.blockAt(100))
            .build();
    List<RedisBudgetStore> stores = new ArrayList<>();
    List<BudgetEngine> engines = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      RedisBudgetStore s =
          RedisBudgetStore.builder()
              .client(RedisTestSupport.client(), true)
              .keyPrefix(prefix)
              .failureMode(RedisBudgetStore.FailureMode.FAIL_OPEN)
              .probeInterval(Duration.ofMillis(100))
              .build();
      stores.add(s);
      engines.add(
          BudgetEngine.builder().budget(budget).store(s).listener(BudgetListener.noop()).build());
    }
    BigDecimal call = new BigDecimal("0.10");
    // Instance 0 spends 0.30 and last sees 0.30 used; instance 1 spends 0.30 and sees 0.60.
    for (BudgetEngine e : engines) {
      for (int i = 0; i < 3; i++) {
        assertThat(admitAndSettle(e, call)).isTrue();
      }
    }
    int admittedDuringOutage = 0;
    try {
      RedisTestSupport.stopRedis();
      for (BudgetEngine e : engines) {
        while (admitAndSettle(e, call)) {
          admittedDuringOutage++;
        }
      }
    } finally {
      RedisTestSupport.startRedis();
    }
    // Each instance admitted up to the headroom it last saw: 0.70 and 0.40.
    assertThat(admittedDuringOutage).isEqualTo(7 + 4);
    for (RedisBudgetStore s : stores) {
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while ((s.status() != RedisBudgetStore.Status.CONNECTED || s.stats().journaled() > 0)
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
    }
    BigDecimal spent = engines.get(0).status("small", "global").spent();
    BigDecimal overshoot = spent.subtract(budget.limit());
    System.out.printf(
        "FAIL_OPEN with 2 instances: spent %s of %s, overshoot %s"
            + " (bound: headroom last seen 0.70 + 0.40 minus real headroom 0.40 = 0.70)%n",
        spent.toPlainString(), budget.limit().toPlainString(), overshoot.toPlainString());
    assertThat(spent).isEqualByComparingTo("1.70"); // nothing settled is lost
    for (RedisBudgetStore s : stores) {
      s.close();
    }
  }

  private static boolean admitAndSettle(BudgetEngine e, BigDecimal cost) {
    Admission a =
        e.admit(AdmissionRequest.of(AttributionContext.empty(), "openai", "gpt-4o", null, cost, 1));
    if (a.decision().action() == BudgetAction.BLOCK) {
      return false;
    }
    a.settle(cost, 1);
    return true;
  }

  private Outcome runThroughRestart(RedisBudgetStore.FailureMode mode) throws Exception {
    List<BudgetEvent> events = new CopyOnWriteArrayList<>();
    BudgetListener record = events::add;
    BudgetDefinition budget =
        BudgetDefinition.builder("outage")
            .limit("1000")
            .currency("USD")
            .period(BudgetPeriod.calendarMonth(ZoneOffset.UTC))
            .thresholds(dev.attribution.core.budget.Threshold.blockAt(100))
            .build();
    List<RedisBudgetStore> stores = new ArrayList<>();
    List<BudgetEngine> engines = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      RedisBudgetStore s =
          RedisBudgetStore.builder()
              .client(RedisTestSupport.client(), true)
              .keyPrefix(prefix)
              .failureMode(mode)
              .probeInterval(Duration.ofMillis(100))
              .listener(record)
              .build();
      stores.add(s);
      engines.add(
          BudgetEngine.builder()
              .budget(budget)
              .store(s)
              .failClosed(mode == RedisBudgetStore.FailureMode.FAIL_CLOSED)
              .listener(BudgetListener.noop())
              .build());
    }
    Outcome o = new Outcome();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      BudgetEngine engine = engines.get(t % 2);
      Thread w =
          new Thread(
              () -> {
                while (!stop.get()) {
                  Admission a =
                      engine.admit(
                          AdmissionRequest.of(
                              AttributionContext.empty(), "openai", "gpt-4o", null, ESTIMATE, 10));
                  if (a.decision().action() == BudgetAction.BLOCK) {
                    o.refused.incrementAndGet();
                    if (a.decision().reason().contains("unavailable")) {
                      o.refusedByStore.incrementAndGet();
                    }
                    pause(5);
                    continue;
                  }
                  pause(3); // the call is in flight: the outage hits some mid-call
                  a.settle(ACTUAL, 10);
                  o.settledCalls.incrementAndGet();
                }
              });
      w.start();
      workers.add(w);
    }
    try {
      Thread.sleep(700);
      RedisTestSupport.stopRedis();
      Thread.sleep(1500);
    } finally {
      RedisTestSupport.startRedis();
    }
    Thread.sleep(700);
    stop.set(true);
    for (Thread w : workers) {
      w.join();
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    for (RedisBudgetStore s : stores) {
      while ((s.status() != RedisBudgetStore.Status.CONNECTED || s.stats().journaled() > 0)
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(s.status()).isEqualTo(RedisBudgetStore.Status.CONNECTED);
      assertThat(s.stats().journalDropped()).isZero();
      assertThat(s.stats().disconnects()).isPositive();
      assertThat(s.stats().restores()).as("spend written back after Redis lost it").isPositive();
      o.shadowAdmissions += s.stats().shadowAdmissions();
    }
    BudgetStatus st = engines.get(0).status("outage", "global");
    o.spent = st.spent();
    assertThat(st.reserved()).isEqualByComparingTo(BigDecimal.ZERO);
    assertThat(events)
        .filteredOn(e -> e.type() == BudgetEvent.Type.STORE_STATE_CHANGED)
        .hasSizeGreaterThanOrEqualTo(4); // two instances: down and up again
    System.out.printf(
        "%s: %d calls settled, %d refused (%d by the store), %d admitted by the shadow;"
            + " Redis holds %s of %s settled%n",
        mode,
        o.settledCalls.get(),
        o.refused.get(),
        o.refusedByStore.get(),
        o.shadowAdmissions,
        o.spent.toPlainString(),
        o.settled().toPlainString());
    for (RedisBudgetStore s : stores) {
      s.close();
    }
    return o;
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static final class Outcome {
    final AtomicLong settledCalls = new AtomicLong();
    final AtomicLong refusedByStore = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    long shadowAdmissions;
    BigDecimal spent = BigDecimal.ZERO;

    BigDecimal settled() {
      return ACTUAL.multiply(BigDecimal.valueOf(settledCalls.get()));
    }
  }
}
