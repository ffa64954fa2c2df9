package dev.attribution.report;

import dev.attribution.sink.jdbc.SqlDialect;
import dev.attribution.sink.jdbc.internal.Rollups;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.UUID;
import org.postgresql.PGConnection;

/**
 * Generates N usage rows of a busy SaaS into a fresh table and times the weekly review over them.
 *
 * <p>{@code java -Xmx256m -cp <test class path> dev.attribution.report.ReviewBenchmark <jdbc-url>
 * <rows> [table] [--reuse] [--zone=<id>]}: {@code --reuse} reviews the table already there, {@code
 * --zone} reviews in another zone than the rollups' (UTC), so the calls are read instead.
 * PostgreSQL rows go in with {@code COPY}, SQLite rows in one batched transaction; the sink's own
 * DDL creates the table (its indexes after the load, as a DBA would for a bulk load). Rows span the
 * 14 days before {@link #LAST}: 200 tenants, 12 features, 6 models, 20,000 users, threads of about
 * 10 calls, 3 % non-ok calls, 10 % of calls under a budget, 0.2 % unpriced, and a few looping
 * threads.
 */
public final class ReviewBenchmark {

  static final LocalDate LAST = LocalDate.of(2026, 11, 28);
  private static final String[][] MODELS = {
    {"openai", "gpt-4o", "2500", "1250", "10000"},
    {"openai", "gpt-4o-mini", "150", "75", "600"},
    {"openai", "o3-mini", "1100", "550", "4400"},
    {"anthropic", "claude-sonnet-4", "3000", "300", "15000"},
    {"anthropic", "claude-haiku-3.5", "800", "80", "4000"},
    {"google", "gemini-2.0-flash", "100", "25", "400"}
  };
  private static final String[] STATUS = {"upstream_error", "cancelled", "blocked", "failed"};
  private static final String[] ACTIONS = {"notify", "notify", "notify", "downgrade", "block"};
  private static final DateTimeFormatter SQLITE_TS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private ReviewBenchmark() {}

  /** Generates, reviews and prints the timings. */
  public static void main(String[] args) throws Exception {
    String url = args[0];
    long n = Long.parseLong(args[1].replace("_", ""));
    String table = args.length > 2 ? args[2] : "bench_usage";
    boolean reuse = false;
    java.time.ZoneId zone = java.time.ZoneId.of("UTC");
    for (int i = 3; i < args.length; i++) {
      if (args[i].equals("--reuse")) {
        reuse = true;
      } else if (args[i].startsWith("--zone=")) {
        zone = java.time.ZoneId.of(args[i].substring("--zone=".length()));
      } else {
        throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    try (Connection c = DriverManager.getConnection(url)) {
      String dialect = dialectDir(c);
      if (!reuse) {
        long t0 = System.nanoTime();
        List<String> indexes = createTable(c, dialect, table);
        if (dialect.equals("postgresql")) {
          copy(c, table, n);
        } else {
          batch(c, table, n, dialect);
        }
        long t1 = System.nanoTime();
        try (Statement s = c.createStatement()) {
          for (String ix : indexes) {
            s.execute(ix);
          }
          if (dialect.equals("postgresql")) {
            s.execute("VACUUM ANALYZE " + table);
          } else if (dialect.equals("sqlite")) {
            s.execute("ANALYZE");
          }
        }
        long t2 = System.nanoTime();
        System.out.printf(
            Locale.ROOT,
            "generated %,d rows in %.1f s, indexes and statistics in %.1f s%n",
            n,
            (t1 - t0) / 1e9,
            (t2 - t1) / 1e9);
      }
      long rows;
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
        rs.next();
        rows = rs.getLong(1);
        System.out.printf(Locale.ROOT, "table %s holds %,d rows%n", table, rows);
      }
      // The review's indexes (version 3) and the daily rollups (version 5), as the sink's
      // migration creates them; the rollups filled as the migration fills them for rows already
      // there, unless they hold every row already (--reuse).
      for (int v : new int[] {3, 5}) {
        UsageRows.runVersion(c, dialect, table, v);
      }
      long rolled;
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery("SELECT COALESCE(SUM(calls), 0) FROM " + table + Rollups.DAILY)) {
        rs.next();
        rolled = rs.getLong(1);
      }
      if (rolled != rows || Rollups.zone(c, table) == null) {
        long t0 = System.nanoTime();
        long read = Rollups.rebuild(c, SqlDialect.detect(c), table, java.time.ZoneId.of("UTC"));
        System.out.printf(
            Locale.ROOT,
            "built the daily rollups from %,d rows in %.1f s%n",
            read,
            (System.nanoTime() - t0) / 1e9);
        if (dialect.equals("postgresql")) {
          try (Statement s = c.createStatement()) {
            s.execute("VACUUM ANALYZE " + table + Rollups.DAILY);
            s.execute("VACUUM ANALYZE " + table + Rollups.DAILY_THREAD);
            s.execute("VACUUM ANALYZE " + table + Rollups.DAILY_USER);
          }
        }
      }
    }
    for (int run = 1; run <= 2; run++) {
      System.gc();
      long t0 = System.nanoTime();
      ReviewResult r =
          WeeklyReview.run(
              ReviewOptions.builder()
                  .url(url)
                  .table(table)
                  .from(LAST.minusDays(6))
                  .to(LAST)
                  .zone(zone)
                  .build(),
              new PrintStream(
                  new java.io.FilterOutputStream(System.out) {
                    private final StringBuilder line = new StringBuilder();

                    @Override
                    public void write(int b) {
                      if (b == '\n') {
                        if (line.indexOf(" summed from ") >= 0) {
                          System.out.println(line);
                        }
                        line.setLength(0);
                      } else {
                        line.append((char) b);
                      }
                    }
                  },
                  false,
                  StandardCharsets.UTF_8));
      long t1 = System.nanoTime();
      Runtime rt = Runtime.getRuntime();
      System.out.printf(
          Locale.ROOT,
          "run %d: review of %,d rows in %.2f s (max heap %d MB, used after %d MB); total %s over"
              + " %,d calls, %d findings%n",
          run,
          r.rowsRead(),
          (t1 - t0) / 1e9,
          rt.maxMemory() >> 20,
          (rt.totalMemory() - rt.freeMemory()) >> 20,
          r.totalCost().toPlainString(),
          r.calls(),
          r.findings().size());
    }
  }

