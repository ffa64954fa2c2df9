package dev.attribution.api;

import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/** The thread-local slot behind {@link Attribution}; package-private machinery. */
final class ScopeStorage {

  private static final System.Logger LOG = System.getLogger(Attribution.class.getName());
  private static final ThreadLocal<@Nullable Frame> CURRENT = new ThreadLocal<>();
  private static final AtomicLong OUT_OF_ORDER_CLOSES = new AtomicLong();

  private ScopeStorage() {}

  /** One open scope: its context and the frame it replaced. */
  static final class Frame implements AttributionScope {
    private final AttributionContext context;
    private final @Nullable Frame previous;
    private final Thread owner;
    private boolean closed;

    Frame(AttributionContext context, @Nullable Frame previous) {
      this.context = context;
      this.previous = previous;
      this.owner = Thread.currentThread();
    }

    @Override
    public AttributionContext context() {
      return context;
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      if (Thread.currentThread() != owner || CURRENT.get() != this) {
        long n = OUT_OF_ORDER_CLOSES.incrementAndGet();
        if (n == 1 || Long.bitCount(n) == 1) {
          LOG.log(
              Level.WARNING,
              "Attribution scope closed out of order or on another thread (seen {0} times); "
                  + "ignored. Close scopes in try-with-resources on the thread that opened them.",
              n);
        }
        return;
      }
      closed = true;
      if (previous == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
      }
    }
  }

  static AttributionContext current() {
    Frame f = CURRENT.get();
    return f == null ? AttributionContext.empty() : f.context;
  }

  static AttributionScope open(AttributionContext context, boolean merge) {
    Frame prev = CURRENT.get();
    AttributionContext effective =
        merge && prev != null ? context.mergedOnto(prev.context) : context;
    Frame f = new Frame(effective, prev);
    CURRENT.set(f);
    return f;
  }

  /**
   * Installs {@code context} as the whole current context and returns a handle that restores
   * exactly what was there before, whatever the task in between opened and forgot to close.
   */
  static Restorer replace(AttributionContext context) {
    Frame prev = CURRENT.get();
    if (context.isEmpty()) {
      CURRENT.remove();
    } else {
      CURRENT.set(new Frame(context, null));
    }
    return new Restorer(prev);
  }

  static long outOfOrderCloses() {
    return OUT_OF_ORDER_CLOSES.get();
  }

  /** Puts back the frame that was current before a {@link #replace}. */
  static final class Restorer {
    private final @Nullable Frame previous;

    Restorer(@Nullable Frame previous) {
      this.previous = previous;
    }

    void restore() {
      if (previous == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
      }
    }
  }
}
