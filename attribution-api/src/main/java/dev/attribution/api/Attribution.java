package dev.attribution.api;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The entry point for application code: open a scope, read the current context, carry it across
 * threads.
 *
 * <pre>{@code
 * try (AttributionScope scope = Attribution.open(AttributionContext.builder()
 *     .tenantId("acme").feature("support-chat").build())) {
 *   client.chat().completions().create(params);   // attributed to acme / support-chat
 * }
 * }</pre>
 *
 * <h2>The pooled-thread rule</h2>
 *
 * Request threads are reused. Always close a scope in {@code try}-with-resources. A request filter
 * should open its scope with {@link #openIsolated(AttributionContext)}, which ignores whatever an
 * earlier request may have left behind, and every task submitted through a {@code wrap(...)}
 * executor runs in exactly the context captured at submission and leaves the pool thread as it
 * found it, even if the task forgets to close a scope of its own.
 *
 * <h2>Calls that leave the thread</h2>
 *
 * Thread-locals do not follow work to other threads. Wrap executors with the {@code wrap} methods,
 * and for HTTP clients that run calls on their own threads (openai-java's async client) send the
 * context as request headers with {@link #headers()}: the interceptor reads and strips them.
 */
public final class Attribution {

  private Attribution() {}

  /**
   * Opens a scope whose context is {@code context} merged onto the current one (fields {@code
   * context} sets win). Close it on this thread, with try-with-resources.
   */
  public static AttributionScope open(AttributionContext context) {
    Objects.requireNonNull(context, "context");
    return ScopeStorage.open(context, true);
  }

  /**
   * Opens a scope whose context is exactly {@code context}, not merged with anything current. Use
   * it at request boundaries (servlet filters, message listeners) so nothing left behind on a
   * pooled thread can bleed into this request.
   *
   * <p>At a request boundary nothing should be open: a scope still open here leaked from an earlier
   * task on this thread. It is hidden, counted ({@link #leakedScopes()}) and reported with a
   * warning once per thread; with {@code -Ddev.attribution.debugScopes=true} the warning shows
   * where the leaked scope was opened. (Scopes installed by a {@code wrap(..)} executor never
   * count.)
   */
  public static AttributionScope openIsolated(AttributionContext context) {
    Objects.requireNonNull(context, "context");
    return ScopeStorage.open(context, false);
  }

  /**
   * Makes {@code context} the whole context of this thread, not merged with anything, as a {@code
   * wrap(..)} executor does for its tasks; closing the returned scope restores exactly what was
   * current before, whatever was opened in between and left open. An empty {@code context} clears
   * the thread for the scope's lifetime. Never counted as a leak by {@link #openIsolated}.
   *
   * <p>For libraries that move the context between threads themselves (Micrometer's
   * context-propagation, which the Spring Boot starter plugs in, and Reactor through it); request
   * code uses {@link #open} or {@link #openIsolated}. Close it on this thread; closing twice is a
   * no-op.
   */
  public static AttributionScope install(AttributionContext context) {
    Objects.requireNonNull(context, "context");
    ScopeStorage.Restorer restorer = ScopeStorage.replace(context);
    return new AttributionScope() {
      private boolean closed;

      @Override
      public AttributionContext context() {
        return context;
      }

      @Override
      public void close() {
        if (!closed) {
          closed = true;
          restorer.restore();
        }
      }
    };
  }

  /** The context in force on this thread, or {@link AttributionContext#empty()}. Never null. */
  public static AttributionContext current() {
    return ScopeStorage.current();
  }

  /**
   * The current context as request headers (see {@link AttributionHeaders}), for clients whose
   * calls leave this thread. Empty when no context is set.
   */
  public static Map<String, String> headers() {
    return AttributionHeaders.toHeaders(current());
  }

  /** {@code task} bound to the context current now; it runs in that context on any thread. */
  public static Runnable wrap(Runnable task) {
    Objects.requireNonNull(task, "task");
    AttributionContext captured = current();
    return () -> {
      ScopeStorage.Restorer r = ScopeStorage.replace(captured);
      try {
        task.run();
      } finally {
        r.restore();
      }
    };
  }

  /** {@code task} bound to the context current now; it runs in that context on any thread. */
  public static <T> Callable<T> wrap(Callable<T> task) {
    Objects.requireNonNull(task, "task");
    AttributionContext captured = current();
    return () -> {
      ScopeStorage.Restorer r = ScopeStorage.replace(captured);
      try {
        return task.call();
      } finally {
        r.restore();
      }
    };
  }

  /**
   * An executor that runs each task in the context current where it was submitted. Use it with
   * {@code CompletableFuture.supplyAsync(.., executor)} and the {@code ..Async(.., executor)}
   * stages so a whole chain keeps the submitting request's context.
   */
  public static Executor wrap(Executor executor) {
    Objects.requireNonNull(executor, "executor");
    if (executor instanceof ExecutorService) {
      return wrap((ExecutorService) executor);
    }
    return command -> executor.execute(wrap(command));
  }

  /** An executor service that runs each task in the context current where it was submitted. */
  public static ExecutorService wrap(ExecutorService executor) {
    Objects.requireNonNull(executor, "executor");
    if (executor instanceof ScheduledExecutorService) {
      return wrap((ScheduledExecutorService) executor);
    }
    if (executor instanceof ContextExecutorService) {
      return executor;
    }
    return new ContextExecutorService(executor);
  }

  /**
   * A scheduled executor service that runs each task, periodic ones on every run, in the context
   * current where it was scheduled.
   */
  public static ScheduledExecutorService wrap(ScheduledExecutorService executor) {
    Objects.requireNonNull(executor, "executor");
    if (executor instanceof ContextScheduledExecutorService) {
      return executor;
    }
    return new ContextScheduledExecutorService(executor);
  }

  /** How many scopes were closed out of order or on the wrong thread since start (diagnostics). */
  public static long outOfOrderCloses() {
    return ScopeStorage.outOfOrderCloses();
  }

  /**
   * How many times {@link #openIsolated} found a leaked scope still open on its thread since start
   * (diagnostics).
   */
  public static long leakedScopes() {
    return ScopeStorage.leakedScopes();
  }
}
