package dev.attribution.report;

import java.util.Locale;

/** Counts with the right noun form: "1 call", "2 calls". */
final class Plural {
  private Plural() {}

  /** {@code n} followed by {@code noun}, with an "s" unless n is 1. */
  static String of(long n, String noun) {
    return of(n, noun, noun + "s");
  }

  /** {@code n} followed by {@code one} or {@code many}. */
  static String of(long n, String one, String many) {
    return String.format(Locale.ROOT, "%,d", n) + " " + (n == 1 ? one : many);
  }
}
