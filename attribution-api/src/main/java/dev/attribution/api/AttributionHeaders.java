package dev.attribution.api;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The request headers that carry an {@link AttributionContext} to the interceptor when a call runs
 * on another thread than the one that set the scope (e.g. openai-java's async client).
 *
 * <p>The interceptor reads every header whose name starts with {@value #PREFIX} and removes it
 * before the request leaves the process; the provider never sees them. Values are form-url-encoded
 * UTF-8, so any valid identifier survives. Tags travel in {@value #TAGS} as {@code key=value} pairs
 * separated by {@code ,}.
 *
 * <p>With openai-java:
 *
 * <pre>{@code
 * client.async().chat().completions().create(params.toBuilder()
 *     .putAllAdditionalHeaders(AttributionHeaders.forOpenAi(Attribution.current())).build());
 * }</pre>
 */
public final class AttributionHeaders {

  /** Prefix of every attribution header (lower case; header names are case-insensitive). */
  public static final String PREFIX = "x-attribution-";

  /** Header carrying {@link AttributionContext#tenantId()}. */
  public static final String TENANT = PREFIX + "tenant";

  /** Header carrying {@link AttributionContext#userId()}. */
  public static final String USER = PREFIX + "user";

  /** Header carrying {@link AttributionContext#assistantId()}. */
  public static final String ASSISTANT = PREFIX + "assistant";

  /** Header carrying {@link AttributionContext#threadId()}. */
  public static final String THREAD = PREFIX + "thread";

  /** Header carrying {@link AttributionContext#feature()}. */
  public static final String FEATURE = PREFIX + "feature";

  /** Header carrying {@link AttributionContext#trafficClass()}. */
  public static final String TRAFFIC_CLASS = PREFIX + "traffic-class";

  /** Header carrying {@link AttributionContext#tags()} as {@code k=v,k2=v2}. */
  public static final String TAGS = PREFIX + "tags";

  /** Every header name this class writes, in a fixed order. */
  public static final List<String> NAMES =
      List.of(TENANT, USER, ASSISTANT, THREAD, FEATURE, TRAFFIC_CLASS, TAGS);

  private AttributionHeaders() {}

  /** Whether {@code headerName} is an attribution header (case-insensitive). */
  public static boolean isAttributionHeader(String headerName) {
    return headerName.regionMatches(true, 0, PREFIX, 0, PREFIX.length());
  }

  /** {@code context} as an ordered map of header name to encoded value; empty for no context. */
  public static Map<String, String> toHeaders(AttributionContext context) {
    if (context.isEmpty()) {
      return Collections.emptyMap();
    }
    Map<String, String> h = new LinkedHashMap<>();
    put(h, TENANT, context.tenantId());
    put(h, USER, context.userId());
    put(h, ASSISTANT, context.assistantId());
    put(h, THREAD, context.threadId());
    put(h, FEATURE, context.feature());
    put(h, TRAFFIC_CLASS, context.trafficClass());
    if (!context.tags().isEmpty()) {
      StringBuilder sb = new StringBuilder();
      for (Map.Entry<String, String> e : context.tags().entrySet()) {
        if (sb.length() > 0) {
          sb.append(',');
        }
        sb.append(e.getKey()).append('=').append(encode(e.getValue()));
      }
      h.put(TAGS, sb.toString());
    }
    return Collections.unmodifiableMap(h);
  }

  /**
   * The same headers as {@link #toHeaders}, each value in a one-element list, which is the shape
   * openai-java's {@code putAllAdditionalHeaders(Map<String, Iterable<String>>)} takes.
   */
  public static Map<String, List<String>> forOpenAi(AttributionContext context) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    toHeaders(context).forEach((k, v) -> out.put(k, List.of(v)));
    return Collections.unmodifiableMap(out);
  }

  /**
   * Reads a context from headers. {@code lookup} returns a header's value by name (any case the
   * caller's HTTP library uses), or {@code null}.
   *
   * <p>Never throws: a value that is malformed or fails {@link AttributionContext} validation is
   * skipped, and its header name is reported through {@link Parsed#rejected()}.
   *
   * @return the parsed headers; {@link Parsed#present()} is false when no attribution header was
   *     there
   */
  public static Parsed parse(Function<String, @Nullable String> lookup) {
    AttributionContext.Builder b = AttributionContext.builder();
    boolean present = false;
    StringBuilder rejected = new StringBuilder();
    for (String name : NAMES) {
      String raw = lookup.apply(name);
      if (raw == null) {
        continue;
      }
      present = true;
      try {
        if (name.equals(TAGS)) {
          parseTags(b, raw);
        } else {
          set(b, name, decode(raw.trim()));
        }
      } catch (IllegalArgumentException e) {
        if (rejected.length() > 0) {
          rejected.append(',');
        }
        rejected.append(name);
      }
    }
    return new Parsed(present, b.build(), rejected.toString());
  }

  private static void parseTags(AttributionContext.Builder b, String raw) {
    // Validate every pair before taking any, so a rejected header contributes no tags at all.
    AttributionContext.Builder tags = AttributionContext.builder();
    for (String pair : raw.split(",")) {
      String p = pair.trim();
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("tag without '='");
      }
      tags.tag(p.substring(0, eq).trim().toLowerCase(Locale.ROOT), decode(p.substring(eq + 1)));
    }
    b.tags(tags.build().tags());
  }

  private static void set(AttributionContext.Builder b, String name, String value) {
    switch (name) {
      case TENANT:
        b.tenantId(value);
        break;
      case USER:
        b.userId(value);
        break;
      case ASSISTANT:
        b.assistantId(value);
        break;
      case THREAD:
        b.threadId(value);
        break;
      case FEATURE:
        b.feature(value);
        break;
      case TRAFFIC_CLASS:
        b.trafficClass(value);
        break;
      default:
        throw new IllegalArgumentException(name);
    }
  }

  private static void put(Map<String, String> h, String name, @Nullable String value) {
    if (value != null) {
      h.put(name, encode(value));
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static String decode(String value) {
    return URLDecoder.decode(value, StandardCharsets.UTF_8);
  }

  /**
   * The result of {@link #parse}: whether any attribution header was present, the context read, and
   * the names of headers whose values were rejected (comma separated, empty when none).
   */
  public static final class Parsed {
    private final boolean present;
    private final AttributionContext context;
    private final String rejected;

    Parsed(boolean present, AttributionContext context, String rejected) {
      this.present = present;
      this.context = context;
      this.rejected = rejected;
    }

    /** Whether at least one attribution header was present. */
    public boolean present() {
      return present;
    }

    /** The context read from the valid headers. */
    public AttributionContext context() {
      return context;
    }

    /** Comma-separated names of headers whose values were invalid; empty when none. */
    public String rejected() {
      return rejected;
    }
  }
}
