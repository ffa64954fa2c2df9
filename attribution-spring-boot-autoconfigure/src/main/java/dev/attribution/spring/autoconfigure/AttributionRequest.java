package dev.attribution.spring.autoconfigure;

import java.security.Principal;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link AttributionContextResolver} sees of an inbound request, servlet or WebFlux alike.
 * Inbound {@code x-attribution-*} headers are already hidden when {@code
 * attribution.web.strip-inbound-headers} is on (the default).
 */
public interface AttributionRequest {

  /** The first value of header {@code name} (case-insensitive), or {@code null}. */
  @Nullable String header(String name);

  /** The authenticated principal, or {@code null}. */
  @Nullable Principal principal();

  /** The request's method, e.g. {@code POST}. */
  String method();

  /** The request's path, without the query. */
  String path();
}
