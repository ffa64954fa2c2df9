package dev.attribution.report;

import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What {@link WeeklyReview#run(ReviewOptions, java.io.PrintStream)} reads and where it writes.
 * Immutable; build with {@link #builder()}.
 *
 * <p>The review window is {@link #from()} to {@link #to()}, both inclusive dates in {@link #zone()}
 * (UTC by default); it is compared with the window of the same length just before it. Without dates
 * the window is the last 7 days ending today (in the zone, from the clock).
 */
public final class ReviewOptions {

  /** The JDBC URL used when none is given: {@value}. */
  public static final String DEFAULT_URL = "jdbc:sqlite:target/demo/usage.db";

  /** The table read when none is given: {@value}. */
  public static final String DEFAULT_TABLE = "llm_usage";

  /** Days in the default window: {@value}. */
  public static final int DEFAULT_DAYS = 7;

  /** Rows shown per grouping in the terminal and the HTML report: {@value}. */
  public static final int DEFAULT_TOP = 10;

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,47}");

  private final String url;
  private final @Nullable String user;
  private final @Nullable String password;
  private final String table;
  private final LocalDate from;
  private final LocalDate to;
  private final @Nullable Path html;
  private final @Nullable Path csvDir;
  private final @Nullable Path jsonDir;
  private final @Nullable Path planPrices;
  private final int top;
  private final ZoneId zone;
  private final @Nullable Path tenantZones;
  private final @Nullable Path budgets;
  private final @Nullable Path reprice;
  private final boolean rebuildRollups;

  private ReviewOptions(Builder b, LocalDate from, LocalDate to) {
    this.url = b.url;
    this.user = b.user;
    this.password = b.password;
    this.table = b.table;
    this.from = from;
    this.to = to;
    this.html = b.html;
    this.csvDir = b.csvDir;
    this.jsonDir = b.jsonDir;
    this.planPrices = b.planPrices;
    this.top = b.top;
    this.zone = b.zone;
    this.tenantZones = b.tenantZones;
    this.budgets = b.budgets;
    this.reprice = b.reprice;
    this.rebuildRollups = b.rebuildRollups;
  }

  /**
   * Whether the review first recomputes the table's daily rollups from its rows, with days in
   * {@link #zone()} (after rows were written around the sink, or to move them to another zone).
   */
  public boolean rebuildRollups() {
    return rebuildRollups;
  }

  /**
   * A LiteLLM price file to re-price the window's calls with (their recorded tokens at these
   * prices, compared with their recorded cost), or null for none.
   */
  public @Nullable Path reprice() {
    return reprice;
  }

  /** A builder with every default set. */
  public static Builder builder() {
    return new Builder();
  }

  /** The JDBC URL of the database the sink writes to. */
  public String url() {
    return url;
  }

  /** The database user, or null to use the URL's. */
  public @Nullable String user() {
    return user;
  }

  /** The database password, or null to use the URL's. */
  public @Nullable String password() {
    return password;
  }

  /** The usage table's name. */
  public String table() {
    return table;
  }

  /** The first day of the review window (inclusive, in {@link #zone()}). */
  public LocalDate from() {
    return from;
  }

  /** The last day of the review window (inclusive, in {@link #zone()}). */
  public LocalDate to() {
    return to;
  }

  /** Where to write the HTML report, or null for none. */
  public @Nullable Path html() {
    return html;
  }

  /** The folder for CSV exports (one file per grouping), or null for none. */
  public @Nullable Path csvDir() {
    return csvDir;
  }

  /** The folder for JSON exports (one file per grouping plus {@code review.json}), or null. */
  public @Nullable Path jsonDir() {
    return jsonDir;
  }

  /**
   * A properties file of plan prices per tenant ({@code <tenant>=<price per 30 days>}, {@code *}
   * for every other tenant), or null to compare cost with the records' {@code charge_total}.
   */
  public @Nullable Path planPrices() {
    return planPrices;
  }

  /** Rows shown per grouping in the terminal and HTML. */
  public int top() {
    return top;
  }

  /** The zone whose midnights start the review's days (default UTC). */
  public ZoneId zone() {
    return zone;
  }

  /**
   * A properties file of {@code <tenant>=<zone id>}: those tenants' rows fall on days of their own
   * zone in every table; or null when every tenant uses {@link #zone()}.
   */
  public @Nullable Path tenantZones() {
    return tenantZones;
  }

  /**
   * A properties file of budget settings for the forecast ({@code <budget>.limit}, {@code .period},
   * {@code .zone}, {@code .scope}), or null to infer each budget's limit from the percentages its
   * calls recorded, over a calendar month.
   */
  public @Nullable Path budgets() {
    return budgets;
  }

  /** Builds {@link ReviewOptions}; setters validate eagerly. */
  public static final class Builder {
    private String url = DEFAULT_URL;
    private @Nullable String user;
    private @Nullable String password;
    private String table = DEFAULT_TABLE;
    private @Nullable LocalDate from;
    private @Nullable LocalDate to;
    private @Nullable Path html;
    private @Nullable Path csvDir;
    private @Nullable Path jsonDir;
    private @Nullable Path planPrices;
    private int top = DEFAULT_TOP;
    private Clock clock = Clock.systemUTC();
    private ZoneId zone = ZoneId.of("UTC");
    private @Nullable Path tenantZones;
    private @Nullable Path budgets;
    private @Nullable Path reprice;
    private boolean rebuildRollups;

    private Builder() {}

    /**
     * Whether to rebuild the daily rollups first (default no; see {@link
     * ReviewOptions#rebuildRollups()}).
     */
    public Builder rebuildRollups(boolean value) {
      this.rebuildRollups = value;
      return this;
    }

    /** The price file to re-price with (default: none; see {@link ReviewOptions#reprice()}). */
    public Builder reprice(@Nullable Path value) {
      this.reprice = value;
      return this;
    }

    /** The budget settings file (default: none; see {@link ReviewOptions#budgets()}). */
    public Builder budgets(@Nullable Path value) {
      this.budgets = value;
      return this;
    }

    /** The zone whose midnights start the days, and whose today ends the default window. */
    public Builder zone(ZoneId value) {
      this.zone = Objects.requireNonNull(value, "zone");
      return this;
    }

    /** The tenant-zone file (default: none; see {@link ReviewOptions#tenantZones()}). */
    public Builder tenantZones(@Nullable Path value) {
      this.tenantZones = value;
      return this;
    }

    /**
     * The JDBC URL (default {@value ReviewOptions#DEFAULT_URL}).
     *
     * @throws IllegalArgumentException when it does not start with {@code jdbc:}
     */
    public Builder url(String value) {
      Objects.requireNonNull(value, "url");
      if (!value.startsWith("jdbc:")) {
        throw new IllegalArgumentException(
            "url must be a JDBC URL (jdbc:...), was '" + value + "'");
      }
      this.url = value;
      return this;
    }

    /** The database user (default: none, the URL's). */
    public Builder user(@Nullable String value) {
      this.user = value;
      return this;
    }

    /** The database password (default: none, the URL's). */
    public Builder password(@Nullable String value) {
      this.password = value;
      return this;
    }

    /**
     * The table name (default {@value ReviewOptions#DEFAULT_TABLE}).
     *
     * @throws IllegalArgumentException unless it is a plain SQL identifier of at most 48 chars
     */
    public Builder table(String value) {
      Objects.requireNonNull(value, "table");
      if (!IDENTIFIER.matcher(value).matches()) {
        throw new IllegalArgumentException(
            "table must be a plain SQL identifier ([A-Za-z_][A-Za-z0-9_]*, at most 48 characters),"
                + " was '"
                + value
                + "'");
      }
      this.table = value;
      return this;
    }

    /** The first day of the window (default: 6 days before {@code to}). */
    public Builder from(@Nullable LocalDate value) {
      this.from = value;
      return this;
    }

    /** The last day of the window (default: today in UTC, or 6 days after {@code from}). */
    public Builder to(@Nullable LocalDate value) {
      this.to = value;
      return this;
    }

    /** Where to write the HTML report (default: none). */
    public Builder html(@Nullable Path value) {
      this.html = value;
      return this;
    }

    /** The folder for CSV exports (default: none). */
    public Builder csvDir(@Nullable Path value) {
      this.csvDir = value;
      return this;
    }

    /** The folder for JSON exports (default: none). */
    public Builder jsonDir(@Nullable Path value) {
      this.jsonDir = value;
      return this;
    }

    /** The plan price file (default: none; see {@link ReviewOptions#planPrices()}). */
    public Builder planPrices(@Nullable Path value) {
      this.planPrices = value;
      return this;
    }

    /**
     * Rows shown per grouping (default {@value ReviewOptions#DEFAULT_TOP}).
     *
     * @throws IllegalArgumentException when below 1
     */
    public Builder top(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("top must be at least 1, was " + value);
      }
      this.top = value;
      return this;
    }

    /** The clock that defines "today" for the default window (default: the UTC system clock). */
    public Builder clock(Clock value) {
      this.clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    /**
     * Builds the options, resolving the window.
     *
     * @throws IllegalArgumentException when {@code from} is after {@code to} or the window is
     *     longer than 366 days
     */
    public ReviewOptions build() {
      LocalDate t = to;
      LocalDate f = from;
      if (t == null) {
        t = f == null ? LocalDate.now(clock.withZone(zone)) : f.plusDays(DEFAULT_DAYS - 1);
      }
      if (f == null) {
        f = t.minusDays(DEFAULT_DAYS - 1);
      }
      if (f.isAfter(t)) {
        throw new IllegalArgumentException("from (" + f + ") must not be after to (" + t + ")");
      }
      if (f.plusDays(366).isBefore(t)) {
        throw new IllegalArgumentException(
            "the window from " + f + " to " + t + " is longer than 366 days");
      }
      return new ReviewOptions(this, f, t);
    }
  }
}
