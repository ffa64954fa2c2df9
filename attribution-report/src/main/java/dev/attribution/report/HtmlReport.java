package dev.attribution.report;

import dev.attribution.report.ReviewTable.ColumnType;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Writes the review as one self-contained HTML file: inline CSS, inline SVG charts, no script and
 * nothing fetched from the network, so it renders offline and can be mailed as an attachment.
 * Amounts are converted to pixels as doubles for drawing only; every number printed comes from the
 * exact values.
 */
final class HtmlReport {

  /** Tenants drawn separately in the daily chart; the rest are stacked as "other". */
  static final int CHART_SERIES = 7;

  static final String[] PALETTE = {
    "#4C6FFF", "#14B8A6", "#F59E0B", "#EF4444", "#8B5CF6", "#0EA5E9", "#84CC16", "#94A3B8"
  };

  private static final String CSS =
      ":root{--ink:#0f172a;--muted:#64748b;--line:#e2e8f0;--card:#fff;--bg:#f4f6fb;--up:#dc2626;"
          + "--down:#16a34a;--accent:#4C6FFF}"
          + "*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--ink);"
          + "font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,"
          + "sans-serif}"
          + "main{max-width:1240px;margin:0 auto;padding:28px 24px 48px}"
          + "header h1{margin:0;font-size:26px;letter-spacing:-.01em}"
          + "header p{margin:4px 0 0;color:var(--muted)}"
          + ".kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:12px;"
          + "margin:20px 0}"
          + ".kpi{background:var(--card);border:1px solid var(--line);border-radius:12px;"
          + "padding:14px 16px}"
          + ".kpi .label{color:var(--muted);font-size:12px;text-transform:uppercase;"
          + "letter-spacing:.05em}"
          + ".kpi .value{font-size:24px;font-weight:650;margin-top:2px;"
          + "font-variant-numeric:tabular-nums}"
          + ".kpi .sub{font-size:12px;color:var(--muted)}"
          + "section{background:var(--card);border:1px solid var(--line);border-radius:12px;"
          + "padding:18px 20px;margin:14px 0}"
          + "section h2{font-size:16px;margin:0 0 12px}"
          + ".grid{display:grid;grid-template-columns:1fr 1fr;gap:14px;margin:14px 0;align-items:start}"
          + ".grid section{margin:0}"
          + "@media(max-width:900px){.grid{grid-template-columns:1fr}}"
          + "table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}"
          + "th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;"
          + "white-space:nowrap}"
          + "th{font-size:11px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);"
          + "font-weight:600}"
          + "td.n,th.n{text-align:right}"
          + "td.key{max-width:260px;overflow:hidden;text-overflow:ellipsis}"
          + ".up{color:var(--up)}.down{color:var(--down)}.muted{color:var(--muted)}"
          + ".legend{display:flex;flex-wrap:wrap;gap:6px 16px;margin-top:8px;font-size:12px}"
          + ".legend span i{display:inline-block;width:10px;height:10px;border-radius:2px;"
          + "margin-right:5px;vertical-align:-1px}"
          + ".findings{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));"
          + "gap:12px}"
          + ".finding{border:1px solid var(--line);border-left:4px solid var(--up);"
          + "border-radius:8px;padding:10px 12px}"
          + ".finding .kind{font-size:11px;text-transform:uppercase;letter-spacing:.05em;"
          + "color:var(--up);font-weight:650}"
          + ".finding.looping-thread,.finding.cost-spike{border-left-color:#dc2626}"
          + ".finding.high-output-ratio,.finding.uncached-context,"
          + ".finding.expensive-model-short-output{border-left-color:#f59e0b}"
          + ".finding.high-output-ratio .kind,.finding.uncached-context .kind,"
          + ".finding.expensive-model-short-output .kind{color:#b45309}"
          + ".finding.tenant-over-plan{border-left-color:#7c3aed}"
          + ".finding.tenant-over-plan .kind{color:#6d28d9}"
          + ".finding.unpriced-model{border-left-color:#0ea5e9}"
          + ".finding.unpriced-model .kind{color:#0369a1}"
          + ".finding .subject{font-weight:650;margin:2px 0}"
          + ".finding p{margin:2px 0 6px;color:#334155}"
          + ".finding dl{display:grid;grid-template-columns:auto 1fr;gap:1px 10px;margin:0;"
          + "font-size:12px}"
          + ".finding dt{color:var(--muted)}.finding dd{margin:0;font-variant-numeric:tabular-nums}"
          + ".pill{display:inline-block;padding:1px 8px;border-radius:99px;font-size:12px;"
          + "font-weight:600}"
          + ".pill.blocked{background:#fee2e2;color:#991b1b}"
          + ".pill.downgrading,.pill.rerouting{background:#fef3c7;color:#92400e}"
          + ".pill.warned{background:#e0e7ff;color:#3730a3}.pill.ok{background:#dcfce7;"
          + "color:#166534}"
          + ".meter{display:inline-block;width:90px;height:8px;background:#eef2f7;"
          + "border-radius:4px;vertical-align:middle;margin-right:6px;overflow:hidden}"
          + ".meter b{display:block;height:100%;background:var(--accent)}"
          + "svg{display:block;width:100%;height:auto}"
          + "svg text{font-family:inherit;fill:#475569}"
          + ".warn{background:#fff7ed;border:1px solid #fed7aa;color:#9a3412;border-radius:8px;"
          + "padding:8px 12px;margin:10px 0}"
          + "footer{color:var(--muted);font-size:12px;margin-top:20px}";

