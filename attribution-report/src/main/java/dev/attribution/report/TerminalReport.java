package dev.attribution.report;

import dev.attribution.api.internal.ControlChars;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Prints the review as aligned plain-text tables. */
final class TerminalReport {
  private static final int MAX_CELL = 48;
  private static final int PIVOT_TENANTS = 5;

  private TerminalReport() {}

  static void print(ReviewResult r, int top, PrintStream out) {
    String cur = ControlChars.escape(r.currency());
    out.println();
    out.println(
        "Weekly LLM cost review "
            + r.from()
            + " .. "
            + r.to()
            + " (days from midnight "
            + r.zone().getId()
            + ")");
    out.println(
        "  compared with "
            + r.previousFrom()
            + " .. "
            + r.previousTo()
            + "; "
            + Plural.of(r.rowsRead(), "usage row")
            + " summed");
    out.println(
        "  total "
            + Money.display(r.totalCost(), cur)
            + " (exact "
            + Money.exact(r.totalCost())
            + " "
            + cur
            + ") over "
            + Plural.of(r.calls(), "call")
            + "; previous "
            + Money.display(r.previousTotalCost(), cur)
            + " over "
            + Plural.of(r.previousCalls(), "call")
            + changeText(Analyzer.change(r.totalCost(), r.previousTotalCost())));
    if (r.unknownCostCalls() > 0) {
      out.println(
          "  "
              + Plural.of(r.unknownCostCalls(), "call has", "calls have")
              + " an unknown cost (unpriced) and "
              + (r.unknownCostCalls() == 1 ? "is" : "are")
              + " not in the total");
    }
    if (r.currencies().size() > 1) {
      out.println(
          "  WARNING: several currencies "
              + ControlChars.escape(r.currencies().toString())
              + " are summed as stored");
    }
    for (ReviewTable t : r.tables()) {
      if (t.name().equals("findings")
          || t.name().equals("summary")
          || t.name().equals("forecast_by_day")) {
        continue;
      }
      if (t.name().equals("daily_by_tenant")) {
        table(dailyPivot(r), Integer.MAX_VALUE, cur, out);
      } else {
        table(t, top, cur, out);
      }
      if (t.name().equals("savings")) {
        out.println("  " + Savings.METHOD);
      }
      if (t.name().equals("forecast")) {
        out.println("  " + Forecast.METHOD);
        out.println("  " + Forecast.INFERRED);
      }
    }
    out.println();
    out.println("Findings (" + r.findings().size() + ")");
    if (r.findings().isEmpty()) {
      out.println("  none: no playbook check fired");
    }
    int i = 1;
    for (Finding f : r.findings()) {
      out.println("  " + i++ + ". [" + f.kind().title() + "] " + ControlChars.escape(f.subject()));
      out.println("     " + ControlChars.escape(f.summary()));
      StringBuilder nums = new StringBuilder();
      for (Map.Entry<String, String> e : f.numbers().entrySet()) {
        if (nums.length() > 0) {
          nums.append(" | ");
        }
        nums.append(e.getKey()).append(": ").append(e.getValue());
      }
      out.println("     " + ControlChars.escape(nums.toString()));
    }
  }

