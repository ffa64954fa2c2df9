package dev.attribution.api;

import java.util.List;

/** Calls every member of a composite, then rethrows the first failure with the rest suppressed. */
final class CompositeCalls {

  private CompositeCalls() {}

  /** One call on one member. */
  @FunctionalInterface
  interface Call<T> {
    void on(T member) throws Exception;
  }

  static <T> void each(List<T> members, Call<T> call) throws Exception {
    Exception first = null;
    for (T m : members) {
      try {
        call.on(m);
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
