package dev.attribution.sink.otlp;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Counts a recurring problem and logs it sparsely: the 1st, 2nd, 4th, 8th ... occurrence, so a
 * fault that repeats on every record costs a logarithmic number of log lines. Thread-safe.
 */
final class SinkWarnings {

  private final Logger logger;
  private final AtomicLong count = new AtomicLong();

  SinkWarnings(Logger logger) {
    this.logger = logger;
  }

  /** Counts one occurrence and logs {@code message} (an SLF4J pattern) if it is a power of two. */
  void warn(String message, Object... args) {
    long n = count.incrementAndGet();
    if ((n & (n - 1)) == 0) {
      logger.warn(message + " (occurrence {})", append(args, n));
    }
  }

  long count() {
    return count.get();
  }

  private static Object[] append(Object[] args, long n) {
    // A trailing Throwable must stay last for SLF4J to print its stack trace.
    Object[] out = new Object[args.length + 1];
    boolean throwableLast = args.length > 0 && args[args.length - 1] instanceof Throwable;
    int plain = throwableLast ? args.length - 1 : args.length;
    System.arraycopy(args, 0, out, 0, plain);
    out[plain] = n;
    if (throwableLast) {
      out[args.length] = args[args.length - 1];
    }
    return out;
  }
}
