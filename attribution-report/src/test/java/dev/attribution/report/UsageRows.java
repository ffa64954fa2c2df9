package dev.attribution.report;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Crafted usage rows written straight into a table created from the JDBC sink's own DDL resource,
 * so the review is tested against the sink's real schema on SQLite and H2.
 */
final class UsageRows {

  /** Per-million prices: uncached input, cached input, output. */
  static final Map<String, BigDecimal[]> PRICES =
      Map.of(
          "gpt-4o", prices("2.50", "1.25", "10.00"),
          "gpt-4o-mini", prices("0.15", "0.075", "0.60"),
          "claude-sonnet-4", prices("3.00", "0.30", "15.00"));

  private static final DateTimeFormatter SQLITE_TS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private static final String INSERT =
      "INSERT INTO %s (id, started_at, ended_at, tenant_id, user_id, thread_id, feature,"
          + " context_source, provider, operation, requested_model, effective_model, streaming,"
          + " attempt, status, http_status, input_tokens, cached_input_tokens, cache_write_tokens,"
          + " cache_write_5m_tokens, cache_write_1h_tokens, output_tokens, reasoning_tokens,"
          + " audio_input_tokens, audio_output_tokens, image_input_tokens, image_output_tokens,"
          + " usage_estimated, cost_total, cost_input, cost_cached_input, cost_cache_write,"
          + " cost_output, cost_reasoning, cost_other, charge_total, currency, cost_source,"
          + " latency_ms, budget_action, budget_name, budget_percent, price_version) VALUES"
          + " (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

  private static BigDecimal[] prices(String in, String cached, String out) {
    return new BigDecimal[] {new BigDecimal(in), new BigDecimal(cached), new BigDecimal(out)};
  }

  /** One call to write; fields are set fluently and default to a small priced call. */
  static final class Call {
    Instant at;
    @Nullable String tenant = "acme";
    @Nullable String user = "u1";
    @Nullable String thread;
    @Nullable String feature = "chat";
    @Nullable String provider = "openai";
    String model = "gpt-4o-mini";
    String status = "ok";
    long input = 500;
    long cached;
    long cacheWrite;
    long output = 200;
    long reasoning;
    @Nullable BigDecimal charge;
    @Nullable BigDecimal fixedCost;
    String budgetAction = "none";
    @Nullable String budgetName;
    @Nullable BigDecimal budgetPercent;
    @Nullable String priceVersion;

    /** The model actually called when a budget downgraded the call, else null. */
    @Nullable String effective;

    Call(Instant at) {
      this.at = at;
    }

    Call tenant(@Nullable String v) {
      tenant = v;
      return this;
    }

    Call thread(String v) {
      thread = v;
      return this;
    }

    Call feature(String v) {
      feature = v;
      return this;
    }

    Call model(@Nullable String provider, String model) {
      this.provider = provider;
      this.model = model;
      return this;
    }

    Call tokens(long input, long cached, long output) {
      this.input = input;
      this.cached = cached;
      this.output = output;
      return this;
    }

    Call reasoning(long v) {
      reasoning = v;
      return this;
    }

    Call cacheWrite(long v) {
      cacheWrite = v;
      return this;
    }

    Call effective(String v) {
      effective = v;
      return this;
    }

    Call priceVersion(String v) {
      priceVersion = v;
      return this;
    }

    Call status(String v) {
      status = v;
      return this;
    }

    Call charge(String v) {
      charge = new BigDecimal(v);
      return this;
    }

    Call cost(String v) {
      fixedCost = new BigDecimal(v);
      return this;
    }

    Call budget(String action, String name, String percent) {
      budgetAction = action;
      budgetName = name;
      budgetPercent = new BigDecimal(percent);
      return this;
    }

    boolean priced() {
      return fixedCost != null || PRICES.containsKey(effective != null ? effective : model);
    }

