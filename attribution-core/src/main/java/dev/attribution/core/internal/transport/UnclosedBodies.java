package dev.attribution.core.internal.transport;

import dev.attribution.core.transport.LlmCall;
import java.lang.ref.Cleaner;

/**
 * Finishes the call of a response body the application dropped unfinished: read halfway (or not at
 * all) and forgotten without {@code close()}. Each adapter registers the object the application
 * holds while it reads (the OkHttp body, the anthropic-java response, the stream handed to the
 * SDK); when the garbage collector finds it unreachable while its call is unfinished, the call is
 * finished as abandoned ({@link LlmCall#abandoned()}) on one shared daemon thread, so its record is
 * written and its reservation settled.
 *
 * <p>The cleaning action holds the call only, never the watched object (else it could never become
 * unreachable). A body finished normally releases its registration ({@link Cleaner.Cleanable#clean}
 * runs the action then, a no-op on a finished call), so the cleaner holds nothing for finished
 * calls. Whichever finishes first wins: the call itself records once.
 *
 * <p>This only works where nothing but the application holds the watched object: a client that
 * keeps the object reachable itself (the JDK {@code HttpClient} holds its body subscriber while the
 * connection is open, as the AWS SDK's async client does its publisher's subscriber) is never
 * noticed here; such calls are finished by the engine's {@code close()}.
 */
public final class UnclosedBodies {

  private UnclosedBodies() {}

  /** Created on first use: an application that never streams starts no thread. */
  private static final class Shared {
    static final Cleaner CLEANER =
        Cleaner.create(
            r -> {
              Thread t = new Thread(r, "attribution-unclosed-bodies");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Finishes {@code call} as abandoned when {@code body} becomes unreachable before the call is
   * finished. Call {@link Cleaner.Cleanable#clean()} on the result once the call is finished
   * normally, so nothing stays registered. Never throws.
   *
   * @param body what the application holds while it reads the response
   * @param call the call to finish; must not reference {@code body}
   * @return the registration
   */
  public static Cleaner.Cleanable watch(Object body, LlmCall call) {
    return Shared.CLEANER.register(body, new Abandon(call));
  }

  /** The cleaning action: holds the call, never the body. */
  private static final class Abandon implements Runnable {
    private final LlmCall call;

    Abandon(LlmCall call) {
      this.call = call;
    }

    @Override
    public void run() {
      try {
        call.abandoned();
      } catch (Throwable e) {
        // LlmCall never throws; the cleaner thread must survive whatever happens anyway.
      }
    }
  }
}
