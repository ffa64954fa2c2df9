package dev.attribution.core.internal.provider;

import com.fasterxml.jackson.core.JsonToken;
import dev.attribution.api.TokenUsage;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Everything the library knows about one wire shape of an LLM API: which paths it serves, where the
 * model is named, what a request says about its worst-case cost, where usage sits in a response and
 * in a stream, what an error body looks like and which headers carry the key. One implementation
 * per file ({@link OpenAiDialect}, {@link AnthropicDialect}, {@link GeminiDialect}); adding a
 * provider with its own shape is one more implementation, registered with {@link
 * ProviderRegistry.Builder#dialect(ProviderDialect)}, and a response fixture for its test.
 *
 * <p>A dialect is a wire shape, not a provider: OpenAI, Azure OpenAI, OpenRouter, Groq and every
 * other OpenAI-compatible API share {@link OpenAiDialect}, and Gemini's OpenAI-compatible path is
 * OpenAI-shaped too. The provider id comes from the host ({@link #providerOf(String)} or {@code
 * mapHost}); small per-provider differences inside one shape take the provider as an argument.
 *
 * <p>Implementations are immutable and thread-safe; per-response state lives in the {@link
 * UsageTally} and {@link StreamReader} they create. The plumbing around them ({@link
 * RequestParser}, {@link ResponseParser}, {@link StreamUsageTracker}, {@link UsageAccumulator})
 * knows no provider: it walks JSON and server-sent events and asks the dialect what each member or
 * event means. Internal: no compatibility promised.
 */
public interface ProviderDialect {

  /** A short name for logs and documentation, e.g. {@code openai}. */
  String name();

  // ---- recognising the endpoint ----

  /**
   * The provider id of a built-in host that speaks this dialect natively, or {@code null}. Hosts
   * mapped with {@code mapHost} are resolved before any dialect is asked.
   *
   * @param host the request host, lower case, without port
   */
  default @Nullable String providerOf(String host) {
    return null;
  }

  /**
   * The endpoint a {@code POST} to {@code path} reaches on {@code provider}'s host, or {@code null}
   * when this dialect does not serve that path. The endpoint names the operation ({@code chat},
   * {@code messages}, ...) recorded in {@code UsageRecord.operation()}, and whatever the path says
   * about the model (Gemini's {@code models/x:generateContent}, an Azure deployment) and streaming.
   *
   * @param provider the provider id the host resolved to
   * @param path the URL path without query string
   */
  @Nullable Endpoint recognize(String provider, String path);

  // ---- where the model is ----

  /**
   * The model the call is for, given what the request body said ({@link RequestFacts#model()},
   * which already falls back to {@link Endpoint#modelInPath()} when the body names none). Azure
   * OpenAI answers with the model its deployment serves.
   */
  default @Nullable String model(Endpoint endpoint, RequestFacts facts) {
    return facts.model();
  }

  /**
   * The deployment the path names, when the provider serves models through named deployments (Azure
   * OpenAI), recorded beside the model; {@code null} by default.
   */
  default @Nullable String deployment(Endpoint endpoint) {
    return null;
  }

  /**
   * The request changed to name {@code model} instead (a downgrade or a route), or {@code null}
   * when the model cannot be changed without rewriting anything else (then the call goes as
   * written).
   *
   * @param path the request path, for dialects that name the model there
   * @param body the request body, or {@code null} when it was not read
   */
  @Nullable ModelEdit withModel(
      Endpoint endpoint, String path, byte @Nullable [] body, RequestFacts facts, String model);

  /**
   * The tail of {@code path} a route keeps when it sends the call to another base URL, e.g. {@code
   * /chat/completions}. By default the last path segment.
   */
  default String operationPath(Endpoint endpoint, String path) {
    int slash = path.lastIndexOf('/');
    return slash >= 0 ? path.substring(slash) : "/" + path;
  }

  // ---- reading the request for the budget estimate ----

  /**
   * Reads one top-level member of a request body into {@code facts} ({@link RequestParser} walks
   * the object and calls this for each member, the value's first token current). Returns whether
   * the value was consumed whole (its children included); when not, the parser skips it undecoded,
   * which is all that happens to a member that means nothing to this dialect.
   *
   * @param name the member name
   * @param value the value's first token
   * @param p the parser, positioned on {@code value}
   * @param facts what has been read so far, to add to
   * @throws IOException if the body cannot be read
   */
  boolean readRequestMember(
      String name, JsonToken value, RequestReader p, RequestParser.Facts facts) throws IOException;

  /**
   * {@code body} changed so that a stream ends with a usage report, or {@code null} when this
   * endpoint needs no such change or it cannot be made. Called only for streaming requests that did
   * not ask for usage themselves.
   *
   * @param facts what {@code body} says, or {@code null} when {@code body} was rewritten since and
   *     must be read again
   * @throws IOException if {@code body} cannot be read
   */
  default byte @Nullable [] withStreamUsage(
      Endpoint endpoint, byte[] body, @Nullable RequestFacts facts) throws IOException {
    return null;
  }

  // ---- usage in a response ----

  /**
   * What a member of a response object (or of a stream event's JSON) means; {@link
   * ResponseMember#SKIP} for anything else, which is then skipped undecoded.
   */
  ResponseMember responseMember(String name);

  /** Fresh per-response state that turns this dialect's usage objects into token usage. */
  UsageTally newTally(Endpoint endpoint);

  // ---- streams ----

  /**
   * A reader for a streamed response of {@code endpoint}, fed every byte the application reads. The
   * built-in dialects stream server-sent events ({@link StreamUsageTracker} with their {@link
   * SseShape}); a dialect with another framing returns its own reader.
   */
  StreamReader newStream(Endpoint endpoint);

  // ---- error bodies ----

  /**
   * The JSON body of a 429 the engine answers with instead of calling the provider (a blocked
   * call), shaped as this provider's SDKs parse their own errors.
   *
   * @param type the error type, e.g. {@code budget_exceeded}
   * @param message the human-readable reason, unquoted
   */
  String errorBody(String type, String message);

  /**
   * The error type a failed response's headers name, or {@code null} (the default: the type is in
   * the body). Asked only for a response of status 400 or more; it is preferred to the body's, and
   * kept as an error type is (bounded, sanitised).
   */
  default @Nullable String errorType(Function<String, @Nullable String> headers) {
    return null;
  }

  /**
   * The usage a successful response's headers report, or {@code null} (the default: usage is in the
   * body). Used only when the body reports none (a model family whose body has no counts, a body
   * never read); the body's own report is always preferred.
   */
  default @Nullable TokenUsage usageFromHeaders(Function<String, @Nullable String> headers) {
    return null;
  }

  // ---- credentials ----

  /**
   * Headers that carry this dialect's API keys, as spelled on the wire. The engine removes all of
   * them when it replaces a key or routes a call elsewhere, so a key never reaches another
   * provider.
   */
  List<String> credentialHeaders();

  /**
   * The API key a request carries in this dialect's headers, or {@code null}. By default the first
   * non-blank of {@link #credentialHeaders()}, trimmed.
   */
  default @Nullable String keyOf(Function<String, @Nullable String> headers) {
    for (String h : credentialHeaders()) {
      String v = headers.apply(h);
      if (v != null && !v.isBlank()) {
        return v.trim();
      }
    }
    return null;
  }

  /** Query parameters that carry an API key (Gemini's {@code ?key=}); none by default. */
  default List<String> keyParameters() {
    return List.of();
  }

  /**
   * The header (name and value) that sends {@code key} to {@code provider} in this dialect, e.g.
   * {@code Authorization: Bearer <key>}.
   */
  Map.Entry<String, String> credential(String provider, String key);

  /**
   * A regular expression matching this provider's API keys by their prefix (e.g. {@code
   * sk-[A-Za-z0-9_*.\-]{4,}}), so error messages that echo a key are redacted; {@code null} when
   * its keys have no recognisable prefix.
   */
  default @Nullable String keyPattern() {
    return null;
  }
}
