package dev.attribution.report;

import static dev.attribution.report.HtmlReport.esc;
import static dev.attribution.report.HtmlReport.fmt;

import dev.attribution.report.ReviewTable.ColumnType;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The forecast's HTML: a chart of cumulative spend over the month of the window's last day (solid
 * to today, dashed beyond, a dotted line at each budget's limit) and the forecast table.
 */
final class ForecastHtml {

  /** Lines drawn at most: the largest tenants and budgets over all tenants. */
  static final int SERIES = 6;

  private ForecastHtml() {}

  static void section(ReviewResult r, StringBuilder h) {
    if (!hasTable(r, "forecast")) {
      return;
    }
    ReviewTable t = r.table("forecast");
    String cur = r.currency();
    h.append("<section id=\"forecast\"><h2>")
        .append(esc(t.title()))
        .append("</h2><p class=\"muted\">")
        .append(esc(Forecast.METHOD))
        .append(' ')
        .append(esc(Forecast.INFERRED))
        .append("</p>");
    if (t.rows().isEmpty()) {
      h.append("<p class=\"muted\">No spend to project.</p></section>\n");
      return;
    }
    chart(r, t, h);
    h.append("<table id=\"forecast-table\"><tr><th>scope</th><th>period</th>");
    h.append("<th class=\"n\">spent</th><th class=\"n\">per day</th>");
    h.append("<th class=\"n\">projected</th><th class=\"n\">limit</th><th>limit date</th>");
    h.append("<th class=\"n\">plan</th><th class=\"n\">projected margin</th></tr>");
    for (List<@Nullable Object> row : t.rows()) {
      h.append("<tr><td class=\"key\">").append(esc(String.valueOf(row.get(0)))).append("</td>");
      h.append("<td>")
          .append(esc(String.valueOf(row.get(t.columnIndex("period")))))
          .append("</td>");
      for (String c : List.of("spent", "run_rate_per_day", "projected", "limit")) {
        int i = t.columnIndex(c);
        String title =
            c.equals("limit") ? String.valueOf(row.get(t.columnIndex("limit_basis"))) : "";
        h.append("<td class=\"n\"")
            .append(title.isEmpty() ? "" : " title=\"" + esc(title) + "\"")
            .append('>')
            .append(esc(Cells.display(row.get(i), t.columns().get(i).type(), cur)))
            .append(c.equals("limit") && title.startsWith("inferred") ? " *" : "")
            .append("</td>");
      }
      h.append("<td>")
          .append(esc(String.valueOf(row.get(t.columnIndex("limit_date")))))
          .append("</td>");
      for (String c : List.of("plan_for_period", "projected_margin")) {
        int i = t.columnIndex(c);
        Object v = row.get(i);
        String cls = v != null && ((BigDecimal) v).signum() < 0 ? " up" : "";
        h.append("<td class=\"n")
            .append(cls)
            .append("\">")
            .append(esc(Cells.display(v, ColumnType.OPTIONAL_MONEY, cur)))
            .append("</td>");
      }
      h.append("</tr>");
    }
    h.append("</table><p class=\"muted\">* inferred limit (hover for how).</p></section>\n");
  }

  private static boolean hasTable(ReviewResult r, String name) {
    return r.tables().stream().anyMatch(t -> t.name().equals(name));
  }

  private static void chart(ReviewResult r, ReviewTable forecast, StringBuilder h) {
    String cur = r.currency();
    LocalDate start = r.to().withDayOfMonth(1);
    LocalDate end = r.to().with(TemporalAdjusters.lastDayOfMonth());
    int days = (int) ChronoUnit.DAYS.between(start, end) + 1;
    ReviewTable daily = r.table("forecast_by_day");
    Map<String, List<List<@Nullable Object>>> byScope = new LinkedHashMap<>();
    for (List<@Nullable Object> row : daily.rows()) {
      byScope.computeIfAbsent((String) row.get(0), k -> new ArrayList<>()).add(row);
    }
    // Tenants, largest projection first, and budgets over all tenants; a tenant's own monthly
    // budget has the tenant's line, so only its limit is drawn, in the tenant's colour.
    List<String> series = new ArrayList<>();
    Map<String, List<String>> limitsOf = new LinkedHashMap<>();
    int kind = forecast.columnIndex("kind");
    int tenant = forecast.columnIndex("tenant");
    for (List<@Nullable Object> row : forecast.rows()) {
      String scope = (String) row.get(0);
      List<List<@Nullable Object>> points = byScope.getOrDefault(scope, List.of());
      boolean month = points.size() == days && points.get(0).get(1).equals(start.toString());
      boolean budget = "budget".equals(row.get(kind));
      String owner = (String) row.get(tenant);
      if (!month) {
        continue;
      }
      if (budget && !owner.isEmpty()) {
        limitsOf.computeIfAbsent(owner, k -> new ArrayList<>()).add(scope);
      } else if (series.size() < SERIES) {
        series.add(scope);
      }
    }
    double max = 0;
    for (String s : series) {
      List<String> drawn = new ArrayList<>(limitsOf.getOrDefault(s, List.of()));
      drawn.add(s);
      for (String d : drawn) {
        for (List<@Nullable Object> p : byScope.get(d)) {
          max = Math.max(max, ((BigDecimal) p.get(2)).doubleValue());
          if (p.get(4) != null) {
            max = Math.max(max, ((BigDecimal) p.get(4)).doubleValue());
          }
        }
      }
    }
    double[] ticks = HtmlReport.ticks(max);
    double top = ticks[ticks.length - 1];
    int w = 1160;
    int hgt = 300;
    int left = 70;
    int right = 150;
    int topPad = 12;
    int bottom = 30;
    double plotW = w - left - right;
    double plotH = hgt - topPad - bottom;
    h.append("<svg id=\"chart-forecast\" viewBox=\"0 0 ")
        .append(w)
        .append(' ')
        .append(hgt)
        .append("\" role=\"img\" aria-label=\"Cumulative spend this month, projected\">");
    HtmlReport.gridLines(h, ticks, left, w - right, topPad, plotH, cur);
    double step = plotW / Math.max(1, days - 1);
    for (int i = 0; i < days; i += (days > 16 ? 5 : 1)) {
      LocalDate d = start.plusDays(i);
      h.append("<text x=\"").append(fmt(left + step * i)).append("\" y=\"");
      h.append(hgt - bottom + 16).append("\" font-size=\"11\" text-anchor=\"middle\">");
      h.append(esc(d.toString().substring(5))).append("</text>");
    }
    double todayX = left + step * ChronoUnit.DAYS.between(start, r.to());
    h.append("<line x1=\"").append(fmt(todayX)).append("\" x2=\"").append(fmt(todayX));
    h.append("\" y1=\"").append(topPad).append("\" y2=\"").append(fmt(topPad + plotH));
    h.append("\" stroke=\"#94a3b8\"/><text x=\"").append(fmt(todayX + 4)).append("\" y=\"");
    h.append(topPad + 10).append("\" font-size=\"11\">today</text>");
    for (int k = 0; k < series.size(); k++) {
      String s = series.get(k);
      String color = HtmlReport.PALETTE[k % (HtmlReport.PALETTE.length - 1)];
      StringBuilder actual = new StringBuilder();
      StringBuilder projected = new StringBuilder();
      List<List<@Nullable Object>> points = byScope.get(s);
      double lastY = topPad + plotH;
      for (int i = 0; i < points.size(); i++) {
        List<@Nullable Object> p = points.get(i);
        double x = left + step * i;
        double y = topPad + plotH - plotH * ((BigDecimal) p.get(2)).doubleValue() / top;
        String pt = fmt(x) + "," + fmt(y) + " ";
        if ("actual".equals(p.get(3))) {
          actual.append(pt);
          projected.setLength(0);
          projected.append(pt);
        } else {
          projected.append(pt);
        }
        lastY = y;
      }
      h.append("<polyline class=\"actual\" fill=\"none\" stroke-width=\"2\" stroke=\"")
          .append(color)
          .append("\" points=\"")
          .append(actual.toString().trim())
          .append("\"><title>")
          .append(esc(s))
          .append("</title></polyline>");
      if (projected.toString().trim().contains(" ")) {
        h.append("<polyline class=\"projected\" fill=\"none\" stroke-width=\"2\"")
            .append(" stroke-dasharray=\"6 4\" stroke=\"")
            .append(color)
            .append("\" points=\"")
            .append(projected.toString().trim())
            .append("\"><title>")
            .append(esc(s + " (projected)"))
            .append("</title></polyline>");
      }
      h.append("<text x=\"").append(w - right + 6).append("\" y=\"").append(fmt(lastY + 4));
      h.append("\" font-size=\"11\" style=\"fill:").append(color).append("\">");
      h.append(esc(shorten(s))).append("</text>");
      List<String> withLimits = new ArrayList<>(limitsOf.getOrDefault(s, List.of()));
      withLimits.add(s);
      for (String b : withLimits) {
        Object limit = byScope.get(b).get(0).get(4);
        if (limit == null) {
          continue;
        }
        double y = topPad + plotH - plotH * ((BigDecimal) limit).doubleValue() / top;
        h.append("<line class=\"limit\" x1=\"").append(left).append("\" x2=\"").append(w - right);
        h.append("\" y1=\"").append(fmt(y)).append("\" y2=\"").append(fmt(y));
        h.append("\" stroke-dasharray=\"2 3\" stroke=\"").append(color).append("\"><title>");
        h.append(esc("limit of " + b + ": " + Money.display((BigDecimal) limit, cur)));
        h.append("</title></line>");
      }
    }
    h.append("</svg><div class=\"legend\"><span>solid: spent</span><span>dashed: projected")
        .append("</span><span>dotted: budget limit</span></div>");
  }

  private static String shorten(String s) {
    return s.length() <= 22 ? s : s.substring(0, 21) + "\u2026";
  }
}
