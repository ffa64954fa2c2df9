package dev.attribution.report;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.attribution.report.ReviewTable.ColumnType;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** CSV and JSON files of every grouping. */
final class Exports {
  private Exports() {}

  static void csv(ReviewResult r, Path dir) throws IOException {
    Files.createDirectories(dir);
    for (ReviewTable t : r.tables()) {
      try (Writer w =
          Files.newBufferedWriter(dir.resolve(t.name() + ".csv"), StandardCharsets.UTF_8)) {
        List<ReviewTable.Column> cols = t.columns();
        for (int c = 0; c < cols.size(); c++) {
          w.write((c > 0 ? "," : "") + csvCell(neutralise(cols.get(c).name())));
        }
        w.write("\r\n");
        for (List<@Nullable Object> row : t.rows()) {
          for (int c = 0; c < cols.size(); c++) {
            String raw = Cells.raw(row.get(c));
            // Only text comes from recorded data; numbers are ours and keep their minus sign.
            w.write(
                (c > 0 ? "," : "")
                    + csvCell(cols.get(c).type() == ColumnType.TEXT ? neutralise(raw) : raw));
          }
          w.write("\r\n");
        }
      }
    }
  }

  /**
   * A text cell a spreadsheet would run as a formula (it starts with {@code = + - @}, a tab or a
   * carriage return: a tenant named {@code =HYPERLINK(..)}) gets a leading single quote, so it is
   * shown as text.
   */
  static String neutralise(String s) {
    if (s.isEmpty()) {
      return s;
    }
    char c = s.charAt(0);
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r' ? "'" + s : s;
  }

  static String csvCell(String s) {
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
      return s;
    }
    return '"' + s.replace("\"", "\"\"") + '"';
  }

  static void json(ReviewResult r, Path dir) throws IOException {
    Files.createDirectories(dir);
    for (ReviewTable t : r.tables()) {
      StringBuilder sb = new StringBuilder();
      table(t, sb);
      sb.append('\n');
      Files.writeString(dir.resolve(t.name() + ".json"), sb, StandardCharsets.UTF_8);
    }
    StringBuilder sb = new StringBuilder("{\n");
    sb.append("  \"from\": ").append(str(r.from().toString())).append(",\n");
    sb.append("  \"to\": ").append(str(r.to().toString())).append(",\n");
    sb.append("  \"previous_from\": ").append(str(r.previousFrom().toString())).append(",\n");
    sb.append("  \"previous_to\": ").append(str(r.previousTo().toString())).append(",\n");
    sb.append("  \"currency\": ").append(str(r.currency())).append(",\n");
    sb.append("  \"cost_total\": ").append(r.totalCost().toPlainString()).append(",\n");
    sb.append("  \"previous_cost_total\": ")
        .append(r.previousTotalCost().toPlainString())
        .append(",\n");
    sb.append("  \"calls\": ").append(r.calls()).append(",\n");
    sb.append("  \"previous_calls\": ").append(r.previousCalls()).append(",\n");
    sb.append("  \"findings\": [");
    boolean first = true;
    for (Finding f : r.findings()) {
      sb.append(first ? "\n" : ",\n");
      first = false;
      sb.append("    {\"kind\": ").append(str(f.kind().name().toLowerCase(java.util.Locale.ROOT)));
      sb.append(", \"subject\": ").append(str(f.subject()));
      sb.append(", \"summary\": ").append(str(f.summary()));
      sb.append(", \"amount\": ").append(f.amount().toPlainString());
      sb.append(", \"numbers\": {");
      boolean firstNumber = true;
      for (Map.Entry<String, String> e : f.numbers().entrySet()) {
        sb.append(firstNumber ? "" : ", ")
            .append(str(e.getKey()))
            .append(": ")
            .append(str(e.getValue()));
        firstNumber = false;
      }
      sb.append("}}");
    }
    sb.append(first ? "],\n" : "\n  ],\n");
    sb.append("  \"groupings\": {");
    first = true;
    for (ReviewTable t : r.tables()) {
      sb.append(first ? "\n" : ",\n");
      first = false;
      sb.append("    ").append(str(t.name())).append(": ");
      table(t, sb);
    }
    sb.append("\n  }\n}\n");
    Files.writeString(dir.resolve("review.json"), sb, StandardCharsets.UTF_8);
  }

  /** A table as a JSON array of objects; money and percentages as exact JSON numbers. */
  private static void table(ReviewTable t, StringBuilder sb) {
    sb.append('[');
    List<ReviewTable.Column> cols = t.columns();
    boolean first = true;
    for (List<@Nullable Object> row : t.rows()) {
      sb.append(first ? "" : ",").append("\n      {");
      first = false;
      for (int c = 0; c < cols.size(); c++) {
        sb.append(c > 0 ? ", " : "").append(str(cols.get(c).name())).append(": ");
        Object v = row.get(c);
        if (v == null) {
          sb.append("null");
        } else if (cols.get(c).type() == ColumnType.TEXT) {
          sb.append(str(String.valueOf(v)));
        } else if (v instanceof BigDecimal) {
          sb.append(((BigDecimal) v).toPlainString());
        } else {
          sb.append(v);
        }
      }
      sb.append('}');
    }
    sb.append(first ? "]" : "\n    ]");
  }

  /**
   * {@code s} as a JSON string literal, written by Jackson's UTF-8 generator (quotes, backslashes
   * and control characters escaped, and every surrogate too, so a lone one cannot make the UTF-8
   * file unwritable).
   */
  static String str(String s) {
    ByteArrayBuilder out = new ByteArrayBuilder(s.length() + 16);
    try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
      g.writeString(s);
    } catch (IOException e) {
      throw new IllegalStateException("cannot happen on an in-memory buffer", e);
    }
    return new String(out.toByteArray(), StandardCharsets.UTF_8);
  }

  private static final JsonFactory JSON = new JsonFactory();
}
