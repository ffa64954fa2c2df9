package dev.attribution.report;

import static dev.attribution.report.HtmlReport.CHART_SERIES;
import static dev.attribution.report.HtmlReport.PALETTE;
import static dev.attribution.report.HtmlReport.axisLabel;
import static dev.attribution.report.HtmlReport.esc;
import static dev.attribution.report.HtmlReport.fmt;
import static dev.attribution.report.HtmlReport.gridLines;
import static dev.attribution.report.HtmlReport.shorten;
import static dev.attribution.report.HtmlReport.ticks;

import dev.attribution.report.ReviewTable.ColumnType;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The report's SVG charts with their tables: spend by day stacked by tenant, cost by token category
 * and prompt-cache hit ratio by feature. Moved out of {@link HtmlReport} (the page's frame,
 * sections and shared formatting), which calls them; their output is unchanged.
 */
final class HtmlCharts {
  private HtmlCharts() {}

  static void dailyChart(ReviewResult r, StringBuilder h) {
    String cur = r.currency();
    ReviewTable daily = r.table("daily_by_tenant");
    List<String> series = new ArrayList<>();
    for (List<@Nullable Object> row : r.table("by_tenant").rows()) {
      if (series.size() == CHART_SERIES) {
        break;
      }
      series.add(String.valueOf(row.get(0)));
    }
    boolean other = r.table("by_tenant").rows().size() > CHART_SERIES;
    List<LocalDate> days = new ArrayList<>();
    for (LocalDate d = r.from(); !d.isAfter(r.to()); d = d.plusDays(1)) {
      days.add(d);
    }
    Map<LocalDate, Map<String, BigDecimal>> byDay = new LinkedHashMap<>();
    for (LocalDate d : days) {
      byDay.put(d, new LinkedHashMap<>());
    }
    for (List<@Nullable Object> row : daily.rows()) {
      LocalDate d = LocalDate.parse(String.valueOf(row.get(0)));
      String t = String.valueOf(row.get(1));
      String key = series.contains(t) ? t : "other";
      if (row.get(3) == null) {
        continue; // unknown cost: no bar, never a zero-height "$0.0000"
      }
      byDay.get(d).merge(key, (BigDecimal) row.get(3), BigDecimal::add);
    }
    BigDecimal max = BigDecimal.ZERO;
    for (Map<String, BigDecimal> m : byDay.values()) {
      BigDecimal sum = m.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
      max = max.max(sum);
    }
    double[] ticks = ticks(max.doubleValue());
    double top = ticks[ticks.length - 1];
    int w = 1160;
    int hgt = 300;
    int left = 70;
    int right = 10;
    int topPad = 12;
    int bottom = 40;
    double plotW = w - left - right;
    double plotH = hgt - topPad - bottom;
    h.append("<svg id=\"chart-daily\" viewBox=\"0 0 ")
        .append(w)
        .append(' ')
        .append(hgt)
        .append("\" role=\"img\" aria-label=\"Spend by day stacked by tenant\">");
    gridLines(h, ticks, left, w - right, topPad, plotH, cur);
    double slot = plotW / Math.max(1, days.size());
    double barW = Math.min(64, slot * 0.62);
    for (int i = 0; i < days.size(); i++) {
      LocalDate d = days.get(i);
      double x = left + slot * i + (slot - barW) / 2;
      double y = topPad + plotH;
      Map<String, BigDecimal> m = byDay.get(d);
      List<String> keys = new ArrayList<>(series);
      if (other) {
        keys.add("other");
      }
      BigDecimal dayTotal = BigDecimal.ZERO;
      for (int k = 0; k < keys.size(); k++) {
        BigDecimal v = m.get(keys.get(k));
        if (v == null || v.signum() <= 0 || top <= 0) {
          continue;
        }
        dayTotal = dayTotal.add(v);
        double bh = plotH * v.doubleValue() / top;
        y -= bh;
        h.append("<rect class=\"bar\" x=\"")
            .append(fmt(x))
            .append("\" y=\"")
            .append(fmt(y))
            .append("\" width=\"")
            .append(fmt(barW))
            .append("\" height=\"")
            .append(fmt(Math.max(bh, 0.5)))
            .append("\" fill=\"")
            .append(color(k, keys.get(k)))
            .append("\"><title>")
            .append(esc(d + " " + keys.get(k) + ": " + Money.display(v, cur)))
            .append("</title></rect>");
      }
      if (dayTotal.signum() > 0) {
        h.append("<text x=\"")
            .append(fmt(x + barW / 2))
            .append("\" y=\"")
            .append(fmt(y - 4))
            .append("\" font-size=\"10\" text-anchor=\"middle\">")
            .append(esc(axisLabel(dayTotal.doubleValue(), cur)))
            .append("</text>");
      }
      String label =
          d.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ROOT)
              + " "
              + d.format(DateTimeFormatter.ofPattern("MM-dd", Locale.ROOT));
      h.append("<text x=\"")
          .append(fmt(left + slot * i + slot / 2))
          .append("\" y=\"")
          .append(hgt - bottom + 18)
          .append("\" font-size=\"11\" text-anchor=\"middle\">")
          .append(esc(label))
          .append("</text>");
    }
    h.append("<line x1=\"")
        .append(left)
        .append("\" x2=\"")
        .append(w - right)
        .append("\" y1=\"")
        .append(fmt(topPad + plotH))
        .append("\" y2=\"")
        .append(fmt(topPad + plotH))
        .append("\" stroke=\"#94a3b8\"/>");
    h.append("</svg><div class=\"legend\">");
    List<String> keys = new ArrayList<>(series);
    if (other) {
      keys.add("other");
    }
    for (int k = 0; k < keys.size(); k++) {
      h.append("<span><i style=\"background:")
          .append(color(k, keys.get(k)))
          .append("\"></i>")
          .append(esc(keys.get(k)))
          .append("</span>");
    }
    if (keys.isEmpty()) {
      h.append("<span class=\"muted\">no spend in this window</span>");
    }
    h.append("</div>");
  }

  private static String color(int index, String key) {
    return "other".equals(key)
        ? PALETTE[PALETTE.length - 1]
        : PALETTE[index % (PALETTE.length - 1)];
  }

  static void tokenCategories(ReviewTable t, String cur, StringBuilder h) {
    h.append("<section id=\"token_categories\"><h2>").append(esc(t.title())).append("</h2>");
    int cost = t.columnIndex("cost");
    BigDecimal sum = BigDecimal.ZERO;
    for (List<@Nullable Object> row : t.rows()) {
      sum = sum.add(((BigDecimal) row.get(cost)).max(BigDecimal.ZERO));
    }
    int w = 560;
    h.append("<svg id=\"chart-tokens\" viewBox=\"0 0 ")
        .append(w)
        .append(" 44\" role=\"img\" aria-label=\"Cost by token category\">");
    double x = 0;
    for (int i = 0; i < t.rows().size(); i++) {
      List<@Nullable Object> row = t.rows().get(i);
      BigDecimal v = (BigDecimal) row.get(cost);
      if (sum.signum() == 0 || v.signum() <= 0) {
        continue;
      }
      double bw = w * v.doubleValue() / sum.doubleValue();
      h.append("<rect x=\"")
          .append(fmt(x))
          .append("\" y=\"4\" width=\"")
          .append(fmt(bw))
          .append("\" height=\"30\" fill=\"")
          .append(PALETTE[i % PALETTE.length])
          .append("\"><title>")
          .append(esc(row.get(0) + ": " + Money.display(v, cur)))
          .append("</title></rect>");
      x += bw;
    }
    if (sum.signum() == 0) {
      h.append("<rect x=\"0\" y=\"4\" width=\"")
          .append(w)
          .append("\" height=\"30\" fill=\"#eef2f7\"/>");
    }
    h.append("</svg>");
    h.append("<table><tr><th>category</th><th class=\"n\">tokens</th><th class=\"n\">cost</th>");
    h.append("<th class=\"n\">share</th></tr>");
    for (int i = 0; i < t.rows().size(); i++) {
      List<@Nullable Object> row = t.rows().get(i);
      h.append(
              "<tr><td><span class=\"legend\" style=\"display:inline\"><span><i style=\"background:")
          .append(PALETTE[i % PALETTE.length])
          .append("\"></i></span></span>")
          .append(esc(String.valueOf(row.get(0))))
          .append("</td><td class=\"n\">")
          .append(Cells.display(row.get(1), ColumnType.COUNT, cur))
          .append("</td><td class=\"n\">")
          .append(esc(Cells.display(row.get(2), ColumnType.MONEY, cur)))
          .append("</td><td class=\"n\">")
          .append(Cells.display(row.get(3), ColumnType.PERCENT, cur))
          .append("</td></tr>");
    }
    h.append("</table></section>\n");
  }

  static void cacheRatio(ReviewTable t, int top, String cur, StringBuilder h) {
    h.append("<section id=\"cache_by_feature\"><h2>").append(esc(t.title())).append("</h2>");
    List<List<@Nullable Object>> rows = t.rows().subList(0, Math.min(top, t.rows().size()));
    int ratio = t.columnIndex("hit_ratio_pct");
    int input = t.columnIndex("input_tokens");
    int w = 560;
    int rowH = 22;
    int labelW = 150;
    int hgt = Math.max(1, rows.size()) * rowH + 6;
    h.append("<svg id=\"chart-cache\" viewBox=\"0 0 ")
        .append(w)
        .append(' ')
        .append(hgt)
        .append("\" role=\"img\" aria-label=\"Cache hit ratio by feature\">");
    double plotW = w - labelW - 70;
    for (int i = 0; i < rows.size(); i++) {
      List<@Nullable Object> row = rows.get(i);
      double y = 3 + i * rowH;
      BigDecimal pct = (BigDecimal) row.get(ratio);
      double bw = plotW * pct.doubleValue() / 100;
      h.append("<text x=\"")
          .append(labelW - 8)
          .append("\" y=\"")
          .append(fmt(y + 14))
          .append("\" font-size=\"12\" text-anchor=\"end\">")
          .append(esc(shorten(String.valueOf(row.get(0)), 22)))
          .append("</text><rect x=\"")
          .append(labelW)
          .append("\" y=\"")
          .append(fmt(y + 2))
          .append("\" width=\"")
          .append(fmt(plotW))
          .append("\" height=\"14\" rx=\"3\" fill=\"#eef2f7\"/><rect x=\"")
          .append(labelW)
          .append("\" y=\"")
          .append(fmt(y + 2))
          .append("\" width=\"")
          .append(fmt(Math.max(bw, 0)))
          .append("\" height=\"14\" rx=\"3\" fill=\"#14B8A6\"><title>")
          .append(
              esc(
                  row.get(0)
                      + ": "
                      + pct.toPlainString()
                      + "% of "
                      + Cells.display(row.get(input), ColumnType.COUNT, cur)
                      + " input tokens cached"))
          .append("</title></rect><text x=\"")
          .append(w - 4)
          .append("\" y=\"")
          .append(fmt(y + 14))
          .append("\" font-size=\"12\" text-anchor=\"end\">")
          .append(pct.toPlainString())
          .append("%</text>");
    }
    h.append("</svg>");
    h.append("<table><tr><th>feature</th><th class=\"n\">calls</th><th class=\"n\">input</th>");
    h.append("<th class=\"n\">cached</th><th class=\"n\">hit ratio</th></tr>");
    for (List<@Nullable Object> row : rows) {
      h.append("<tr><td class=\"key\">")
          .append(esc(String.valueOf(row.get(0))))
          .append("</td><td class=\"n\">")
          .append(Cells.display(row.get(1), ColumnType.COUNT, cur))
          .append("</td><td class=\"n\">")
          .append(Cells.display(row.get(2), ColumnType.COUNT, cur))
          .append("</td><td class=\"n\">")
          .append(Cells.display(row.get(3), ColumnType.COUNT, cur))
          .append("</td><td class=\"n\">")
          .append(Cells.display(row.get(ratio), ColumnType.PERCENT, cur))
          .append("</td></tr>");
    }
    h.append("</table></section>\n");
  }
}
