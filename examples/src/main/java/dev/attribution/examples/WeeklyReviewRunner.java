package dev.attribution.examples;

import dev.attribution.report.ReviewOptions;
import dev.attribution.report.ReviewResult;
import dev.attribution.report.WeeklyReview;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/**
 * Runs the weekly review over the demo's database, as an operator would with {@code WeeklyReview
 * --url jdbc:sqlite:usage.db --table llm_usage --html weekly-review.html}: this week against the
 * week before, printed to the terminal and written as one self-contained HTML file.
 */
final class WeeklyReviewRunner {

  private WeeklyReviewRunner() {}

  /** The arguments an operator would pass to {@code WeeklyReview} on the command line. */
  static String[] arguments(DemoOptions options) {
    return new String[] {
      "--url", jdbcUrl(options),
      "--table", Demo.TABLE,
      "--html", options.htmlReport().toAbsolutePath().toString()
    };
  }

  /**
   * A command a user can paste, from any directory, to run the review again: {@code java} with an
   * argument file holding the demo's class path (written next to the database, so the command stays
   * short), the review's main class and its arguments.
   */
  static String rerunCommand(DemoOptions options) throws IOException {
    Path argFile = options.outputDir().resolve("review-classpath.args").toAbsolutePath();
    // Argument files quote like this: "..." with backslashes escaped (Windows paths).
    Files.writeString(
        argFile, "-cp \"" + classPath().replace("\\", "\\\\") + "\"\n", StandardCharsets.UTF_8);
    List<String> command =
        new ArrayList<>(List.of("java", "@" + argFile, WeeklyReview.class.getName()));
    command.addAll(Arrays.asList(arguments(options)));
    StringJoiner line = new StringJoiner(" ");
    command.forEach(word -> line.add(shellQuote(word)));
    return line.toString();
  }

  /** The class path the demo runs on: Maven's exec:java class loader, or the JVM's. */
  private static String classPath() {
    if (WeeklyReviewRunner.class.getClassLoader() instanceof URLClassLoader loader) {
      StringJoiner cp = new StringJoiner(File.pathSeparator);
      for (URL url : loader.getURLs()) {
        try {
          cp.add(Path.of(url.toURI()).toString());
        } catch (URISyntaxException | IllegalArgumentException e) {
          // not a file: nothing a command line could use
        }
      }
      return cp.toString();
    }
    return System.getProperty("java.class.path");
  }

  private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9@%_+=:,./-]+");

  private static String shellQuote(String word) {
    return SHELL_SAFE.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
  }

  static String jdbcUrl(DemoOptions options) {
    return "jdbc:sqlite:" + options.database().toAbsolutePath();
  }

  /** Prints the review and writes the HTML report; its totals are returned for checking. */
  static ReviewResult run(DemoOptions options) throws SQLException, IOException {
    ReviewOptions review =
        ReviewOptions.builder()
            .url(jdbcUrl(options))
            .table(Demo.TABLE)
            .html(options.htmlReport())
            .build();
    return WeeklyReview.run(review, options.out());
  }
}
