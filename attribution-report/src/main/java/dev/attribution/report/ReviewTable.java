package dev.attribution.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One grouping of the review (for example spend by tenant) as named, typed columns and rows; the
 * terminal, HTML, CSV and JSON outputs all render these. Immutable.
 *
 * <p>Cells are {@link String} for {@link ColumnType#TEXT}, {@link Long} for {@link
 * ColumnType#COUNT}, and {@link java.math.BigDecimal} for {@link ColumnType#MONEY} (scale 9, exact)
 * and {@link ColumnType#PERCENT}; a cell is null where there is no value (e.g. the change against a
 * previous period that had no spend).
 */
public final class ReviewTable {

  /** How a column's cells are typed and shown. */
  public enum ColumnType {
    /** Free text (a tenant, a model, a day). */
    TEXT,
    /** A whole number of calls or tokens. */
    COUNT,
    /** An exact amount in the report's currency. */
    MONEY,
    /** A percentage with one decimal. */
    PERCENT,
    /**
     * An exact amount where one applies (a budget's limit, a plan price); a null cell means none
     * applies and is shown empty, unlike a null {@link #MONEY} cell, which is an unknown cost.
     */
    OPTIONAL_MONEY
  }

  /** A column's machine name (used as CSV header and JSON key) and type. */
  public static final class Column {
    private final String name;
    private final ColumnType type;

    Column(String name, ColumnType type) {
      this.name = name;
      this.type = type;
    }

    /** The snake_case name, e.g. {@code cost}. */
    public String name() {
      return name;
    }

    /** The cell type. */
    public ColumnType type() {
      return type;
    }

    @Override
    public String toString() {
      return name + ":" + type;
    }
  }

  private final String name;
  private final String title;
  private final List<Column> columns;
  private final List<List<@Nullable Object>> rows;

  private ReviewTable(
      String name, String title, List<Column> columns, List<List<@Nullable Object>> rows) {
    this.name = name;
    this.title = title;
    this.columns = List.copyOf(columns);
    List<List<@Nullable Object>> copy = new ArrayList<>(rows.size());
    for (List<@Nullable Object> r : rows) {
      copy.add(Collections.unmodifiableList(new ArrayList<>(r)));
    }
    this.rows = Collections.unmodifiableList(copy);
  }

  /** The file-name stem of the grouping, e.g. {@code by_tenant}. */
  public String name() {
    return name;
  }

  /** A human title, e.g. {@code Spend by tenant}. */
  public String title() {
    return title;
  }

  /** The columns in order. */
  public List<Column> columns() {
    return columns;
  }

  /** Every row, in display order (largest spend first where that applies). */
  public List<List<@Nullable Object>> rows() {
    return rows;
  }

  /** The index of the column called {@code column}. */
  public int columnIndex(String column) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(column)) {
        return i;
      }
    }
    throw new IllegalArgumentException("table " + name + " has no column '" + column + "'");
  }

  @Override
  public String toString() {
    return "ReviewTable{" + name + ", " + rows.size() + " rows}";
  }

  static Builder builder(String name, String title) {
    return new Builder(name, title);
  }

  /** Collects columns and rows. */
  static final class Builder {
    private final String name;
    private final String title;
    private final List<Column> columns = new ArrayList<>();
    private final List<List<@Nullable Object>> rows = new ArrayList<>();

    private Builder(String name, String title) {
      this.name = name;
      this.title = title;
    }

    Builder column(String columnName, ColumnType type) {
      columns.add(new Column(columnName, type));
      return this;
    }

    Builder row(@Nullable Object... cells) {
      if (cells.length != columns.size()) {
        throw new IllegalStateException(
            name + ": row has " + cells.length + " cells for " + columns.size() + " columns");
      }
      List<@Nullable Object> r = new ArrayList<>(cells.length);
      Collections.addAll(r, cells);
      rows.add(r);
      return this;
    }

    ReviewTable build() {
      Objects.requireNonNull(name);
      return new ReviewTable(name, title, columns, rows);
    }
  }
}
