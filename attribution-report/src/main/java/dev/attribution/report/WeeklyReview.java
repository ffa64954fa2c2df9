package dev.attribution.report;

import dev.attribution.sink.jdbc.SqlDialect;
import dev.attribution.sink.jdbc.internal.Rollups;
import dev.attribution.sink.jdbc.internal.UsageTable;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * The weekly LLM cost review: reads the JDBC sink's usage table over a window (by default the last
 * 7 days, compared with the 7 before), prints aligned tables and the playbook's findings, and
 * optionally writes one self-contained HTML report and CSV/JSON exports of every grouping.
 *
 * <p>As a CLI: {@code java -cp ... dev.attribution.report.WeeklyReview [--url jdbc:...] [--table
 * llm_usage] [--from 2026-11-01] [--to 2026-11-07] [--html report.html] [--csv-dir dir] [--json-dir
 * dir] [--plan-prices plans.properties] [--user u] [--password p] [--top 10]}. Exit code 0 on
 * success, 2 on bad arguments, 1 when the database cannot be read.
 *
 * <p>As a library: {@link #run(ReviewOptions, PrintStream)}. Totals are exact: every amount is
 * summed as {@link BigDecimal} at scale 9 from the stored values.
 */
public final class WeeklyReview {

  private WeeklyReview() {}

  /**
   * Runs the review from command-line arguments and exits the JVM with a non-zero status on
   * failure. Use {@link #execute(String[], PrintStream, PrintStream)} to run without exiting.
   */
  public static void main(String[] args) {
    int code = execute(args, System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  /**
   * Runs the review from command-line arguments without exiting.
   *
   * @return 0 on success, 2 on bad arguments or a bad plan-price file (usage printed to {@code
   *     err}), 1 when the database or an output file cannot be used
   */
  public static int execute(String[] args, PrintStream out, PrintStream err) {
    ReviewOptions options;
    try {
      options = parse(args);
    } catch (IllegalArgumentException e) {
      err.println("weekly-review: " + e.getMessage());
      err.println(usage());
      return 2;
    }
    if (options == null) {
      out.println(usage());
      return 0;
    }
    try {
      run(options, out);
      return 0;
    } catch (SQLException e) {
      err.println("weekly-review: cannot read " + url(options) + ": " + e.getMessage());
      return 1;
    } catch (IOException | UncheckedIOException e) {
      err.println("weekly-review: " + e.getMessage());
      return 1;
    } catch (IllegalArgumentException e) {
      err.println("weekly-review: " + e.getMessage());
      return 2;
    }
  }

  /** Marks {@code c} read-only where the driver allows it. */
  private static void readOnly(Connection c) {
    try {
      c.setReadOnly(true);
    } catch (SQLException e) {
      // SQLite refuses read-only after open; reading works either way
    }
  }

  /** The command-line help text. */
  public static String usage() {
    return String.join(
        "\n",
        "usage: java -jar attribution-report-<version>-all.jar [options]",
        "  --url <jdbc-url>        database the JDBC sink writes (default "
            + ReviewOptions.DEFAULT_URL
            + ",",
        "                          or jdbc:sqlite:"
            + DEMO_DB_FROM_ROOT.toString().replace('\\', '/')
            + " from the repository root)",
        "  --user <name>           database user (default: from the URL)",
        "  --password <secret>     database password (default: from the URL)",
        "  --table <name>          usage table (default " + ReviewOptions.DEFAULT_TABLE + ")",
        "  --from <yyyy-mm-dd>     first day (default: 6 days before --to)",
        "  --to <yyyy-mm-dd>       last day (default: today in --zone)",
        "  --zone <zone-id>        zone whose midnights start the days, e.g. Europe/Berlin"
            + " (default UTC)",
        "  --tenant-zones <file>   properties: <tenant>=<zone-id>, days of those tenants in"
            + " their zone",
        "  --html <file>           write the self-contained HTML report",
        "  --csv-dir <dir>         write one CSV per grouping",
        "  --json-dir <dir>        write one JSON per grouping plus review.json",
        "  --plan-prices <file>    properties: <tenant>=<plan price per 30 days>, * for the rest",
        "  --budgets <file>        properties: <budget>.limit, .period (day|week|month),"
            + " .zone, .scope (tenant|global)",
        "  --reprice <file>        LiteLLM price JSON: the window's calls at these prices",
        "  --rebuild-rollups       recompute the table's daily rollups (in --zone) from its"
            + " rows first",
        "  --top <n>               rows per grouping on screen (default "
            + ReviewOptions.DEFAULT_TOP
            + ")",
        "  --help                  this text");
  }

  /** Parses arguments; null when help was asked for. */
  static @Nullable ReviewOptions parse(String[] args) {
    ReviewOptions.Builder b = ReviewOptions.builder();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        return null;
      }
      if (a.equals("--rebuild-rollups")) {
        b.rebuildRollups(true);
        continue;
      }
      String name = a;
      String value;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0) {
        name = a.substring(0, eq);
        value = a.substring(eq + 1);
      } else {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(a + " needs a value");
        }
        value = args[++i];
      }
      switch (name) {
        case "--url":
          b.url(value);
          break;
        case "--user":
          b.user(value);
          break;
        case "--password":
          b.password(value);
          break;
        case "--table":
          b.table(value);
          break;
        case "--from":
          b.from(date(name, value));
          break;
        case "--to":
          b.to(date(name, value));
          break;
        case "--html":
          b.html(Path.of(value));
          break;
        case "--csv-dir":
          b.csvDir(Path.of(value));
          break;
        case "--json-dir":
          b.jsonDir(Path.of(value));
          break;
        case "--zone":
          try {
            b.zone(ZoneId.of(value));
          } catch (DateTimeException e) {
            throw new IllegalArgumentException(
                "--zone must be a time-zone id such as Europe/Berlin or UTC, was '" + value + "'",
                e);
          }
          break;
        case "--tenant-zones":
          b.tenantZones(Path.of(value));
          break;
        case "--plan-prices":
          b.planPrices(Path.of(value));
          break;
        case "--budgets":
          b.budgets(Path.of(value));
          break;
        case "--reprice":
          b.reprice(Path.of(value));
          break;
        case "--top":
          try {
            b.top(Integer.parseInt(value));
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--top must be a number, was '" + value + "'", e);
          }
          break;
        default:
          throw new IllegalArgumentException("unknown option " + name);
      }
    }
    return b.build();
  }

  private static LocalDate date(String name, String value) {
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          name + " must be an ISO date (yyyy-mm-dd), was '" + value + "'", e);
    }
  }

  /**
   * Runs the review: reads the database, prints the report with progress lines to {@code terminal},
   * and writes the HTML, CSV and JSON outputs the options ask for.
   *
   * @throws SQLException when the database cannot be read
   * @throws IOException when the plan-price file cannot be read or an output cannot be written
   * @throws IllegalArgumentException when the plan-price file holds something other than amounts
   */
  public static ReviewResult run(ReviewOptions options, PrintStream terminal)
      throws SQLException, IOException {
    Map<String, BigDecimal> plans =
        options.planPrices() == null ? Map.of() : SettingsFiles.planPrices(options.planPrices());
    Map<String, ZoneId> tenantZones =
        options.tenantZones() == null ? Map.of() : SettingsFiles.tenantZones(options.tenantZones());
    Map<String, Forecast.BudgetSetting> budgets =
        options.budgets() == null ? Map.of() : SettingsFiles.budgets(options.budgets());
    Reprice reprice =
        options.reprice() == null ? null : new Reprice(PriceFile.read(options.reprice()));
    Analyzer analyzer = new Analyzer(options.from(), options.to(), options.zone(), tenantZones);
    terminal.println(
        "Summing "
            + options.table()
            + " at "
            + url(options)
            + " from "
            + analyzer.previousFrom
            + " to "
            + options.to()
            + " (days in "
            + options.zone().getId()
            + ") in the database ...");
    long started = System.nanoTime();
    long rows;
    Map<String, Long> timings;
    Forecast forecast;
    Savings savings;
    String source;
    try (Connection c = connect(options)) {
      if (options.rebuildRollups()) {
        long t0 = System.nanoTime();
        c.setReadOnly(false); // the one write the review makes; it reads read-only after it
        long rebuilt =
            Rollups.rebuild(
                c, SqlDialect.detect(c), UsageTable.checkTable(options.table()), options.zone());
        terminal.println(
            "  Rebuilt the daily rollups in "
                + options.zone().getId()
                + " from "
                + Plural.of(rebuilt, "usage row")
                + " in "
                + (System.nanoTime() - t0) / 1_000_000
                + " ms");
        readOnly(c);
      }
      ReviewQueries q = new ReviewQueries(c, options.table(), analyzer);
      rows = q.run();
      source = q.source;
      timings = q.timings;
      long t = System.nanoTime();
      forecast = new Forecast(analyzer, budgets, plans);
      new ForecastQueries(c, options.table()).load(forecast, analyzer);
      timings.put("forecast", (System.nanoTime() - t) / 1_000_000);
      t = System.nanoTime();
      savings = new Savings();
      savings.load(c, options.table(), analyzer, reprice == null ? null : reprice.prices);
      timings.put("savings", (System.nanoTime() - t) / 1_000_000);
      if (reprice != null) {
        t = System.nanoTime();
        reprice.load(c, options.table(), analyzer);
        timings.put("reprice", (System.nanoTime() - t) / 1_000_000);
      }
    }
    terminal.println(
        "  "
            + Plural.of(rows, "usage row")
            + " summed from "
            + source
            + " in "
            + (System.nanoTime() - started) / 1_000_000
            + " ms "
            + timings.toString().replace('=', ' ').replace("}", " ms)").replace("{", "(")
            + "; analysing ...");
    ReviewResult result = analyzer.result(plans, forecast, reprice, savings);
    TerminalReport.print(result, options.top(), terminal);
    Path html = options.html();
    if (html != null) {
      HtmlReport.write(result, options.top(), html, Instant.now());
      terminal.println();
      terminal.println("HTML report: " + html.toAbsolutePath());
    }
    if (options.csvDir() != null) {
      Exports.csv(result, options.csvDir());
      terminal.println("CSV exports: " + options.csvDir().toAbsolutePath());
    }
    if (options.jsonDir() != null) {
      Exports.json(result, options.jsonDir());
      terminal.println("JSON exports: " + options.jsonDir().toAbsolutePath());
    }
    return result;
  }

  /** Where the demo writes its database, from the repository root. */
  static final Path DEMO_DB_FROM_ROOT = Path.of("examples", "target", "demo", "usage.db");

  /**
   * The URL to open: the given one, except that the default (the demo's database, relative to the
   * examples module) also resolves from the repository root when only that path exists.
   */
  static String url(ReviewOptions o) {
    if (o.url().equals(ReviewOptions.DEFAULT_URL)
        && !Files.exists(Path.of("target", "demo", "usage.db"))
        && Files.exists(DEMO_DB_FROM_ROOT)) {
      return "jdbc:sqlite:" + DEMO_DB_FROM_ROOT;
    }
    return o.url();
  }

  private static Connection connect(ReviewOptions o) throws SQLException {
    String url = url(o);
    if (url.startsWith("jdbc:sqlite:")) {
      String file = url.substring("jdbc:sqlite:".length());
      if (!file.isEmpty() && !file.startsWith(":") && !file.startsWith("file:")) {
        Path p = Path.of(file.contains("?") ? file.substring(0, file.indexOf('?')) : file);
        if (!Files.exists(p)) {
          // sqlite-jdbc would create an empty file and report a missing table instead
          throw new SQLException("no SQLite database at " + p.toAbsolutePath());
        }
      }
    }
    Properties props = new Properties();
    if (o.user() != null) {
      props.setProperty("user", o.user());
    }
    if (o.password() != null) {
      props.setProperty("password", o.password());
    }
    Connection c = DriverManager.getConnection(url, props);
    readOnly(c);
    if (url.startsWith("jdbc:sqlite:")) {
      // GROUP BY sorts in SQLite: keep the sorter in memory (native, not the Java heap) and let it
      // use both threads; these settings last for this connection only.
      try (java.sql.Statement s = c.createStatement()) {
        s.execute("PRAGMA temp_store = MEMORY");
        s.execute("PRAGMA cache_size = -65536");
        s.execute("PRAGMA threads = 2");
      }
    }
    if (url.startsWith("jdbc:postgresql:")) {
      // The review's parameters are skewed (one tenant or budget can hold a tenth of the rows): a
      // plan made for the values at hand, never the driver's reused generic plan, which can pick
      // the wrong index for a large tenant and read all its rows. This connection only.
      try (java.sql.Statement s = c.createStatement()) {
        s.execute("SET plan_cache_mode = force_custom_plan");
      }
    }
    return c;
  }
}
