package dev.attribution.api;

import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/** The thread-local slot behind {@link Attribution}; package-private machinery. */
final class ScopeStorage {

  /**
   * System property that makes every scope remember where it was opened, so leak and out-of-order
   * reports show the stack that opened the scope: {@code -Ddev.attribution.debugScopes=true}.
   */
  static final String DEBUG_PROPERTY = "dev.attribution.debugScopes";

  private static final String LOGGER = Attribution.class.getName();
  private static final ThreadLocal<@Nullable Frame> CURRENT = new ThreadLocal<>();
  private static final ThreadLocal<Boolean> LEAK_REPORTED = new ThreadLocal<>();
  private static final AtomicLong OUT_OF_ORDER_CLOSES = new AtomicLong();
  private static final AtomicLong LEAKED_SCOPES = new AtomicLong();

  private ScopeStorage() {}

  /** One open scope: its context and the frame it replaced. */
  static final class Frame implements AttributionScope {
    private final AttributionContext context;
    private final @Nullable Frame previous;
    private final Thread owner;
    private final boolean installedByWrap;
    private final @Nullable Throwable openedAt;
    private boolean closed;

    Frame(AttributionContext context, @Nullable Frame previous, boolean installedByWrap) {
      this.context = context;
      this.previous = previous;
      this.owner = Thread.currentThread();
      this.installedByWrap = installedByWrap;
      this.openedAt =
          Boolean.getBoolean(DEBUG_PROPERTY) ? new Throwable("the scope was opened here") : null;
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
          ApiLog.warn(
              LOGGER,
              "Attribution scope closed out of order or on another thread (seen "
                  + n
                  + " times); ignored. Close scopes in try-with-resources on the thread that"
                  + " opened them."
                  + (openedAt == null ? " Set -D" + DEBUG_PROPERTY + "=true to see where." : ""),
              openedAt);
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
    if (!merge && prev != null && !prev.installedByWrap) {
      reportLeak(prev);
    }
    AttributionContext effective =
        merge && prev != null ? context.mergedOnto(prev.context) : context;
    Frame f = new Frame(effective, prev, false);
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
      CURRENT.set(new Frame(context, null, true));
    }
    return new Restorer(prev);
  }

  /**
   * {@code openIsolated} belongs at a request boundary, where nothing should be open: a scope still
   * open there was left behind by an earlier task on this pooled thread. The new scope hides it,
   * but the leak is a bug worth a warning, once per thread so a leaking filter cannot flood logs.
   */
  private static void reportLeak(Frame leaked) {
    LEAKED_SCOPES.incrementAndGet();
    if (LEAK_REPORTED.get() != null) {
      return;
    }
    LEAK_REPORTED.set(Boolean.TRUE);
    ApiLog.warn(
        LOGGER,
        "Attribution scope leaked on thread '"
            + Thread.currentThread().getName()
            + "': openIsolated found a scope still open that an earlier task on this thread never"
            + " closed; the new scope hides it. Close every scope in try-with-resources."
            + " Reported once per thread"
            + (leaked.openedAt == null
                ? "; set -D" + DEBUG_PROPERTY + "=true to see where the leaked scope was opened."
                : "; the leaked scope was opened at the stack below."),
        leaked.openedAt);
  }

  static long outOfOrderCloses() {
    return OUT_OF_ORDER_CLOSES.get();
  }

  static long leakedScopes() {
    return LEAKED_SCOPES.get();
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
