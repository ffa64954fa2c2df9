package dev.attribution.budget.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.budget.SlotCharge;
import dev.attribution.api.budget.SlotKey;
import dev.attribution.api.budget.SlotState;
import dev.attribution.testing.MutableClock;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A call that outlives its reservation is charged its estimate at expiry; when it settles later
 * (within a day) its real cost replaces that charge, as the {@code BudgetStore} contract says. The
 * contract test covers a plain Redis reservation while connected; these cover the other paths.
 */
class LateSettleTest {

  private static final long UNIT = 1_000_000_000L;

  private final String prefix = RedisTestSupport.uniquePrefix("late-settle");
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-10T12:00:00Z"));

  @AfterEach
  void deleteKeys() {
    RedisTestSupport.deleteKeys(prefix);
  }

  private static SlotCharge charge(SlotKey k, long nanos) {
    return new SlotCharge(
        k, nanos, 0, 1, 100 * UNIT, Long.MAX_VALUE, Long.MAX_VALUE, 0, Long.MAX_VALUE);
  }

  @Test
  void leaseCallSettledAfterItsExpiryIsChargedItsRealCost() {
    try (RedisBudgetStore store =
        RedisBudgetStore.builder()
            .client(RedisTestSupport.client(), true)
            .keyPrefix(prefix)
            .clock(clock)
            .probeInterval(Duration.ofHours(1)) // the test drives maintenance itself
            .lease(new BigDecimal("10"), 0, 100)
            .leaseDuration(Duration.ofSeconds(5))
            .build()) {
      SlotKey k = new SlotKey("cap", "global", 0);
      long now = clock.millis();
      // Two calls admitted from one lease, estimated at 2 units each, with 30 s to settle.
      assertThat(store.reserve("over", List.of(charge(k, 2 * UNIT)), now, now + 30_000).reserved())
          .isTrue();
      assertThat(store.reserve("under", List.of(charge(k, 2 * UNIT)), now, now + 30_000).reserved())
          .isTrue();
      assertThat(store.stats().leaseAdmissions()).isEqualTo(2);

      clock.advance(Duration.ofMinutes(1)); // both calls expired; the lease aged and is returned
      long later = clock.millis();
      store.expireReservations(later);
      store.expireReservations(later);
      assertThat(store.state(k, 0, later))
          .as("each expired call is charged its estimate, the lease is back")
          .isEqualTo(new SlotState(4 * UNIT, 0, 0, 0, 2, 0, 0));

      // The streams end now: one cost more than estimated, one less.
      assertThat(store.settle("over", 3 * UNIT, 0, 1, later)).isTrue();
      assertThat(store.settle("under", UNIT / 2, 0, 1, later)).isTrue();
      assertThat(store.state(k, 0, later).spentNanos()).isEqualTo(3 * UNIT + UNIT / 2);
      // Once only: a second settle changes nothing.
      assertThat(store.settle("over", 3 * UNIT, 0, 1, later)).isFalse();
      assertThat(store.state(k, 0, later).spentNanos()).isEqualTo(3 * UNIT + UNIT / 2);
    }
  }

  @Test
  void redisReservationSettledLateWhileRedisIsUnreachableIsReplayedWithItsRealCost()
      throws InterruptedException {
    CuttableClient client = new CuttableClient();
    try (RedisBudgetStore store =
        RedisBudgetStore.builder()
            .client(client, true)
            .keyPrefix(prefix)
            .clock(clock)
            .probeInterval(Duration.ofMillis(20))
            .build()) {
      SlotKey k = new SlotKey("cap", "global", 0);
      long now = clock.millis();
      assertThat(store.reserve("r1", List.of(charge(k, 5 * UNIT)), now, now + 30_000).reserved())
          .isTrue();
      clock.advance(Duration.ofMinutes(1));
      long later = clock.millis();
      store.expireReservations(later);
      assertThat(store.state(k, 0, later).spentNanos()).isEqualTo(5 * UNIT);

      client.down = true;
      // The stream ends while Redis cannot be reached: journaled, not dropped.
      assertThat(store.settle("r1", 3 * UNIT, 0, 1, later)).isTrue();
      assertThat(store.status()).isEqualTo(RedisBudgetStore.Status.DISCONNECTED);
      assertThat(store.stats().journaled()).isEqualTo(1);
      client.down = false;

      awaitReconciled(store);
      assertThat(store.state(k, 0, later).spentNanos()).isEqualTo(3 * UNIT);
    }
  }

  private static void awaitReconciled(RedisBudgetStore store) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while ((store.status() != RedisBudgetStore.Status.CONNECTED || store.stats().journaled() > 0)
        && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(store.status()).isEqualTo(RedisBudgetStore.Status.CONNECTED);
    assertThat(store.stats().journaled()).isZero();
  }
}
