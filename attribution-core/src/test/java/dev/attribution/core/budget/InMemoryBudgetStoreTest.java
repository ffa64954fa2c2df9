package dev.attribution.core.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.budget.BudgetStore;
import dev.attribution.api.budget.InMemoryBudgetStore;
import dev.attribution.api.budget.SlotCharge;
import dev.attribution.api.budget.SlotKey;
import dev.attribution.api.budget.SlotState;
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
}
