package dev.attribution.okhttp;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.net.ProtocolException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Call;
import okhttp3.EventListener;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okhttp3.internal.connection.RealCall;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a request the engine pinned to its origin (it carries the engine's credential or goes to a
 * route's origin) so that it reaches no other origin. OkHttp follows redirects inside {@code
 * chain.proceed()}, after every application interceptor, and drops only {@code Authorization} when
 * a redirect leaves the host: a route's {@code x-api-key}, {@code api-key} or {@code
 * x-goog-api-key}, and the prompt of a 307 or 308, would follow to whatever host the upstream
 * names. So when the call's client follows redirects, the request is sent through a client that
 * does not (the same client: its connection pool, dispatcher, settings, and the application
 * interceptors after this one), and redirects are followed here: those to the same scheme, host and
 * port as OkHttp would follow them (method, body and the 20 follow-ups limit), any other one handed
 * to the application as the upstream sent it.
 *
 * <p>The call's own event listener sees the call start and end; the connection events of the hops
 * sent from here are not reported to it, and a response reached through a redirect followed here
 * has no {@code priorResponse()}. Cancelling the call stops the hop in flight when it next reads.
 */
final class PinnedSend {

  private static final Logger LOG = LoggerFactory.getLogger(PinnedSend.class);

  /** OkHttp's own limit (RetryAndFollowUpInterceptor.MAX_FOLLOW_UPS). */
  static final int MAX_FOLLOW_UPS = 20;

  private final Interceptor owner;
  private final Cache<OkHttpClient, OkHttpClient> direct =
      Caffeine.newBuilder().weakKeys().maximumSize(64).build();
  private final AtomicBoolean unguardedReported = new AtomicBoolean();

  PinnedSend(Interceptor owner) {
    this.owner = owner;
  }

  /** Sends {@code request}, pinned to its origin, in {@code chain}. */
  Response proceed(Interceptor.Chain chain, Request request) throws IOException {
    OkHttpClient client = clientOf(chain.call());
    if (client != null && !client.followRedirects()) {
      // Nothing follows a redirect: the application receives it as sent.
      return chain.proceed(request);
    }
    OkHttpClient sender = null;
    try {
      OkHttpClient noRedirects = client == null ? null : noRedirects(client);
      sender = noRedirects == null ? null : withChainTimeouts(noRedirects, chain);
    } catch (RuntimeException | Error e) {
      LOG.debug("could not derive a client without redirects", e);
    }
    if (sender == null) {
      if (unguardedReported.compareAndSet(false, true)) {
        LOG.warn(
            "A routed call or one carrying a CredentialResolver key is sent by a client this"
                + " interceptor cannot see into (it is not one of the client's interceptors), so"
                + " its redirects are followed by OkHttp with every header but Authorization."
                + " Add the interceptor with addInterceptor(..) or AttributionOkHttp.instrument(..)."
                + " Logged once.");
      }
      return chain.proceed(request);
    }
    Call outer = chain.call();
    Request hop = request;
    int followUps = 0;
    while (true) {
      if (outer.isCanceled()) {
        throw new IOException("Canceled");
      }
      Call call = sender.newCall(hop);
      Response response = call.execute();
      Request next;
      try {
        next = sameOriginFollowUp(response);
      } catch (RuntimeException | Error e) {
        // Attribution's own reading of the redirect failed: the application gets the response.
        LOG.debug("could not read a redirect's follow-up; answering with the response", e);
        next = null;
      }
      if (next == null || (next.body() != null && next.body().isOneShot())) {
        return cancellable(response, outer, call);
      }
      closeQuietly(response);
      if (++followUps > MAX_FOLLOW_UPS) {
        throw new ProtocolException("Too many follow-up requests: " + followUps);
      }
      hop = next;
    }
  }

  /** The client of {@code call}, or {@code null} when it is not OkHttp's own call. */
  private static @Nullable OkHttpClient clientOf(Call call) {
    try {
      return call instanceof RealCall ? ((RealCall) call).getClient() : null;
    } catch (RuntimeException | Error e) {
      // An OkHttp without RealCall.getClient() (a LinkageError), or anything else: the call is
      // sent as before.
      return null;
    }
  }

