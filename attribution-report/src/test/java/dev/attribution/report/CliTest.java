package dev.attribution.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line the demo and operators use. */
class CliTest {
  static final LocalDate LAST = LocalDate.of(2026, 11, 28);

  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return WeeklyReview.execute(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void writesTerminalHtmlCsvAndJsonFromArguments() throws Exception {
    ReviewFixture f = new ReviewFixture(dir).insert(SampleWeeks.calls(LAST));

    int code =
        run(
            "--url",
            f.url,
            "--table",
            "llm_usage",
            "--from",
            LAST.minusDays(6).toString(),
            "--to=" + LAST,
            "--html",
            dir.resolve("out/report.html").toString(),
            "--csv-dir",
            dir.resolve("csv").toString(),
            "--json-dir",
            dir.resolve("json").toString(),
            "--top",
            "3");

    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text)
        .contains("Weekly LLM cost review " + LAST.minusDays(6) + " .. " + LAST)
        .contains("Spend by tenant (top 3 of 5)")
        .contains("HTML report: " + dir.resolve("out/report.html").toAbsolutePath());
    assertThat(dir.resolve("out/report.html")).isNotEmptyFile();
    assertThat(dir.resolve("csv/by_model.csv")).isNotEmptyFile();
    assertThat(dir.resolve("json/review.json")).isNotEmptyFile();
  }

  @Test
  void rejectsUnknownOptionsWithUsage() {
    assertThat(run("--colour", "red")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("unknown option --colour")
        .contains("usage: java -jar attribution-report-<version>-all.jar");
  }

  @Test
  void rejectsBadDatesNamingTheOption() {
    assertThat(run("--from", "last-week")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--from must be an ISO date");
  }

  @Test
  void reportsAMissingDatabaseWithoutCreatingIt() {
    Path missing = dir.resolve("nope.db");
    assertThat(run("--url", "jdbc:sqlite:" + missing)).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("no SQLite database at");
    assertThat(missing).doesNotExist();
  }

  @Test
  void rejectsPlanPricesThatAreNotAmounts() throws Exception {
    ReviewFixture f = new ReviewFixture(dir);
    Path plans = dir.resolve("plans.properties");
    Files.writeString(plans, "acme=cheap\n");
    assertThat(run("--url", f.url, "--plan-prices", plans.toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("plan price of tenant 'acme'");
  }

  @Test
  void printsHelp() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("--plan-prices");
  }
}
