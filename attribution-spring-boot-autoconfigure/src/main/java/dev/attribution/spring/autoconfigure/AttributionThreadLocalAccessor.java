package dev.attribution.spring.autoconfigure;

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionScope;
import io.micrometer.context.ThreadLocalAccessor;
import java.util.ArrayDeque;
import java.util.Deque;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer context-propagation's view of the attribution scope, so everything that propagates
 * context with it (Spring's {@code ContextPropagatingTaskDecorator}, Reactor's automatic context
 * propagation, Micrometer Observation) carries the current {@link AttributionContext} to other
 * threads. Registered through {@code META-INF/services}; its key is {@value #KEY}.
 */
public final class AttributionThreadLocalAccessor
    implements ThreadLocalAccessor<AttributionContext> {

  /** The key of the context in a context snapshot and in the Reactor context: {@value}. */
  public static final String KEY = "dev.attribution.context";

  /** The scopes this accessor installed on each thread, innermost first. */
  private static final ThreadLocal<Deque<AttributionScope>> INSTALLED =
      ThreadLocal.withInitial(ArrayDeque::new);

  /** Creates the accessor; the service loader calls it. */
  public AttributionThreadLocalAccessor() {}

  @Override
  public Object key() {
    return KEY;
  }

  @Override
  public @Nullable AttributionContext getValue() {
    AttributionContext c = Attribution.current();
    return c.isEmpty() ? null : c;
  }

  @Override
  public void setValue(AttributionContext value) {
    INSTALLED.get().push(Attribution.install(value));
  }

  @Override
  public void setValue() {
    INSTALLED.get().push(Attribution.install(AttributionContext.empty()));
  }

  @Override
  public void restore(AttributionContext previousValue) {
    restore();
  }

  @Override
  public void restore() {
    Deque<AttributionScope> installed = INSTALLED.get();
    AttributionScope top = installed.poll();
    if (top != null) {
      top.close();
    }
    if (installed.isEmpty()) {
      INSTALLED.remove();
    }
  }
}
