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
      // The JDK's buffers are read-only: the tap copies what it keeps straight from them.
      tap.bytes(b);
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
