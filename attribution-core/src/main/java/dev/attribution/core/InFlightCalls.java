package dev.attribution.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The engine's calls that are started and not yet finished, so that {@link
 * AttributionEngine#close()} can finish each (as cancelled) before the sinks drain. It holds call
 * states only, never response bodies, so an abandoned body still becomes unreachable and is noticed
 * by its cleaner.
 *
 * <p>Cheap on the hot path: the calls are linked through their own fields (no node, no allocation),
 * in one of {@value #STRIPES} lists each with its own lock, picked by a number the call drew when
 * it was made, so threads rarely meet on a lock. Bounded: at most {@value #PER_STRIPE} calls per
 * list; a call beyond that is not registered (the cleaner and the reservation timeout still apply
 * to it), and that is logged.
 */
final class InFlightCalls {

  static final int STRIPES = 16;
  static final int PER_STRIPE = 4096;

  private final Stripe[] stripes = new Stripe[STRIPES];
  private final int perStripe;
  private final AtomicBoolean fullReported = new AtomicBoolean();
  private final Runnable onFull;

  InFlightCalls(int perStripe, Runnable onFull) {
    this.perStripe = perStripe;
    this.onFull = onFull;
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Stripe();
    }
  }

  /** One list, guarded by its own monitor. */
  private static final class Stripe {
    @Nullable EngineCall head;
    int size;
  }

  private Stripe stripe(EngineCall c) {
    return stripes[c.inFlightSlot & (STRIPES - 1)];
  }

  /** Registers a started call; {@code false} when the registry is full. */
  boolean add(EngineCall c) {
    Stripe s = stripe(c);
    synchronized (s) {
      if (s.size >= perStripe) {
        if (fullReported.compareAndSet(false, true)) {
          onFull.run();
        }
        return false;
      }
      EngineCall head = s.head;
      c.inFlightNext = head;
      c.inFlightPrev = null;
      if (head != null) {
        head.inFlightPrev = c;
      }
      s.head = c;
      s.size++;
      c.inFlight = true;
      return true;
    }
  }

  /** Unregisters a finished call; a no-op for a call not registered. */
  void remove(EngineCall c) {
    Stripe s = stripe(c);
    synchronized (s) {
      if (!c.inFlight) {
        return;
      }
      EngineCall prev = c.inFlightPrev;
      EngineCall next = c.inFlightNext;
      if (prev != null) {
        prev.inFlightNext = next;
      } else {
        s.head = next;
      }
      if (next != null) {
        next.inFlightPrev = prev;
      }
      c.inFlightPrev = null;
      c.inFlightNext = null;
      c.inFlight = false;
      s.size--;
    }
  }

  /** The calls registered now; each list is copied under its lock, none is finished under it. */
  List<EngineCall> snapshot() {
    List<EngineCall> out = new ArrayList<>();
    for (Stripe s : stripes) {
      synchronized (s) {
        for (EngineCall c = s.head; c != null; c = c.inFlightNext) {
          out.add(c);
        }
      }
    }
    return out;
  }

  /** How many calls are registered; for tests. */
  int size() {
    int n = 0;
    for (Stripe s : stripes) {
      synchronized (s) {
        n += s.size;
      }
    }
    return n;
  }
}
