package dev.attribution.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The forecast against values computed by hand, on every database the sink writes: the window ends
 * Saturday 2026-11-28 (UTC), so November has 2 days left and the ISO week 1.
 */
class ForecastTest {
  static final LocalDate TO = LocalDate.of(2026, 11, 28);

  @TempDir Path dir;

  static List<UsageRows.Call> calls() {
    return List.of(
        // October: in no period, in no run rate
        UsageRows.at(Instant.parse("2026-10-31T23:00:00Z")).tenant("acme").cost("1000"),
        UsageRows.at(Instant.parse("2026-11-01T10:00:00Z")).tenant("acme").cost("10"),
        // in the month, before the run rate's 7 days (22..28)
        UsageRows.at(Instant.parse("2026-11-20T10:00:00Z")).tenant("acme").cost("14"),
        UsageRows.at(Instant.parse("2026-11-22T10:00:00Z")).tenant("acme").cost("7"),
        // the latest call that recorded acme-monthly's percentage: 31 spent before it was 80 %
        UsageRows.at(Instant.parse("2026-11-28T10:00:00Z"))
            .tenant("acme")
            .cost("7")
            .budget("notify", "acme-monthly", "80"),
        // Sunday 22nd in UTC, Monday 23rd 01:00 in Tokyo: in globex-weekly's Tokyo week
        UsageRows.at(Instant.parse("2026-11-22T16:00:00Z")).tenant("globex").cost("5"),
        UsageRows.at(Instant.parse("2026-11-25T10:00:00Z")).tenant("globex").cost("60"),
        UsageRows.at(Instant.parse("2026-11-27T10:00:00Z"))
            .tenant("globex")
            .cost("10.5")
            .budget("notify", "globex-weekly", "95"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "h2", "postgresql", "mysql"})
  void projectsSpendLimitsAndMarginsAsComputedByHand(String dialect) throws Exception {
    Databases.withTable(
        dialect,
        dir,
        calls(),
        (url, table) -> {
          Path plans = Files.writeString(dir.resolve("plans.properties"), "globex=300\n");
          Path budgets =
              Files.writeString(
                  dir.resolve("budgets.properties"),
                  "globex-weekly.limit=50\nglobex-weekly.period=week\n"
                      + "globex-weekly.zone=Asia/Tokyo\n");
          Path html = dir.resolve("review.html");
          ReviewResult r =
              WeeklyReview.run(
                  ReviewOptions.builder()
                      .url(url)
                      .table(table)
                      .to(TO)
                      .planPrices(plans)
                      .budgets(budgets)
                      .html(html)
                      .build(),
                  NullOut.STREAM);
          check(r.table("forecast"));
          ReviewTable daily = r.table("forecast_by_day");
          assertThat(row(daily, "acme", "2026-11-01").get(2))
              .isEqualTo(new BigDecimal("10.000000000"));
          assertThat(row(daily, "acme", "2026-11-30"))
              .containsExactly(
                  "acme", "2026-11-30", new BigDecimal("42.000000000"), "projected", null);
          String page = Files.readString(html);
          assertThat(page)
              .contains("<svg id=\"chart-forecast\"", "class=\"projected\"", "class=\"limit\"")
              .contains("Projected spend = spend so far in the period");
        });
  }

  /**
   * A latest percentage late in its day: the spend before it is the day's total less the calls from
   * it to midnight (read from the shorter side of the day), the same as the calls before it.
   */
  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "h2", "postgresql", "mysql"})
  void infersALimitFromAPercentageLateInItsDay(String dialect) throws Exception {
    List<UsageRows.Call> calls =
        List.of(
            UsageRows.at(Instant.parse("2026-11-27T12:00:00Z")).tenant("late").cost("10"),
            UsageRows.at(Instant.parse("2026-11-28T05:00:00Z")).tenant("late").cost("6"),
            // the latest percentage, 50 %: 16 spent before it -> a limit of 32
            UsageRows.at(Instant.parse("2026-11-28T20:00:00Z"))
                .tenant("late")
                .cost("4")
                .budget("notify", "late-monthly", "50"),
            UsageRows.at(Instant.parse("2026-11-28T22:00:00Z")).tenant("late").cost("3"),
            // another tenant's call after it, in no sum of this scope
            UsageRows.at(Instant.parse("2026-11-28T21:00:00Z")).tenant("acme").cost("100"));
    Databases.withTable(
        dialect,
        dir,
        calls,
        (url, table) -> {
          ReviewResult r =
              WeeklyReview.run(
                  ReviewOptions.builder().url(url).table(table).to(TO).build(), NullOut.STREAM);
          List<@Nullable Object> late = values(r.table("forecast"), "late-monthly / late");
          assertThat(late.get(7)).isEqualTo(new BigDecimal("32.000000000"));
          assertThat((String) late.get(8)).startsWith("inferred: 16.000000000 spent before");
        });
  }

  private static void check(ReviewTable f) {
    // acme: 10 + 14 + 7 + 7 spent; (7 + 7) / 7 a day; 2 days left
    assertThat(values(f, "acme"))
        .containsExactly(
            "acme",
            "tenant",
            "acme",
            "2026-11-01 to 2026-11-30 UTC",
            new BigDecimal("38.000000000"),
            new BigDecimal("2.000000000"),
            new BigDecimal("42.000000000"),
            null,
            "",
            "",
            null,
            null,
            0L);
    // globex: 75.5 spent, 75.5 / 7 = 10.785714286 a day; plan 300 per 30 days, November 30
    assertThat(values(f, "globex").subList(4, 13))
        .containsExactly(
            new BigDecimal("75.500000000"),
            new BigDecimal("10.785714286"),
            new BigDecimal("97.071428572"),
            null,
            "",
            "",
            new BigDecimal("300.000000000"),
            new BigDecimal("202.928571428"),
            0L);
    // inferred: 31 spent before the 80 % call -> 38.75; 0.75 left at 2 a day -> the 29th
    List<@Nullable Object> acmeBudget = values(f, "acme-monthly / acme");
    assertThat(acmeBudget.get(7)).isEqualTo(new BigDecimal("38.750000000"));
    assertThat((String) acmeBudget.get(8)).startsWith("inferred: 31.000000000 spent before");
    assertThat(acmeBudget.get(9)).isEqualTo("2026-11-29 (projected)");
    // configured, Tokyo week Mon 23..Sun 29: 5 (Tokyo 23rd) + 60 + 10.5; 60 crossed 50 on the 25th
    List<@Nullable Object> weekly = values(f, "globex-weekly / globex");
    assertThat(weekly.subList(3, 10))
        .containsExactly(
            "2026-11-23 to 2026-11-29 Asia/Tokyo",
            new BigDecimal("75.500000000"),
            new BigDecimal("10.785714286"),
            new BigDecimal("86.285714286"),
            new BigDecimal("50"),
            "configured",
            "reached on 2026-11-25");
  }

  static List<@Nullable Object> values(ReviewTable t, String scope) {
    return t.rows().stream()
        .filter(r -> scope.equals(r.get(0)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + scope + " in " + t.rows()));
  }

  private static List<@Nullable Object> row(ReviewTable t, String scope, String day) {
    return t.rows().stream()
        .filter(r -> scope.equals(r.get(0)) && day.equals(r.get(1)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + scope + " " + day));
  }
}