  private static String dialectDir(Connection c) throws SQLException {
    String p = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
    if (p.contains("postgres")) {
      return "postgresql";
    }
    if (p.contains("sqlite")) {
      return "sqlite";
    }
    if (p.contains("maria") || p.contains("mysql")) {
      return "mysql";
    }
    return "h2";
  }

  /** Creates the table from the sink's DDL; returns its CREATE INDEX statements, not yet run. */
  private static List<String> createTable(Connection c, String dialect, String table)
      throws SQLException, IOException {
    String ddl;
    try (InputStream in =
        ReviewBenchmark.class.getResourceAsStream(
            "/dev/attribution/sink/jdbc/schema/" + dialect + "/V1.sql")) {
      ddl = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("${table}", table);
    }
    StringBuilder body = new StringBuilder();
    for (String line : ddl.split("\n")) {
      if (!line.trim().startsWith("--")) {
        body.append(line).append('\n');
      }
    }
    List<String> indexes = new ArrayList<>();
    try (Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS " + table);
      for (String stmt : body.toString().split(";\\s*\n")) {
        if (stmt.isBlank()) {
          continue;
        }
        if (stmt.trim().startsWith("CREATE INDEX")) {
          indexes.add(stmt);
        } else {
          s.execute(stmt);
        }
      }
    }
    return indexes;
  }

  /** One generated call; money as integer billionths. */
  private static final class Gen {
    final SplittableRandom rnd = new SplittableRandom(42);
    final long start = LAST.minusDays(13).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
    final long span = 14L * 86_400;
    final long n;
    long i;
    Instant at = Instant.EPOCH;
    String tenant = "";
    String user = "";
    String thread = "";
    String feature = "";
    String[] model = MODELS[0];
    String status = "ok";
    String action = "none";
    String budget = "";
    boolean unpriced;
    long input;
    long cached;
    long output;
    long costInput;
    long costCached;
    long costOutput;
    long percent;

    Gen(long n) {
      this.n = n;
    }

