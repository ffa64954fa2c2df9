package dev.attribution.budget.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.budget.SlotCharge;
import dev.attribution.api.budget.SlotKey;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

/** During an outage in fail-open mode, a call that outlives its reservation still gets charged. */
class ShadowLateSettleTest {

  private static final long UNIT = 1_000_000_000L;

  @Test
  void shadowReservationSettledAfterItsExpiryIsJournaledForRedis() {
    try (RedisBudgetStore store =
        RedisBudgetStore.builder()
            // Nothing listens on port 1: the store runs on its shadow.
            .client(new JedisPooled("127.0.0.1", 1), true)
            .keyPrefix(RedisTestSupport.uniquePrefix("shadow-late"))
            .failureMode(RedisBudgetStore.FailureMode.FAIL_OPEN)
            .probeInterval(Duration.ofSeconds(60))
            .build()) {
      SlotKey k = new SlotKey("cap", "global", 0);
      SlotCharge c =
          new SlotCharge(
              k, 5 * UNIT, 10, 1, 10 * UNIT, Long.MAX_VALUE, Long.MAX_VALUE, 0, Long.MAX_VALUE);
      long now = 1_000_000L;
      assertThat(store.reserve("r1", List.of(c), now, now + 1_000).reserved()).isTrue();
      store.expireReservations(now + 2_000);
      // The stream ends after its reservation expired: its real cost must not be lost.
      long journaled = store.stats().journaled();
      assertThat(store.settle("r1", 3 * UNIT, 7, 1, now + 3_000)).isTrue();
      assertThat(store.stats().journaled()).isEqualTo(journaled + 1);
      assertThat(store.state(k, 0, now + 3_000).spentNanos()).isEqualTo(3 * UNIT);
    }
  }
}
