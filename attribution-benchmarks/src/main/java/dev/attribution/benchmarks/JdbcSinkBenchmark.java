package dev.attribution.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.CostBreakdown;
import dev.attribution.api.TokenUsage;
import dev.attribution.api.UsageRecord;
import dev.attribution.core.internal.pipeline.RecordPipeline;
import dev.attribution.sink.jdbc.JdbcUsageSink;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The JDBC sink against the local PostgreSQL (127.0.0.1:5432, database {@code test}, user {@code
 * postgres}).
 *
 * <ul>
 *   <li>{@code writeBatch}: one transaction of {@code batchSize} new records, as the pipeline's
 *       worker does; the {@code records} counter is the sustained rate in records per second.
 *   <li>{@code enqueue}: the caller's cost of {@link RecordPipeline#submit} with the JDBC sink
 *       behind it, paced at up to 20,000 records per second so the sink keeps up (the pacing runs
 *       outside the measured time); read the p0.50 line.
 * </ul>
 *
 * <p>Run: {@code java -cp <classpath> org.openjdk.jmh.Main JdbcSinkBenchmark -f 1 -wi 2 -i 3 -w 1s
 * -r 1s}.
 */
public class JdbcSinkBenchmark {

  static final String URL = "jdbc:postgresql://127.0.0.1:5432/test";

  static HikariDataSource dataSource() {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(URL);
    c.setUsername("postgres");
    c.setMaximumPoolSize(4);
    return new HikariDataSource(c);
  }

  static void drop(HikariDataSource ds, String table) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS " + table);
      s.execute("DROP TABLE IF EXISTS " + table + "_schema_version");
      for (String suffix : new String[] {"_daily", "_daily_thread", "_daily_user", "_daily_zone"}) {
        s.execute("DROP TABLE IF EXISTS " + table + suffix);
      }
    }
  }

  /** A data source, a sink on a fresh table and its spool directory. */
  abstract static class Fixture {
    HikariDataSource ds;
    JdbcUsageSink sink;
    Path spool;

    void open(String table) throws Exception {
      ds = dataSource();
      drop(ds, table);
      spool = Files.createTempDirectory("bench-spool");
      sink = JdbcUsageSink.builder(ds).table(table).spoolDirectory(spool).build();
    }

    void close(String table) throws Exception {
      drop(ds, table);
      ds.close();
      deleteTree(spool);
    }
  }

  static final UsageRecord TEMPLATE =
      UsageRecord.builder()
          .startedAt(Instant.parse("2026-03-02T10:15:30.123456Z"))
          .context(
              AttributionContext.builder()
                  .tenantId("acme")
                  .userId("user-17")
                  .feature("chat")
                  .threadId("thread-42")
                  .tag("plan", "pro")
                  .build())
          .provider("openai")
          .operation("chat")
          .serverHost("api.openai.com")
          .requestedModel("gpt-4o")
          .effectiveModel("gpt-4o")
          .responseModel("gpt-4o-2024-08-06")
          .usage(
              TokenUsage.builder()
                  .inputTokens(1200)
                  .cachedInputTokens(200)
                  .outputTokens(300)
                  .build())
          .cost(
              CostBreakdown.builder()
                  .input(new BigDecimal("0.0025"))
                  .cachedInput(new BigDecimal("0.00025"))
                  .output(new BigDecimal("0.003"))
                  .build())
          .latency(Duration.ofMillis(850))
          .httpStatus(200)
          .providerRequestId("chatcmpl-abc123")
          .build();

  /**
   * The {@code n}th record: spread like a busy SaaS's calls (200 tenants, 12 features, 20,000
   * users, threads of 10 calls), so each batch touches as many rollup rows as real traffic does.
   */
  static UsageRecord fresh(long n) {
    Instant at = TEMPLATE.startedAt().plusMillis(n);
    return TEMPLATE.toBuilder()
        .id(UsageRecord.newId(at))
        .startedAt(at)
        .endedAt(at)
        .context(
            AttributionContext.builder()
                .tenantId("tenant-" + (n * 7919 % 200))
                .userId("user-" + (n * 104_729 % 20_000))
                .feature("feature-" + (n % 12))
                .threadId("thread-" + (n / 10))
                .tag("plan", "pro")
                .build())
        .build();
  }

  /** Records written, reported by JMH as a rate. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Written {
    /** Records written in this iteration. */
    public long records;

    /** Clears the counter per iteration. */
    @Setup(Level.Iteration)
    public void clear() {
      records = 0;
    }
  }

  /** A sink on a fresh table, and the next batch to write. */
  @State(Scope.Thread)
  public static class SinkState extends Fixture {
    /** Records per transaction. */
    @Param({"100", "500", "2000"})
    public int batchSize;

    /** Whether the table keeps daily rollups (schema version 5), which each batch adds to. */
    @Param({"true", "false"})
    public boolean rollups;

    List<UsageRecord> batch;
    long n;
    final String table = "bench_usage";

    /** Creates the table and the sink. */
    @Setup(Level.Trial)
    public void setUp() throws Exception {
      open(table);
      if (!rollups) {
        // before the first batch, so the sink finds no rollups and writes the calls only
        try (Connection c = ds.getConnection();
            Statement st = c.createStatement()) {
          for (String suffix :
              new String[] {"_daily", "_daily_thread", "_daily_user", "_daily_zone"}) {
            st.execute("DROP TABLE " + table + suffix);
          }
        }
      }
    }

    /** Builds the next batch of new records (not measured). */
    @Setup(Level.Invocation)
    public void nextBatch() {
      batch = new ArrayList<>(batchSize);
      for (int i = 0; i < batchSize; i++) {
        batch.add(fresh(n++));
      }
    }

    /** Drops the table. */
    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
      if (sink.stats().spooled() > 0) {
        throw new IllegalStateException("the benchmark spooled: " + sink.stats());
      }
      sink.shutdown();
      close(table);
    }
  }

  /** One transaction of {@code batchSize} records into PostgreSQL. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public void writeBatch(SinkState s, Written w) {
    s.sink.export(s.batch);
    w.records += s.batch.size();
  }

  /** A pipeline feeding a JDBC sink, submitted to at a pace the database sustains. */
  @State(Scope.Thread)
  public static class PipelineState extends Fixture {
    RecordPipeline pipeline;
    long n;
    long nextSlot;
    UsageRecord next;
    final String table = "bench_enqueue";

    /** Starts the pipeline. */
    @Setup(Level.Trial)
    public void setUp() throws Exception {
      open(table);
      pipeline =
          RecordPipeline.builder().addSink(sink).batchSize(500).queueCapacity(65_536).build();
      nextSlot = System.nanoTime();
    }

    /** Waits for the next 50 µs slot and prepares the record (not measured). */
    @Setup(Level.Invocation)
    public void pace() {
      next = fresh(n++);
      long now = System.nanoTime();
      nextSlot = Math.max(nextSlot + 50_000, now - 1_000_000);
      if (nextSlot > now) {
        LockSupport.parkNanos(nextSlot - now);
      }
    }

    /** Drains and drops the table. */
    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
      pipeline.close();
      System.out.println();
      System.out.println("enqueue pipeline " + pipeline.stats() + " sink " + sink.stats());
      close(table);
    }
  }

  /** The caller's cost of submitting one record. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public void enqueue(PipelineState s) {
    s.pipeline.submit(s.next);
  }

  static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
