package dev.attribution.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * The path taken when {@code OPENAI_API_KEY} is set, pointed at a fake standing in for
 * api.openai.com: every OpenAI call is the cheap model with a small output cap, the in-house model
 * is left out, and spend stays under the hard cap.
 */
class RealApiModeTest {

  @Test
  void realApiModeSendsOnlySmallCheapCallsUnderTheHardCap() throws Exception {
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);
    Demo.Result result;
    try (FakeProvider standIn = FakeProvider.start()) {
      DemoOptions options =
          new DemoOptions(
              14,
              DemoOptions.REAL_API_VOLUME,
              Path.of("target", "demo-real-mode-test"),
              "sk-test-not-a-real-key",
              standIn.openAiBaseUrl(),
              out);
      result = Demo.run(options);
      assertThat(standIn.requests()).isPositive();
    }
    assertThat(output.toString(StandardCharsets.UTF_8))
        .contains("OPENAI_API_KEY is set")
        .contains("hard cap of $" + DemoOptions.REAL_API_CAP_USD);
    try (Connection db =
            DriverManager.getConnection("jdbc:sqlite:" + result.database().toAbsolutePath());
        Statement st = db.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT COUNT(*), COUNT(DISTINCT effective_model), MAX(effective_model),"
                    + " MAX(output_tokens), SUM(cost_total),"
                    + " SUM(CASE WHEN feature = 'beta-writer' THEN 1 ELSE 0 END)"
                    + " FROM llm_usage WHERE provider = 'openai' AND status = 'ok'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getLong(1)).isBetween(20L, 200L);
      assertThat(rs.getLong(2)).isEqualTo(1);
      assertThat(rs.getString(3)).isEqualTo("gpt-4o-mini");
      assertThat(rs.getLong(4)).isLessThanOrEqualTo(64);
      assertThat(BigDecimal.valueOf(rs.getLong(5), 9))
          .isLessThanOrEqualTo(new BigDecimal(DemoOptions.REAL_API_CAP_USD));
      assertThat(rs.getLong(6)).isZero();
    }
  }
}