    /** input, cached, cache write, output, reasoning, other, at scale 9. */
    BigDecimal[] costParts() {
      BigDecimal[] parts = new BigDecimal[6];
      java.util.Arrays.fill(parts, BigDecimal.ZERO.setScale(9));
      if ("blocked".equals(status)) {
        return parts;
      }
      if (fixedCost != null) {
        parts[5] = fixedCost.setScale(9, RoundingMode.HALF_EVEN);
        return parts;
      }
      BigDecimal[] p = PRICES.get(effective != null ? effective : model);
      if (p == null) {
        return parts;
      }
      BigDecimal m = BigDecimal.valueOf(1_000_000);
      parts[0] = per(input - cached - cacheWrite, p[0], m);
      parts[1] = per(cached, p[1], m);
      parts[2] = per(cacheWrite, p[0].multiply(new BigDecimal("1.25")), m);
      parts[3] = per(output - reasoning, p[2], m);
      parts[4] = per(reasoning, p[2], m);
      return parts;
    }

    private static BigDecimal per(long tokens, BigDecimal price, BigDecimal m) {
      return BigDecimal.valueOf(tokens).multiply(price).divide(m, 9, RoundingMode.HALF_EVEN);
    }
  }

  private UsageRows() {}

  static Call at(Instant at) {
    return new Call(at);
  }

  /** Creates the usage table from the sink's DDL resource for {@code dialectDir}. */
  static void createTable(Connection c, String dialectDir) throws SQLException, IOException {
    createTable(c, dialectDir, "llm_usage");
  }

  /**
   * Creates the usage table called {@code table} from the sink's DDL resources, every version in
   * order, as the sink does.
   */
  static void createTable(Connection c, String dialectDir, String table)
      throws SQLException, IOException {
    for (int v = 1; ; v++) {
      try (InputStream in =
          UsageRows.class.getResourceAsStream(
              "/dev/attribution/sink/jdbc/schema/" + dialectDir + "/V" + v + ".sql")) {
        if (in == null) {
          if (v == 1) {
            throw new IOException("no DDL resource for " + dialectDir);
          }
          return;
        }
        run(c, new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("${table}", table));
      }
    }
  }

  /** Runs version {@code v} of the sink's DDL for {@code table}. */
  static void runVersion(Connection c, String dialectDir, String table, int v)
      throws SQLException, IOException {
    try (InputStream in =
        UsageRows.class.getResourceAsStream(
            "/dev/attribution/sink/jdbc/schema/" + dialectDir + "/V" + v + ".sql")) {
      if (in == null) {
        throw new IOException("no DDL version " + v + " for " + dialectDir);
      }
      run(c, new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("${table}", table));
    }
  }

  private static void run(Connection c, String ddl) throws SQLException {
    StringBuilder body = new StringBuilder();
    for (String line : ddl.split("\n")) {
      if (!line.trim().startsWith("--")) {
        body.append(line).append('\n');
      }
    }
    try (Statement s = c.createStatement()) {
      for (String stmt : body.toString().split(";\\s*\n")) {
        if (!stmt.isBlank()) {
          s.execute(stmt);
        }
      }
    }
  }

  /** Writes {@code calls} in one transaction. */
  static void insert(Connection c, List<Call> calls) throws SQLException {
    insert(c, "llm_usage", calls);
  }

