package dev.attribution.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile cases for the promise that the review from the daily rollups is byte-identical to the
 * review from the calls: keys the database's collation compares equal but the rollups' hash does
 * not, and days around a DST change in a zone other than UTC.
 */
class RollupReviewHostileTest {

  @TempDir Path dir;

  /**
   * Tenants, features and threads that differ only in case or trailing spaces: MariaDB's default
   * collation (utf8mb4_general_ci, PAD SPACE) groups them as one in the review's GROUP BY over the
   * calls, while the rollups keep a row per exact string.
   */
  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "h2", "postgresql", "mysql"})
  void keysEqualOnlyUnderTheCollationGiveTheSameReviewBothWays(String dialect) throws Exception {
    List<UsageRows.Call> calls = new ArrayList<>(WeeklyReviewTest.calls());
    Instant noon = WeeklyReviewTest.LAST.atStartOfDay(ZoneId.of("UTC")).toInstant();
    String[] variants = {"acme", "Acme", "ACME", "acme "};
    for (int i = 0; i < 40; i++) {
      String v = variants[i % variants.length];
      calls.add(
          UsageRows.at(noon.plusSeconds(3600 + i))
              .tenant(v)
              .feature(i % 2 == 0 ? "Chat" : "chat")
              .thread(i % 3 == 0 ? "T-1" : "t-1")
              .cost("0.25"));
    }
    // MariaDB: the rollups cannot give the calls' merged groups, so the review reads the calls.
    String rolled =
        assertSameBothWays(
            dialect,
            calls,
            WeeklyReviewTest.FIRST,
            WeeklyReviewTest.LAST,
            ZoneId.of("UTC"),
            !dialect.equals("mysql"));
    if (dialect.equals("mysql")) {
      assertThat(rolled)
          .contains("summed from the usage rows (values of tenant_id differ only where");
    }
  }

  /** A week with a DST change, reviewed in that zone with the rollups kept in it. */
  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "h2", "postgresql", "mysql"})
  void aWeekWithADstChangeGivesTheSameReviewBothWays(String dialect) throws Exception {
    ZoneId berlin = ZoneId.of("Europe/Berlin");
    LocalDate last = LocalDate.of(2026, 10, 28);
    LocalDate first = last.minusDays(6);
    List<UsageRows.Call> calls = new ArrayList<>(SampleWeeks.calls(last));
    // Around the change on 2026-10-25 (03:00 CEST -> 02:00 CET) and the local midnights beside it.
    for (String at :
        List.of(
            "2026-10-24T21:59:59.999999Z",
            "2026-10-24T22:00:00Z",
            "2026-10-25T00:30:00Z",
            "2026-10-25T01:30:00Z",
            "2026-10-25T22:59:59.999999Z",
            "2026-10-25T23:00:00Z",
            "2026-10-14T21:59:59Z",
            "2026-10-14T22:00:00Z",
            "2026-10-28T22:59:59.999999Z",
            "2026-10-28T23:00:00Z")) {
      calls.add(UsageRows.at(Instant.parse(at)).tenant("dst").thread("dst-t").cost("1.000000001"));
    }
    assertSameBothWays(dialect, calls, first, last, berlin, true);
  }

  /**
   * Another schema (PostgreSQL, H2) or database (MariaDB) on the same server holds a table of the
   * same name with daily rollups, e.g. a staging copy at version 5: this table has none, and the
   * review must read its calls, not fail on a rollup table that is not there.
   */
  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgresql", "mysql"})
  void rollupsOfASameNamedTableElsewhereAreNotThisTablesRollups(String dialect) throws Exception {
    Databases.withTable(
        dialect,
        dir,
        WeeklyReviewTest.calls(),
        (url, table) -> {
          String other = "rr_other";
          try (java.sql.Connection c = java.sql.DriverManager.getConnection(url);
              java.sql.Statement s = c.createStatement()) {
            s.execute(
                (dialect.equals("mysql") ? "CREATE DATABASE " : "CREATE SCHEMA ")
                    + "IF NOT EXISTS "
                    + other);
            s.execute(
                "CREATE TABLE " + other + "." + table + "_daily_zone (zone varchar(64) NOT NULL)");
            s.execute("INSERT INTO " + other + "." + table + "_daily_zone VALUES ('UTC')");
          }
          try {
            String out =
                review(
                    url,
                    table,
                    "rows",
                    false,
                    WeeklyReviewTest.FIRST,
                    WeeklyReviewTest.LAST,
                    ZoneId.of("UTC"));
            assertThat(out).contains("summed from the usage rows");
          } finally {
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(url);
                java.sql.Statement s = c.createStatement()) {
              s.execute("DROP TABLE " + other + "." + table + "_daily_zone");
            }
          }
        });
  }

  /** A zone row written by hand that Java cannot read: the review reads the calls. */
  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "h2", "postgresql", "mysql"})
  void anUnreadableZoneRowMakesTheReviewReadTheCalls(String dialect) throws Exception {
    Databases.withTable(
        dialect,
        dir,
        WeeklyReviewTest.calls(),
        (url, table) -> {
          review(
              url,
              table,
              "first",
              true,
              WeeklyReviewTest.FIRST,
              WeeklyReviewTest.LAST,
              ZoneId.of("UTC"));
          try (java.sql.Connection c = java.sql.DriverManager.getConnection(url);
              java.sql.Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE " + table + "_daily_zone SET zone = 'Mars/Olympus'");
          }
          String out =
              review(
                  url,
                  table,
                  "rows",
                  false,
                  WeeklyReviewTest.FIRST,
                  WeeklyReviewTest.LAST,
                  ZoneId.of("UTC"));
          assertThat(out).contains("summed from the usage rows (the daily rollups' zone is not");
        });
  }

  /** Reviews both ways and requires equal exports; returns what the second review printed. */
  private String assertSameBothWays(
      String dialect,
      List<UsageRows.Call> calls,
      LocalDate from,
      LocalDate to,
      ZoneId zone,
      boolean fromRollups)
      throws Exception {
    String[] printed = new String[1];
    Databases.withTable(
        dialect,
        dir,
        calls,
        (url, table) -> {
          String rows = review(url, table, "rows", false, from, to, zone);
          assertThat(rows).contains("summed from the usage rows");
          String rolled = review(url, table, "rollups", true, from, to, zone);
          printed[0] = rolled;
          if (fromRollups) {
            assertThat(rolled).contains("summed from daily rollups in " + zone.getId());
          }
          Map<String, String> a = exports("rows");
          Map<String, String> b = exports("rollups");
          assertThat(b.keySet()).isEqualTo(a.keySet());
          for (String f : a.keySet()) {
            assertThat(b.get(f)).as(f).isEqualTo(a.get(f));
          }
        });
    return printed[0];
  }

  private String review(
      String url,
      String table,
      String name,
      boolean rebuild,
      LocalDate from,
      LocalDate to,
      ZoneId zone)
      throws Exception {
    return RollupReviewTest.review(dir, url, table, name, rebuild, from, to, zone);
  }

  private Map<String, String> exports(String name) throws Exception {
    return RollupReviewTest.exports(dir, name);
  }
}
