package dev.attribution.core;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.ContextSource;
import dev.attribution.core.transport.CallRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;

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
    return new CallRequest(
        "POST",
        "https",
        "api.openai.com",
        443,
        "/v1/chat/completions",
        null,
        body.getBytes(StandardCharsets.UTF_8),
        headers::get,
        context,
        source,
        1,
        "");
  }
}