  /** Writes {@code calls} into {@code table} in one transaction. */
  static void insert(Connection c, String table, List<Call> calls) throws SQLException {
    String product = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
    boolean sqlite = product.contains("sqlite");
    boolean h2 = product.startsWith("h2");
    boolean pg = product.contains("postgres");
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try (PreparedStatement ps = c.prepareStatement(String.format(Locale.ROOT, INSERT, table))) {
      for (Call k : calls) {
        BigDecimal[] parts = k.costParts();
        BigDecimal total = BigDecimal.ZERO.setScale(9);
        for (BigDecimal p : parts) {
          total = total.add(p);
        }
        int i = 0;
        if (sqlite) {
          ps.setString(++i, UUID.randomUUID().toString());
          ps.setString(++i, SQLITE_TS.format(k.at));
          ps.setString(++i, SQLITE_TS.format(k.at.plusMillis(800)));
        } else if (pg) {
          ps.setObject(++i, UUID.randomUUID());
          ps.setObject(++i, OffsetDateTime.ofInstant(k.at, ZoneOffset.UTC));
          ps.setObject(++i, OffsetDateTime.ofInstant(k.at.plusMillis(800), ZoneOffset.UTC));
        } else {
          if (h2) {
            ps.setObject(++i, UUID.randomUUID());
          } else {
            ps.setString(++i, UUID.randomUUID().toString());
          }
          ps.setObject(++i, LocalDateTime.ofInstant(k.at, ZoneOffset.UTC));
          ps.setObject(++i, LocalDateTime.ofInstant(k.at.plusMillis(800), ZoneOffset.UTC));
        }
        ps.setString(++i, k.tenant);
        ps.setString(++i, k.user);
        ps.setString(++i, k.thread);
        ps.setString(++i, k.feature);
        ps.setString(++i, "scope");
        ps.setString(++i, k.provider);
        ps.setString(++i, "chat");
        ps.setString(++i, k.model);
        ps.setString(
            ++i, "blocked".equals(k.status) ? null : k.effective != null ? k.effective : k.model);
        bool(ps, ++i, false, sqlite);
        ps.setInt(++i, 1);
        ps.setString(++i, k.status);
        if ("blocked".equals(k.status)) {
          ps.setNull(++i, Types.INTEGER); // nothing went over the network
        } else {
          ps.setInt(++i, "ok".equals(k.status) ? 200 : 500);
        }
        boolean spent = !"blocked".equals(k.status);
        ps.setLong(++i, spent ? k.input : 0);
        ps.setLong(++i, spent ? k.cached : 0);
        ps.setLong(++i, spent ? k.cacheWrite : 0);
        ps.setLong(++i, spent ? k.cacheWrite : 0);
        ps.setLong(++i, 0);
        ps.setLong(++i, spent ? k.output : 0);
        ps.setLong(++i, spent ? k.reasoning : 0);
        for (int z = 0; z < 4; z++) {
          ps.setLong(++i, 0);
        }
        bool(ps, ++i, false, sqlite);
        // As the sink writes it: an unpriced call's cost is unknown, NULL in every cost column.
        boolean unknown = !k.priced() && !"blocked".equals(k.status);
        money(ps, ++i, unknown ? null : total, sqlite);
        for (BigDecimal p : parts) {
          money(ps, ++i, unknown ? null : p, sqlite);
        }
        money(ps, ++i, k.charge, sqlite);
        ps.setString(++i, unknown ? null : "USD");
        ps.setString(++i, k.priced() || "blocked".equals(k.status) ? "computed" : "unpriced");
        ps.setLong(++i, 800);
        ps.setString(++i, k.budgetAction);
        ps.setString(++i, k.budgetName);
        money(ps, ++i, k.budgetPercent, sqlite);
        ps.setString(++i, k.priceVersion);
        ps.addBatch();
      }
      ps.executeBatch();
      c.commit();
    } finally {
      c.setAutoCommit(auto);
    }
  }

  private static void bool(PreparedStatement ps, int i, boolean v, boolean sqlite)
      throws SQLException {
    if (sqlite) {
      ps.setInt(i, v ? 1 : 0);
    } else {
      ps.setBoolean(i, v);
    }
  }

  private static void money(PreparedStatement ps, int i, @Nullable BigDecimal v, boolean sqlite)
      throws SQLException {
    if (v == null) {
      ps.setNull(i, sqlite ? Types.BIGINT : Types.NUMERIC);
    } else if (sqlite) {
      ps.setLong(i, v.setScale(9, RoundingMode.HALF_EVEN).movePointRight(9).longValueExact());
    } else {
      ps.setBigDecimal(i, v.setScale(9, RoundingMode.HALF_EVEN));
    }
  }
}
