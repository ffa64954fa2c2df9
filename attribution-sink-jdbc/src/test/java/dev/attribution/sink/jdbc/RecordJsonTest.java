package dev.attribution.sink.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attribution.api.BudgetAction;
import dev.attribution.api.UsageRecord;
import dev.attribution.testing.UsageRecords;
import java.io.IOException;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RecordJsonTest {

  @Test
  void spoolLineKeepsEveryField() throws IOException {
    Random rnd = new Random(11);
    for (int i = 0; i < 100; i++) {
      UsageRecord r = UsageRecords.full(i, rnd);
      String line = RecordJson.toJson(r);
      assertThat(line).doesNotContain("\n");
      assertThat(RecordJson.parse(line)).isEqualTo(r);
    }
    UsageRecord minimal = UsageRecords.minimal(UsageRecords.T0);
    assertThat(RecordJson.parse(RecordJson.toJson(minimal))).isEqualTo(minimal);
  }

  @Test
  void spooledUnknownCostStaysUnknown() throws IOException {
    UsageRecord r = UsageRecords.unpriced(UsageRecords.T0);
    UsageRecord back = RecordJson.parse(RecordJson.toJson(r));
    assertThat(back.cost()).isNull();
    assertThat(back).isEqualTo(r);
  }

  @Test
  void spooledUnknownsStayNullAndTypedValuesStayTyped() throws IOException {
    for (BudgetAction a : new BudgetAction[] {null, BudgetAction.NOTIFY, BudgetAction.BLOCK}) {
      UsageRecord r = UsageRecords.unknowns(UsageRecords.T0, a);
      String line = RecordJson.toJson(r);
      assertThat(line).doesNotContain("\"provider\"").doesNotContain("\"httpStatus\"");
      assertThat(RecordJson.parse(line)).isEqualTo(r);
    }
  }

  @Test
  void aLineSpooledByTheFirstVersionReadsWithoutItsSentinels() throws IOException {
    String line =
        "{\"id\":\"019cae0b-c21b-7d64-85f5-3aec7e0401fe\",\"startedAt\":\"2026-03-02T10:15:30Z\","
            + "\"contextSource\":\"none\",\"provider\":\"unknown\",\"operation\":\"unknown\","
            + "\"status\":\"ok\",\"httpStatus\":0,\"budgetAction\":\"none\","
            + "\"attributes\":{\"budget_dry_run\":\"block\",\"meter\":\"x\"}}";
    UsageRecord r = RecordJson.parse(line);
    assertThat(r.provider()).isNull();
    assertThat(r.httpStatus()).isNull();
    assertThat(r.dryRunAction()).isEqualTo(BudgetAction.BLOCK);
    assertThat(r.attributes()).containsExactly(Map.entry("meter", "x"));
  }

  @Test
  void tagJsonEscapesQuotesBackslashesAndControlCharacters() throws IOException {
    Map<String, String> m = Map.of("a", "x\"y\\z", "b", "tab\there\u0001", "c", "ü€😀");
    String json = RecordJson.mapJson(m);
    assertThat(json).doesNotContain("\t").doesNotContain("\u0001");
    assertThat(RecordJson.parseMap(json)).isEqualTo(m);
  }

  @Test
  void tornLineIsRejectedNotMisread() {
    String line = RecordJson.toJson(UsageRecords.full(1, new Random(3)));
    assertThatThrownBy(() -> RecordJson.parse(line.substring(0, line.length() / 2)))
        .isInstanceOf(IOException.class);
  }
}
