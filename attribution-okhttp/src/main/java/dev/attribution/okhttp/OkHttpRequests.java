package dev.attribution.okhttp;

import dev.attribution.api.AttributionHeaders;
import dev.attribution.core.transport.BlockedResponse;
import dev.attribution.core.transport.UpstreamRewrite;
import java.io.IOException;
import java.util.Map;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSink;
import okio.ForwardingSink;
import okio.Okio;
import okio.Sink;
import org.jspecify.annotations.Nullable;

/**
 * What the interceptor does to the request that leaves: reads its body (bounded, never a one-shot
 * one), removes the attribution headers, applies the engine's rewrite, or answers it locally when
 * blocked. Moved out of {@link AttributionInterceptor} unchanged, to keep each file to one concern.
 */
final class OkHttpRequests {

  private OkHttpRequests() {}

  /**
   * The request body, or {@code null} when it must not be read twice (one-shot, duplex), is larger
   * than {@code maxRequestBytes}, or fails to write: the application's own body then meets the same
   * failure when OkHttp sends it, exactly as without us.
   */
  static byte @Nullable [] readRequestBody(RequestBody rb, long maxRequestBytes) {
    if (rb.isOneShot() || rb.isDuplex()) {
      return null;
    }
    try {
      long length = rb.contentLength();
      if (length > maxRequestBytes) {
        return null;
      }
      if (length >= 0 && lendsItsArray(rb)) {
        // OkHttp's body of bytes or a string writes its whole array at once: kept, not copied.
        BodyCapture capture = new BodyCapture();
        rb.writeTo(capture);
        if (capture.size() > maxRequestBytes) {
          capture.clear();
          return null;
        }
        return capture.bytes();
      }
      Buffer buf = new Buffer();
      if (length >= 0) {
        // A body that knows its length (bytes, a string, a file) writes exactly that much: into
        // the buffer directly, without a second buffer and a capping sink in between.
        rb.writeTo(buf);
        if (buf.size() > maxRequestBytes) {
          buf.clear();
          return null;
        }
        return buf.readByteArray();
      }
      BufferedSink sink = Okio.buffer(new CappedSink(buf, maxRequestBytes));
      rb.writeTo(sink);
      sink.emit();
      return buf.readByteArray();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Whether {@code rb} is one of OkHttp's own bodies, read through a {@link BodyCapture}: then the
   * array {@link #readRequestBody} answers may be the application's own (that of {@code
   * RequestBody.create(byte[], ..)}, or the bytes of a string body), lent rather than copied, and a
   * call that finishes after the interceptor returns must keep a copy ({@code
   * LentRequestBodies.keepCopy}). Such bodies never reuse an array as scratch space.
   */
  static boolean lendsItsArray(@Nullable RequestBody rb) {
    return rb != null && rb.getClass().getName().startsWith("okhttp3.");
  }

  /** A sink that refuses to hold more than {@code max} bytes. */
  private static final class CappedSink extends ForwardingSink {
    private final long max;
    private long written;

    CappedSink(Sink delegate, long max) {
      super(delegate);
      this.max = max;
    }

    @Override
    public void write(Buffer source, long byteCount) throws IOException {
      written += byteCount;
      if (written > max) {
        throw new IOException("request body larger than maxRequestBytes");
      }
      super.write(source, byteCount);
    }
  }

  static boolean hasAttributionHeaders(Headers headers) {
    for (int i = 0, n = headers.size(); i < n; i++) {
      if (AttributionHeaders.isAttributionHeader(headers.name(i))) {
        return true;
      }
    }
    return false;
  }

  static Request stripAttributionHeaders(Request request) {
    Headers headers = request.headers();
    if (!hasAttributionHeaders(headers)) {
      return request;
    }
    Request.Builder b = request.newBuilder();
    for (int i = 0, n = headers.size(); i < n; i++) {
      String name = headers.name(i);
      if (AttributionHeaders.isAttributionHeader(name)) {
        b.removeHeader(name);
      }
    }
    return b.build();
  }

  static Request apply(Request request, UpstreamRewrite rw) {
    Request.Builder b = request.newBuilder();
    if (rw.changesUrl()) {
      HttpUrl.Builder u = request.url().newBuilder();
      if (rw.scheme() != null) {
        u.scheme(rw.scheme());
      }
      if (rw.host() != null) {
        u.host(rw.host());
      }
      if (rw.port() >= 0) {
        u.port(rw.port());
      }
      if (rw.path() != null) {
        u.encodedPath(rw.path());
      }
      for (String q : rw.removeQueryParameters()) {
        u.removeAllQueryParameters(q);
      }
      for (Map.Entry<String, String> q : rw.setQueryParameters().entrySet()) {
        u.setQueryParameter(q.getKey(), q.getValue());
      }
      b.url(u.build());
    }
    for (String h : rw.removeHeaders()) {
      b.removeHeader(h);
    }
    for (Map.Entry<String, String> h : rw.setHeaders().entrySet()) {
      b.header(h.getKey(), h.getValue());
    }
    byte[] body = rw.body();
    RequestBody old = request.body();
    if (body != null && old != null) {
      b.method(request.method(), RequestBody.create(body, old.contentType()));
    }
    return b.build();
  }

  static Response blockedResponse(Request request, BlockedResponse blocked) {
    Headers.Builder h = new Headers.Builder();
    blocked.headers().forEach(h::add);
    h.add("content-type", blocked.contentType());
    long now = System.currentTimeMillis();
    return new Response.Builder()
        .request(request)
        .protocol(Protocol.HTTP_1_1)
        .code(blocked.status())
        .message("Too Many Requests")
        .headers(h.build())
        .body(ResponseBody.create(blocked.body(), MediaType.get(blocked.contentType())))
        .sentRequestAtMillis(now)
        .receivedResponseAtMillis(now)
        .build();
  }
}
