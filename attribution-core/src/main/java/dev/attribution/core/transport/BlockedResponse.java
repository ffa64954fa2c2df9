package dev.attribution.core.transport;

import java.util.Map;

/**
 * The local answer to a blocked call, shaped like the provider's own rate-limit error so SDKs
 * surface it as one: status 429, {@code x-should-retry: false} (openai-java and anthropic-java do
 * not retry), {@code retry-after} when the budget period's end is known.
 *
 * @param status HTTP status, 429
 * @param headers response headers (lower-case names)
 * @param contentType the body's media type
 * @param body the provider-shaped error JSON
 * @param reason a human-readable reason, also in the body
 */
public record BlockedResponse(
    int status, Map<String, String> headers, String contentType, byte[] body, String reason) {}
