package dev.attribution.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every grouping is exported as CSV and JSON with exact amounts. */
class ExportsTest {
  static final LocalDate LAST = LocalDate.of(2026, 11, 28);

  @TempDir Path dir;

  private ReviewResult exported() throws Exception {
    List<UsageRows.Call> calls = new ArrayList<>(SampleWeeks.calls(LAST));
    calls.add(
        UsageRows.at(LAST.atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(60))
            .tenant("Smith, \"Jones\" & Co\nLtd")
            .cost("0.123456789"));
    ReviewFixture f = new ReviewFixture(dir).insert(calls);
    return f.review(
        ReviewOptions.builder()
            .url(f.url)
            .to(LAST)
            .csvDir(dir.resolve("csv"))
            .jsonDir(dir.resolve("json")));
  }

  @Test
  void aJsonStringCarriesHostileTextExactlyInValidUtf8() throws Exception {
    String hostile =
        "q\"b\\s/ nul\u0000 c0\u0001\u001f del\u007f ls\u2028 emoji\uD83D\uDE00 hi\uD800 lo\uDC00"
            + " end\uDBFF";
    String literal = Exports.str(hostile);
    assertThat(literal.chars().filter(c -> c < 0x20 || Character.isSurrogate((char) c))).isEmpty();
    byte[] utf8 = literal.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    try (JsonParser p = new JsonFactory().createParser(utf8)) {
      assertThat(p.nextToken()).isEqualTo(JsonToken.VALUE_STRING);
      assertThat(p.getText()).isEqualTo(hostile);
    }
  }

  /** Parses a CSV file (RFC 4180: quoted fields, doubled quotes, CRLF rows). */
  static List<List<String>> csv(Path file) throws Exception {
    String s = Files.readString(file);
    List<List<String>> rows = new ArrayList<>();
    List<String> row = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (quoted) {
        if (ch == '"' && i + 1 < s.length() && s.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else if (ch == '"') {
          quoted = false;
        } else {
          cell.append(ch);
        }
      } else if (ch == '"') {
        quoted = true;
      } else if (ch == ',') {
        row.add(cell.toString());
        cell.setLength(0);
      } else if (ch == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
        row.add(cell.toString());
        cell.setLength(0);
        rows.add(row);
        row = new ArrayList<>();
        i++;
      } else {
        cell.append(ch);
      }
    }
    return rows;
  }

  @Test
  void writesOneCsvPerGroupingWithExactAmounts() throws Exception {
    ReviewResult r = exported();

    for (ReviewTable t : r.tables()) {
      Path file = dir.resolve("csv").resolve(t.name() + ".csv");
      List<List<String>> rows = csv(file);
      assertThat(rows.get(0))
          .as(t.name())
          .containsExactlyElementsOf(t.columns().stream().map(ReviewTable.Column::name).toList());
      assertThat(rows).as(t.name()).hasSize(t.rows().size() + 1);
    }
    List<List<String>> tenants = csv(dir.resolve("csv/by_tenant.csv"));
    int cost = tenants.get(0).indexOf("cost");
    BigDecimal sum =
        tenants.subList(1, tenants.size()).stream()
            .map(row -> new BigDecimal(row.get(cost)))
            .reduce(BigDecimal.ZERO, BigDecimal::add);
    assertThat(sum).isEqualTo(r.totalCost());
    assertThat(tenants)
        .anySatisfy(row -> assertThat(row.get(0)).isEqualTo("Smith, \"Jones\" & Co\nLtd"));
    assertThat(tenants).anySatisfy(row -> assertThat(row.get(cost)).isEqualTo("0.123456789"));
  }

  @Test
  void writesOneJsonPerGroupingAndAWholeReview() throws Exception {
    ReviewResult r = exported();

    JsonFactory json = new JsonFactory();
    for (ReviewTable t : r.tables()) {
      int objects = 0;
      try (JsonParser p =
          json.createParser(dir.resolve("json").resolve(t.name() + ".json").toFile())) {
        assertThat(p.nextToken()).isEqualTo(JsonToken.START_ARRAY);
        while (p.nextToken() == JsonToken.START_OBJECT) {
          objects++;
          p.skipChildren();
        }
        assertThat(p.currentToken()).isEqualTo(JsonToken.END_ARRAY);
      }
      assertThat(objects).as(t.name()).isEqualTo(t.rows().size());
    }
    BigDecimal total = null;
    int findings = 0;
    try (JsonParser p = json.createParser(dir.resolve("json/review.json").toFile())) {
      p.nextToken();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        if (name.equals("cost_total")) {
          total = p.getDecimalValue();
        } else if (name.equals("findings")) {
          while (p.nextToken() == JsonToken.START_OBJECT) {
            findings++;
            p.skipChildren();
          }
        } else {
          p.skipChildren();
        }
      }
    }
    assertThat(total).isEqualTo(r.totalCost());
    assertThat(findings).isEqualTo(r.findings().size()).isPositive();
  }
}
