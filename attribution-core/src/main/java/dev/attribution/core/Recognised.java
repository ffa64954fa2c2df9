package dev.attribution.core;

import dev.attribution.core.internal.provider.Endpoint;
import dev.attribution.core.internal.provider.RequestFacts;
import dev.attribution.core.transport.CallRequest;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Stage 1 of a decision ({@link CallDecider#recognise}): a recognised LLM call, what its request
 * says, and nothing decided yet.
 *
 * @param request the request as the application built it
 * @param endpoint the provider endpoint its host and path name
 * @param facts what the body says (model, limits, streaming); unknown facts when it was not read
 * @param body the request body, or {@code null} when it was not read
 * @param unreadable whether the body could not be read or parsed, so no upper bound is known
 * @param model the requested model (Azure deployments mapped, bounded in length), or {@code null}
 * @param signed whether the request is signed over its body (AWS SigV4) and must not change
 * @param originalKey the API key the request carries, or {@code null}
 * @param deployment the Azure OpenAI deployment in the request path, or {@code null}
 * @param attributes record attributes this stage noted (rejected headers)
 */
record Recognised(
    CallRequest request,
    Endpoint endpoint,
    RequestFacts facts,
    byte @Nullable [] body,
    boolean unreadable,
    @Nullable String model,
    boolean signed,
    @Nullable String originalKey,
    @Nullable String deployment,
    Map<String, String> attributes) {

  Recognised {
    attributes = Map.copyOf(attributes);
  }

  /** The provider the endpoint belongs to. */
  String provider() {
    return endpoint.provider();
  }
}
