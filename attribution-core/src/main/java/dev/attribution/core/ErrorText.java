package dev.attribution.core;

import dev.attribution.core.internal.provider.ProviderDialect;
import dev.attribution.core.internal.provider.ProviderRegistry;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Makes provider error types and messages safe to keep. Providers echo the request in errors:
 * validation messages quote the offending value (prompt text), JSON parse errors repeat the line
 * they choked on, and key errors repeat part of the key. Records, and so spools, logs and telemetry
 * built from them, keep the error type and a bounded message with all of that removed.
 */
final class ErrorText {

  /** Longest message kept: {@value} characters. */
  static final int MAX_MESSAGE = 200;

  /** Longest error type kept: {@value} characters. */
  static final int MAX_TYPE = 64;

  private static final String REDACTED = "[redacted]";

  /** A quoted value; an apostrophe inside a word ("didn't") does not open a quote. */
  private static final Pattern QUOTED =
      Pattern.compile(
          "\"[^\"]*\"?|(?<![\\p{L}\\p{N}])'[^']*'?(?![\\p{L}\\p{N}])|`[^`]*`?|[\u201C\u2018\u00AB][^\u201D\u2019\u00BB]*[\u201D\u2019\u00BB]?");

  /** A parameter path such as {@code messages[0].content} or {@code messages.0.role}. */
  private static final Pattern PARAMETER_PATH =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z0-9_]+|\\[\\d+\\])+");

  /**
   * Provider key prefixes, from the built-in dialects ({@link ProviderDialect#keyPattern()}: {@code
   * sk-}, {@code AIza}), as one alternation.
   */
  private static final String KEY_PREFIXES = keyPrefixes();

  private static final Pattern SECRETS =
      Pattern.compile(
          "(?i)(?:bearer|basic)\\s+\\S+"
              + "|\\b(?:key|api[_-]?key|token|access_token|secret|password|sig)=[^&\\s]*"
              + "|\\b(?:"
              + KEY_PREFIXES
              + ")"
              + "|(?=[A-Za-z0-9+/_=\\-]*[0-9])(?=[A-Za-z0-9+/_=\\-]*[A-Za-z])[A-Za-z0-9+/_=\\-]{24,}");

  /**
   * A key inside an identifier: a provider key prefix, or a long run of letters and digits mixed
   * (underscored identifiers such as {@code context_length_exceeded} are not).
   */
  private static final Pattern TYPE_SECRETS =
      Pattern.compile(
          "(?i)" + KEY_PREFIXES + "|(?=[A-Za-z0-9]*[0-9])(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{20,}");

  private static String keyPrefixes() {
    Set<String> patterns = new LinkedHashSet<>();
    for (ProviderDialect d : ProviderRegistry.builtInDialects()) {
      String p = d.keyPattern();
      if (p != null) {
        patterns.add(p);
      }
    }
    return String.join("|", patterns);
  }

  private ErrorText() {}

  /**
   * The error type (or code), restricted to a short identifier, {@code [redacted]} when it looks
   * like a credential; {@code null} when nothing is left.
   */
  static @Nullable String type(@Nullable String type) {
    if (type == null) {
      return null;
    }
    StringBuilder sb = new StringBuilder(Math.min(type.length(), MAX_TYPE));
    for (int i = 0; i < type.length() && sb.length() < MAX_TYPE; i++) {
      char c = type.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '-'
              || c == '.'
              || c == ':';
      sb.append(ok ? c : '_');
    }
    if (sb.length() > 0 && TYPE_SECRETS.matcher(sb).find()) {
      // A proxy (or a hostile upstream) can put anything in a type or code, a key included.
      return REDACTED;
    }
    return sb.length() == 0 ? null : sb.toString();
  }

  /**
   * The message's first line with quoted values replaced by an ellipsis, anything that looks like a
   * credential replaced by {@code [redacted]}, control characters removed, and at most {@value
   * #MAX_MESSAGE} characters; {@code null} when nothing is left.
   */
  static @Nullable String message(@Nullable String message) {
    if (message == null) {
      return null;
    }
    // Only the first line: parse errors repeat the offending request line after a line break.
    String m = message.strip();
    int nl = indexOfLineBreak(m);
    if (nl >= 0) {
      m = m.substring(0, nl);
    }
    // Bound the work before the regular expressions run on a hostile body.
    if (m.length() > 4 * MAX_MESSAGE) {
      m = m.substring(0, 4 * MAX_MESSAGE);
    }
    Matcher q = QUOTED.matcher(m);
    StringBuilder sb = new StringBuilder(m.length());
    while (q.find()) {
      String quoted = q.group();
      String inner = quoted.length() >= 2 ? quoted.substring(1, quoted.length() - 1) : "";
      String keep =
          PARAMETER_PATH.matcher(inner).matches()
              ? quoted
              : quoted.charAt(0) + "\u2026" + closing(quoted.charAt(0));
      q.appendReplacement(sb, Matcher.quoteReplacement(keep));
    }
    q.appendTail(sb);
    m = SECRETS.matcher(sb).replaceAll(REDACTED);
    StringBuilder out = new StringBuilder(Math.min(m.length(), MAX_MESSAGE + 1));
    for (int i = 0; i < m.length(); i++) {
      char c = m.charAt(i);
      if (Character.isISOControl(c) || isBidiControl(c)) {
        continue;
      }
      if (out.length() >= MAX_MESSAGE - 1) {
        out.append('\u2026');
        break;
      }
      out.append(c);
    }
    String s = out.toString().strip();
    return s.isEmpty() ? null : s;
  }

  private static int indexOfLineBreak(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\n' || c == '\r' || c == '\u2028' || c == '\u2029' || c == '\u0085') {
        return i;
      }
    }
    return -1;
  }

  private static char closing(char open) {
    switch (open) {
      case '\u201C':
        return '\u201D';
      case '\u2018':
        return '\u2019';
      case '\u00AB':
        return '\u00BB';
      default:
        return open;
    }
  }

  private static boolean isBidiControl(char c) {
    return (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069');
  }
}
