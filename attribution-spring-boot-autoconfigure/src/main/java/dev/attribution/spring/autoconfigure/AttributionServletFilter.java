package dev.attribution.spring.autoconfigure;

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionHeaders;
import dev.attribution.api.AttributionScope;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.Principal;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Opens each servlet request's attribution scope ({@link Attribution#openIsolated}) with the
 * context its {@link AttributionContextResolver} gives, and hides inbound {@code x-attribution-*}
 * headers from the application unless told not to. Ordered after Spring Security's filter chain by
 * default, so the authenticated principal is known.
 */
public final class AttributionServletFilter extends OncePerRequestFilter implements Ordered {

  private static final Logger LOG = LoggerFactory.getLogger(AttributionServletFilter.class);

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
  public AttributionServletFilter(
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
  @SuppressWarnings("try") // the scope is open for the chain's duration, unreferenced
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    HttpServletRequest req = stripInboundHeaders ? new WithoutAttributionHeaders(request) : request;
    AttributionContext context = resolve(req);
    try (AttributionScope scope = Attribution.openIsolated(context)) {
      chain.doFilter(req, response);
    }
  }

  private AttributionContext resolve(HttpServletRequest req) {
    try {
      return resolver.resolve(
          new AttributionRequest() {
            @Override
            public @Nullable String header(String name) {
              return req.getHeader(name);
            }

            @Override
            public @Nullable Principal principal() {
              return req.getUserPrincipal();
            }

            @Override
            public String method() {
              return req.getMethod();
            }

            @Override
            public String path() {
              return req.getRequestURI();
            }
          });
    } catch (RuntimeException e) {
      LOG.warn("the attribution context resolver failed; the request runs unattributed", e);
      return AttributionContext.empty();
    }
  }

  /** The request without its {@code x-attribution-*} headers. */
  private static final class WithoutAttributionHeaders extends HttpServletRequestWrapper {
    WithoutAttributionHeaders(HttpServletRequest request) {
      super(request);
    }

    @Override
    public @Nullable String getHeader(String name) {
      return AttributionHeaders.isAttributionHeader(name) ? null : super.getHeader(name);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
      return AttributionHeaders.isAttributionHeader(name)
          ? Collections.emptyEnumeration()
          : super.getHeaders(name);
    }

    @Override
    public Enumeration<String> getHeaderNames() {
      List<String> names = Collections.list(super.getHeaderNames());
      names.removeIf(AttributionHeaders::isAttributionHeader);
      return Collections.enumeration(names);
    }

    @Override
    public long getDateHeader(String name) {
      return AttributionHeaders.isAttributionHeader(name) ? -1 : super.getDateHeader(name);
    }

    @Override
    public int getIntHeader(String name) {
      return AttributionHeaders.isAttributionHeader(name) ? -1 : super.getIntHeader(name);
    }
  }
}
