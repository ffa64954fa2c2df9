package dev.attribution.core.internal.transport;

import dev.attribution.core.transport.CallRequest;
import dev.attribution.core.transport.LlmCall;

/**
 * For adapters that lend the engine the application's own request body array instead of a copy
 * ({@link CallRequest#body()}). The engine reads the body while it begins the call, and again only
 * to estimate the usage of a call that ends without reporting it (a stream closed early, a broken
 * or abandoned call). An adapter that lent the array and hands the application a response whose
 * call finishes later (a stream, a body read as the application reads it) calls {@link
 * #keepCopy(LlmCall)} first, so that a later estimate reads the bytes as they were sent even if the
 * application reuses its array after the call returned. Calls finished before the adapter returns
 * need no copy.
 */
public final class LentRequestBodies {

  private LentRequestBodies() {}

  /** A call that can keep a copy of the request body it was given. */
  public interface Holder {

    /**
     * Copies the request body the call was begun with, if any, and reads only the copy from now.
     */
    void keepOwnRequestBody();
  }

  /**
   * Makes {@code call} keep its own copy of the request body it was begun with; nothing for calls
   * that are not the engine's.
   */
  public static void keepCopy(LlmCall call) {
    if (call instanceof Holder) {
      ((Holder) call).keepOwnRequestBody();
    }
  }
}
