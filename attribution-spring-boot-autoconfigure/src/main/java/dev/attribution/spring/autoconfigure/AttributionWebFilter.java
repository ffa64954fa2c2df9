package dev.attribution.spring.autoconfigure;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionHeaders;
import java.security.Principal;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * The WebFlux counterpart of {@link AttributionServletFilter}: puts each request's context into the
 * Reactor context under {@link AttributionThreadLocalAccessor#KEY}, from where Reactor's automatic
 * context propagation ({@code spring.reactor.context-propagation=auto}) makes it the current
 * context of every operator, and hides inbound {@code x-attribution-*} headers.
 */
public final class AttributionWebFilter implements WebFilter, Ordered {

  private static final Logger LOG = LoggerFactory.getLogger(AttributionWebFilter.class);

  private final AttributionContextResolver resolver;
  private final boolean stripInboundHeaders;
  private final int order;

  /**
   * Creates the filter.
   *
   * @param resolver decides each request's context
   * @param stripInboundHeaders hide inbound {@code x-attribution-*} headers
   * @param order the filter's order
   */
  public AttributionWebFilter(
      AttributionContextResolver resolver, boolean stripInboundHeaders, int order) {
    this.resolver = resolver;
    this.stripInboundHeaders = stripInboundHeaders;
    this.order = order;
  }

  @Override
  public int getOrder() {
    return order;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    ServerWebExchange ex =
        stripInboundHeaders
            ? exchange.mutate().request(withoutAttributionHeaders(exchange.getRequest())).build()
            : exchange;
    return ex.getPrincipal()
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty())
        .flatMap(
            p -> {
              AttributionContext context = resolve(ex.getRequest(), p.orElse(null));
              return chain
                  .filter(ex)
                  .contextWrite(c -> c.put(AttributionThreadLocalAccessor.KEY, context));
            });
  }

  /** The request with a copy of its headers that has no {@code x-attribution-*} header. */
  private static ServerHttpRequest withoutAttributionHeaders(ServerHttpRequest request) {
    HttpHeaders kept = new HttpHeaders();
    request
        .getHeaders()
        .forEach(
            (name, values) -> {
              if (!AttributionHeaders.isAttributionHeader(name)) {
                kept.addAll(name, values);
              }
            });
    return new ServerHttpRequestDecorator(request) {
      @Override
      public HttpHeaders getHeaders() {
        return kept;
      }
    };
  }

  private AttributionContext resolve(ServerHttpRequest req, @Nullable Principal principal) {
    try {
      return resolver.resolve(
          new AttributionRequest() {
            @Override
            public @Nullable String header(String name) {
              return req.getHeaders().getFirst(name);
            }

            @Override
            public @Nullable Principal principal() {
              return principal;
            }

            @Override
            public String method() {
              return req.getMethod().name();
            }

            @Override
            public String path() {
              return req.getPath().pathWithinApplication().value();
            }
          });
    } catch (RuntimeException e) {
      LOG.warn("the attribution context resolver failed; the request runs unattributed", e);
      return AttributionContext.empty();
    }
  }
}
