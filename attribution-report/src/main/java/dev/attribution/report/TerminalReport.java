package dev.attribution.report;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Prints the review as aligned plain-text tables. */
final class TerminalReport {
  private static final int MAX_CELL = 48;

  private TerminalReport() {}

  static void print(ReviewResult r, int top, PrintStream out) {
    String cur = r.currency();
    out.println();
    out.println("Weekly LLM cost review " + r.from() + " .. " + r.to() + " (UTC)");
    out.println(
        "  compared with "
            + r.previousFrom()
            + " .. "
            + r.previousTo()
            + "; "
            + r.rowsRead()
            + " rows read");
    out.println(
        "  total "
            + Money.display(r.totalCost(), cur)
            + " (exact "
            + Money.exact(r.totalCost())
            + " "
            + cur
            + ") over "
            + r.calls()
            + " calls; previous "
            + Money.display(r.previousTotalCost(), cur)
            + " over "
            + r.previousCalls()
            + " calls"
            + changeText(Analyzer.change(r.totalCost(), r.previousTotalCost())));
    if (r.currencies().size() > 1) {
      out.println("  WARNING: several currencies " + r.currencies() + " are summed as stored");
    }
    for (ReviewTable t : r.tables()) {
      if (t.name().equals("findings") || t.name().equals("summary")) {
        continue;
      }
      table(t, t.name().equals("daily_by_tenant") ? Integer.MAX_VALUE : top, cur, out);
    }
    out.println();
    out.println("Findings (" + r.findings().size() + ")");
    if (r.findings().isEmpty()) {
      out.println("  none: no playbook check fired");
    }
    int i = 1;
    for (Finding f : r.findings()) {
      out.println("  " + i++ + ". [" + f.kind().title() + "] " + f.subject());
      out.println("     " + f.summary());
      StringBuilder nums = new StringBuilder();
      for (Map.Entry<String, String> e : f.numbers().entrySet()) {
        if (nums.length() > 0) {
          nums.append(" | ");
        }
        nums.append(e.getKey()).append(": ").append(e.getValue());
      }
      out.println("     " + nums);
    }
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
      head[c] = cols.get(c).name();
    }
    lines.add(head);
    int shown = 0;
    for (List<@Nullable Object> row : t.rows()) {
      if (shown++ >= top) {
        break;
      }
      String[] l = new String[cols.size()];
      for (int c = 0; c < cols.size(); c++) {
        String s = Cells.display(row.get(c), cols.get(c).type(), currency);
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
}
