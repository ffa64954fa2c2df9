package dev.attribution.langchain4j;

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionHeaders;
import dev.attribution.api.ContextSource;
import dev.attribution.core.AttributionEngine;
import dev.attribution.core.transport.BlockedResponse;
import dev.attribution.core.transport.CallRequest;
import dev.attribution.core.transport.LlmCall;
import dev.attribution.core.transport.UpstreamRewrite;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEvent;
import dev.langchain4j.http.client.sse.ServerSentEventContext;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The client {@link AttributionHttpClientBuilder} builds; package-private machinery. */
final class AttributedHttpClient implements HttpClient {

  private static final Logger LOG = LoggerFactory.getLogger(AttributedHttpClient.class);

  private final HttpClient delegate;
  private final AttributionEngine engine;

  AttributedHttpClient(HttpClient delegate, AttributionEngine engine) {
    this.delegate = delegate;
    this.engine = engine;
  }

  @Override
  public SuccessfulHttpResponse execute(HttpRequest request) {
    LlmCall call = begin(request);
    if (call == null || !call.tracked()) {
      return delegate.execute(stripped(request, null));
    }
    refuseIfBlocked(call);
    SuccessfulHttpResponse response;
    try {
      response = delegate.execute(stripped(request, call.rewrite()));
    } catch (HttpException e) {
      call.onResponse(e.statusCode(), name -> null);
      call.failed(e);
      throw e;
    } catch (RuntimeException | Error e) {
      call.failed(e);
      throw e;
    }
    call.onResponse(response.statusCode(), header(response.headers()));
    byte[] body = response.bodyBytes();
    if (body == null) {
      call.completeWithoutBody();
    } else {
      call.completeBody(body, body.length);
    }
    return response;
  }

  @Override
  public void execute(
      HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
    LlmCall call = begin(request);
    if (call == null || !call.tracked()) {
      delegate.execute(stripped(request, null), parser, listener);
      return;
    }
    BlockedResponse blocked = call.blocked();
    if (blocked != null) {
      listener.onError(refusal(blocked));
      return;
    }
    delegate.execute(
        stripped(request, call.rewrite()), teeing(parser, call), observing(listener, call));
  }

  /** The engine's view of the call, or {@code null} when attribution itself failed. */
  private @Nullable LlmCall begin(HttpRequest request) {
    try {
      return engine.begin(describe(request));
    } catch (RuntimeException | Error e) {
      LOG.warn("attribution failed to describe a LangChain4j request; it proceeds unattributed", e);
      return null;
    }
  }

  private static void refuseIfBlocked(LlmCall call) {
    BlockedResponse blocked = call.blocked();
    if (blocked != null) {
      throw refusal(blocked);
    }
  }

  private static HttpException refusal(BlockedResponse blocked) {
    return new HttpException(blocked.status(), new String(blocked.body(), StandardCharsets.UTF_8));
  }

  private static CallRequest describe(HttpRequest request) {
    Map<String, List<String>> headers = request.headers();
    AttributionContext ctx = Attribution.current();
    ContextSource source = ctx.isEmpty() ? ContextSource.NONE : ContextSource.SCOPE;
    String rejected = "";
    AttributionHeaders.Parsed parsed = AttributionHeaders.parse(header(headers));
    if (parsed.present()) {
      rejected = parsed.rejected();
      if (!parsed.context().isEmpty()) {
        ctx = parsed.context().mergedOnto(ctx);
        source = ContextSource.HEADER;
      }
    }
    URI uri = URI.create(request.url());
    String scheme = uri.getScheme() == null ? "https" : uri.getScheme().toLowerCase(Locale.ROOT);
    String host = uri.getHost() == null ? "" : uri.getHost();
    int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("http") ? 80 : 443;
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String body = request.body();
    return new CallRequest(
        request.method().name(),
        scheme,
        host,
        port,
        path,
        uri.getRawQuery(),
        body == null ? null : body.getBytes(StandardCharsets.UTF_8),
        header(headers),
        ctx,
        source,
        1,
        rejected);
  }

  /** The request as it leaves: without attribution headers, with the engine's rewrite applied. */
  private static HttpRequest stripped(HttpRequest request, @Nullable UpstreamRewrite rw) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    request
        .headers()
        .forEach(
            (name, values) -> {
              String lower = name.toLowerCase(Locale.ROOT);
              boolean removed =
                  AttributionHeaders.isAttributionHeader(name)
                      || (rw != null
                          && (rw.removeHeaders().contains(lower)
                              || rw.setHeaders().keySet().stream()
                                  .anyMatch(name::equalsIgnoreCase)));
              if (!removed) {
                headers.put(name, values);
              }
            });
    if (rw != null) {
      rw.setHeaders().forEach((name, value) -> headers.put(name, List.of(value)));
    }
    HttpRequest.Builder b =
        HttpRequest.builder()
            .method(request.method())
            .url(rw != null && rw.changesUrl() ? rewriteUrl(request.url(), rw) : request.url())
            .headers(headers);
    byte[] body = rw == null ? null : rw.body();
    if (body != null) {
      b.body(new String(body, StandardCharsets.UTF_8));
    } else if (request.body() != null) {
      b.body(request.body());
    }
    if (request.formDataFields() != null && !request.formDataFields().isEmpty()) {
      b.formDataFields(request.formDataFields());
    }
    if (request.formDataFiles() != null && !request.formDataFiles().isEmpty()) {
      b.formDataFiles(request.formDataFiles());
    }
    return b.build();
  }

  private static String rewriteUrl(String url, UpstreamRewrite rw) {
    return rw.applyTo(URI.create(url)).toString();
  }

  private static Function<String, @Nullable String> header(Map<String, List<String>> headers) {
    return name -> {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
          return e.getValue().get(0);
        }
      }
      return null;
    };
  }

  /** A parser that feeds the engine every byte it reads, then reports the stream's end. */
  private static ServerSentEventParser teeing(ServerSentEventParser parser, LlmCall call) {
    return (in, listener) -> {
      InputStream tee =
          new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
              int b = super.read();
              if (b >= 0) {
                call.onStreamBytes(new byte[] {(byte) b}, 0, 1);
              }
              return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
              int n = super.read(buf, off, len);
              if (n > 0) {
                call.onStreamBytes(buf, off, n);
              }
              return n;
            }
          };
      try {
        parser.parse(tee, listener);
        call.completeStream(true);
      } catch (RuntimeException | Error e) {
        call.failed(e);
        throw e;
      }
    };
  }

  /** The application's listener, with the response's arrival and failures reported first. */
  private static ServerSentEventListener observing(ServerSentEventListener listener, LlmCall call) {
    return new ServerSentEventListener() {
      @Override
      public void onOpen(SuccessfulHttpResponse response) {
        call.onResponse(response.statusCode(), header(response.headers()));
        listener.onOpen(response);
      }

      @Override
      public void onEvent(ServerSentEvent event, ServerSentEventContext context) {
        listener.onEvent(event, context);
      }

      @Override
      public void onEvent(ServerSentEvent event) {
        listener.onEvent(event);
      }

      @Override
      public void onError(Throwable error) {
        if (error instanceof HttpException http) {
          call.onResponse(http.statusCode(), name -> null);
        }
        call.failed(error);
        listener.onError(error);
      }

      @Override
      public void onClose() {
        call.completeStream(true);
        listener.onClose();
      }
    };
  }
}
