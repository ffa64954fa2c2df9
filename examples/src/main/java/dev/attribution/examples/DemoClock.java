package dev.attribution.examples;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's clock: real time shifted into the past by an offset the traffic driver sets, so two
 * weeks of traffic can be simulated in seconds while latencies and windows still move forward in
 * real time. The engine, the budgets and prices all read it, as they would read a production clock.
 */
final class DemoClock extends Clock {

  private final Clock real;
  private final AtomicLong offsetMillis = new AtomicLong();

  /** A clock over {@code real} that starts at {@code start}. */
  DemoClock(Clock real, Instant start) {
    this.real = real;
    offsetMillis.set(Math.max(0, real.millis() - start.toEpochMilli()));
  }

  /** Moves the clock so that it now reads {@code target}; it never moves backwards. */
  void set(Instant target) {
    long wanted = real.millis() - target.toEpochMilli();
    offsetMillis.accumulateAndGet(Math.max(0, wanted), Math::min);
  }

  /** The real time, unshifted. */
  Instant realNow() {
    return real.instant();
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    if (zone.equals(ZoneOffset.UTC)) {
      return this;
    }
    throw new UnsupportedOperationException("the demo clock is UTC only");
  }

  @Override
  public long millis() {
    return real.millis() - offsetMillis.get();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis());
  }
}
