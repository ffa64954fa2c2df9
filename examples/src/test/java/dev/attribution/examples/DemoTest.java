package dev.attribution.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.report.FindingKind;
import dev.attribution.report.ReviewResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the demo end to end in its shortened mode (all fourteen days, a third of the traffic) and
 * checks what it wrote with SQL, as an operator would: the database is the contract.
 */
class DemoTest {

  private static final Path DIR = Path.of("target", "demo-test");
  private static final ByteArrayOutputStream OUTPUT = new ByteArrayOutputStream();
  private static Demo.Result result;
  private static Connection db;

  @BeforeAll
  static void runDemo() throws Exception {
    PrintStream out = new PrintStream(OUTPUT, true, StandardCharsets.UTF_8);
    result = Demo.run(DemoOptions.fake(0.3, DIR, out));
    System.out.println(OUTPUT.toString(StandardCharsets.UTF_8));
    db = DriverManager.getConnection("jdbc:sqlite:" + result.database().toAbsolutePath());
  }

  @AfterAll
  static void closeDatabase() throws SQLException {
    if (db != null) {
      db.close();
    }
  }

  private static List<String> strings(String sql, Object... args) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = db.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  private static long number(String sql, Object... args) throws SQLException {
    return Long.parseLong(strings(sql, args).get(0));
  }

  @Test
  void everyTenantAndFeatureIsInTheDatabaseAndNothingIsUnattributed() throws SQLException {
    assertThat(strings("SELECT DISTINCT tenant_id FROM llm_usage"))
        .containsExactlyInAnyOrder("acme", "globex", "initech", "umbrella");
    assertThat(strings("SELECT DISTINCT feature FROM llm_usage"))
        .containsExactlyInAnyOrder(
            "support-chat",
            "ticket-triage",
            "summarize",
            "weekly-digest",
            "beta-writer",
            "research-agent");
    assertThat(number("SELECT COUNT(*) FROM llm_usage WHERE user_id IS NULL")).isZero();
    assertThat(strings("SELECT DISTINCT provider FROM llm_usage"))
        .containsExactlyInAnyOrder("openai", "anthropic");
  }

  @Test
  void recordsSpreadOverTheLastFourteenDays() throws SQLException {
    assertThat(number("SELECT COUNT(DISTINCT substr(started_at, 1, 10)) FROM llm_usage"))
        .isEqualTo(14);
    LocalDate today = LocalDate.now(java.time.ZoneOffset.UTC);
    assertThat(strings("SELECT MIN(substr(started_at, 1, 10)) FROM llm_usage"))
        .containsExactly(today.minusDays(13).toString());
    assertThat(strings("SELECT MAX(substr(started_at, 1, 10)) FROM llm_usage"))
        .containsExactly(today.toString());
  }

  @Test
  void trialTenantWalksNotifyThenDowngradeThenBlock() throws SQLException {
    List<String> actions =
        strings(
            "SELECT budget_action FROM llm_usage WHERE tenant_id = 'globex'"
                + " AND budget_name = ? ORDER BY started_at",
            Demo.TRIAL_BUDGET);
    assertThat(actions).contains("notify", "downgrade", "block");
    assertThat(actions.indexOf("notify")).isLessThan(actions.indexOf("downgrade"));
    assertThat(actions.indexOf("downgrade")).isLessThan(actions.indexOf("block"));
    assertThat(result.ladderBlocks()).isEqualTo(1);

    // Downgraded calls asked for gpt-4o and were sent as gpt-4o-mini, priced as what was sent.
    assertThat(
            strings(
                "SELECT DISTINCT requested_model || '>' || effective_model FROM llm_usage"
                    + " WHERE budget_action = 'downgrade'"))
        .containsExactly("gpt-4o>gpt-4o-mini");
    // Critical traffic is never downgraded.
    assertThat(
            number(
                "SELECT COUNT(*) FROM llm_usage WHERE traffic_class = 'critical'"
                    + " AND budget_action = 'downgrade'"))
        .isZero();
    assertThat(
            number(
                "SELECT COUNT(*) FROM llm_usage WHERE tenant_id = 'globex'"
                    + " AND traffic_class = 'critical' AND effective_model = 'gpt-4o'"
                    + " AND budget_action = 'notify'"))
        .isPositive();
    // The blocked call spent nothing and never reached the provider, so it has no HTTP status.
    assertThat(
            strings(
                "SELECT status || ',' || CASE WHEN http_status IS NULL OR http_status = 0"
                    + " THEN 'no response' ELSE CAST(http_status AS VARCHAR(5)) END"
                    + " || ',' || error_type || ',' || cost_total"
                    + " FROM llm_usage WHERE budget_action = 'block' AND budget_name = ?",
                Demo.TRIAL_BUDGET))
        .containsExactly("blocked,no response,budget_exceeded,0");
  }

  @Test
  void loopGuardStopsTheRunawayAgentThread() throws SQLException {
    List<String> stopped =
        strings(
            "SELECT thread_id FROM llm_usage WHERE status = 'blocked'"
                + " AND error_type = 'loop_detected' AND tenant_id = 'umbrella'"
                + " AND feature = 'research-agent'");
    assertThat(stopped).hasSize(1);
    assertThat(
            number(
                "SELECT COUNT(*) FROM llm_usage WHERE thread_id = ? AND status = 'ok'",
                stopped.get(0)))
        .isEqualTo(Demo.LOOP_GUARD_CALLS);
    // The weekly review flags the same thread as a loop.
    assertThat(result.review().findings(FindingKind.LOOPING_THREAD))
        .anySatisfy(f -> assertThat(f.subject()).endsWith(" " + stopped.get(0)));
    assertThat(result.loopStops()).isEqualTo(1);
  }

