package dev.attribution.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {
  static final LocalDate LAST = LocalDate.of(2026, 11, 28);

  @TempDir Path dir;

  @Test
  void writesSelfContainedHtmlWithCharts() throws Exception {
    ReviewFixture f = new ReviewFixture(dir).insert(SampleWeeks.calls(LAST));
    Path html = Path.of("target/review-test/report.html");
    f.review(ReviewOptions.builder().url(f.url).to(LAST).html(html));
    System.out.println(f.terminalText());
    String s = Files.readString(html);
    assertThat(s)
        .contains("<svg id=\"chart-daily\"")
        .doesNotContain("<script")
        .doesNotContain("http://")
        .doesNotContain("https://");
  }
}
