package dev.attribution.core.transport;

import dev.attribution.api.AttributionContext;
import java.io.InputStream;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One call in flight, from the engine's decision to its usage record: what a transport adapter
 * holds between sending a request and finishing with its response. Returned by {@code
 * AttributionEngine.begin(CallRequest)}.
 *
 * <p>The adapter reads {@link #blocked()} and {@link #rewrite()} before sending, reports the
 * response with {@link #onResponse}, feeds a streamed body with {@link #onStreamBytes} as the
 * application reads it, and finishes with exactly one of {@link #completeBody}, {@link
 * #completeStream}, {@link #failed} or {@link #completeWithoutBody()}; a call whose response the
 * application dropped unfinished is finished with {@link #abandoned()}. Finishing twice is a no-op,
 * so a stream closed after its end is recorded once.
 *
 * <p>No method throws: a failure inside attribution is counted by the engine and the call goes on.
 * The methods are safe to call from several threads (a stream read on one thread while the engine's
 * {@code close()} or the unclosed-body cleaner finishes it on another): the first finish wins and
 * the rest are no-ops. Implementations are the engine's; adapters never implement this interface.
 */
public interface LlmCall {

  /** Whether the engine records this call at all ({@code false} for traffic it ignores). */
  boolean tracked();

  /** Whether the endpoint is a recognised LLM API. */
  boolean recognised();

  /** The local answer to send instead of calling upstream, or {@code null} to proceed. */
  @Nullable BlockedResponse blocked();

  /** How to change the request before sending it, or {@code null} for no change. */
  @Nullable UpstreamRewrite rewrite();

  /** Whether the request asked for a streamed response. */
  boolean streamingRequested();

  /** The context the call is attributed to. */
  AttributionContext context();

  /**
   * Reports the response status and headers at the moment they arrived (the time to first byte).
   *
   * @param status the HTTP status
   * @param headers the response header named (case-insensitively), or {@code null} when absent
   */
  void onResponse(int status, Function<String, @Nullable String> headers);

  /**
   * Feeds bytes of a streamed (server-sent events) response, in order, as the application reads
   * them. Bytes of a body that is not a stream are not fed.
   *
   * @param buf the bytes
   * @param off the first byte to read
   * @param len how many bytes to read
   */
  void onStreamBytes(byte[] buf, int off, int len);

  /**
   * Finishes a call whose complete (non-streamed) response body is {@code body[0..length)}.
   *
   * @param body the bytes
   * @param length how many bytes of {@code body} are the response
   */
  void completeBody(byte[] body, int length);

  /**
   * Finishes a call whose complete (non-streamed) response body is {@code body[offset..offset +
   * length)}: a body read in place where it lies (one segment of the client's buffer), never
   * changed and not kept after this returns.
   *
   * @param body the array holding the bytes
   * @param offset where the response starts in {@code body}
   * @param length how many bytes are the response
   */
  default void completeBody(byte[] body, int offset, int length) {
    completeBody(new java.io.ByteArrayInputStream(body, offset, length));
  }

  /**
   * Finishes a call whose complete (non-streamed) response body {@code body} yields; the stream is
   * read and closed here.
   *
   * @param body the (decoded) body
   */
  void completeBody(InputStream body);

  /**
   * Marks that the response's usage could not be read, and why (e.g. {@code body_too_large}, {@code
   * undecodable_gzip}, {@code content_type}): the record carries the reason as attribute {@code
   * usage_unreadable}, and the engine counts it with its parse failures. Call it before finishing
   * the call; only the first reason is kept.
   *
   * @param reason a short, fixed reason code
   */
  void markUnreadable(String reason);

  /** Finishes a call whose response body was not read (too large, not JSON, or none). */
  void completeWithoutBody();

  /**
   * Finishes a streamed call.
   *
   * @param reachedEnd whether the stream was read to its end; {@code false} when the application
   *     closed it early (recorded as cancelled unless the provider's terminal event was seen)
   */
  void completeStream(boolean reachedEnd);

  /**
   * Finishes a call that failed in transport; the adapter still throws the exception to the
   * application unchanged.
   *
   * @param error what the transport threw
   */
  void failed(Throwable error);

  /**
   * Finishes a call whose response the application dropped without finishing it (its body became
   * unreachable half-read or unread): a stream is recorded as {@code cancelled} (unless the
   * provider's terminal event was already seen) with what was seen so far, its usage estimated
   * ({@code usageEstimated}) when none arrived; a non-streamed answer that arrived whole is {@code
   * ok}, at an unknown cost when its usage was not read; the budget reservation is settled with
   * that. Adapters arrange this through {@code
   * dev.attribution.core.internal.transport.UnclosedBodies}; a no-op for a finished call. The
   * default finishes it as a stream closed early.
   */
  default void abandoned() {
    completeStream(false);
  }
}
