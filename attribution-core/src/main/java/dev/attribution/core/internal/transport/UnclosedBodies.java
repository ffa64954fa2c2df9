package dev.attribution.core.internal.transport;

import dev.attribution.core.transport.LlmCall;
import java.lang.ref.Cleaner;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes the call of a response body the application dropped unfinished: read halfway (or not at
 * all) and forgotten without {@code close()}. Each adapter registers the object the application
 * holds while it reads (the OkHttp body, the anthropic-java response, the stream handed to the
 * SDK); when the garbage collector finds it unreachable while its call is unfinished, the call is
 * finished as abandoned ({@link LlmCall#abandoned()}) on one shared daemon thread, so its record is
 * written and its reservation settled.
 *
 * <p>The cleaning action holds the call only, never the watched object (else it could never become
 * unreachable). A body finished normally releases its registration ({@link Watch#finished()}), so
 * the cleaner holds nothing for finished calls. Whichever finishes first wins: the call itself
 * records once.
 *
 * <p>The adapter may also hand over what the watched object reads from (the client's own body): it
 * is closed after the call is finished, as the application should have done, so the client releases
 * the connection. Without that, OkHttp 5 can hand a dropped body's connection, unread bytes and
 * all, to a later call, which then fails with "Unexpected status line" (square/okhttp #9240);
 * closing it lets OkHttp discard the rest or retire the connection. The closes run on a daemon
 * thread of their own, at most {@value #MAX_PENDING} waiting: a close can block (an HTTP/1 discard
 * for up to 100 ms, an HTTP/2 reset behind the connection's writer), and records never wait on it.
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
              t.setContextClassLoader(null);
              return t;
            });

    /** How many dropped bodies were left unclosed because too many closes were waiting. */
    static final AtomicLong DISCARDED = new AtomicLong();

    /**
     * Closes what dropped bodies read from, off the cleaner's thread: a close can block (OkHttp
     * discards an HTTP/1 body for up to 100 ms, and an HTTP/2 reset waits for the connection's
     * writer), and records must not wait behind it. Bounded: beyond {@value #MAX_PENDING} pending
     * closes the rest are left to the client, as they were before anything closed them (said once
     * in the log).
     */
    static final ThreadPoolExecutor RELEASES =
        new ThreadPoolExecutor(
            0,
            1,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(MAX_PENDING),
            r -> {
              Thread t = new Thread(r, "attribution-unclosed-releases");
              t.setDaemon(true);
              // Not the class loader of whichever application thread happened to start it.
              t.setContextClassLoader(null);
              return t;
            },
            (r, executor) -> {
              if (DISCARDED.getAndIncrement() == 0) {
                LOG.warn(
                    "More than {} dropped response bodies are waiting to be closed; the rest are"
                        + " left to their HTTP client (their connections are not released by us)."
                        + " Close every response. Logged once.",
                    MAX_PENDING);
              }
            });
  }

  private static final Logger LOG = LoggerFactory.getLogger(UnclosedBodies.class);

  /** Closes queued at once at most; see {@link Shared#RELEASES}. */
  static final int MAX_PENDING = 1024;

  /**
   * Finishes {@code call} as abandoned when {@code body} becomes unreachable before the call is
   * finished. Call {@link Watch#finished()} once the call is finished normally, so nothing stays
   * registered. Never throws.
   *
   * @param body what the application holds while it reads the response
   * @param call the call to finish; must not reference {@code body}
   * @return the registration
   */
  public static Watch watch(Object body, LlmCall call) {
    return watch(body, call, null);
  }

  /**
   * As {@link #watch(Object, LlmCall)}, and closes {@code release} once {@code body} is found
   * unreachable unfinished (never after {@link Watch#finished()}: the application closed the body
   * then, or read it to the end).
   *
   * @param body what the application holds while it reads the response
   * @param call the call to finish; must not reference {@code body}
   * @param release what {@code body} reads from, closed after an abandoned call is finished; must
   *     not reference {@code body}; {@code null} for nothing
   * @return the registration
   */
  public static Watch watch(Object body, LlmCall call, @Nullable AutoCloseable release) {
    Watch w = new Watch(call, release);
    w.registration = Shared.CLEANER.register(body, w);
    return w;
  }

  /**
   * One watched body: the cleaning action (it holds the call and what to release, never the body)
   * and the handle the adapter releases when the call is finished normally.
   */
  public static final class Watch implements Runnable {
    private final LlmCall call;
    private final @Nullable AutoCloseable release;
    private Cleaner.@Nullable Cleanable registration;
    private volatile boolean finished;

    private Watch(LlmCall call, @Nullable AutoCloseable release) {
      this.call = call;
      this.release = release;
    }

    /**
     * The call was finished normally: drops the registration, so the cleaner holds nothing for it,
     * and never closes the release. Idempotent.
     */
    public void finished() {
      finished = true;
      Cleaner.Cleanable r = registration;
      if (r != null) {
        r.clean();
      }
    }

    /** Run by the cleaner once the body is unreachable, or by {@link #finished()}. */
    @Override
    public void run() {
      if (finished) {
        return;
      }
      try {
        call.abandoned();
      } catch (Throwable e) {
        // LlmCall never throws; the cleaner thread must survive whatever happens anyway.
      }
      AutoCloseable r = release;
      if (r != null) {
        try {
          Shared.RELEASES.execute(
              () -> {
                try {
                  r.close();
                } catch (Throwable e) {
                  // The application dropped it; whatever its close throws has nowhere to go.
                }
              });
        } catch (Throwable e) {
          // Rejected or out of threads: the client keeps the connection, as without this.
        }
      }
    }
  }
}