  @Test
  void unknownModelIsRecordedUnpricedWithItsTokensNotAsFree() throws SQLException {
    assertThat(
            strings(
                "SELECT DISTINCT cost_source FROM llm_usage WHERE requested_model = ?",
                SaasService.IN_HOUSE_MODEL))
        .containsExactly("unpriced");
    assertThat(
            number(
                "SELECT MIN(input_tokens) FROM llm_usage WHERE requested_model = ?",
                SaasService.IN_HOUSE_MODEL))
        .isPositive();
    assertThat(
            strings(
                "SELECT DISTINCT requested_model FROM llm_usage WHERE cost_source = 'unpriced'"))
        .containsExactly(SaasService.IN_HOUSE_MODEL);
  }

  @Test
  void upstreamErrorsCancelledStreamAndAsyncHeadersAreRecorded() throws SQLException {
    // openai-java retried the 500: attempt 1 failed, and a second attempt of the same call
    // followed.
    assertThat(
            strings(
                "SELECT attempt || ',' || http_status || ',' || error_type FROM llm_usage"
                    + " WHERE status = 'upstream_error' ORDER BY started_at"))
        .containsExactly("1,500,server_error", "1,529,overloaded_error");
    assertThat(number("SELECT COUNT(*) FROM llm_usage WHERE attempt = 2 AND status = 'ok'"))
        .isEqualTo(1);
    // The abandoned stream: cancelled, its usage estimated from what was streamed.
    assertThat(
            strings(
                "SELECT feature || ',' || streaming || ',' || usage_estimated || ',' || cost_source"
                    + " FROM llm_usage WHERE status = 'cancelled'"))
        .containsExactly("summarize,1,1,estimated");
    // Finished streams reported real usage, because the interceptor asked for it.
    assertThat(
            number(
                "SELECT COUNT(*) FROM llm_usage WHERE streaming = 1 AND status = 'ok'"
                    + " AND usage_estimated = 1"))
        .isZero();
    // The async background job was attributed through the headers it carried.
    assertThat(
            strings(
                "SELECT DISTINCT context_source FROM llm_usage WHERE feature = 'weekly-digest'"))
        .containsExactly("header");
    // Cached prompt tokens show up where the prompt repeats (the tenant's handbook).
    assertThat(
            number("SELECT SUM(cached_input_tokens) FROM llm_usage WHERE feature = 'support-chat'"))
        .isPositive();
  }

  @Test
  void reviewTotalsEqualTheSumOfCostTotalToTheLastUnit() throws Exception {
    ReviewResult review = result.review();
    // SQLite stores money as integer billionths of the currency.
    BigDecimal week = window(review.from(), review.to());
    BigDecimal before = window(review.previousFrom(), review.previousTo());
    assertThat(review.totalCost()).isEqualByComparingTo(week);
    assertThat(review.totalCost().setScale(9)).isEqualTo(week);
    assertThat(review.previousTotalCost().setScale(9)).isEqualTo(before);
    assertThat(review.totalCost().add(review.previousTotalCost()))
        .isEqualByComparingTo(
            BigDecimal.valueOf(number("SELECT SUM(cost_total) FROM llm_usage"), 9));
    assertThat(review.calls() + review.previousCalls())
        .isEqualTo(number("SELECT COUNT(*) FROM llm_usage"));
    assertThat(Files.size(result.htmlReport())).isPositive();
    String printed = OUTPUT.toString(StandardCharsets.UTF_8);
    assertThat(printed)
        .contains("Usage database: " + result.database().toAbsolutePath())
        .contains("HTML report:    " + result.htmlReport().toAbsolutePath());
  }

  @Test
  void theDemoEndsWithACommandThatRunsTheReviewAgainFromAnyDirectory(@TempDir Path elsewhere)
      throws Exception {
    List<String> lines = OUTPUT.toString(StandardCharsets.UTF_8).lines().toList();
    int at = lines.indexOf("Run the review again (paste it into a shell):");
    assertThat(at).isNotNegative();
    String command = lines.get(at + 1).trim();
    assertThat(command).startsWith("java @").contains("dev.attribution.report.WeeklyReview");

    Files.delete(result.htmlReport());
    Process p =
        new ProcessBuilder("bash", "-c", command)
            .directory(elsewhere.toFile())
            .redirectErrorStream(true)
            .start();
    String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(printed).isZero();
    assertThat(printed).contains(result.review().totalCost().toPlainString());
    assertThat(result.htmlReport()).isNotEmptyFile();
  }

  private static BigDecimal window(LocalDate from, LocalDate to) throws SQLException {
    long nanos =
        number(
            "SELECT COALESCE(SUM(cost_total), 0) FROM llm_usage"
                + " WHERE started_at >= ? AND started_at < ?",
            from.toString(),
            to.plusDays(1).toString());
    return BigDecimal.valueOf(nanos, 9);
  }
}
