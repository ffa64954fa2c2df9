package dev.attribution.spring.autoconfigure;

import dev.attribution.api.AttributionContext;

/**
 * Decides who a request is for: the context the request filter opens its scope with. Declare a bean
 * of this type to replace {@link DefaultAttributionContextResolver}.
 */
@FunctionalInterface
public interface AttributionContextResolver {

  /**
   * The context of {@code request}; {@link AttributionContext#empty()} when nothing is known. An
   * exception is logged and the request runs with an empty context.
   */
  AttributionContext resolve(AttributionRequest request);
}
