package dev.attribution.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The review summed from the sink's daily rollups is the review summed from the calls, on every
 * database: every CSV and JSON export is byte-identical. The rollups are used only when they can
 * give the same answer; otherwise the review reads the calls and says why.
 */
class RollupReviewTest {

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "h2", "postgresql", "mysql"})
  void theReviewFromRollupsEqualsTheReviewFromTheCalls(String dialect) throws Exception {
    Databases.withTable(
        dialect,
        dir,
        WeeklyReviewTest.calls(),
        (url, table) -> {
          String rows = review(url, table, "rows", false, "UTC");
          assertThat(rows).contains("summed from the usage rows (the daily rollups have no zone)");

          String rolled = review(url, table, "rollups", true, "UTC");
          assertThat(rolled).contains("Rebuilt the daily rollups in UTC from ");
          assertThat(rolled).contains("summed from daily rollups in UTC in ");
          assertThat(exports("rollups")).isEqualTo(exports("rows")).isNotEmpty();

          // Another zone's days are not the rollups' days: the calls are read, and the page says
          // so.
          String berlin = review(url, table, "berlin", false, "Europe/Berlin");
          assertThat(berlin)
              .contains("the daily rollups are kept in UTC, not in this review's zone");

          // A call written around the sink: the rollups no longer hold every call of the window.
          try (Connection c = DriverManager.getConnection(url)) {
            UsageRows.insert(
                c,
                table,
                List.of(
                    UsageRows.at(
                            WeeklyReviewTest.LAST
                                .atStartOfDay(ZoneId.of("UTC"))
                                .toInstant()
                                .plusSeconds(60))
                        .tenant("acme")
                        .cost("1.5")));
          }
          String behind = review(url, table, "behind", false, "UTC");
          assertThat(behind).containsPattern("the daily rollups hold [0-9,]+ of the window's");
          assertThat(behind).contains("--rebuild-rollups recomputes them");
          String rebuilt = review(url, table, "rebuilt", true, "UTC");
          assertThat(rebuilt).contains("summed from daily rollups in UTC in ");
          assertThat(exports("rebuilt")).isEqualTo(exports("behind"));
          assertThat(exports("rebuilt")).isNotEqualTo(exports("rows"));
        });
  }

  /** Runs the review into {@code dir/name}; returns what it printed. */
  private String review(String url, String table, String name, boolean rebuild, String zone)
      throws Exception {
    return review(
        dir,
        url,
        table,
        name,
        rebuild,
        WeeklyReviewTest.FIRST,
        WeeklyReviewTest.LAST,
        ZoneId.of(zone));
  }

  private Map<String, String> exports(String name) throws Exception {
    return exports(dir, name);
  }

  /**
   * Runs the review of {@code from}..{@code to} in {@code zone} with its CSV and JSON exports in
   * {@code dir/name}, rebuilding the rollups first when asked; returns what it printed.
   */
  static String review(
      Path dir,
      String url,
      String table,
      String name,
      boolean rebuild,
      LocalDate from,
      LocalDate to,
      ZoneId zone)
      throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (PrintStream terminal = new PrintStream(out, true, StandardCharsets.UTF_8)) {
      WeeklyReview.run(
          ReviewOptions.builder()
              .url(url)
              .table(table)
              .from(from)
              .to(to)
              .zone(zone)
              .rebuildRollups(rebuild)
              .csvDir(dir.resolve(name).resolve("csv"))
              .jsonDir(dir.resolve(name).resolve("json"))
              .build(),
          terminal);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Every export file under {@code dir/name}, by relative path, as text. */
  static Map<String, String> exports(Path dir, String name) throws Exception {
    Path root = dir.resolve(name);
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
        files.put(root.relativize(p).toString(), Files.readString(p));
      }
    }
    return files;
  }
}
