package dev.attribution.core;

import dev.attribution.core.transport.UpstreamRewrite;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Stage 4 of a decision ({@link UpstreamRewriter#rewrite}): how the request changes before it is
 * sent.
 *
 * @param rewrite the change, or {@code null} for none
 * @param modelKept whether a model change could not be written into the body, so the call is sent
 *     (and recorded) with the requested model
 * @param finalKey the API key the sent request carries, or {@code null}
 * @param attributes record attributes this stage noted ({@code rewrite_skipped}, {@code
 *     include_usage_added}, {@code credentials_stripped})
 */
record Rewritten(
    @Nullable UpstreamRewrite rewrite,
    boolean modelKept,
    @Nullable String finalKey,
    Map<String, String> attributes) {

  Rewritten {
    attributes = Map.copyOf(attributes);
  }
}
