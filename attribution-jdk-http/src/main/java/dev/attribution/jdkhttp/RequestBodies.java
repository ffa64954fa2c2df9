package dev.attribution.jdkhttp;

import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** Reads request bodies the JDK's own publishers hold, without consuming anything else. */
final class RequestBodies {
  private RequestBodies() {}

  /**
   * The bytes of {@code publisher}, or {@code null} when they are unknown in length, larger than
   * {@code max}, or come from a publisher that might not publish twice (only the JDK's own
   * in-memory and file publishers are read).
   */
  static byte @Nullable [] read(HttpRequest.BodyPublisher publisher, long max) {
    long length = publisher.contentLength();
    if (length < 0 || length > max || !rereadable(publisher)) {
      return null;
    }
    CompletableFuture<byte[]> done = new CompletableFuture<>();
    // The JDK's own publishers announce their exact length: one array of it, filled in place.
    byte[] out = new byte[(int) length];
    publisher.subscribe(
        new Flow.Subscriber<ByteBuffer>() {
          private int size;

          @Override
          public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
          }

          @Override
          public void onNext(ByteBuffer item) {
            int n = item.remaining();
            if (n > out.length - size) {
              // More than announced: not a body we can vouch for.
              done.complete(null);
              return;
            }
            item.get(out, size, n);
            size += n;
          }

          @Override
          public void onError(Throwable t) {
            done.completeExceptionally(t);
          }

          @Override
          public void onComplete() {
            done.complete(size == out.length ? out : null);
          }
        });
    try {
      return done.get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (Exception e) {
      return null;
    }
  }

  static boolean rereadable(HttpRequest.BodyPublisher p) {
    String name = p.getClass().getName();
    return name.startsWith("jdk.internal.net.http.RequestPublishers$")
        && (name.endsWith("$ByteArrayPublisher")
            || name.endsWith("$StringPublisher")
            || name.endsWith("$IterablePublisher")
            || name.endsWith("$FilePublisher"));
  }
}
