package dev.attribution.core.internal.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.BudgetEvent;
import dev.attribution.core.budget.LoopGuard;
import dev.attribution.testing.MutableClock;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class LoopGuardTest {

  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-10T12:00:00Z"));
  private final List<BudgetEvent> events = new CopyOnWriteArrayList<>();

  private static final AttributionContext RUN_1 =
      AttributionContext.builder().tenantId("acme").threadId("run-1").build();
  private static final AttributionContext RUN_2 =
      AttributionContext.builder().tenantId("acme").threadId("run-2").build();

  private BudgetEngine engine(LoopGuard guard) {
    return BudgetEngine.builder().clock(clock).listener(events::add).loopGuard(guard).build();
  }

  private static AdmissionRequest call(AttributionContext ctx, String estimate) {
    return AdmissionRequest.of(ctx, "openai", "gpt-4o", null, new BigDecimal(estimate), 100);
  }

  @Test
  void stopsAThreadThatMakesTooManyCallsInTheWindow() {
    BudgetEngine e = engine(LoopGuard.of(3, null, Duration.ofSeconds(60)));
    for (int i = 0; i < 3; i++) {
      assertThat(e.admit(call(RUN_1, "0.01")).decision().blocked()).isFalse();
      clock.advance(Duration.ofSeconds(1));
    }
    Admission stopped = e.admit(call(RUN_1, "0.01"));
    assertThat(stopped.decision().action()).isEqualTo(BudgetAction.BLOCK);
    assertThat(stopped.decision().loopGuard()).isTrue();
    assertThat(stopped.decision().reason())
        .isEqualTo("loop guard: thread 'run-1' made 3 calls within PT1M (limit 3)");
    assertThat(stopped.decision().retryAt()).isEqualTo(Instant.parse("2026-03-10T12:01:00Z"));
    e.admit(call(RUN_1, "0.01"));
    assertThat(events).hasSize(1);
    assertThat(events.get(0).type()).isEqualTo(BudgetEvent.Type.LOOP_STOPPED);
    assertThat(events.get(0).scopeKey()).isEqualTo("thread=run-1");
    // Other threads are unaffected; calls without a thread id are not guarded.
    assertThat(e.admit(call(RUN_2, "0.01")).decision().blocked()).isFalse();
    AttributionContext noThread = AttributionContext.builder().tenantId("acme").build();
    for (int i = 0; i < 10; i++) {
      assertThat(e.admit(call(noThread, "0.01")).decision().blocked()).isFalse();
    }
    // Once the first call leaves the window, one more call is allowed.
    clock.set(Instant.parse("2026-03-10T12:01:00.001Z"));
    assertThat(e.admit(call(RUN_1, "0.01")).decision().blocked()).isFalse();
    assertThat(e.admit(call(RUN_1, "0.01")).decision().blocked()).isTrue();
    assertThat(events).filteredOn(ev -> ev.type() == BudgetEvent.Type.LOOP_STOPPED).hasSize(2);
  }

  @Test
  void stopsAThreadThatSpendsTooMuchInTheWindow() {
    BudgetEngine e = engine(LoopGuard.of(1000, new BigDecimal("1.00"), Duration.ofMinutes(1)));
    e.admit(call(RUN_1, "0.60")).settle(new BigDecimal("0.50"), 10);
    e.admit(call(RUN_1, "0.40")).settle(new BigDecimal("0.40"), 10);
    Admission stopped = e.admit(call(RUN_1, "0.20"));
    assertThat(stopped.decision().blocked()).isTrue();
    assertThat(stopped.decision().reason())
        .isEqualTo("loop guard: thread 'run-1' would spend more than 1.00 within PT1M");
    assertThat(e.admit(call(RUN_1, "0.10")).decision().blocked()).isFalse();
    clock.advance(Duration.ofMinutes(2));
    assertThat(e.admit(call(RUN_1, "0.90")).decision().blocked()).isFalse();
  }

  @Test
  void readmissionIsNotCountedAsAnotherCall() {
    BudgetEngine e = engine(LoopGuard.of(2, null, Duration.ofMinutes(1)));
    Admission a = e.admit(call(RUN_1, "0.01"));
    Admission b = a.readmit("gpt-4o-mini", new BigDecimal("0.001"), 100);
    assertThat(b.decision().blocked()).isFalse();
    assertThat(e.admit(call(RUN_1, "0.01")).decision().blocked()).isFalse();
    assertThat(e.admit(call(RUN_1, "0.01")).decision().blocked()).isTrue();
  }

  @Test
  void readmissionKeepsTheSpendWindowExact() {
    BudgetEngine e = engine(LoopGuard.of(100, new BigDecimal("1.00"), Duration.ofMinutes(1)));
    Admission a = e.admit(call(RUN_1, "0.90"));
    Admission b = a.readmit("gpt-4o-mini", new BigDecimal("0.50"), 100);
    b.settle(new BigDecimal("0.50"), 100);
    // 0.50 spent: 0.50 more fits, 0.51 does not.
    assertThat(e.admit(call(RUN_1, "0.51")).decision().blocked()).isTrue();
    assertThat(e.admit(call(RUN_1, "0.50")).decision().blocked()).isFalse();
  }

  @Test
  void dryRunOnlyRecordsTheStop() {
    BudgetEngine e =
        BudgetEngine.builder()
            .clock(clock)
            .listener(events::add)
            .loopGuard(LoopGuard.of(1, null, Duration.ofMinutes(1)))
            .dryRun(true)
            .build();
    e.admit(call(RUN_1, "0.01"));
    Admission a = e.admit(call(RUN_1, "0.01"));
    assertThat(a.decision().action()).isEqualTo(BudgetAction.NONE);
    assertThat(a.decision().intendedAction()).isEqualTo(BudgetAction.BLOCK);
    assertThat(a.decision().loopGuard()).isTrue();
    assertThat(a.decision().dryRun()).isTrue();
    assertThat(events.get(0).dryRun()).isTrue();
  }

  @Test
  void rejectsBadLimits() {
    assertThatThrownBy(() -> LoopGuard.of(0, null, Duration.ofMinutes(1)))
        .hasMessageContaining("maxCalls must be positive");
    assertThatThrownBy(() -> LoopGuard.of(1, BigDecimal.ZERO, Duration.ofMinutes(1)))
        .hasMessageContaining("maxSpend must be positive");
  }
}
