package dev.attribution.okhttp;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import okhttp3.Call;
import okhttp3.EventListener;
import org.jspecify.annotations.Nullable;

/**
 * Remembers the attribution context in force where each call was created. OkHttp creates a call's
 * event listener on the thread that calls {@code newCall()}, so wrapping the listener factory is
 * the one hook that sees the caller's thread for {@code enqueue()}d calls, whose interceptors run
 * on dispatcher threads (and may be promoted from another call's thread). Calls are held weakly, so
 * a call that is created and never run leaks nothing.
 */
final class ContextCapture {

  private final Cache<Call, AttributionContext> contexts = Caffeine.newBuilder().weakKeys().build();

  EventListener.Factory wrap(EventListener.Factory delegate) {
    return call -> {
      AttributionContext ctx = Attribution.current();
      if (!ctx.isEmpty()) {
        contexts.put(call, ctx);
      }
      return delegate.create(call);
    };
  }

  @Nullable AttributionContext take(Call call) {
    AttributionContext ctx = contexts.getIfPresent(call);
    if (ctx != null) {
      contexts.invalidate(call);
    }
    return ctx;
  }
}