  private HtmlReport() {}

  static void write(ReviewResult r, int top, Path file, Instant generatedAt) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, render(r, top, generatedAt), StandardCharsets.UTF_8);
  }

  static String render(ReviewResult r, int top, Instant generatedAt) {
    String cur = r.currency();
    StringBuilder h = new StringBuilder(64 * 1024);
    h.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    h.append("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">");
    h.append("<title>LLM cost review ").append(r.from()).append(" to ").append(r.to());
    h.append("</title><style>").append(CSS).append("</style></head><body><main>\n");
    h.append("<header><h1>LLM cost review</h1><p>")
        .append(r.from())
        .append(" to ")
        .append(r.to())
        .append(" (days from midnight ")
        .append(esc(r.zone().getId()))
        .append("), compared with ")
        .append(r.previousFrom())
        .append(" to ")
        .append(r.previousTo())
        .append("</p></header>\n");
    if (r.currencies().size() > 1) {
      h.append("<div class=\"warn\">Several currencies ")
          .append(esc(String.join(", ", r.currencies())))
          .append(" are summed as stored; amounts are shown in ")
          .append(esc(cur))
          .append(".</div>");
    }
    kpis(r, h);
    h.append("<section id=\"daily\"><h2>Spend by day, stacked by tenant</h2>");
    HtmlCharts.dailyChart(r, h);
    h.append("</section>\n");
    findings(r, h);
    h.append("<div class=\"grid\">\n");
    for (String name : List.of("by_tenant", "by_feature", "by_model", "by_provider")) {
      grouping(r.table(name), top, cur, h);
    }
    h.append("</div>\n");
    h.append("<div class=\"grid\">\n");
    grouping(r.table("by_thread"), top, cur, h);
    grouping(r.table("by_user"), top, cur, h);
    HtmlCharts.tokenCategories(r.table("token_categories"), cur, h);
    HtmlCharts.cacheRatio(r.table("cache_by_feature"), top, cur, h);
    h.append("</div>\n");
    budgets(r.table("budgets"), cur, h);
    ForecastHtml.section(r, h);
    plainSection(r.table("outcomes"), Integer.MAX_VALUE, cur, h);
    plainSection(r.table("budget_actions"), Integer.MAX_VALUE, cur, h);
    if (r.tables().stream().anyMatch(t -> t.name().equals("savings"))) {
      plainSection(r.table("savings"), top, cur, h);
      h.insert(h.lastIndexOf("</section>"), "<p class=\"muted\">" + esc(Savings.METHOD) + "</p>");
    }
    plainSection(r.table("price_versions"), Integer.MAX_VALUE, cur, h);
    for (ReviewTable t : r.tables()) {
      if (t.name().startsWith("reprice_")) {
        plainSection(t, top, cur, h);
      }
    }
    h.append("<footer>Generated ")
        .append(esc(Times.minute(generatedAt, r.zone())))
        .append(" by attribution-report from ")
        .append(esc(Plural.of(r.rowsRead(), "usage row")))
        .append(". Total ")
        .append(esc(Money.exact(r.totalCost())))
        .append(' ')
        .append(esc(cur))
        .append(" is the exact sum of cost_total.</footer>\n");
    h.append("</main></body></html>\n");
    return h.toString();
  }

  private static void kpis(ReviewResult r, StringBuilder h) {
    String cur = r.currency();
    ReviewTable s = r.table("summary");
    List<@Nullable Object> now = s.rows().get(0);
    List<@Nullable Object> before = s.rows().get(1);
    h.append("<div class=\"kpis\">");
    kpi(
        h,
        "Spend",
        Money.display(r.totalCost(), cur),
        change(Analyzer.change(r.totalCost(), r.previousTotalCost()))
            + " vs "
            + esc(Money.display(r.previousTotalCost(), cur)));
    kpi(
        h,
        "Calls",
        Cells.display(r.calls(), ColumnType.COUNT, cur),
        change(
                Analyzer.change(
                    BigDecimal.valueOf(r.calls()), BigDecimal.valueOf(r.previousCalls())))
            + " vs "
            + r.previousCalls());
    BigDecimal perCall =
        r.calls() == 0
            ? Money.ZERO
            : r.totalCost()
                .divide(
                    BigDecimal.valueOf(r.calls()), Money.SCALE, java.math.RoundingMode.HALF_EVEN);
    kpi(h, "Cost per call", Money.display(perCall, cur), "average over all calls");
    int fc = s.columnIndex("failed");
    int bc = s.columnIndex("blocked");
    int dc = s.columnIndex("downgraded");
    kpi(h, "Failed", String.valueOf(now.get(fc)), "was " + before.get(fc));
    kpi(h, "Blocked", String.valueOf(now.get(bc)), "was " + before.get(bc));
    kpi(h, "Downgraded", String.valueOf(now.get(dc)), "was " + before.get(dc));
    if (r.unknownCostCalls() > 0) {
      kpi(
          h,
          "Cost unknown",
          String.valueOf(r.unknownCostCalls()),
          "unpriced calls, not in the spend");
    }
    kpi(h, "Findings", String.valueOf(r.findings().size()), "playbook checks that fired");
    h.append("</div>\n");
  }

  private static void kpi(StringBuilder h, String label, String value, String sub) {
    h.append("<div class=\"kpi\"><div class=\"label\">")
        .append(esc(label))
        .append("</div><div class=\"value\">")
        .append(esc(value))
        .append("</div><div class=\"sub\">")
        .append(sub)
        .append("</div></div>");
  }

  /** A coloured percent change (already HTML), or "new". */
  private static String change(@Nullable BigDecimal pct) {
    if (pct == null) {
      return "<span class=\"muted\">new</span>";
    }
    String cls = pct.signum() > 0 ? "up" : pct.signum() < 0 ? "down" : "muted";
    String arrow = pct.signum() > 0 ? "&#9650; +" : pct.signum() < 0 ? "&#9660; " : "";
    return "<span class=\"" + cls + "\">" + arrow + pct.toPlainString() + "%</span>";
  }

  private static void findings(ReviewResult r, StringBuilder h) {
    h.append("<section id=\"findings\"><h2>Findings (")
        .append(r.findings().size())
        .append(")</h2>");
    if (r.findings().isEmpty()) {
      h.append("<p class=\"muted\">No playbook check fired for this window.</p>");
    } else {
      h.append("<div class=\"findings\">");
      for (Finding f : r.findings()) {
        h.append("<div class=\"finding ")
            .append(f.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'))
            .append("\"><div class=\"kind\">")
            .append(esc(f.kind().title()))
            .append("</div><div class=\"subject\">")
            .append(esc(f.subject()))
            .append("</div><p>")
            .append(esc(f.summary()))
            .append("</p><dl>");
        for (Map.Entry<String, String> e : f.numbers().entrySet()) {
          h.append("<dt>")
              .append(esc(e.getKey()))
              .append("</dt><dd>")
              .append(esc(e.getValue()))
              .append("</dd>");
        }
        h.append("</dl></div>");
      }
      h.append("</div>");
    }
    h.append("</section>\n");
  }

  /** A top-N grouping: a horizontal bar per key with its cost and week-over-week change. */
  private static void grouping(ReviewTable t, int top, String cur, StringBuilder h) {
    h.append("<section id=\"").append(t.name()).append("\"><h2>").append(esc(t.title()));
    if (t.rows().size() > top) {
      h.append(" <span class=\"muted\">(top ")
          .append(top)
          .append(" of ")
          .append(t.rows().size())
          .append(")</span>");
    }
    h.append("</h2>");
    int cost = t.columnIndex("cost");
    int prev = t.columnIndex("previous_cost");
    int calls = t.columnIndex("calls");
    int chg = t.columnIndex("change_pct");
    int share = t.columnIndex("share_pct");
    List<List<@Nullable Object>> rows = new ArrayList<>();
    long unkeyed = 0;
    for (List<@Nullable Object> row : t.rows()) {
      if (Analyzer.NONE.equals(row.get(0)) && t.name().equals("by_thread")) {
        unkeyed = (Long) row.get(calls); // calls without a thread id would hide the real threads
      } else if (rows.size() < top) {
        rows.add(row);
      }
    }
    if (unkeyed > 0) {
      h.append("<p class=\"muted\">")
          .append(esc(Plural.of(unkeyed, "call")))
          .append(" carried no thread id.</p>");
    }
    if (rows.isEmpty()) {
      h.append("<p class=\"muted\">No calls.</p></section>\n");
      return;
    }
    BigDecimal max = BigDecimal.ZERO;
    for (List<@Nullable Object> row : rows) {
      max = max.max(amount(row.get(cost))).max(amount(row.get(prev)));
    }
    int w = 560;
    int rowH = 22;
    int labelW = 150;
    int valueW = 150;
    int hgt = rows.size() * rowH + 6;
    h.append("<svg class=\"hbar\" viewBox=\"0 0 ")
        .append(w)
        .append(' ')
        .append(hgt)
        .append("\" role=\"img\" aria-label=\"")
        .append(esc(t.title()))
        .append("\">");
    double plotW = w - labelW - valueW;
    for (int i = 0; i < rows.size(); i++) {
      List<@Nullable Object> row = rows.get(i);
      double y = 3 + i * rowH;
      BigDecimal c = amount(row.get(cost));
      BigDecimal p = amount(row.get(prev));
      String cText = Cells.display(row.get(cost), ColumnType.MONEY, cur);
      String pText = Cells.display(row.get(prev), ColumnType.MONEY, cur);
      double cw = max.signum() == 0 ? 0 : plotW * c.doubleValue() / max.doubleValue();
      double pw = max.signum() == 0 ? 0 : plotW * p.doubleValue() / max.doubleValue();
      h.append("<text x=\"")
          .append(labelW - 8)
          .append("\" y=\"")
          .append(fmt(y + 14))
          .append("\" font-size=\"12\" text-anchor=\"end\">")
          .append(esc(shorten(String.valueOf(row.get(0)), 22)))
          .append("</text>");
      h.append("<rect x=\"")
          .append(labelW)
          .append("\" y=\"")
          .append(fmt(y + 2))
          .append("\" width=\"")
          .append(fmt(Math.max(cw, 1)))
          .append("\" height=\"14\" rx=\"3\" fill=\"#4C6FFF\"><title>")
          .append(esc(row.get(0) + ": " + cText))
          .append("</title></rect>");
      if (pw > 0) {
        h.append("<line x1=\"")
            .append(fmt(labelW + pw))
            .append("\" x2=\"")
            .append(fmt(labelW + pw))
            .append("\" y1=\"")
            .append(fmt(y))
            .append("\" y2=\"")
            .append(fmt(y + 18))
            .append("\" stroke=\"#0f172a\" stroke-width=\"2\"><title>previous window: ")
            .append(esc(pText))
            .append("</title></line>");
      }
      BigDecimal ch = (BigDecimal) row.get(chg);
      String chText = ch == null ? "new" : (ch.signum() > 0 ? "+" : "") + ch.toPlainString() + "%";
      String chColor = ch == null ? "#64748b" : ch.signum() > 0 ? "#dc2626" : "#16a34a";
      h.append("<text x=\"")
          .append(w - valueW + 8)
          .append("\" y=\"")
          .append(fmt(y + 14))
          .append("\" font-size=\"12\">")
          .append(esc(cText))
          .append("</text><text x=\"")
          .append(w - 4)
          .append("\" y=\"")
          .append(fmt(y + 14))
          .append("\" font-size=\"11\" text-anchor=\"end\" style=\"fill:")
          .append(chColor)
          .append("\">")
          .append(esc(chText))
          .append("</text>");
    }
    h.append(
        "</svg><div class=\"legend\"><span><i style=\"background:#4C6FFF\"></i>this window</span>");
    h.append("<span><i style=\"background:#0f172a;width:3px\"></i>previous window</span></div>");
    h.append("<table><tr><th>").append(esc(t.columns().get(0).name())).append("</th>");
    h.append("<th class=\"n\">calls</th><th class=\"n\">cost</th><th class=\"n\">share</th>");
    h.append("<th class=\"n\">previous</th><th class=\"n\">change</th></tr>");
    for (List<@Nullable Object> row : rows) {
      h.append("<tr><td class=\"key\" title=\"")
          .append(esc(String.valueOf(row.get(0))))
          .append("\">")
          .append(esc(String.valueOf(row.get(0))))
          .append("</td><td class=\"n\">")
          .append(Cells.display(row.get(calls), ColumnType.COUNT, cur))
          .append("</td><td class=\"n\">")
          .append(esc(Cells.display(row.get(cost), ColumnType.MONEY, cur)))
          .append("</td><td class=\"n\">")
          .append(Cells.display(row.get(share), ColumnType.PERCENT, cur))
          .append("</td><td class=\"n\">")
          .append(esc(Cells.display(row.get(prev), ColumnType.MONEY, cur)))
          .append("</td><td class=\"n\">")
          .append(change((BigDecimal) row.get(chg)))
          .append("</td></tr>");
    }
    h.append("</table></section>\n");
  }

  /** A money cell for chart geometry: unknown (null) draws as nothing. */
  static BigDecimal amount(@Nullable Object v) {
    return v == null ? BigDecimal.ZERO : (BigDecimal) v;
  }

  private static void budgets(ReviewTable t, String cur, StringBuilder h) {
    h.append("<section id=\"budgets\"><h2>").append(esc(t.title())).append("</h2>");
    if (t.rows().isEmpty()) {
      h.append("<p class=\"muted\">No call carried a budget in this window.</p></section>\n");
      return;
    }
    h.append("<table><tr><th>budget</th><th>status</th><th>last used</th>");
    h.append("<th class=\"n\">max</th><th class=\"n\">notify</th><th class=\"n\">downgrade</th>");
    h.append("<th class=\"n\">reroute</th><th class=\"n\">block</th><th class=\"n\">cost</th>");
    h.append("<th>tenants</th></tr>");
    for (List<@Nullable Object> row : t.rows()) {
      BigDecimal last = (BigDecimal) row.get(2);
      double fill = last == null ? 0 : Math.min(100, Math.max(0, last.doubleValue()));
      String meter = fill >= 100 ? "#dc2626" : fill >= 80 ? "#f59e0b" : "#4C6FFF";
      h.append("<tr><td>")
          .append(esc(String.valueOf(row.get(0))))
          .append("</td><td><span class=\"pill ")
          .append(esc(String.valueOf(row.get(1))))
          .append("\">")
          .append(esc(String.valueOf(row.get(1))))
          .append("</span></td><td><span class=\"meter\"><b style=\"width:")
          .append(fmt(fill))
          .append("%;background:")
          .append(meter)
          .append("\"></b></span>")
          .append(last == null ? "" : last.toPlainString() + "%")
          .append("</td><td class=\"n\">")
          .append(Cells.display(row.get(3), ColumnType.PERCENT, cur).replace("new", ""))
          .append("</td>");
      for (int c = 4; c <= 7; c++) {
        h.append("<td class=\"n\">")
            .append(Cells.display(row.get(c), ColumnType.COUNT, cur))
            .append("</td>");
      }
      h.append("<td class=\"n\">")
          .append(esc(Cells.display(row.get(8), ColumnType.MONEY, cur)))
          .append("</td><td class=\"key\">")
          .append(esc(String.valueOf(row.get(9))))
          .append("</td></tr>");
    }
    h.append("</table></section>\n");
  }

  private static void plainSection(ReviewTable t, int top, String cur, StringBuilder h) {
    h.append("<section id=\"")
        .append(t.name())
        .append("\"><h2>")
        .append(esc(t.title()))
        .append("</h2>");
    if (t.rows().isEmpty()) {
      h.append("<p class=\"muted\">None.</p></section>\n");
      return;
    }
    h.append("<table><tr>");
    for (ReviewTable.Column c : t.columns()) {
      h.append("<th")
          .append(Cells.numeric(c.type()) ? " class=\"n\"" : "")
          .append('>')
          .append(esc(c.name().replace('_', ' ')))
          .append("</th>");
    }
    h.append("</tr>");
    int shown = 0;
    for (List<@Nullable Object> row : t.rows()) {
      if (shown++ >= top) {
        break;
      }
      h.append("<tr>");
      for (int c = 0; c < row.size(); c++) {
        ReviewTable.Column col = t.columns().get(c);
        h.append("<td")
            .append(Cells.numeric(col.type()) ? " class=\"n\"" : " class=\"key\"")
            .append('>')
            .append(esc(Cells.display(row.get(c), col.type(), cur)))
            .append("</td>");
      }
      h.append("</tr>");
    }
    h.append("</table></section>\n");
  }

  /**
   * Round axis ticks from zero to at or above {@code max}: steps of 1, 2 or 5 times a power of ten,
   * at most 6 intervals (e.g. 0, 0.5, 1, 1.5, 2 for a maximum of 1.8).
   */
  static double[] ticks(double max) {
    if (max <= 0) {
      return new double[] {0, 1};
    }
    double raw = max / 5;
    double p = Math.pow(10, Math.floor(Math.log10(raw)));
    double step = 10 * p;
    for (double m : new double[] {1, 2, 5}) {
      if (m * p >= raw) {
        step = m * p;
        break;
      }
    }
    int n = (int) Math.ceil(max / step - 1e-9);
    double[] t = new double[n + 1];
    for (int i = 0; i <= n; i++) {
      // computed from the integer index so 0.1 * 3 prints as 0.3, not 0.30000000000000004
      t[i] = Double.parseDouble(String.format(Locale.ROOT, "%.10g", step * i));
    }
    return t;
  }

  /** Horizontal grid lines at {@code ticks} (the last is the plot's top) with their labels. */
  static void gridLines(
      StringBuilder h, double[] ticks, int x1, int x2, int topPad, double plotH, String cur) {
    double top = ticks[ticks.length - 1];
    for (double v : ticks) {
      double y = topPad + plotH - plotH * v / top;
      h.append("<line x1=\"").append(x1).append("\" x2=\"").append(x2);
      h.append("\" y1=\"").append(fmt(y)).append("\" y2=\"").append(fmt(y));
      h.append("\" stroke=\"#e2e8f0\"/><text x=\"").append(x1 - 8).append("\" y=\"");
      h.append(fmt(y + 4)).append("\" font-size=\"11\" text-anchor=\"end\">");
      h.append(esc(tickLabel(v, cur))).append("</text>");
    }
  }

  /** A round tick's label: no more decimals than the tick has, thousands grouped. */
  static String tickLabel(double v, String cur) {
    String symbol = "USD".equals(cur) ? "$" : cur + " ";
    java.math.BigDecimal b = new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros();
    if (b.scale() < 0) {
      b = b.setScale(0);
    }
    java.text.DecimalFormat f =
        new java.text.DecimalFormat(
            "#,##0" + (b.scale() > 0 ? "." + "0".repeat(b.scale()) : ""),
            java.text.DecimalFormatSymbols.getInstance(Locale.ROOT));
    return symbol + f.format(b);
  }

  static String axisLabel(double v, String cur) {
    String symbol = "USD".equals(cur) ? "$" : cur + " ";
    if (v == 0) {
      return symbol + "0";
    }
    if (v >= 1000) {
      return symbol + String.format(Locale.ROOT, "%,.0f", v);
    }
    if (v >= 10) {
      return symbol + String.format(Locale.ROOT, "%.0f", v);
    }
    if (v >= 1) {
      return symbol + String.format(Locale.ROOT, "%.2f", v);
    }
    return symbol + String.format(Locale.ROOT, "%.3f", v);
  }

  static String shorten(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "\u2026";
  }

  static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  static String esc(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '<':
          sb.append("&lt;");
          break;
        case '>':
          sb.append("&gt;");
          break;
        case '&':
          sb.append("&amp;");
          break;
        case '"':
          sb.append("&quot;");
          break;
        case '\'':
          sb.append("&#39;");
          break;
        default:
          sb.append(ch);
      }
    }
    return sb.toString();
  }
}