    void next() {
      long t = i * span / n; // time order, like a real table
      boolean loop = i % 200_000 < 40 && n >= 200_000; // 40 calls of one thread in ~40 s
      at = Instant.ofEpochSecond(start + t, rnd.nextInt(1_000_000) * 1000L);
      int tn = (int) Math.min(199, Math.abs(rnd.nextGaussian() * 50));
      tenant = "tenant-" + tn;
      user = "user-" + rnd.nextInt(20_000);
      thread = loop ? "loop-" + (i / 200_000) : "th-" + (i / 10 + rnd.nextInt(3));
      feature = "feature-" + rnd.nextInt(12);
      model = MODELS[rnd.nextInt(MODELS.length)];
      int s = rnd.nextInt(1000);
      status = s < 970 ? "ok" : STATUS[s % 4];
      boolean budgeted = tn % 10 == 0;
      budget = budgeted ? "tenant-" + tn + "-monthly" : "";
      int a = rnd.nextInt(100);
      action = budgeted && a < 20 ? ACTIONS[a % 5] : "none";
      percent = budgeted ? (50L + rnd.nextInt(60)) * 1_000_000_000L : 0;
      unpriced = rnd.nextInt(500) == 0;
      input = 200 + rnd.nextInt(4000);
      cached = rnd.nextInt(4) == 0 ? input / 2 : 0;
      output = 20 + rnd.nextInt(800);
      long pIn = Long.parseLong(model[2]);
      long pCached = Long.parseLong(model[3]);
      long pOut = Long.parseLong(model[4]);
      // price per million tokens in thousandths of a cent... price strings are per 1M in 1e-3 USD
      costInput = (input - cached) * pIn; // billionths: tokens * (USD per 1M * 1000) = 1e-9 USD
      costCached = cached * pCached;
      costOutput = "ok".equals(status) ? output * pOut : 0;
      if ("blocked".equals(status) || "block".equals(action)) {
        input = 0;
        cached = 0;
        output = 0;
        costInput = 0;
        costCached = 0;
        costOutput = 0;
      }
      i++;
    }

    long total() {
      return costInput + costCached + costOutput;
    }
  }

  private static String money(long billionths) {
    return BigDecimal.valueOf(billionths, 9).toPlainString();
  }

  private static final String COLUMNS =
      "id, started_at, ended_at, tenant_id, user_id, thread_id, feature, context_source,"
          + " provider, operation, requested_model, effective_model, streaming, attempt, status,"
          + " http_status, input_tokens, cached_input_tokens, cache_write_tokens,"
          + " cache_write_5m_tokens, cache_write_1h_tokens, output_tokens, reasoning_tokens,"
          + " audio_input_tokens, audio_output_tokens, image_input_tokens, image_output_tokens,"
          + " usage_estimated, cost_total, cost_input, cost_cached_input, cost_cache_write,"
          + " cost_output, cost_reasoning, cost_other, currency, cost_source, latency_ms,"
          + " budget_action, budget_name, budget_percent";

  private static void copy(Connection c, String table, long n) throws SQLException, IOException {
    Gen g = new Gen(n);
    Reader reader =
        new Reader() {
          private final StringBuilder buf = new StringBuilder(1 << 16);
          private int pos;

          @Override
          public int read(char[] cbuf, int off, int len) {
            if (pos >= buf.length()) {
              buf.setLength(0);
              pos = 0;
              for (int k = 0; k < 200 && g.i < n; k++) {
                g.next();
                line(g, buf);
              }
              if (buf.length() == 0) {
                return -1;
              }
            }
            int m = Math.min(len, buf.length() - pos);
            buf.getChars(pos, pos + m, cbuf, off);
            pos += m;
            return m;
          }

          @Override
          public void close() {}
        };
    long rows =
        c.unwrap(PGConnection.class)
            .getCopyAPI()
            .copyIn("COPY " + table + " (" + COLUMNS + ") FROM STDIN", reader);
    if (rows != n) {
      throw new IllegalStateException("copied " + rows + " of " + n);
    }
  }

