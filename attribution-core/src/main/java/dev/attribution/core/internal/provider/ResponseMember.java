package dev.attribution.core.internal.provider;

import org.jspecify.annotations.Nullable;

/**
 * What a member of a response object means to a dialect ({@link
 * ProviderDialect#responseMember(String)}); {@link ResponseParser} reads only the members that mean
 * something, and only scalar values of the expected type.
 *
 * @param kind what the member holds
 * @param elementKey for {@link Kind#ELEMENTS}: the string member of each element handed to the
 *     tally (e.g. {@code finish_reason}); {@code null} otherwise
 */
public record ResponseMember(Kind kind, @Nullable String elementKey) {

  /** What a response member holds. */
  public enum Kind {
    /** Nothing the library reads: skipped undecoded. */
    SKIP,
    /** A usage object, read (bounded) and handed to {@link UsageTally#onUsage}. */
    USAGE,
    /**
     * A token count that stands beside the response instead of inside a usage object (Meta Llama's
     * {@code prompt_token_count} on Bedrock): handed to {@link UsageTally#onUsage} as a usage
     * object of that one member, named by it; a {@code null} count is skipped.
     */
    USAGE_COUNT,
    /** An object wrapping the response (a stream event's {@code response}, {@code message}). */
    WRAPPER,
    /** An object of which only the usage members are read (Groq's {@code x_groq}). */
    USAGE_WRAPPER,
    /** The model that answered (a string). */
    MODEL,
    /** The provider's response id (a string). */
    ID,
    /** An event or object type (a string), handed to {@link UsageTally#onType}. */
    TYPE,
    /** An error: a string, or an object with type/status/code/message. */
    ERROR,
    /**
     * A string: the error's message where it stands alone at the top of an error body (AWS's {@code
     * {"message": ...}}, whose type travels in a header); an object under the same name is read as
     * a {@link #WRAPPER} (Anthropic's {@code message_start} wraps its message).
     */
    MESSAGE,
    /** An array of objects whose {@code elementKey} string is handed to {@link UsageTally}. */
    ELEMENTS
  }

  /** Skipped. */
  public static final ResponseMember SKIP = new ResponseMember(Kind.SKIP, null);

  /** A usage object. */
  public static final ResponseMember USAGE = new ResponseMember(Kind.USAGE, null);

  /** A wrapper object. */
  public static final ResponseMember WRAPPER = new ResponseMember(Kind.WRAPPER, null);

  /** An object read for its usage members only. */
  public static final ResponseMember USAGE_WRAPPER = new ResponseMember(Kind.USAGE_WRAPPER, null);

  /** The response model. */
  public static final ResponseMember MODEL = new ResponseMember(Kind.MODEL, null);

  /** The response id. */
  public static final ResponseMember ID = new ResponseMember(Kind.ID, null);

  /** An event or object type. */
  public static final ResponseMember TYPE = new ResponseMember(Kind.TYPE, null);

  /** An error. */
  public static final ResponseMember ERROR = new ResponseMember(Kind.ERROR, null);

  /** A token count beside the response. */
  public static final ResponseMember USAGE_COUNT = new ResponseMember(Kind.USAGE_COUNT, null);

  /** An error message string, or a wrapper object. */
  public static final ResponseMember MESSAGE = new ResponseMember(Kind.MESSAGE, null);

  /** An array whose elements' {@code key} strings are handed to the tally. */
  public static ResponseMember elements(String key) {
    return new ResponseMember(Kind.ELEMENTS, key);
  }
}
