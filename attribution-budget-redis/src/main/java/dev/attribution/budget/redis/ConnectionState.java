package dev.attribution.budget.redis;

import dev.attribution.api.BudgetEvent;
import dev.attribution.api.BudgetListener;
import dev.attribution.api.internal.RateLimitedLogger;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.LoggerFactory;

/**
 * Whether the store currently uses Redis, and what it tells about changes: a failed operation
 * switches to disconnected (once, with a {@link BudgetEvent.Type#STORE_STATE_CHANGED} event and a
 * rate-limited warning); only the probe thread switches back, under {@link #recoverLock}, after it
 * reconciled. Also the failure counters and the store's one rate-limited logger.
 */
final class ConnectionState {

  private final RedisBudgetStore.FailureMode failureMode;
  private final Clock clock;
  private final BudgetListener listener;
  private volatile boolean connected;

  /** Held while reconciling or replaying, so the two never run at once. */
  final ReentrantLock recoverLock = new ReentrantLock();

  final AtomicLong redisFailures = new AtomicLong();
  final AtomicLong disconnects = new AtomicLong();
  final AtomicLong listenerFailures = new AtomicLong();
  final RateLimitedLogger warnings =
      new RateLimitedLogger(LoggerFactory.getLogger(RedisBudgetStore.class), 60_000);

  ConnectionState(RedisBudgetStore.FailureMode failureMode, Clock clock, BudgetListener listener) {
    this.failureMode = failureMode;
    this.clock = clock;
    this.listener = listener;
  }

  boolean connected() {
    return connected;
  }

  /** The first connection succeeded (no event: nothing changed). */
  void startConnected() {
    connected = true;
  }

  /** The first connection failed: start disconnected (no event: nothing changed). */
  void startDisconnected(RuntimeException e) {
    connected = false;
    disconnects.incrementAndGet();
    warnings.warn("Redis budget store starts disconnected: {}", e.toString());
  }

  /** Reconciled after an outage: use Redis again and say so. Caller holds {@link #recoverLock}. */
  void reconnected(String message) {
    connected = true;
    emit(message);
  }

  /** An operation failed for {@code reason}; switches to disconnected unless already. */
  void disconnect(String reason) {
    redisFailures.incrementAndGet();
    if (!connected) {
      return;
    }
    synchronized (this) {
      if (!connected) {
        return;
      }
      connected = false;
    }
    disconnects.incrementAndGet();
    warnings.warn("Redis budget store disconnected ({}): {}", failureMode, reason);
    emit(
        "Redis budget store disconnected: "
            + reason
            + (failureMode == RedisBudgetStore.FailureMode.FAIL_OPEN
                ? "; admitting against the local shadow"
                : "; refusing reservations"));
  }

  /** Redis lost its data since this instance last wrote. */
  void dataLost() {
    disconnect("Redis lost its budget data");
  }

  /** An operation failed while already disconnected (or without changing the state). */
  void failed() {
    redisFailures.incrementAndGet();
  }

  RedisStoreUnavailableException unavailable() {
    return new RedisStoreUnavailableException("Redis budget store is disconnected");
  }

  private void emit(String message) {
    try {
      listener.onEvent(
          BudgetEvent.builder(
                  BudgetEvent.Type.STORE_STATE_CHANGED, Instant.ofEpochMilli(clock.millis()))
              .message(message)
              .build());
    } catch (RuntimeException | LinkageError e) {
      listenerFailures.incrementAndGet();
      warnings.warn("budget listener failed on STORE_STATE_CHANGED: {}", e.toString());
    }
  }
}
