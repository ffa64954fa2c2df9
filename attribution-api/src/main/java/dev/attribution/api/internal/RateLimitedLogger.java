package dev.attribution.api.internal;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs a warning at most once per interval per instance, with the number of occurrences since the
 * last one, so a fault that repeats on every request produces a trickle of log lines, not a flood.
 * Thread-safe and lock-free.
 */
public final class RateLimitedLogger {

  private final Logger logger;
  private final long intervalNanos;
  private final AtomicLong nextAllowed = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong suppressed = new AtomicLong();

  /** Logs through {@code logger} at most once per {@code intervalMillis}. */
  public RateLimitedLogger(Logger logger, long intervalMillis) {
    this.logger = logger;
    this.intervalNanos = intervalMillis * 1_000_000L;
  }

  /**
   * Logs {@code message} (an SLF4J pattern) at WARN unless another warning was logged within the
   * interval; then only counts it. Control characters in string arguments are escaped ({@link
   * ControlChars}), so untrusted values cannot forge log lines.
   */
  public void warn(String message, Object... args) {
    long now = System.nanoTime();
    long next = nextAllowed.get();
    if ((next != Long.MIN_VALUE && now - next < 0)
        || !nextAllowed.compareAndSet(next, now + intervalNanos)) {
      suppressed.incrementAndGet();
      return;
    }
    long skipped = suppressed.getAndSet(0);
    Object[] safe = escaped(args);
    if (skipped > 0) {
      logger.warn(message + " ({} similar warnings suppressed)", append(safe, skipped));
    } else {
      logger.warn(message, safe);
    }
  }

  private static Object[] escaped(Object[] args) {
    Object[] out = args;
    for (int i = 0; i < args.length; i++) {
      if (args[i] instanceof CharSequence) {
        String s = args[i].toString();
        String e = ControlChars.escape(s);
        if (!e.equals(s)) {
          if (out == args) {
            out = args.clone();
          }
          out[i] = e;
        }
      }
    }
    return out;
  }

  private static Object[] append(Object[] args, long skipped) {
    // Keep a trailing Throwable last so SLF4J still prints its stack trace.
    Object[] out = new Object[args.length + 1];
    if (args.length > 0 && args[args.length - 1] instanceof Throwable) {
      System.arraycopy(args, 0, out, 0, args.length - 1);
      out[args.length - 1] = skipped;
      out[args.length] = args[args.length - 1];
    } else {
      System.arraycopy(args, 0, out, 0, args.length);
      out[args.length] = skipped;
    }
    return out;
  }
}
