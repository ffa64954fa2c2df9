package dev.attribution.core.internal.pricing;

import dev.attribution.core.internal.provider.Providers;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The names a requested model may be priced under, most specific first: the name itself, without a
 * provider prefix ({@code openai/gpt-4o}), without a Bedrock region prefix ({@code
 * us.anthropic...}), without a Bedrock version ({@code -v2:0}) and without a date or version suffix
 * ({@code -2024-08-06}, {@code -20241022}, {@code @20240620}, {@code -0613}, {@code -002}, {@code
 * -latest}). Only used when a resolution is not cached.
 */
public final class ModelNames {

  private static final Pattern REGION =
      Pattern.compile("^(us|eu|apac|ap|au|jp|ca|global|us-gov)\\.");
  private static final Pattern BEDROCK_VERSION = Pattern.compile("(-v\\d+)?(:\\d+)?$");
  private static final Pattern[] SUFFIXES = {
    Pattern.compile("-\\d{4}-\\d{2}-\\d{2}$"),
    Pattern.compile("-\\d{8}$"),
    Pattern.compile("@\\d{8}$"),
    Pattern.compile("@\\d{3}$"),
    Pattern.compile("-\\d{2}-\\d{2}$"),
    Pattern.compile("-\\d{4}$"),
    Pattern.compile("-\\d{3}$"),
    Pattern.compile("-latest$"),
  };
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private ModelNames() {}

  /** Trimmed, lower case, inner whitespace removed. */
  /** {@code s} trimmed and lower-cased (root locale): how provider, model and tier ids compare. */
  public static String normaliseId(String s) {
    return s.trim().toLowerCase(java.util.Locale.ROOT);
  }

  public static String normalise(String model) {
    String n = ModelNames.normaliseId(model);
    return n.indexOf(' ') >= 0 || n.indexOf('\t') >= 0 ? WHITESPACE.matcher(n).replaceAll("") : n;
  }

  /** Candidate catalog names for {@code model} at {@code provider}, most specific first. */
  public static List<String> candidates(String provider, String model) {
    Set<String> out = new LinkedHashSet<>();
    String n = normalise(model);
    out.add(n);
    if (!Providers.OPENROUTER.equals(provider) && n.indexOf('/') > 0) {
      out.add(n.substring(n.indexOf('/') + 1));
      out.add(n.substring(n.lastIndexOf('/') + 1));
    }
    for (String c : new ArrayList<>(out)) {
      out.add(REGION.matcher(c).replaceFirst(""));
    }
    for (String c : new ArrayList<>(out)) {
      if (c.indexOf(':') > 0 || c.matches(".*-v\\d+$")) {
        out.add(BEDROCK_VERSION.matcher(c).replaceFirst(""));
      }
    }
    for (String c : new ArrayList<>(out)) {
      String s = c;
      boolean changed = true;
      while (changed) {
        changed = false;
        for (Pattern p : SUFFIXES) {
          String t = p.matcher(s).replaceFirst("");
          if (!t.equals(s) && !t.isEmpty()) {
            s = t;
            out.add(s);
            changed = true;
          }
        }
      }
    }
    out.remove("");
    return new ArrayList<>(out);
  }
}
