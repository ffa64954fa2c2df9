package dev.attribution.core.internal.provider;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * What a dialect's server-sent-event stream looks like to {@link StreamUsageTracker}: which keys
 * mark an event worth parsing as JSON, which carry generated text (counted to estimate output when
 * usage never arrives), and which events end the stream. Keys are raw bytes as they appear in the
 * event, quotes included, matched without decoding.
 *
 * @param textKeys keys whose string value is generated text, e.g. {@code "content":"}; the first
 *     that matches in an event is counted
 * @param thinkingKey a key whose string value is also generated output (Anthropic's {@code
 *     "thinking":"}), counted besides the text, or {@code null}
 * @param usageKey a key whose presence means the event carries usage (matched as a prefix, so
 *     {@code "usage} also finds {@code "usageMetadata"}), or {@code null} when usage is found by
 *     event name only
 * @param usageNullKey the same key with a null value, which does not count, or {@code null}
 * @param errorKeys keys whose presence means the event reports an error
 * @param doneData a data payload that ends the stream (OpenAI's {@code [DONE]}), or {@code null}
 * @param usageEvents event names ({@code event:} lines) whose data is parsed for usage even without
 *     a usage key (Anthropic's {@code message_delta})
 * @param terminalEvents event names that end the stream (Anthropic's {@code message_stop})
 */
public record SseShape(
    byte[][] textKeys,
    byte @Nullable [] thinkingKey,
    byte @Nullable [] usageKey,
    byte @Nullable [] usageNullKey,
    byte[][] errorKeys,
    byte @Nullable [] doneData,
    Predicate<String> usageEvents,
    Set<String> terminalEvents) {

  /** {@code s} as the ASCII bytes the tracker matches. */
  public static byte[] key(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** Keys as matched bytes. */
  public static byte[][] keys(String... s) {
    byte[][] out = new byte[s.length][];
    for (int i = 0; i < s.length; i++) {
      out[i] = key(s[i]);
    }
    return out;
  }
}
