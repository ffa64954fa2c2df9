package dev.attribution.core.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.budget.BudgetStatus;
import dev.attribution.api.budget.BudgetStore;
import dev.attribution.api.budget.InMemoryBudgetStore;
import dev.attribution.api.budget.SlotCharge;
import dev.attribution.api.budget.SlotKey;
import dev.attribution.api.budget.SlotState;
import dev.attribution.core.internal.budget.Admission;
import dev.attribution.core.internal.budget.AdmissionRequest;
import dev.attribution.core.internal.budget.BudgetEngine;
import dev.attribution.testing.BudgetStoreContractTest;
import dev.attribution.testing.MutableClock;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryBudgetStoreTest extends BudgetStoreContractTest {

  @Override
  protected BudgetStore createStore(MutableClock clock) {
    return InMemoryBudgetStore.create(clock);
  }

  @Test
  void finishedPeriodCountersExpire() {
    SlotKey k = new SlotKey("b", "tenant=a", 1);
    long expires = clock.millis() + 60_000;
    store.addSpent(k, UNIT, 0, 0, 0, expires, clock.millis());
    assertThat(store.state(k, 0, clock.millis()).spentNanos()).isEqualTo(UNIT);
    clock.advance(Duration.ofMinutes(2));
    assertThat(store.state(k, 0, clock.millis())).isEqualTo(SlotState.EMPTY);
  }

  @Test
  void reusingAnOpenReservationIdIsRejectedWithoutEffect() {
    SlotKey k = key("dup");
    SlotCharge c =
        new SlotCharge(
            k, UNIT, 0, 1, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, 0, Long.MAX_VALUE);
    store.reserve("same", List.of(c), clock.millis(), clock.millis() + 1000);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> store.reserve("same", List.of(c), clock.millis(), clock.millis() + 1000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("same");
    assertThat(store.state(k, 0, clock.millis()).reservedNanos()).isEqualTo(UNIT);
  }

  /**
   * The engine over this store: expiry of a long stream's reservation must not hand its headroom to
   * another call (an engine-level check, so it lives beside the store contract, not in it).
   */
  @Test
  void engineChargesAStreamThatOutlivesItsReservationInFull() {
    BudgetEngine engine =
        BudgetEngine.builder()
            .clock(clock)
            .store(store)
            .listener(e -> {})
            .reservationTimeout(Duration.ofSeconds(30))
            .budget(
                BudgetDefinition.builder(prefix() + "-cap")
                    .limit("10")
                    .period(BudgetPeriod.lifetime())
                    .build())
            .build();
    dev.attribution.api.AttributionContext ctx = dev.attribution.api.AttributionContext.empty();
    Admission stream =
        engine.admit(AdmissionRequest.of(ctx, "openai", "m", null, new BigDecimal("8"), 100));
    assertThat(stream.hasReservation()).isTrue();
    clock.advance(Duration.ofMinutes(5)); // the stream runs on past its reservation
    Admission other =
        engine.admit(AdmissionRequest.of(ctx, "openai", "m", null, new BigDecimal("5"), 100));
    assertThat(other.decision().blocked())
        .as("expiry must not free the stream's headroom")
        .isTrue();
    stream.settle(new BigDecimal("7.5"), 90);
    BudgetStatus s = engine.status(prefix() + "-cap", "global");
    assertThat(s.spent()).isEqualByComparingTo("7.5");
    assertThat(s.reserved()).isEqualByComparingTo("0");
    assertThat(
            engine
                .admit(AdmissionRequest.of(ctx, "openai", "m", null, new BigDecimal("2.5"), 1))
                .decision()
                .blocked())
        .isFalse();
  }
}
