package dev.attribution.jdkhttp;

import dev.attribution.core.internal.transport.ResponseTap;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/** Hands the application's subscriber every buffer unchanged, after showing it to the tap. */
final class TeeSubscriber<T> implements HttpResponse.BodySubscriber<T> {
  private final HttpResponse.BodySubscriber<T> inner;
  private final ResponseTap tap;
  private byte[] scratch = new byte[0];

  TeeSubscriber(HttpResponse.BodySubscriber<T> inner, ResponseTap tap) {
    this.inner = inner;
    this.tap = tap;
  }

  /** The tap the body is shown to. */
  ResponseTap tap() {
    return tap;
  }

  @Override
  public CompletionStage<T> getBody() {
    return inner.getBody();
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    inner.onSubscribe(
        new Flow.Subscription() {
          @Override
          public void request(long n) {
            subscription.request(n);
          }

          @Override
          public void cancel() {
            // The application stopped reading (an InputStream closed early).
            try {
              subscription.cancel();
            } finally {
              tap.end(false);
            }
          }
        });
  }

  @Override
  public void onNext(List<ByteBuffer> item) {
    for (ByteBuffer b : item) {
      int n = b.remaining();
      if (n == 0) {
        continue;
      }
      if (b.hasArray()) {
        tap.bytes(b.array(), b.arrayOffset() + b.position(), n);
      } else {
        if (scratch.length < n) {
          scratch = new byte[Math.max(n, 8192)];
        }
        b.duplicate().get(scratch, 0, n);
        tap.bytes(scratch, 0, n);
      }
    }
    inner.onNext(item);
  }

  @Override
  public void onError(Throwable throwable) {
    tap.failed(throwable);
    inner.onError(throwable);
  }

  @Override
  public void onComplete() {
    tap.end(true);
    inner.onComplete();
  }
}
