package dev.attribution.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Totals, days and unknown costs against values computed by hand, on every database the sink
 * writes. The window is 2026-11-22..28 in Europe/Berlin (UTC+1), tenant "tokyo" in Asia/Tokyo
 * (UTC+9), with calls placed just inside and just outside each zone's midnights.
 */
class HandComputedTotalsTest {
  static final LocalDate FROM = LocalDate.of(2026, 11, 22);
  static final LocalDate TO = LocalDate.of(2026, 11, 28);

  @TempDir Path dir;

  static List<UsageRows.Call> calls() {
    List<UsageRows.Call> l = new ArrayList<>();
    // Berlin 2026-11-22 00:30: first day of the window
    l.add(UsageRows.at(Instant.parse("2026-11-21T23:30:00Z")).tenant("acme").cost("0.000000001"));
    // Berlin 2026-11-29 00:30: after the window
    l.add(UsageRows.at(Instant.parse("2026-11-28T23:30:00Z")).tenant("acme").cost("100"));
    // Berlin 2026-11-28 23:59:59.999999: last microsecond of the window
    l.add(
        UsageRows.at(Instant.parse("2026-11-28T22:59:59.999999Z"))
            .tenant("acme")
            .cost("1234567.123456789"));
    // Berlin 2026-11-21 23:30: last day of the previous window
    l.add(UsageRows.at(Instant.parse("2026-11-21T22:30:00Z")).tenant("globex").cost("2.5"));
    // unpriced: unknown cost, in no total
    l.add(
        UsageRows.at(Instant.parse("2026-11-25T12:00:00Z"))
            .tenant("globex")
            .model("self", "in-house-7b"));
    // Tokyo 2026-11-22 00:30 (Berlin: 21st, previous window): first day for tokyo
    l.add(UsageRows.at(Instant.parse("2026-11-21T15:30:00Z")).tenant("tokyo").cost("7.000000007"));
    // Tokyo 2026-11-29 00:30 (Berlin: 28th): after tokyo's window
    l.add(UsageRows.at(Instant.parse("2026-11-28T15:30:00Z")).tenant("tokyo").cost("50"));
    // a cancelled stream: spent, not a failure
    l.add(
        UsageRows.at(Instant.parse("2026-11-24T10:00:00Z"))
            .tenant("acme")
            .status("cancelled")
            .cost("0.3"));
    return l;
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "h2", "postgresql", "mysql"})
  void totalsDaysAndUnknownCostsMatchTheHandComputedValues(String dialect) throws Exception {
    Databases.withTable(
        dialect,
        dir,
        calls(),
        (url, table) -> {
          Path zones = Files.writeString(dir.resolve("zones.properties"), "tokyo=Asia/Tokyo\n");
          Path html = dir.resolve("review.html");
          ReviewResult r =
              WeeklyReview.run(
                  ReviewOptions.builder()
                      .url(url)
                      .table(table)
                      .from(FROM)
                      .to(TO)
                      .zone(ZoneId.of("Europe/Berlin"))
                      .tenantZones(zones)
                      .html(html)
                      .build(),
                  NullOut.STREAM);
          check(r);
          String page = Files.readString(html);
          assertThat(page).contains("(days from midnight Europe/Berlin)");
          assertThat(page).contains(">unknown<");
        });
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "h2", "postgresql", "mysql"})
  void callsToUnrecognisedEndpointsShowAsUnrecognisedNeverAsAMadeUpProvider(String dialect)
      throws Exception {
    Instant day = Instant.parse("2026-11-24T10:00:00Z");
    Databases.withTable(
        dialect,
        dir,
        List.of(
            UsageRows.at(day).cost("1.5"),
            UsageRows.at(day.plusSeconds(60)).model(null, "internal-proxy"),
            UsageRows.at(day.plusSeconds(120)).status("blocked")),
        (url, table) -> {
          ReviewResult r =
              WeeklyReview.run(
                  ReviewOptions.builder().url(url).table(table).from(FROM).to(TO).build(),
                  NullOut.STREAM);
          ReviewTable byProvider = r.table("by_provider");
          assertThat(byProvider.rows())
              .extracting(row -> row.get(0))
              .containsExactlyInAnyOrder("openai", ReviewQueries.UNRECOGNISED);
          assertThat(r.unknownCostCalls()).isEqualTo(1);
        });
  }

  private static void check(ReviewResult r) {
    assertThat(r.zone()).isEqualTo(ZoneId.of("Europe/Berlin"));
    // 0.000000001 + 1234567.123456789 + 7.000000007 + 0.3
    assertThat(r.totalCost()).isEqualTo(new BigDecimal("1234574.423456797"));
    assertThat(r.previousTotalCost()).isEqualTo(new BigDecimal("2.500000000"));
    assertThat(r.calls()).isEqualTo(5);
    assertThat(r.previousCalls()).isEqualTo(1);
    assertThat(r.unknownCostCalls()).isEqualTo(1);
    ReviewTable summary = r.table("summary");
    assertThat(summary.rows().get(0).get(summary.columnIndex("failed"))).isEqualTo(0L);

    ReviewTable daily = r.table("daily_by_tenant");
    assertThat(cell(daily, "2026-11-22", "acme")).isEqualTo(new BigDecimal("0.000000001"));
    assertThat(cell(daily, "2026-11-28", "acme")).isEqualTo(new BigDecimal("1234567.123456789"));
    assertThat(cell(daily, "2026-11-24", "acme")).isEqualTo(new BigDecimal("0.300000000"));
    assertThat(cell(daily, "2026-11-22", "tokyo")).isEqualTo(new BigDecimal("7.000000007"));
    assertThat(daily.rows()).hasSize(5);
    // globex's only current call is unpriced: unknown, not $0
    assertThat(daily.rows())
        .filteredOn(row -> row.get(1).equals("globex"))
        .singleElement()
        .satisfies(row -> assertThat(row.get(3)).isNull());

    ReviewTable byModel = r.table("by_model");
    assertThat(byModel.rows())
        .filteredOn(row -> row.get(0).equals("in-house-7b"))
        .singleElement()
        .satisfies(
            row -> {
              assertThat(row.get(byModel.columnIndex("cost"))).isNull();
              assertThat(
                      Cells.display(
                          row.get(byModel.columnIndex("cost")),
                          byModel.columns().get(byModel.columnIndex("cost")).type(),
                          "USD"))
                  .isEqualTo("unknown");
            });
    ReviewTable outcomes = r.table("outcomes");
    assertThat(outcomes.rows())
        .filteredOn(row -> row.get(0).equals("cancelled"))
        .singleElement()
        .satisfies(
            row -> {
              assertThat(row.get(outcomes.columnIndex("calls"))).isEqualTo(1L);
              assertThat((String) row.get(1)).contains("not a failure");
            });
  }

  private static @Nullable Object cell(ReviewTable t, String day, String tenant) {
    for (List<@Nullable Object> row : t.rows()) {
      if (row.get(0).equals(day) && row.get(1).equals(tenant)) {
        return row.get(3);
      }
    }
    throw new AssertionError("no row for " + day + " " + tenant + " in " + t.rows());
  }

  private String url(String dialect) {
    return Databases.url(dialect, dir);
  }
}
