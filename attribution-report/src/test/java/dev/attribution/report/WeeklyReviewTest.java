package dev.attribution.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Totals are exact on every database the sink writes, and the window is what was asked for. */
class WeeklyReviewTest {
  static final LocalDate LAST = LocalDate.of(2026, 11, 28);
  static final LocalDate FIRST = LAST.minusDays(6);

  @TempDir Path dir;

  /** The sample weeks plus amounts that only add up when summed exactly. */
  static List<UsageRows.Call> calls() {
    List<UsageRows.Call> all = new ArrayList<>(SampleWeeks.calls(LAST));
    Instant noon = LAST.atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(43_200);
    for (int i = 0; i < 1000; i++) {
      all.add(UsageRows.at(noon.plusMillis(i)).tenant("dust").cost("0.000000001"));
    }
    all.add(UsageRows.at(noon).tenant("whale").cost("1234567.123456789"));
    all.add(UsageRows.at(noon).tenant("whale").cost("0.100000003"));
    return all;
  }

  private static BigDecimal sqlSum(
      Connection c, String table, LocalDate from, LocalDate to, boolean sqlite)
      throws SQLException {
    String lo = from.toString() + " 00:00:00.000000";
    String hi = to.plusDays(1).toString() + " 00:00:00.000000";
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT SUM(cost_total) FROM " + table + " WHERE started_at >= ? AND started_at < ?")) {
      if (sqlite) {
        ps.setString(1, lo);
        ps.setString(2, hi);
      } else {
        ps.setObject(1, from.atStartOfDay(ZoneOffset.UTC).toOffsetDateTime());
        ps.setObject(2, to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toOffsetDateTime());
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return sqlite ? BigDecimal.valueOf(rs.getLong(1), 9) : rs.getBigDecimal(1);
      }
    }
  }

  private static BigDecimal columnSum(ReviewTable t, String column) {
    int i = t.columnIndex(column);
    return t.rows().stream()
        .map(r -> (BigDecimal) r.get(i))
        .filter(java.util.Objects::nonNull) // unknown cost: calls that are all unpriced
        .reduce(BigDecimal.ZERO, BigDecimal::add);
  }

  private static void assertExact(ReviewResult r, BigDecimal current, BigDecimal previous) {
    assertThat(r.totalCost()).isEqualByComparingTo(current);
    assertThat(r.totalCost().scale()).isEqualTo(9);
    assertThat(r.previousTotalCost()).isEqualByComparingTo(previous);
    for (String g :
        List.of("by_tenant", "by_feature", "by_model", "by_provider", "by_thread", "by_user")) {
      assertThat(columnSum(r.table(g), "cost")).as(g).isEqualByComparingTo(current);
      assertThat(columnSum(r.table(g), "previous_cost")).as(g).isEqualByComparingTo(previous);
    }
    assertThat(columnSum(r.table("daily_by_tenant"), "cost")).isEqualByComparingTo(current);
    assertThat(columnSum(r.table("token_categories"), "cost")).isEqualByComparingTo(current);
  }

  @Test
  void totalsEqualTheSumOfCostTotalToTheLastUnitOnSqlite() throws Exception {
    ReviewFixture f = new ReviewFixture(dir).insert(calls());
    ReviewResult r = f.review(FIRST, LAST);

    try (Connection c = DriverManager.getConnection(f.url)) {
      assertExact(
          r,
          sqlSum(c, "llm_usage", FIRST, LAST, true),
          sqlSum(c, "llm_usage", FIRST.minusDays(7), FIRST.minusDays(1), true));
    }
    BigDecimal written = BigDecimal.ZERO;
    for (UsageRows.Call c : calls()) {
      if (!LocalDate.ofInstant(c.at, ZoneOffset.UTC).isBefore(FIRST)) {
        for (BigDecimal part : c.costParts()) {
          written = written.add(part);
        }
      }
    }
    assertThat(r.totalCost()).isEqualTo(written.setScale(9)); // same digits, same scale
    assertThat(f.terminalText()).contains("(exact " + r.totalCost().toPlainString() + " USD)");
  }

  @Test
  void totalsEqualTheSumOfCostTotalOnH2() throws Exception {
    String url = "jdbc:h2:mem:review" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
    try (Connection c = DriverManager.getConnection(url)) {
      UsageRows.createTable(c, "h2");
      UsageRows.insert(c, calls());
      ReviewResult r =
          WeeklyReview.run(
              ReviewOptions.builder().url(url).from(FIRST).to(LAST).build(), NullOut.STREAM);
      assertExact(
          r,
          sqlSum(c, "llm_usage", FIRST, LAST, false),
          sqlSum(c, "llm_usage", FIRST.minusDays(7), FIRST.minusDays(1), false));
    }
  }

  @Test
  void totalsEqualTheSumOfCostTotalOnPostgresql() throws Exception {
    onServer("jdbc:postgresql://127.0.0.1:5432/test?user=postgres", "postgresql");
  }

  @Test
  void totalsEqualTheSumOfCostTotalOnMariadb() throws Exception {
    onServer("jdbc:mariadb://127.0.0.1:3306/test?user=root", "mysql");
  }

  private void onServer(String url, String dialect) throws Exception {
    Connection c;
    try {
      c = DriverManager.getConnection(url);
    } catch (SQLException e) {
      Assumptions.abort("no database at " + url + ": " + e.getMessage());
      return;
    }
    String table = "review_" + Long.toHexString(System.nanoTime()).toLowerCase(Locale.ROOT);
    try (c) {
      UsageRows.createTable(c, dialect, table);
      try {
        UsageRows.insert(c, table, calls());
        ReviewResult r =
            WeeklyReview.run(
                ReviewOptions.builder().url(url).table(table).from(FIRST).to(LAST).build(),
                NullOut.STREAM);
        assertExact(
            r,
            sqlSum(c, table, FIRST, LAST, false),
            sqlSum(c, table, FIRST.minusDays(7), FIRST.minusDays(1), false));
        assertThat(r.table("by_tenant").rows()).hasSize(7);
      } finally {
        try (Statement s = c.createStatement()) {
          s.execute("DROP TABLE " + table);
        }
      }
    }
  }

  @Test
  void unpricedCallsAreCountedAsUnknownCostNotAsFree() throws Exception {
    Instant noon = LAST.atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(43_200);
    List<UsageRows.Call> calls =
        List.of(
            UsageRows.at(noon).tenant("acme").cost("1.50"),
            UsageRows.at(noon.plusSeconds(1)).tenant("acme").model("self", "in-house-7b"),
            UsageRows.at(noon.plusSeconds(2)).tenant("globex").model("self", "in-house-7b"));
    ReviewFixture f = new ReviewFixture(dir).insert(calls);
    ReviewResult r = f.review(FIRST, LAST);

    assertThat(r.calls()).isEqualTo(3);
    assertThat(r.unknownCostCalls()).isEqualTo(2);
    assertThat(r.totalCost()).isEqualByComparingTo("1.50");
    ReviewTable summary = r.table("summary");
    assertThat(summary.rows().get(0).get(summary.columnIndex("cost_unknown_calls"))).isEqualTo(2L);
    assertThat(f.terminalText()).contains("2 calls have an unknown cost");
  }

  @Test
  void defaultWindowIsTheLastSevenDaysEndingTodayComparedWithTheSevenBefore() throws Exception {
    ReviewFixture f = new ReviewFixture(dir).insert(calls());
    Clock clock = Clock.fixed(LAST.atTime(18, 0).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);
    ReviewResult r = f.review(ReviewOptions.builder().url(f.url).clock(clock));

    assertThat(r.from()).isEqualTo(FIRST);
    assertThat(r.to()).isEqualTo(LAST);
    assertThat(r.previousFrom()).isEqualTo(FIRST.minusDays(7));
    assertThat(r.previousTo()).isEqualTo(FIRST.minusDays(1));
    assertThat(r.rowsRead()).isEqualTo(calls().size());
    assertThat(r.calls() + r.previousCalls()).isEqualTo(calls().size());
  }

  @Test
  void readsOnlyTheRequestedWindow() throws Exception {
    ReviewFixture f = new ReviewFixture(dir).insert(calls());
    ReviewResult r = f.review(LAST, LAST);

    assertThat(r.previousFrom()).isEqualTo(LAST.minusDays(1));
    assertThat(r.table("daily_by_tenant").rows())
        .allSatisfy(row -> assertThat(row.get(0)).isEqualTo(LAST.toString()));
    try (Connection c = DriverManager.getConnection(f.url)) {
      assertThat(r.totalCost()).isEqualByComparingTo(sqlSum(c, "llm_usage", LAST, LAST, true));
    }
  }

  @Test
  void showsBudgetsOutcomesAndTokenCategories() throws Exception {
    ReviewFixture f = new ReviewFixture(dir).insert(calls());
    ReviewResult r = f.review(FIRST, LAST);

    ReviewTable budgets = r.table("budgets");
    assertThat(budgets.rows())
        .extracting(row -> row.get(0))
        .containsExactly("hooli-monthly", "loop-guard");
    List<Object> hooli = new ArrayList<>(budgets.rows().get(0));
    assertThat(hooli.subList(1, 8))
        .containsExactly(
            "blocked", new BigDecimal("100.0"), new BigDecimal("100.0"), 10L, 12L, 0L, 8L);
    ReviewTable outcomes = r.table("outcomes");
    assertThat(outcomes.rows())
        .extracting(row -> row.get(0))
        .contains("ok", "blocked", "upstream_error")
        .doesNotContain("downgrade", "block", "notify");
    ReviewTable actions = r.table("budget_actions");
    assertThat(actions.rows())
        .extracting(row -> row.get(0))
        .contains("notify", "downgrade", "block")
        .doesNotContain("ok", "none");
    assertThat(actions.rows())
        .filteredOn(row -> "notify".equals(row.get(0)))
        .singleElement()
        .satisfies(
            row ->
                assertThat(row.get(1))
                    .isEqualTo("calls admitted after their budget crossed its notify threshold"));
    assertThat(r.table("token_categories").rows())
        .extracting(row -> row.get(0))
        .containsExactly("input", "cached", "cache_write", "output", "reasoning", "other");
    assertThat(f.terminalText())
        .contains(
            "Budget status", "hooli-monthly", "Prompt cache hit ratio by feature", "Findings (");
  }

  @Test
  void saysHowManyRowsTheDatabaseSummedBeforeTheReport() throws Exception {
    ReviewFixture f = new ReviewFixture(dir).insert(calls());
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    ReviewResult r;
    try (java.io.PrintStream terminal = new java.io.PrintStream(out, true, "UTF-8")) {
      r =
          WeeklyReview.run(
              ReviewOptions.builder().url(f.url).from(FIRST).to(LAST).build(), terminal);
    }
    String text = out.toString("UTF-8");
    assertThat(r.rowsRead()).isEqualTo(r.calls() + r.previousCalls()).isGreaterThan(2000);
    String summed =
        String.format(java.util.Locale.ROOT, "%,d usage rows summed from ", r.rowsRead());
    assertThat(text).contains(summed, "(days in UTC)");
    assertThat(text.indexOf(summed)).isLessThan(text.indexOf("Weekly LLM cost review"));
  }

  @Test
  void rejectsBadOptionsNamingTheField() {
    assertThatThrownBy(() -> ReviewOptions.builder().table("llm_usage; drop table x"))
        .hasMessageContaining("table");
    assertThatThrownBy(() -> ReviewOptions.builder().url("postgres://x"))
        .hasMessageContaining("url");
    assertThatThrownBy(() -> ReviewOptions.builder().from(LAST).to(FIRST).build())
        .hasMessageContaining("from (" + LAST + ") must not be after to");
    assertThatThrownBy(() -> ReviewOptions.builder().top(0)).hasMessageContaining("top");
  }
}
