package dev.attribution.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.sink.jdbc.SqlDialect;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL ranks threads from the current window and looks up the previous window's spend of the
 * kept ones only; the ranking must equal grouping both windows, ties and all.
 */
class ThreadRankingTest {
  static final LocalDate TO = LocalDate.of(2026, 11, 28);

  @TempDir Path dir;

  @Test
  void currentWindowRankingEqualsGroupingBothWindows() throws Exception {
    Instant cur = Instant.parse("2026-11-25T10:00:00Z");
    Instant prev = Instant.parse("2026-11-18T10:00:00Z");
    List<UsageRows.Call> calls = new ArrayList<>();
    calls.add(UsageRows.at(cur).thread("a").cost("3.00"));
    calls.add(UsageRows.at(prev).thread("a").cost("1.00"));
    calls.add(UsageRows.at(cur).thread("b").cost("2.00"));
    // c ties b in the current window; its previous spend puts it ahead of b
    calls.add(UsageRows.at(cur).thread("c").cost("1.50"));
    calls.add(UsageRows.at(cur.plusSeconds(60)).thread("c").cost("0.50"));
    calls.add(UsageRows.at(prev).thread("c").cost("5.00"));
    calls.add(UsageRows.at(cur).thread("d").cost("1.00"));
    calls.add(UsageRows.at(prev).thread("d").cost("9.00"));
    calls.add(UsageRows.at(prev).thread("e").cost("10.00"));
    Databases.withTable(
        "postgresql",
        dir,
        calls,
        (url, table) -> {
          Map<String, Stats> fast = rank(url, table, true);
          Map<String, Stats> both = rank(url, table, false);
          assertThat(fast.keySet()).containsExactlyInAnyOrder("a", "c");
          assertThat(fast.get("c").cost).isEqualByComparingTo("2.00");
          assertThat(fast.get("c").calls).isEqualTo(2);
          assertThat(fast.keySet()).isEqualTo(both.keySet());
          for (String k : fast.keySet()) {
            assertThat(fast.get(k).cost).isEqualByComparingTo(both.get(k).cost);
          }
        });
  }

  @Test
  void fallsBackToBothWindowsWhenTheLastKeptThreadSpentNothing() throws Exception {
    Instant cur = Instant.parse("2026-11-25T10:00:00Z");
    Instant prev = Instant.parse("2026-11-18T10:00:00Z");
    List<UsageRows.Call> calls = new ArrayList<>();
    calls.add(UsageRows.at(cur).thread("a").cost("3.00"));
    calls.add(UsageRows.at(cur).thread("z").cost("0"));
    calls.add(UsageRows.at(prev).thread("e").cost("10.00"));
    Databases.withTable(
        "postgresql",
        dir,
        calls,
        (url, table) -> {
          // z spent nothing now: e's previous spend ranks it above z, as grouping both windows does
          Map<String, Stats> fast = rank(url, table, true);
          assertThat(fast.keySet()).containsExactlyInAnyOrder("a");
          assertThat(analyzerOf(url, table, true).previous.get(Analyzer.Dim.THREAD).keySet())
              .containsExactly("e");
        });
  }

  private static Map<String, Stats> rank(String url, String table, boolean fast) throws Exception {
    return analyzerOf(url, table, fast).current.get(Analyzer.Dim.THREAD);
  }

  private static Analyzer analyzerOf(String url, String table, boolean fast) throws Exception {
    Analyzer a = new Analyzer(TO.minusDays(6), TO);
    try (Connection c = DriverManager.getConnection(url)) {
      c.setAutoCommit(false);
      ThreadQueries q = new ThreadQueries(c, SqlDialect.POSTGRESQL, table, a, 2);
      if (fast) {
        q.threadsPostgres();
      } else {
        q.threadsBothWindows();
      }
      c.rollback();
    }
    return a;
  }
}