  /** Spend by day as one row per day: the total, then the top tenants and the rest. */
  static ReviewTable dailyPivot(ReviewResult r) {
    List<String> tenants = new ArrayList<>();
    for (List<@Nullable Object> row : r.table("by_tenant").rows()) {
      if (tenants.size() < PIVOT_TENANTS) {
        tenants.add(String.valueOf(row.get(0)));
      }
    }
    boolean other = r.table("by_tenant").rows().size() > PIVOT_TENANTS;
    ReviewTable.Builder b =
        ReviewTable.builder("daily_by_tenant", "Spend by day, by tenant")
            .column("day", ReviewTable.ColumnType.TEXT)
            .column("total", ReviewTable.ColumnType.MONEY);
    for (String t : tenants) {
      b.column(t, ReviewTable.ColumnType.MONEY);
    }
    if (other) {
      b.column("other", ReviewTable.ColumnType.MONEY);
    }
    Map<String, List<java.math.@Nullable BigDecimal>> days = new java.util.TreeMap<>();
    int width = tenants.size() + (other ? 2 : 1);
    for (java.time.LocalDate d = r.from(); !d.isAfter(r.to()); d = d.plusDays(1)) {
      days.put(d.toString(), new ArrayList<>(java.util.Collections.nCopies(width, Money.ZERO)));
    }
    for (List<@Nullable Object> row : r.table("daily_by_tenant").rows()) {
      List<java.math.@Nullable BigDecimal> cells = days.get(String.valueOf(row.get(0)));
      java.math.BigDecimal cost = (java.math.BigDecimal) row.get(3);
      int i = tenants.indexOf(String.valueOf(row.get(1)));
      int col = i >= 0 ? i + 1 : width - 1;
      if (cost == null) { // every call of that tenant's day is unpriced: "unknown", never $0
        if (cells.get(col) != null && cells.get(col).signum() == 0) {
          cells.set(col, null);
        }
        continue;
      }
      cells.set(0, orZero(cells.get(0)).add(cost));
      cells.set(col, orZero(cells.get(col)).add(cost));
    }
    for (Map.Entry<String, List<java.math.@Nullable BigDecimal>> e : days.entrySet()) {
      Object[] cells = new Object[width + 1];
      cells[0] = e.getKey();
      for (int i = 0; i < width; i++) {
        cells[i + 1] = e.getValue().get(i);
      }
      b.row(cells);
    }
    return b.build();
  }

  private static String changeText(java.math.@Nullable BigDecimal change) {
    if (change == null) {
      return "";
    }
    return " (" + (change.signum() > 0 ? "+" : "") + change.toPlainString() + "%)";
  }

  static void table(ReviewTable t, int top, String currency, PrintStream out) {
    List<ReviewTable.Column> cols = t.columns();
    List<String[]> lines = new ArrayList<>();
    String[] head = new String[cols.size()];
    for (int c = 0; c < cols.size(); c++) {
      head[c] = ControlChars.escape(cols.get(c).name());
    }
    lines.add(head);
    int shown = 0;
    for (List<@Nullable Object> row : t.rows()) {
      if (shown++ >= top) {
        break;
      }
      String[] l = new String[cols.size()];
      for (int c = 0; c < cols.size(); c++) {
        // Recorded text (model names, context values) must not move the cursor or forge rows.
        String s = ControlChars.escape(Cells.display(row.get(c), cols.get(c).type(), currency));
        l[c] = s.length() > MAX_CELL ? s.substring(0, MAX_CELL - 1) + "~" : s;
      }
      lines.add(l);
    }
    int[] width = new int[cols.size()];
    for (String[] l : lines) {
      for (int c = 0; c < l.length; c++) {
        width[c] = Math.max(width[c], l[c].length());
      }
    }
    out.println();
    String more = t.rows().size() > top ? " (top " + top + " of " + t.rows().size() + ")" : "";
    out.println(t.title() + more);
    if (t.rows().isEmpty()) {
      out.println("  (no rows)");
      return;
    }
    for (int li = 0; li < lines.size(); li++) {
      StringBuilder sb = new StringBuilder(" ");
      for (int c = 0; c < cols.size(); c++) {
        String s = lines.get(li)[c];
        String pad = " ".repeat(width[c] - s.length());
        sb.append(' ');
        sb.append(Cells.numeric(cols.get(c).type()) ? pad + s : s + pad);
      }
      out.println(sb.toString().stripTrailing());
      if (li == 0) {
        StringBuilder rule = new StringBuilder(" ");
        for (int c = 0; c < cols.size(); c++) {
          rule.append(' ').append("-".repeat(width[c]));
        }
        out.println(rule);
      }
    }
  }

  private static java.math.BigDecimal orZero(java.math.@Nullable BigDecimal v) {
    return v == null ? Money.ZERO : v;
  }
}
