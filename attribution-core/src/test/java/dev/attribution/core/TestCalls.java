package dev.attribution.core;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.ContextSource;
import dev.attribution.core.transport.CallRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Requests for engine tests that do not need a transport. */
final class TestCalls {
  private TestCalls() {}

  /** A POST to OpenAI's chat completions with {@code body} and {@code headers}, no context. */
  static CallRequest openAiChat(String body, Map<String, String> headers) {
    return openAiChat(body, headers, AttributionContext.empty(), ContextSource.NONE);
  }

  /**
   * A POST to OpenAI's chat completions with {@code body}, in {@code context} from {@code source}.
   */
  static CallRequest openAiChat(
      String body, Map<String, String> headers, AttributionContext context, ContextSource source) {
    return post(
        "api.openai.com",
        "/v1/chat/completions",
        body.getBytes(StandardCharsets.UTF_8),
        headers,
        context,
        source);
  }

  /**
   * A first-attempt HTTPS POST to {@code host} (port 443) at {@code path}; a {@code null} body is
   * one the transport could not read. Header names are looked up as given.
   */
  static CallRequest post(
      String host,
      String path,
      byte @Nullable [] body,
      Map<String, String> headers,
      AttributionContext context,
      ContextSource source) {
    return new CallRequest(
        "POST", "https", host, 443, path, null, body, headers::get, context, source, 1, "");
  }
}
