package dev.attribution.examples;

import dev.attribution.report.ReviewOptions;
import dev.attribution.report.ReviewResult;
import dev.attribution.report.WeeklyReview;
import java.io.IOException;
import java.sql.SQLException;

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
      "--html", options.htmlReport().toString()
    };
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
