package dev.attribution.examples;

/** Prints the weekly review of the demo's database and writes its HTML report. */
final class WeeklyReviewRunner {

  private WeeklyReviewRunner() {}

  static void run(DemoOptions options) {
    options.out().println("(the weekly review module is not merged yet)");
  }
}
