package dev.attribution.examples;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How the demo runs: how much traffic, where its files go, and whether it calls the real OpenAI
 * API.
 *
 * @param days simulated days of traffic, ending now (the weekly review compares the last 7 with the
 *     7 before)
 * @param volume traffic scale; 1 is the full demo, the test suite runs a fraction
 * @param outputDir where {@code usage.db} and the HTML report are written; emptied first
 * @param openAiKey a real OpenAI key, or {@code null} for the built-in fake provider
 * @param openAiBaseUrl where OpenAI calls go when {@code openAiKey} is set
 * @param out where progress and the review are printed
 */
record DemoOptions(
    int days,
    double volume,
    Path outputDir,
    @Nullable String openAiKey,
    String openAiBaseUrl,
    PrintStream out) {

  /** The real OpenAI API. */
  static final String OPENAI_BASE_URL = "https://api.openai.com/v1";

  /** Traffic scale against the real API: about a hundred small gpt-4o-mini calls. */
  static final double REAL_API_VOLUME = 0.15;

  /** System property naming the output directory; the Maven profile sets it. */
  static final String DIR_PROPERTY = "demo.dir";

  /** System property that shortens the run (the test suite's mode): {@code demo.short=true}. */
  static final String SHORT_PROPERTY = "demo.short";

  /** Hard cap, in US dollars, on what the demo may spend on the real OpenAI API. */
  static final String REAL_API_CAP_USD = "0.05";

  DemoOptions {
    Objects.requireNonNull(outputDir, "outputDir");
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(openAiBaseUrl, "openAiBaseUrl");
    if (days < 2) {
      throw new IllegalArgumentException("days must be at least 2, was " + days);
    }
    if (!(volume > 0 && volume <= 4)) {
      throw new IllegalArgumentException("volume must be in (0, 4], was " + volume);
    }
  }

  /** Options for {@code main}: system properties and the {@code OPENAI_API_KEY} variable. */
  static DemoOptions fromEnvironment() {
    Path dir = Path.of(System.getProperty(DIR_PROPERTY, "target/demo"));
    boolean shortRun = Boolean.getBoolean(SHORT_PROPERTY);
    String key = System.getenv("OPENAI_API_KEY");
    if (key != null && key.isBlank()) {
      key = null;
    }
    double volume = key != null ? REAL_API_VOLUME : shortRun ? 0.3 : 1.0;
    return new DemoOptions(14, volume, dir, key, OPENAI_BASE_URL, System.out);
  }

  /** Options for a run on the built-in fake provider. */
  static DemoOptions fake(double volume, Path outputDir, PrintStream out) {
    return new DemoOptions(14, volume, outputDir, null, OPENAI_BASE_URL, out);
  }

  /** Whether calls go to the real OpenAI API. */
  boolean realOpenAi() {
    return openAiKey != null;
  }

  /** {@code n} scaled by the volume, at least one. */
  int scaled(int n) {
    return Math.max(1, (int) Math.round(n * volume));
  }

  /** The SQLite database the JDBC sink writes. */
  Path database() {
    return outputDir.resolve("usage.db");
  }

  /** The weekly review's HTML report. */
  Path htmlReport() {
    return outputDir.resolve("weekly-review.html");
  }
}
