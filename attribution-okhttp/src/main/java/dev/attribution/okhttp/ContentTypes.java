package dev.attribution.okhttp;

import org.jspecify.annotations.Nullable;

/**
 * Checks on a {@code Content-Type} value by hand: no {@code MediaType}, no regex, no allocation.
 */
final class ContentTypes {

  private ContentTypes() {}

  /** A single JSON document: {@code application/json} or {@code +json}, not NDJSON. */
  static boolean isJson(@Nullable String contentType) {
    if (contentType == null) {
      return false;
    }
    int slash = contentType.indexOf('/');
    int end = end(contentType);
    if (slash <= 0 || slash >= end - 1) {
      return false;
    }
    return endsWithIgnoreCase(contentType, slash + 1, end, "json")
        && (end - slash - 1 == 4 || contentType.charAt(end - 5) == '+');
  }

  /** {@code text/event-stream}. */
  static boolean isEventStream(@Nullable String contentType) {
    if (contentType == null) {
      return false;
    }
    int start = 0;
    while (start < contentType.length() && contentType.charAt(start) == ' ') {
      start++;
    }
    int end = end(contentType);
    String want = "text/event-stream";
    return end - start == want.length()
        && contentType.regionMatches(true, start, want, 0, want.length());
  }

  /** The end of the type/subtype: before parameters and trailing blanks. */
  private static int end(String v) {
    int semi = v.indexOf(';');
    int end = semi < 0 ? v.length() : semi;
    while (end > 0 && (v.charAt(end - 1) == ' ' || v.charAt(end - 1) == '\t')) {
      end--;
    }
    return end;
  }

  private static boolean endsWithIgnoreCase(String v, int from, int end, String suffix) {
    int start = end - suffix.length();
    return start >= from && v.regionMatches(true, start, suffix, 0, suffix.length());
  }
}