  /**
   * {@code client} without redirects and without the application interceptors up to this one (they
   * already ran), or {@code null} when this interceptor is not among the client's.
   */
  private @Nullable OkHttpClient noRedirects(OkHttpClient client) {
    OkHttpClient cached = direct.getIfPresent(client);
    if (cached != null) {
      return cached;
    }
    List<Interceptor> interceptors = client.interceptors();
    int self = interceptors.indexOf(owner);
    if (self < 0) {
      return null;
    }
    OkHttpClient.Builder b = client.newBuilder().followRedirects(false).followSslRedirects(false);
    b.interceptors().clear();
    b.interceptors().addAll(interceptors.subList(self + 1, interceptors.size()));
    // The application's call already reports its start and end to the client's listener.
    b.eventListener(EventListener.NONE);
    OkHttpClient built = b.build();
    direct.put(client, built);
    return built;
  }

  /** {@code client} with the timeouts an earlier interceptor set on {@code chain}, if any. */
  private static OkHttpClient withChainTimeouts(OkHttpClient client, Interceptor.Chain chain) {
    int connect = chain.connectTimeoutMillis();
    int read = chain.readTimeoutMillis();
    int write = chain.writeTimeoutMillis();
    if (connect == client.connectTimeoutMillis()
        && read == client.readTimeoutMillis()
        && write == client.writeTimeoutMillis()) {
      return client;
    }
    return client
        .newBuilder()
        .connectTimeout(connect, TimeUnit.MILLISECONDS)
        .readTimeout(read, TimeUnit.MILLISECONDS)
        .writeTimeout(write, TimeUnit.MILLISECONDS)
        .build();
  }

  /**
   * The request OkHttp would send after {@code response}, when it is a redirect to the same scheme,
   * host and port; {@code null} for anything else (not a redirect, no usable location, another
   * origin). Method and body as OkHttp's RetryAndFollowUpInterceptor: 307 and 308 keep them, 300,
   * 301, 302 and 303 turn a POST into a GET without a body.
   */
  static @Nullable Request sameOriginFollowUp(Response response) {
    int code = response.code();
    if (!(code == 300 || code == 301 || code == 302 || code == 303 || code == 307 || code == 308)) {
      return null;
    }
    String location = response.header("Location");
    if (location == null) {
      return null;
    }
    Request sent = response.request();
    HttpUrl url = sent.url().resolve(location);
    if (url == null || !sameOrigin(sent.url(), url)) {
      return null;
    }
    Request.Builder b = sent.newBuilder();
    String method = sent.method();
    if (permitsRequestBody(method)) {
      boolean maintainBody = method.equals("PROPFIND") || code == 307 || code == 308;
      if (!method.equals("PROPFIND") && code != 307 && code != 308) {
        b.method("GET", null);
      } else {
        RequestBody body = maintainBody ? sent.body() : null;
        b.method(method, body);
      }
      if (!maintainBody) {
        b.removeHeader("Transfer-Encoding");
        b.removeHeader("Content-Length");
        b.removeHeader("Content-Type");
      }
    }
    return b.url(url).build();
  }

  private static boolean sameOrigin(HttpUrl a, HttpUrl b) {
    return a.scheme().equals(b.scheme()) && a.host().equals(b.host()) && a.port() == b.port();
  }

  private static boolean permitsRequestBody(String method) {
    return !(method.equals("GET") || method.equals("HEAD"));
  }

  private static void closeQuietly(Response response) {
    try {
      response.close();
    } catch (RuntimeException | Error e) {
      // an already closed or bodiless response: nothing to release
    }
  }

  /** {@code response}, its body reading on only while the application's call is not cancelled. */
  private static Response cancellable(Response response, Call outer, Call hop) {
    ResponseBody body = response.body();
    if (body == null) {
      return response;
    }
    BufferedSource source =
        Okio.buffer(
            new ForwardingSource(body.source()) {
              @Override
              public long read(Buffer sink, long byteCount) throws IOException {
                if (outer.isCanceled()) {
                  hop.cancel();
                  throw new IOException("Canceled");
                }
                return super.read(sink, byteCount);
              }
            });
    ResponseBody wrapped =
        new ResponseBody() {
          @Override
          public okhttp3.@Nullable MediaType contentType() {
            return body.contentType();
          }

          @Override
          public long contentLength() {
            return body.contentLength();
          }

          @Override
          public BufferedSource source() {
            return source;
          }

          @Override
          public void close() {
            body.close();
          }
        };
    return response.newBuilder().body(wrapped).build();
  }
}
