package dev.attribution.api;

/**
 * An open attribution scope: while it is open, {@link Attribution#current()} on the thread that
 * opened it returns the scope's context. Close it in the same thread, in a {@code
 * try}-with-resources block; closing restores the context that was current before it opened.
 *
 * <p>Closing twice is a no-op. Closing a scope that is not the innermost open one on this thread
 * (out of order) is logged once and otherwise ignored, so a bug in one component cannot scramble
 * another's context.
 */
public interface AttributionScope extends AutoCloseable {

  /** The context in force while this scope is open (already merged with its parent). */
  AttributionContext context();

  /** Restores the previous context. Never throws. */
  @Override
  void close();
}
