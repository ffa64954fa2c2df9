package dev.attribution.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.budget.BudgetStore;
import dev.attribution.api.budget.ReserveResult;
import dev.attribution.api.budget.SlotCharge;
import dev.attribution.api.budget.SlotKey;
import dev.attribution.api.budget.SlotState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link BudgetStore} must show. A store implementation's test extends this
 * class and implements {@link #createStore(MutableClock)}; each test gets a fresh store and uses
 * keys unique to the test, so a shared backend (e.g. one Redis database) works if it is emptied or
 * namespaced per store.
 */
public abstract class BudgetStoreContractTest {

  /** Nano-units per currency unit. */
  protected static final long UNIT = 1_000_000_000L;

  /** The clock given to the store; tests pass its time to every call. */
  protected MutableClock clock;

  /** The store under test. */
  protected BudgetStore store;

  private String prefix;

  /** A new, empty store whose expiry follows {@code clock}. */
  protected abstract BudgetStore createStore(MutableClock clock) throws Exception;

  @BeforeEach
  protected void setUpStore() throws Exception {
    clock = new MutableClock(Instant.parse("2026-03-10T12:00:00Z"));
    store = createStore(clock);
    prefix = "t" + UUID.randomUUID().toString().substring(0, 8);
  }

  @AfterEach
  protected void closeStore() throws Exception {
    store.close();
  }

  /** A prefix unique to this test, for budget names and keys a subclass makes itself. */
  protected String prefix() {
    return prefix;
  }

  /** A key unique to this test. */
  protected SlotKey key(String scope) {
    return new SlotKey(prefix, scope, 0);
  }

  private long now() {
    return clock.millis();
  }

  private long later() {
    return now() + 60_000;
  }

  private SlotCharge charge(SlotKey key, long nanos, long capNanos) {
    return new SlotCharge(
        key, nanos, 10, 1, capNanos, Long.MAX_VALUE, Long.MAX_VALUE, 0, Long.MAX_VALUE);
  }

  private String id() {
    return prefix + ":" + UUID.randomUUID();
  }

  @Test
  void unknownCounterIsEmpty() {
    assertThat(store.state(key("nobody"), 0, now())).isEqualTo(SlotState.EMPTY);
  }

  @Test
  void reserveHoldsAmountsUntilSettled() {
    SlotKey k = key("a");
    ReserveResult r = store.reserve(id(), List.of(charge(k, 3 * UNIT, 10 * UNIT)), now(), later());
    assertThat(r.reserved()).isTrue();
    assertThat(r.rejectedIndex()).isEqualTo(-1);
    assertThat(r.states().get(0).reservedNanos()).isEqualTo(3 * UNIT);
    SlotState s = store.state(k, 0, now());
    assertThat(s.reservedNanos()).isEqualTo(3 * UNIT);
    assertThat(s.reservedTokens()).isEqualTo(10);
    assertThat(s.reservedRequests()).isEqualTo(1);
    assertThat(s.spentNanos()).isZero();
  }

  @Test
  void settleReplacesReservationByActualAmountsOnce() {
    SlotKey k = key("a");
    String id = id();
    store.reserve(id, List.of(charge(k, 3 * UNIT, 10 * UNIT)), now(), later());
    assertThat(store.settle(id, 2 * UNIT, 7, 1, now())).isTrue();
    assertThat(store.settle(id, 2 * UNIT, 7, 1, now())).isFalse();
    assertThat(store.state(k, 0, now())).isEqualTo(new SlotState(2 * UNIT, 0, 7, 0, 1, 0, 0));
  }

  @Test
  void reservationIsAllOrNothingAcrossCounters() {
    SlotKey roomy = key("roomy");
    SlotKey full = key("full");
    store.addSpent(full, 9 * UNIT, 0, 0, 0, Long.MAX_VALUE, now());
    ReserveResult r =
        store.reserve(
            id(),
            List.of(charge(roomy, 2 * UNIT, 100 * UNIT), charge(full, 2 * UNIT, 10 * UNIT)),
            now(),
            later());
    assertThat(r.reserved()).isFalse();
    assertThat(r.rejectedIndex()).isEqualTo(1);
    assertThat(r.states().get(1).spentNanos()).isEqualTo(9 * UNIT);
    assertThat(store.state(roomy, 0, now()).reservedNanos()).isZero();
    assertThat(store.state(full, 0, now()).reservedNanos()).isZero();
  }

  @Test
  void capAllowsReachingTheLevelExactlyButNotPassingIt() {
    SlotKey k = key("a");
    assertThat(
            store.reserve(id(), List.of(charge(k, 6 * UNIT, 10 * UNIT)), now(), later()).reserved())
        .isTrue();
    assertThat(
            store.reserve(id(), List.of(charge(k, 5 * UNIT, 10 * UNIT)), now(), later()).reserved())
        .isFalse();
    assertThat(
            store.reserve(id(), List.of(charge(k, 4 * UNIT, 10 * UNIT)), now(), later()).reserved())
        .isTrue();
    // Exhausted: even a free call is refused.
    assertThat(store.reserve(id(), List.of(charge(k, 0, 10 * UNIT)), now(), later()).reserved())
        .isFalse();
  }

  @Test
  void tokenAndRequestCapsAreEnforced() {
    SlotKey k = key("a");
    SlotCharge tokens =
        new SlotCharge(k, 0, 60, 1, Long.MAX_VALUE, 100, Long.MAX_VALUE, 0, Long.MAX_VALUE);
    assertThat(store.reserve(id(), List.of(tokens), now(), later()).reserved()).isTrue();
    assertThat(store.reserve(id(), List.of(tokens), now(), later()).reserved()).isFalse();
    SlotKey r = key("r");
    SlotCharge req =
        new SlotCharge(r, 0, 0, 1, Long.MAX_VALUE, Long.MAX_VALUE, 2, 0, Long.MAX_VALUE);
    assertThat(store.reserve(id(), List.of(req), now(), later()).reserved()).isTrue();
    assertThat(store.reserve(id(), List.of(req), now(), later()).reserved()).isTrue();
    assertThat(store.reserve(id(), List.of(req), now(), later()).reserved()).isFalse();
  }

  @Test
  void releaseWithBilledAmountChargesOnlyThat() {
    SlotKey k = key("a");
    String id = id();
    store.reserve(id, List.of(charge(k, 5 * UNIT, 10 * UNIT)), now(), later());
    assertThat(store.settle(id, UNIT / 2, 0, 1, now())).isTrue();
    SlotState s = store.state(k, 0, now());
    assertThat(s.spentNanos()).isEqualTo(UNIT / 2);
    assertThat(s.reservedNanos()).isZero();
  }

  /** Reserves 5 units on {@code k} and 2 on {@code g} for one second, then lets it expire. */
  private String reserveAndOutlive(SlotKey k, SlotKey g) {
    String id = id();
    store.reserve(
        id,
        List.of(charge(k, 5 * UNIT, 10 * UNIT), charge(g, 2 * UNIT, 100 * UNIT)),
        now(),
        now() + 1_000);
    assertThat(store.expireReservations(now())).isZero();
    clock.advance(Duration.ofSeconds(2));
    assertThat(store.expireReservations(now())).isEqualTo(1);
    return id;
  }

  @Test
  void expiredReservationIsChargedInFullSoItsHeadroomIsNotHandedOn() {
    SlotKey k = key("a");
    SlotKey g = key("g");
    reserveAndOutlive(k, g);
    SlotState s = store.state(k, 0, now());
    assertThat(s.reservedNanos()).isZero();
    assertThat(s.spentNanos()).isEqualTo(5 * UNIT);
    assertThat(s.spentTokens()).isEqualTo(10);
    assertThat(s.spentRequests()).isEqualTo(1);
    assertThat(store.state(g, 0, now()).spentNanos()).isEqualTo(2 * UNIT);
    // The stream is still running: another call cannot take the headroom it held.
    assertThat(
            store.reserve(id(), List.of(charge(k, 6 * UNIT, 10 * UNIT)), now(), later()).reserved())
        .isFalse();
  }

  @Test
  void lateSettleReplacesTheChargeOfAnExpiredReservationOnce() {
    SlotKey k = key("a");
    SlotKey g = key("g");
    String id = reserveAndOutlive(k, g);
    assertThat(store.settle(id, UNIT, 7, 1, now())).isTrue();
    SlotState s = store.state(k, 0, now());
    assertThat(s.spentNanos()).isEqualTo(UNIT);
    assertThat(s.spentTokens()).isEqualTo(7);
    assertThat(s.spentRequests()).isEqualTo(1);
    assertThat(s.reservedNanos()).isZero();
    assertThat(store.state(g, 0, now()).spentNanos()).isEqualTo(UNIT);
    assertThat(store.settle(id, 3 * UNIT, 1, 1, now())).isFalse();
    assertThat(store.state(k, 0, now()).spentNanos()).isEqualTo(UNIT);
  }

  @Test
  void lateReleaseOfAnExpiredReservationChargesNothing() {
    SlotKey k = key("a");
    String id = id();
    store.reserve(id, List.of(charge(k, 5 * UNIT, 10 * UNIT)), now(), now() + 1_000);
    clock.advance(Duration.ofSeconds(2));
    store.expireReservations(now());
    assertThat(store.settle(id, 0, 0, 0, now())).isTrue();
    SlotState s = store.state(k, 0, now());
    assertThat(s.spentNanos()).isZero();
    assertThat(s.spentRequests()).isZero();
    assertThat(s.reservedNanos()).isZero();
  }

  @Test
  void topUpRaisesTheMoneyCap() {
    SlotKey k = key("a");
    store.addSpent(k, 10 * UNIT, 0, 0, 0, Long.MAX_VALUE, now());
    assertThat(store.reserve(id(), List.of(charge(k, UNIT, 10 * UNIT)), now(), later()).reserved())
        .isFalse();
    store.topUp(k, 5 * UNIT, Long.MAX_VALUE, now());
    assertThat(store.state(k, 0, now()).creditNanos()).isEqualTo(5 * UNIT);
    assertThat(store.reserve(id(), List.of(charge(k, UNIT, 10 * UNIT)), now(), later()).reserved())
        .isTrue();
  }

  @Test
  void rollingCountersForgetSpendOlderThanTheWindow() {
    SlotKey k = key("rolling");
    long bucket = 1_000; // 60 s window
    String first = id();
    SlotCharge c =
        new SlotCharge(
            k, UNIT, 0, 1, 3 * UNIT, Long.MAX_VALUE, Long.MAX_VALUE, bucket, now() + 120_000);
    store.reserve(first, List.of(c), now(), later());
    store.settle(first, UNIT, 0, 1, now());
    clock.advance(Duration.ofSeconds(30));
    String second = id();
    store.reserve(second, List.of(c), now(), later());
    store.settle(second, 2 * UNIT, 0, 1, now());
    assertThat(store.state(k, bucket, now()).spentNanos()).isEqualTo(3 * UNIT);
    assertThat(store.reserve(id(), List.of(c), now(), later()).reserved()).isFalse();
    clock.advance(Duration.ofSeconds(31)); // the first call left the window
    assertThat(store.state(k, bucket, now()).spentNanos()).isEqualTo(2 * UNIT);
    clock.advance(Duration.ofSeconds(30)); // and the second
    assertThat(store.state(k, bucket, now()).spentNanos()).isZero();
  }

  @Test
  void seededSpendCountsAgainstCaps() {
    SlotKey k = key("seeded");
    store.addSpent(k, 8 * UNIT, 100, 4, 0, Long.MAX_VALUE, now());
    assertThat(store.state(k, 0, now())).isEqualTo(new SlotState(8 * UNIT, 0, 100, 0, 4, 0, 0));
    assertThat(
            store.reserve(id(), List.of(charge(k, 3 * UNIT, 10 * UNIT)), now(), later()).reserved())
        .isFalse();
  }

  @Test
  void concurrentReservationsNeverPassTheCap() throws Exception {
    SlotKey k = key("hot");
    SlotKey other = key("other");
    int threads = 16;
    AtomicInteger admitted = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      futures.add(
          pool.submit(
              () -> {
                start.await();
                for (int i = 0; i < 50; i++) {
                  String id = id();
                  ReserveResult r =
                      store.reserve(
                          id,
                          List.of(charge(other, UNIT, Long.MAX_VALUE), charge(k, UNIT, 100 * UNIT)),
                          now(),
                          later());
                  if (r.reserved()) {
                    admitted.incrementAndGet();
                    store.settle(id, UNIT, 1, 1, now());
                  }
                }
                return null;
              }));
    }
    start.countDown();
    for (var f : futures) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertThat(admitted.get()).isEqualTo(100);
    assertThat(store.state(k, 0, now()).spentNanos()).isEqualTo(100 * UNIT);
    assertThat(store.state(other, 0, now()).spentNanos()).isEqualTo(100 * UNIT);
    assertThat(store.state(k, 0, now()).reservedNanos()).isZero();
  }
}
