package dev.attribution.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTML report is self-contained, escapes what it shows, and renders in headless Chromium. */
class HtmlReportTest {
  static final LocalDate LAST = LocalDate.of(2026, 11, 28);

  @TempDir Path dir;

  private Path report(List<UsageRows.Call> calls, Path html) throws Exception {
    ReviewFixture f = new ReviewFixture(dir).insert(calls);
    f.review(ReviewOptions.builder().url(f.url).to(LAST).html(html));
    return html;
  }

  @Test
  void isOneSelfContainedFileWithInlineCharts() throws Exception {
    String s = Files.readString(report(SampleWeeks.calls(LAST), dir.resolve("r.html")));

    assertThat(s)
        .contains("<svg id=\"chart-daily\"", "<svg id=\"chart-tokens\"", "<svg id=\"chart-cache\"")
        .contains("<style>")
        .doesNotContain("<script", "<link", "src=", "http://", "https://", "url(");
    assertThat(s).contains("Looping thread", "agent-7f3a", "hooli-monthly");
  }

  @Test
  void escapesNamesFromTheDatabase() throws Exception {
    List<UsageRows.Call> calls = new ArrayList<>(SampleWeeks.calls(LAST));
    calls.add(
        UsageRows.at(LAST.atStartOfDay(ZoneOffset.UTC).toInstant())
            .tenant("<script>alert(1)</script>")
            .feature("a\"b"));
    String s = Files.readString(report(calls, dir.resolve("r.html")));

    assertThat(s).doesNotContain("<script").contains("&lt;script&gt;alert(1)&lt;/script&gt;");
  }

  @Test
  void footerTimeIsInTheWindowsZone() throws Exception {
    ReviewFixture f = new ReviewFixture(dir).insert(SampleWeeks.calls(LAST));
    ReviewResult r =
        f.review(ReviewOptions.builder().url(f.url).to(LAST).zone(ZoneId.of("Asia/Tokyo")));
    String s = HtmlReport.render(r, 10, Instant.parse("2026-11-28T23:30:00Z"));

    assertThat(s).contains("<footer>Generated 2026-11-29 08:30 JST by attribution-report from ");
    assertThat(s).doesNotContain("2026-11-28T23:30");
  }

  private static String chromium() {
    for (String dirName : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      for (String name : List.of("chromium", "chromium-browser")) {
        File f = new File(dirName, name);
        if (f.canExecute()) {
          return f.getAbsolutePath();
        }
      }
    }
    return null;
  }

  private static String run(List<String> command, Path log) throws Exception {
    Process p =
        new ProcessBuilder(command).redirectErrorStream(false).redirectError(log.toFile()).start();
    byte[] stdout = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("chromium did not finish: " + command);
    }
    return new String(stdout, StandardCharsets.UTF_8);
  }

  private static List<String> chromiumArgs(String exe, Path profile) {
    return new ArrayList<>(
        List.of(
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--user-data-dir=" + profile));
  }

  @Test
  void rendersInHeadlessChromiumWithChartsAndNoErrors() throws Exception {
    String exe = chromium();
    Assumptions.assumeTrue(exe != null, "chromium is not installed");
    Path out = Path.of("target", "review-html").toAbsolutePath();
    Files.createDirectories(out);
    Path html = report(SampleWeeks.calls(LAST), out.resolve("report.html"));
    Path png = out.resolve("report.png");
    Files.deleteIfExists(png);

    List<String> shot = chromiumArgs(exe, dir.resolve("profile1"));
    shot.add("--screenshot=" + png);
    shot.add("--window-size=1280,2000");
    shot.add(html.toUri().toString());
    run(shot, out.resolve("screenshot.log"));

    List<String> dump = chromiumArgs(exe, dir.resolve("profile2"));
    dump.add("--dump-dom");
    dump.add(html.toUri().toString());
    String dom = run(dump, out.resolve("dump-dom.log"));

    assertThat(png).exists();
    byte[] bytes = Files.readAllBytes(png);
    assertThat(bytes.length).as("screenshot size").isGreaterThan(50_000);
    assertThat(new String(bytes, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
    // The parsed DOM holds the charts' SVG elements: the daily bars and the legend.
    assertThat(dom).contains("<svg id=\"chart-daily\"").contains("class=\"bar\"");
    assertThat(dom.split("class=\"bar\"", -1).length - 1).isGreaterThan(20);
    // The forecast: its chart with spent and projected lines, and its table.
    assertThat(dom)
        .contains("<svg id=\"chart-forecast\"", "class=\"actual\"", "class=\"projected\"")
        .contains("id=\"forecast-table\"", "Projected spend = spend so far in the period");
    for (Path log : List.of(out.resolve("screenshot.log"), out.resolve("dump-dom.log"))) {
      assertThat(Files.readAllLines(log))
          .as("console errors in " + log)
          .noneMatch(
              l -> l.contains("CONSOLE") || l.contains("Uncaught") || l.contains("net::ERR"));
    }
  }
}
