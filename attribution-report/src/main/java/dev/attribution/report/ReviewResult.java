package dev.attribution.report;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;

/** What a weekly review computed: totals, every grouping and the findings. Immutable. */
public final class ReviewResult {
  private final ZoneId zone;
  private final LocalDate from;
  private final LocalDate to;
  private final LocalDate previousFrom;
  private final LocalDate previousTo;
  private final String currency;
  private final Set<String> currencies;
  private final BigDecimal totalCost;
  private final BigDecimal previousTotalCost;
  private final long calls;
  private final long previousCalls;
  private final long unknownCostCalls;
  private final long rowsRead;
  private final List<ReviewTable> tables;
  private final List<Finding> findings;

  ReviewResult(
      ZoneId zone,
      LocalDate from,
      LocalDate to,
      LocalDate previousFrom,
      LocalDate previousTo,
      String currency,
      Set<String> currencies,
      BigDecimal totalCost,
      BigDecimal previousTotalCost,
      long calls,
      long previousCalls,
      long rowsRead,
      List<ReviewTable> tables,
      List<Finding> findings,
      long unknownCostCalls) {
    this.zone = zone;
    this.from = from;
    this.to = to;
    this.previousFrom = previousFrom;
    this.previousTo = previousTo;
    this.currency = currency;
    this.currencies = Set.copyOf(currencies);
    this.totalCost = totalCost;
    this.previousTotalCost = previousTotalCost;
    this.calls = calls;
    this.previousCalls = previousCalls;
    this.rowsRead = rowsRead;
    this.tables = List.copyOf(tables);
    this.findings = List.copyOf(findings);
    this.unknownCostCalls = unknownCostCalls;
  }

  /**
   * Calls in the review window whose cost is unknown ({@code cost_total} NULL: no price for the
   * model, or usage that failed validation). They are not in {@link #totalCost()}, which is then a
   * lower bound.
   */
  public long unknownCostCalls() {
    return unknownCostCalls;
  }

  /** The zone whose midnights start the window's days. */
  public ZoneId zone() {
    return zone;
  }

  /** First day of the review window (inclusive, in {@link #zone()}). */
  public LocalDate from() {
    return from;
  }

  /** Last day of the review window (inclusive, in {@link #zone()}). */
  public LocalDate to() {
    return to;
  }

  /** First day of the comparison window. */
  public LocalDate previousFrom() {
    return previousFrom;
  }

  /** Last day of the comparison window. */
  public LocalDate previousTo() {
    return previousTo;
  }

  /** The currency amounts are shown in (the most used one; see {@link #currencies()}). */
  public String currency() {
    return currency;
  }

  /**
   * Every currency seen in the window. Amounts are summed as stored, so more than one means the
   * totals mix currencies; the terminal and HTML say so.
   */
  public Set<String> currencies() {
    return currencies;
  }

  /** The exact sum of {@code cost_total} over the review window (scale 9). */
  public BigDecimal totalCost() {
    return totalCost;
  }

  /** The exact sum of {@code cost_total} over the comparison window (scale 9). */
  public BigDecimal previousTotalCost() {
    return previousTotalCost;
  }

  /** Calls (rows) in the review window. */
  public long calls() {
    return calls;
  }

  /** Calls (rows) in the comparison window. */
  public long previousCalls() {
    return previousCalls;
  }

  /** Rows read from the database (both windows). */
  public long rowsRead() {
    return rowsRead;
  }

  /** Every grouping, in report order. */
  public List<ReviewTable> tables() {
    return tables;
  }

  /**
   * The grouping called {@code name}, e.g. {@code by_tenant}.
   *
   * @throws IllegalArgumentException naming the groupings when there is none by that name
   */
  public ReviewTable table(String name) {
    for (ReviewTable t : tables) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "no grouping '" + name + "'; have " + tables.stream().map(ReviewTable::name).toList());
  }

  /** The findings, largest amount first within each kind. */
  public List<Finding> findings() {
    return findings;
  }

  /** The findings of one kind. */
  public List<Finding> findings(FindingKind kind) {
    return findings.stream().filter(f -> f.kind() == kind).toList();
  }
}
