/**
 * The weekly cost review over the table the JDBC sink writes: {@link
 * dev.attribution.report.WeeklyReview} reads a time range (by default the last 7 days compared with
 * the 7 before), prints aligned tables and findings to a terminal, and writes one self-contained
 * HTML file with inline SVG charts plus CSV and JSON exports of every grouping.
 */
@NullMarked
package dev.attribution.report;

import org.jspecify.annotations.NullMarked;
