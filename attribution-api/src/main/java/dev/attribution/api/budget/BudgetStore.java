package dev.attribution.api.budget;

import java.util.List;

/**
 * Where budget counters live: in memory ({@link InMemoryBudgetStore}, the default) or in a shared
 * store such as Redis, so that several replicas enforce one cap.
 *
 * <p>The contract is built from single atomic operations so a remote store can implement each as
 * one round trip (e.g. one Lua script):
 *
 * <ul>
 *   <li>{@link #reserve} checks every charge against its counter and either reserves all of them or
 *       none; it also remembers the reservation under its id until it is settled or expires.
 *   <li>{@link #settle} replaces a reservation by actual amounts on every counter it touched, once:
 *       a second settle of the same id changes nothing and returns {@code false}.
 *   <li>{@link #expireReservations} charges a reservation that outlived its expiry in full, and a
 *       later settle of it replaces that charge by the actual amounts, so an expiry never frees
 *       headroom that the call then spends.
 * </ul>
 *
 * <p>Money is in nano-units (1e-9 of the budget's currency). Times are epoch milliseconds from the
 * engine's clock; a store must not read a clock of its own for budget logic. Counters of rolling
 * windows ({@code bucketMillis > 0}) keep settled amounts in buckets of that width and count only
 * the last {@value #ROLLING_BUCKETS} buckets up to now; reserved amounts are not bucketed. Every
 * store must pass {@code BudgetStoreContractTest} (in attribution-test-support).
 *
 * <p>Implementations are thread-safe. Methods may throw on infrastructure failure; the engine
 * catches that and applies its failure policy.
 */
public interface BudgetStore extends AutoCloseable {

  /**
   * How many buckets a rolling window is divided into; a counter with {@code bucketMillis > 0}
   * counts the settled amounts of the last this-many buckets.
   */
  int ROLLING_BUCKETS = 60;

  /**
   * Reserves every charge, or none if any does not {@linkplain SlotCharge#fits fit}.
   *
   * @param reservationId unique id of this reservation, used by {@link #settle}
   * @param charges the counters to charge; at least one, each key at most once
   * @param nowMillis the engine's clock
   * @param expiresAtMillis when the reservation lapses if not settled ({@link #expireReservations})
   */
  ReserveResult reserve(
      String reservationId, List<SlotCharge> charges, long nowMillis, long expiresAtMillis);

  /**
   * Replaces the reservation by actual amounts, applied to each of its counters: the reserved
   * amounts are removed and {@code nanos}, {@code tokens}, {@code requests} are added to spent.
   * Releasing is a settle with what the provider billed (often zero).
   *
   * @return {@code true} if the reservation was open, or expired and not yet settled (then the
   *     amounts charged at expiry are replaced by these); {@code false} if unknown or already
   *     settled (then nothing changes)
   */
  boolean settle(String reservationId, long nanos, long tokens, long requests, long nowMillis);

  /**
   * Ends reservations whose expiry is at or before {@code nowMillis} by charging their reserved
   * amounts as spent: a call that outlives its reservation (a long stream, a response never closed)
   * may well have been billed, and freeing its headroom would let other calls spend it. A {@link
   * #settle} of such a reservation that arrives later (within a day) replaces the charged amounts
   * by the actual ones and returns {@code true}.
   *
   * @return how many were ended
   */
  int expireReservations(long nowMillis);

  /**
   * The counter's current state; {@link SlotState#EMPTY} if nothing was ever recorded.
   *
   * @param bucketMillis the bucket width for rolling windows, else 0
   */
  SlotState state(SlotKey key, long bucketMillis, long nowMillis);

  /**
   * Adds already-spent amounts to a counter (seeding at start-up), outside any reservation and
   * ignoring caps.
   */
  void addSpent(
      SlotKey key,
      long nanos,
      long tokens,
      long requests,
      long bucketMillis,
      long expiresAtMillis,
      long nowMillis);

  /** Raises a counter's credit (a lifetime budget's balance) by {@code nanos}. */
  void topUp(SlotKey key, long nanos, long expiresAtMillis, long nowMillis);

  /**
   * Whether this store refuses operations (throws) when its backend is unreachable, so the engine
   * should block hard-capped calls then; the engine's default for {@code failClosed}. The default
   * {@code false} suits stores that cannot fail (in memory) or fall back on their own.
   */
  default boolean failsClosed() {
    return false;
  }

  /** Releases resources; the default does nothing. */
  @Override
  default void close() {}
}
