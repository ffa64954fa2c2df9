package dev.attribution.budget.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attribution.api.budget.BudgetStatus;
import dev.attribution.api.budget.BudgetStore;
import dev.attribution.api.budget.SlotCharge;
import dev.attribution.api.budget.SlotKey;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetPeriod;
import dev.attribution.core.internal.budget.Admission;
import dev.attribution.core.internal.budget.AdmissionRequest;
import dev.attribution.core.internal.budget.BudgetEngine;
import dev.attribution.testing.BudgetStoreContractTest;
import dev.attribution.testing.MutableClock;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

/** The shared store contract, against the real Redis, plus what only a Redis store does. */
class RedisBudgetStoreContractTest extends BudgetStoreContractTest {

  private String redisPrefix;

  @Override
  protected BudgetStore createStore(MutableClock clock) {
    redisPrefix = RedisTestSupport.uniquePrefix("contract");
    return RedisBudgetStore.builder()
        .client(RedisTestSupport.client(), true)
        .keyPrefix(redisPrefix)
        .clock(clock)
        .build();
  }

  @AfterEach
  void deleteKeys() {
    RedisTestSupport.deleteKeys(redisPrefix);
  }

  private SlotCharge charge(SlotKey k, long nanos, long cap, long expiresAt) {
    return new SlotCharge(k, nanos, 0, 1, cap, Long.MAX_VALUE, Long.MAX_VALUE, 0, expiresAt);
  }

  @Test
  void periodCountersExpireWhenThePeriodIsOver() {
    SlotKey k = new SlotKey("day", "tenant=a", clock.millis());
    long now = clock.millis();
    store.reserve("r1", List.of(charge(k, UNIT, 10 * UNIT, now + 90_000)), now, now + 30_000);
    try (JedisPooled j = RedisTestSupport.client()) {
      long ttl = j.pttl(redisPrefix + "s:" + k.asString());
      assertThat(ttl).isBetween(80_000L, 90_000L);
    }
  }

  @Test
  void lifetimeCountersDoNotExpire() {
    SlotKey k = new SlotKey("life", "tenant=a", 0);
    long now = clock.millis();
    store.reserve("r1", List.of(charge(k, UNIT, 10 * UNIT, Long.MAX_VALUE)), now, now + 30_000);
    store.settle("r1", UNIT, 0, 1, now);
    try (JedisPooled j = RedisTestSupport.client()) {
      assertThat(j.pttl(redisPrefix + "s:" + k.asString())).isEqualTo(-1L);
    }
  }

  @Test
  void largeAmountsStayExact() {
    // 4.5 million units in nano-units has 16 digits: beyond what Lua prints exactly as a number.
    SlotKey k = key("large");
    long now = clock.millis();
    long big = 4_500_000L * UNIT + 123_456_789L;
    long cap = 9_000_000L * UNIT;
    store.reserve("big1", List.of(charge(k, big, cap, Long.MAX_VALUE)), now, now + 60_000);
    assertThat(store.settle("big1", big - 1, 0, 1, now)).isTrue();
    assertThat(store.state(k, 0, now).spentNanos()).isEqualTo(big - 1);
    assertThat(store.state(k, 0, now).reservedNanos()).isZero();
    assertThat(
            store
                .reserve("big2", List.of(charge(k, cap - big + 2, cap, Long.MAX_VALUE)), now, now)
                .reserved())
        .isFalse();
    assertThat(
            store
                .reserve("big3", List.of(charge(k, cap - big + 1, cap, Long.MAX_VALUE)), now, now)
                .reserved())
        .isTrue();
  }

  @Test
  void reusingAnOpenReservationIdIsRejectedWithoutEffect() {
    SlotKey k = key("dup");
    long now = clock.millis();
    SlotCharge c = charge(k, UNIT, Long.MAX_VALUE, Long.MAX_VALUE);
    store.reserve("same", List.of(c), now, now + 1000);
    assertThatThrownBy(() -> store.reserve("same", List.of(c), now, now + 1000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("same");
    assertThat(store.state(k, 0, now).reservedNanos()).isEqualTo(UNIT);
  }

  @Test
  void storeIsConnectedAndCountsNothingWhenHealthy() {
    RedisBudgetStore s = (RedisBudgetStore) store;
    assertThat(s.status()).isEqualTo(RedisBudgetStore.Status.CONNECTED);
    assertThat(s.stats().redisFailures()).isZero();
  }

  @Test
  void builderNamesTheBadField() {
    assertThatThrownBy(() -> RedisBudgetStore.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("client:");
    try (JedisPooled j = RedisTestSupport.client()) {
      assertThatThrownBy(() -> RedisBudgetStore.builder().client(j, false).keyPrefix("").build())
          .hasMessageStartingWith("keyPrefix:");
      assertThatThrownBy(
              () ->
                  RedisBudgetStore.builder().client(j, false).lease(BigDecimal.ZERO, 0, 0).build())
          .hasMessageStartingWith("lease:");
    }
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
