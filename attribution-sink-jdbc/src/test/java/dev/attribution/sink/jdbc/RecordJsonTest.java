package dev.attribution.sink.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attribution.api.BudgetAction;
import dev.attribution.api.UsageRecord;
import dev.attribution.testing.UsageRecords;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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
      assertThat(line)
          .doesNotContain("\"provider\"")
          .doesNotContain("\"operation\"")
          .doesNotContain("\"httpStatus\"");
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
    assertThat(r.operation()).as("\"unknown\" read as null").isNull();
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
  void columnJsonRoundTripsHostileTextOnceMadeStorable() throws IOException {
    StringBuilder controls = new StringBuilder();
    for (char c = 1; c < 0x20; c++) {
      controls.append(c);
    }
    String hostile = Columns.storable(UsageRecords.HOSTILE_TEXT + controls);
    assertThat(hostile)
        .doesNotContain("\u0000")
        .contains("\uD83D\uDE00")
        .contains("hi\uFFFD lo\uFFFD end\uFFFD");
    Map<String, String> m = Map.of(hostile, hostile, "plain", "v");
    String json = RecordJson.mapJson(m);
    assertThat(json.chars().filter(c -> c < 0x20)).as("raw control characters").isEmpty();
    assertThat(RecordJson.parseMap(json)).isEqualTo(m);
  }

  @Test
  void storableReplacesOnlyNulAndLoneSurrogates() {
    assertThat(Columns.storable("plain ü 😀")).isEqualTo("plain ü 😀");
    assertThat(Columns.storable("a\u0000b")).isEqualTo("a\uFFFDb");
    assertThat(Columns.storable("\uDC00\uD800")).isEqualTo("\uFFFD\uFFFD");
    assertThat(Columns.storable("\uD83D\uDE00\uD83D")).isEqualTo("\uD83D\uDE00\uFFFD");
    assertThat(Columns.storable("x\uDE00\uD83D\uDE00")).isEqualTo("x\uFFFD\uD83D\uDE00");
  }

  @Test
  void spoolLineCarriesHostileTextExactlyInValidUtf8() throws Exception {
    UsageRecord r =
        UsageRecords.hostile(UsageRecords.T0).toBuilder()
            .errorMessage(UsageRecords.HOSTILE_TEXT)
            .attribute(UsageRecords.HOSTILE_TEXT, UsageRecords.HOSTILE_TEXT)
            .build();
    byte[] line = RecordJson.toUtf8(r);
    // Strict decoding: a lone surrogate written raw would not be valid UTF-8.
    String text =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(line))
            .toString();
    assertThat(text).doesNotContain("\n").doesNotContain("\u0000").doesNotContain("\uD800");
    assertThat(RecordJson.parse(text)).isEqualTo(r);
    assertThat(RecordJson.parse(text).errorMessage()).isEqualTo(UsageRecords.HOSTILE_TEXT);
  }

  @Test
  void tornLineIsRejectedNotMisread() {
    String line = RecordJson.toJson(UsageRecords.full(1, new Random(3)));
    assertThatThrownBy(() -> RecordJson.parse(line.substring(0, line.length() / 2)))
        .isInstanceOf(IOException.class);
  }
}