  private static void line(Gen g, StringBuilder b) {
    String ts = g.at.toString();
    String nul = "\\N";
    b.append(new UUID(g.rnd.nextLong(), g.rnd.nextLong()))
        .append('\t')
        .append(ts)
        .append('\t')
        .append(g.at.plusMillis(800))
        .append('\t')
        .append(g.tenant)
        .append('\t')
        .append(g.user)
        .append('\t')
        .append(g.thread)
        .append('\t')
        .append(g.feature)
        .append("\tscope\t")
        .append(g.model[0])
        .append("\tchat\t")
        .append(g.model[1])
        .append('\t')
        .append(g.model[1])
        .append("\tfalse\t1\t")
        .append(g.status)
        .append('\t')
        .append("ok".equals(g.status) ? 200 : 500)
        .append('\t')
        .append(g.input)
        .append('\t')
        .append(g.cached)
        .append("\t0\t0\t0\t")
        .append(g.output)
        .append("\t0\t0\t0\t0\t0\tfalse\t");
    if (g.unpriced) {
      b.append(nul).append('\t').append(nul).append('\t').append(nul).append('\t');
      b.append(nul).append('\t').append(nul).append('\t').append(nul).append('\t').append(nul);
    } else {
      b.append(money(g.total()))
          .append('\t')
          .append(money(g.costInput))
          .append('\t')
          .append(money(g.costCached))
          .append("\t0\t")
          .append(money(g.costOutput))
          .append("\t0\t0");
    }
    b.append("\tUSD\t")
        .append(g.unpriced ? "unpriced" : "computed")
        .append("\t800\t")
        .append(g.action)
        .append('\t')
        .append(g.budget.isEmpty() ? nul : g.budget)
        .append('\t')
        .append(g.budget.isEmpty() ? nul : money(g.percent))
        .append('\n');
  }

  private static void batch(Connection c, String table, long n, String dialect)
      throws SQLException {
    boolean sqlite = dialect.equals("sqlite");
    if (sqlite) {
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA journal_mode=OFF");
        s.execute("PRAGMA synchronous=OFF");
      }
    }
    c.setAutoCommit(false);
    Gen g = new Gen(n);
    StringBuilder q = new StringBuilder("INSERT INTO " + table + " (" + COLUMNS + ") VALUES (?");
    for (int k = 1; k < COLUMNS.split(",").length; k++) {
      q.append(",?");
    }
    q.append(')');
    try (PreparedStatement ps = c.prepareStatement(q.toString())) {
      while (g.i < n) {
        g.next();
        int p = 1;
        ps.setString(p++, new UUID(g.rnd.nextLong(), g.rnd.nextLong()).toString());
        ts(ps, p++, g.at, sqlite);
        ts(ps, p++, g.at.plusMillis(800), sqlite);
        ps.setString(p++, g.tenant);
        ps.setString(p++, g.user);
        ps.setString(p++, g.thread);
        ps.setString(p++, g.feature);
        ps.setString(p++, "scope");
        ps.setString(p++, g.model[0]);
        ps.setString(p++, "chat");
        ps.setString(p++, g.model[1]);
        ps.setString(p++, g.model[1]);
        ps.setBoolean(p++, false);
        ps.setInt(p++, 1);
        ps.setString(p++, g.status);
        ps.setInt(p++, "ok".equals(g.status) ? 200 : 500);
        ps.setLong(p++, g.input);
        ps.setLong(p++, g.cached);
        for (int k = 0; k < 3; k++) {
          ps.setLong(p++, 0);
        }
        ps.setLong(p++, g.output);
        for (int k = 0; k < 5; k++) {
          ps.setLong(p++, 0);
        }
        ps.setBoolean(p++, false);
        long[] m = {g.total(), g.costInput, g.costCached, 0, g.costOutput, 0, 0};
        for (long v : m) {
          if (g.unpriced) {
            ps.setNull(p++, java.sql.Types.NUMERIC);
          } else if (sqlite) {
            ps.setLong(p++, v);
          } else {
            ps.setBigDecimal(p++, BigDecimal.valueOf(v, 9));
          }
        }
        ps.setString(p++, "USD");
        ps.setString(p++, g.unpriced ? "unpriced" : "computed");
        ps.setLong(p++, 800);
        ps.setString(p++, g.action);
        ps.setString(p++, g.budget.isEmpty() ? null : g.budget);
        if (g.budget.isEmpty()) {
          ps.setNull(p++, java.sql.Types.NUMERIC);
        } else if (sqlite) {
          ps.setLong(p++, g.percent);
        } else {
          ps.setBigDecimal(p++, BigDecimal.valueOf(g.percent, 9));
        }
        ps.addBatch();
        if (g.i % 10_000 == 0) {
          ps.executeBatch();
        }
      }
      ps.executeBatch();
    }
    c.commit();
    c.setAutoCommit(true);
  }

  private static void ts(PreparedStatement ps, int i, Instant at, boolean sqlite)
      throws SQLException {
    if (sqlite) {
      ps.setString(i, SQLITE_TS.format(at));
    } else {
      ps.setObject(i, java.time.LocalDateTime.ofInstant(at, ZoneOffset.UTC));
    }
  }
}
