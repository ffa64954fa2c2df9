package dev.attribution.api.internal;

import org.jspecify.annotations.Nullable;

/**
 * Escapes control characters in untrusted text (model names, context values, provider error text)
 * before it reaches a log line or a terminal, so it cannot start a forged log line, move the cursor
 * or recolour the screen: line breaks become {@code \n} and {@code \r}, other C0 and C1 controls,
 * DEL, line and paragraph separators and bidirectional overrides become {@code \}{@code uXXXX}.
 * Text without them is returned as is (no copy).
 */
public final class ControlChars {

  private ControlChars() {}

  /** {@code text} with its control characters escaped; {@code "null"} for {@code null}. */
  public static String escape(@Nullable String text) {
    if (text == null) {
      return "null";
    }
    int i = 0;
    while (i < text.length() && !isControl(text.charAt(i))) {
      i++;
    }
    if (i == text.length()) {
      return text;
    }
    StringBuilder sb = new StringBuilder(text.length() + 16).append(text, 0, i);
    for (; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!isControl(c)) {
        sb.append(c);
      } else if (c == '\n') {
        sb.append("\\n");
      } else if (c == '\r') {
        sb.append("\\r");
      } else if (c == '\t') {
        sb.append("\\t");
      } else {
        sb.append("\\u").append(String.format(java.util.Locale.ROOT, "%04x", (int) c));
      }
    }
    return sb.toString();
  }

  /** Whether {@code c} is a character {@link #escape} rewrites. */
  public static boolean isControl(char c) {
    return c < 0x20
        || (c >= 0x7F && c <= 0x9F)
        || c == '\u2028'
        || c == '\u2029'
        || (c >= '\u202A' && c <= '\u202E')
        || (c >= '\u2066' && c <= '\u2069');
  }
}
