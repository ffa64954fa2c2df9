package dev.attribution.sink.jdbc;

import dev.attribution.api.OverflowSpool;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import dev.attribution.api.internal.RateLimitedLogger;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

// Why this file is over 600 lines: about 200 of them are the public nested Builder, whose twelve
// documented settings are API and stay beside the sink they configure; the rest is the sink's one
// state machine (healthy, spooling, replaying) over the same fields, which reads best in one place.
// How a batch becomes rows lives in BatchWriter, the schema and its migrations in SchemaManager and
// the V*.sql resources, per-dialect SQL in SqlDialect and Columns, the spool in FileSpool.
/**
 * A {@link UsageSink} that writes every usage record as one row of a SQL table, in the
 * application's own database, and never loses one while the database is away.
 *
 * <p>Each {@link #export(List)} batch is written in one transaction ({@code INSERT ... ON CONFLICT
 * DO NOTHING} or the dialect's equivalent, as one multi-row statement on PostgreSQL and
 * MySQL/MariaDB and a JDBC batch elsewhere), so a replayed record never makes a second row. A
 * connection is borrowed from the {@link DataSource} per transaction and returned at once.
 *
 * <p>When a write fails, or while the database is known to be down, batches go to an append-only
 * spool of JSON lines in a local directory. A background thread ({@code attribution-jdbc-replay})
 * probes the database with exponential backoff and replays the spool, oldest first, as soon as it
 * answers; live batches go straight to the database again as soon as it is healthy, so rows written
 * during a replay may land before older spooled ones (the table has no insertion order; {@code
 * started_at} orders it). {@link #shutdown()} replays what it can before returning; what is left
 * stays on disk and is replayed by the next sink started on the same directory, so a crash loses
 * nothing that reached the spool. Records are lost only when the spool is disabled, full or
 * unavailable or the disk fails; they are then counted in {@link JdbcSinkStats#dropped()} and
 * logged (rate-limited). A damaged spool line (a flipped byte, a line torn by a crash or a full
 * disk) costs only that line ({@link JdbcSinkStats#spoolCorruptLines()}); the rest of the spool
 * still replays. Nothing here throws into the pipeline.
 *
 * <p>The spool directory belongs to one sink in one process: it is locked, and a second sink on it
 * (in this process or another) starts without a spool and logs a warning saying who holds it. Its
 * files are readable by the owner only. See {@link Builder#spoolDirectory(Path)} for the default
 * location.
 *
 * <p>The spool also takes the records that do not fit in the sink's full queue ({@link
 * #overflowSpool()}), so a burst is stored and replayed instead of dropped.
 *
 * <pre>{@code
 * JdbcUsageSink sink = JdbcUsageSink.builder(dataSource)
 *     .table("llm_usage")
 *     .spoolDirectory(Path.of("/var/lib/myapp/usage-spool"))
 *     .build();
 * AttributionEngine engine = AttributionEngine.builder().addSink(sink).build();
 * }</pre>
 */
public final class JdbcUsageSink implements UsageSink {

  /** Default table name: {@value}. */
  public static final String DEFAULT_TABLE = "llm_usage";

  /** Default spool size cap: {@value} bytes (256 MiB). */
  public static final long DEFAULT_SPOOL_MAX_BYTES = 256L * 1024 * 1024;

  /** Default largest number of rows per transaction when replaying the spool: {@value}. */
  public static final int DEFAULT_REPLAY_BATCH_SIZE = 1000;

  /** Default statement timeout in seconds: {@value}. */
  public static final int DEFAULT_WRITE_TIMEOUT_SECONDS = 30;

  /** Default first delay before re-probing a failed database, in milliseconds: {@value}. */
  public static final long DEFAULT_RETRY_MILLIS = 500;

  /** Default longest delay between probes of a failed database, in milliseconds: {@value}. */
  public static final long DEFAULT_MAX_RETRY_MILLIS = 30_000;

  private static final Logger LOG = LoggerFactory.getLogger(JdbcUsageSink.class);
  private static final long SEGMENT_BYTES = 4L * 1024 * 1024;

  private final DataSource dataSource;
  private final SqlDialect dialect;
  private final String table;
  private final @Nullable FileSpool spool;
  // Why an enabled spool is not in use (locked by another sink, default directory unusable).
  private final @Nullable String spoolUnavailable;
  private final int replayBatchSize;
  private final int writeTimeoutSeconds;
  private final long retryNanos;
  private final long maxRetryNanos;
  private final @Nullable SchemaManager schema;
  private final Thread replayer;
  private final RateLimitedLogger dropLog = new RateLimitedLogger(LOG, 10_000);
  private final RateLimitedLogger failLog = new RateLimitedLogger(LOG, 10_000);

  private final ReentrantLock writeLock = new ReentrantLock();
  private final ReentrantLock wakeLock = new ReentrantLock();
  private final Condition wake = wakeLock.newCondition();
  private final BatchWriter writer;

  private final AtomicLong spooled = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong spoolCorruptLines = new AtomicLong();
  private final AtomicLong spoolWriteFailures = new AtomicLong();

  // Health and schema state; written by the export and replay threads, read anywhere.
  private volatile boolean healthy;
  private volatile boolean schemaReady;
  private volatile boolean stopping;
  private volatile long backoffNanos;

  private JdbcUsageSink(
      Builder b, SqlDialect dialect, @Nullable FileSpool spool, @Nullable String spoolUnavailable) {
    this.dataSource = b.dataSource;
    this.dialect = dialect;
    this.table = b.table;
    this.spool = spool;
    this.spoolUnavailable = spoolUnavailable;
    this.replayBatchSize = b.replayBatchSize;
    this.writeTimeoutSeconds = b.writeTimeoutSeconds;
    this.retryNanos = b.retry.toNanos();
    this.maxRetryNanos = b.maxRetry.toNanos();
    this.backoffNanos = retryNanos;
    this.schema =
        b.createSchema
            ? new SchemaManager(dataSource, dialect, table, b.clock, b.rollupZone)
            : null;
    this.schemaReady = schema == null;
    this.writer =
        new BatchWriter(
            dataSource,
            dialect,
            table,
            replayBatchSize,
            writeTimeoutSeconds,
            dialect == SqlDialect.POSTGRESQL && b.pgCopy && PgCopy.available(),
            dropped,
            dropLog);
    this.replayer = new Thread(this::replayLoop, "attribution-jdbc-replay-" + table);
    this.replayer.setDaemon(true);
  }

  /** A builder writing through {@code dataSource} (pooled, e.g. HikariCP, is recommended). */
  public static Builder builder(DataSource dataSource) {
    return new Builder(Objects.requireNonNull(dataSource, "dataSource"));
  }

  /**
   * A builder for the embedded default: a SQLite database file at {@code databaseFile} (created if
   * missing). Needs {@code org.xerial:sqlite-jdbc} on the class path; this module declares it as an
   * optional dependency, so add it to your build.
   */
  public static Builder sqlite(Path databaseFile) {
    String url = "jdbc:sqlite:" + databaseFile.toAbsolutePath() + "?busy_timeout=10000";
    return new Builder(new DriverManagerDataSource(url)).dialect(SqlDialect.SQLITE);
  }

  private void start() {
    if (schema != null) {
      try {
        schema.migrate();
        writer.schemaChanged();
        schemaReady = true;
      } catch (SQLException e) {
        // The database may just be down; records spool until the schema can be created.
        LOG.warn(
            "Cannot create or migrate usage table {} now; records will spool until it can",
            table,
            e);
      }
    }
    healthy = schemaReady;
    replayer.start();
  }

  /** The table's dialect. */
  public SqlDialect dialect() {
    return dialect;
  }

  /** The table written to. */
  public String table() {
    return table;
  }

  /** A query API over this sink's table, through the same data source. */
  public UsageQueries queries() {
    return UsageQueries.create(dataSource, dialect, table);
  }

  /**
   * This sink's spool as its queue's overflow, so records that do not fit in a full queue are
   * stored on disk and replayed instead of dropped; the engine uses it without configuration.
   * Appending takes a few microseconds (one small file write) on the submitting thread.
   *
   * <p>If the spool is enabled but unavailable (its directory is locked by another sink), the
   * returned spool refuses every record with an {@link IOException}, so the pipeline counts it as
   * dropped.
   *
   * @return the overflow spool, or {@code null} when the spool is disabled
   */
  @Override
  public @Nullable OverflowSpool overflowSpool() {
    FileSpool s = spool;
    if (s == null) {
      String why = spoolUnavailable;
      if (why == null) {
        return null;
      }
      return record -> {
        dropped.incrementAndGet();
        throw new IOException("usage spool not in use: " + why);
      };
    }
    return record -> {
      int lost;
      try {
        lost = s.append(List.of(record));
      } catch (IOException | RuntimeException e) {
        spoolWriteFailures.incrementAndGet();
        dropped.incrementAndGet();
        throw e;
      }
      if (lost > 0) {
        dropped.incrementAndGet();
        throw new IOException("usage spool is full (" + s.pendingBytes() + " bytes)");
      }
      spooled.incrementAndGet();
      signal();
    };
  }

  /**
   * The spool directory in use, or {@code null} when this sink runs without a spool (disabled, or
   * unavailable: see the warning logged at start).
   */
  public @Nullable Path spoolDirectory() {
    FileSpool s = spool;
    return s == null ? null : s.directory();
  }

  /** Why an enabled spool is not in use, or {@code null} when it is in use or disabled. */
  @Nullable String spoolUnavailableReason() {
    return spoolUnavailable;
  }

  /** Counters since start. */
  public JdbcSinkStats stats() {
    FileSpool s = spool;
    return new JdbcSinkStats(
        writer.written.get(),
        spooled.get(),
        writer.replayed.get(),
        dropped.get(),
        writer.batches.get(),
        writer.batchNanos.get(),
        writer.batchNanosMax.get(),
        s == null ? 0 : s.pendingBytes(),
        spoolCorruptLines.get(),
        spoolWriteFailures.get(),
        writer.rollupFailures.get());
  }

  @Override
  public String name() {
    return "jdbc-" + table;
  }

  /**
   * Writes {@code batch} in one transaction, or spools it. Never throws: failures are spooled or
   * counted as dropped.
   */
  @Override
  public void export(List<UsageRecord> batch) {
    if (batch.isEmpty()) {
      return;
    }
    // While the database is healthy, batches go straight to it even if the replay thread is
    // still draining older spooled records: ids make the writes idempotent, and routing live
    // batches through the spool under load would only slow the worker down further.
    if (healthy && schemaReady) {
      try {
        writer.writeAll(batch, false);
        return;
      } catch (SQLException e) {
        markUnhealthy(e);
      }
    }
    spoolOrDrop(batch);
  }

  /** Replays the spool now if the database is up; forces spooled records to disk. */
  @Override
  public void flush() {
    if (healthy) {
      replayOnce();
    }
    syncSpool();
  }

  /**
   * Stops the replay thread, replays what the spool holds if the database answers, and closes the
   * spool; what could not be replayed stays on disk for the next start.
   */
  @Override
  public void shutdown() {
    stopping = true;
    signal();
    try {
      replayer.join(TimeUnit.SECONDS.toMillis(writeTimeoutSeconds) + 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    replayOnce();
    FileSpool s = spool;
    if (s != null) {
      if (s.hasPending()) {
        LOG.warn(
            "Usage sink {} closed with {} bytes still spooled in {}; they will be replayed at next"
                + " start",
            name(),
            s.pendingBytes(),
            s.directory());
      }
      try {
        s.close();
      } catch (IOException e) {
        LOG.warn("Cannot close usage spool {}", s.directory(), e);
      }
    }
  }

  private void spoolOrDrop(List<UsageRecord> batch) {
    FileSpool s = spool;
    if (s == null) {
      dropped.addAndGet(batch.size());
      dropLog.warn(
          "Usage table {} is unavailable and the spool is {}: {} records dropped ({} so far)",
          table,
          spoolUnavailable == null ? "disabled" : "not in use (" + spoolUnavailable + ")",
          batch.size(),
          dropped.get());
      return;
    }
    try {
      int lost = s.append(batch);
      spooled.addAndGet(batch.size() - lost);
      if (lost > 0) {
        dropped.addAndGet(lost);
        dropLog.warn(
            "Usage spool {} is full: {} records dropped ({} so far)",
            s.directory(),
            lost,
            dropped.get());
      }
    } catch (IOException | RuntimeException e) {
      // The spool is as it was (a failed append leaves no partial line): the batch alone is lost.
      spoolWriteFailures.incrementAndGet();
      dropped.addAndGet(batch.size());
      dropLog.warn(
          "Cannot write usage spool {}: {} records dropped ({} so far)",
          s.directory(),
          batch.size(),
          dropped.get(),
          e);
    }
    signal();
  }

  private void syncSpool() {
    FileSpool s = spool;
    if (s != null) {
      try {
        s.sync();
      } catch (IOException e) {
        failLog.warn("Cannot sync usage spool {}", s.directory(), e);
      }
    }
  }

  private void markUnhealthy(SQLException e) {
    if (healthy) {
      healthy = false;
      backoffNanos = retryNanos;
    }
    failLog.warn(
        "Cannot write usage table {} ({}); spooling records and retrying in the background",
        table,
        e.toString());
  }

  private void signal() {
    wakeLock.lock();
    try {
      wake.signalAll();
    } finally {
      wakeLock.unlock();
    }
  }

  private void replayLoop() {
    while (!stopping) {
      FileSpool s = spool;
      boolean work = !schemaReady || (s != null && s.hasPending()) || !healthy;
      long waitNanos = healthy ? TimeUnit.SECONDS.toNanos(1) : backoffNanos;
      if (work && (healthy || probeDue())) {
        boolean ok = replayOnce();
        if (!ok) {
          backoffNanos = Math.min(maxRetryNanos, backoffNanos * 2);
          waitNanos = backoffNanos;
        } else if (s != null && s.hasPending()) {
          continue;
        }
      }
      wakeLock.lock();
      try {
        if (!stopping) {
          wake.awaitNanos(waitNanos);
        }
      } catch (InterruptedException e) {
        return;
      } finally {
        wakeLock.unlock();
      }
    }
  }

  private volatile long lastProbe;

  private boolean probeDue() {
    long now = System.nanoTime();
    if (lastProbe == 0 || now - lastProbe >= backoffNanos) {
      lastProbe = now;
      return true;
    }
    return false;
  }

  /**
   * Makes the schema ready and replays every closed spool segment, oldest first.
   *
   * @return whether the database accepted everything tried
   */
  private boolean replayOnce() {
    writeLock.lock();
    try {
      if (!schemaReady) {
        try {
          Objects.requireNonNull(schema).migrate();
          writer.schemaChanged();
          schemaReady = true;
        } catch (SQLException e) {
          markUnhealthy(e);
          return false;
        }
      }
      FileSpool s = spool;
      if (s == null) {
        if (!healthy) {
          // Probe so export() can resume direct writes.
          try (Connection c = dataSource.getConnection()) {
            if (!c.isValid(writeTimeoutSeconds)) {
              return false;
            }
          } catch (SQLException e) {
            markUnhealthy(e);
            return false;
          }
          healthy = true;
        }
        return true;
      }
      Long seq;
      while ((seq = s.oldestSegment()) != null) {
        FileSpool.Segment seg;
        try {
          seg = s.read(seq);
        } catch (IOException e) {
          // Not corruption but a file that cannot be read at all: retrying it forever would
          // hold back every later segment, so it waits on disk for the next start instead.
          s.setAside(seq);
          failLog.warn(
              "Cannot read usage spool segment {} ({}); it stays on disk and is retried at the"
                  + " next start",
              s.segmentPath(seq),
              e.toString());
          continue;
        }
        if (seg.unreadable() > 0) {
          // Counted and logged without their content; the segment's other lines still replay.
          spoolCorruptLines.addAndGet(seg.unreadable());
          dropped.addAndGet(seg.unreadable());
          dropLog.warn(
              "{} corrupt or torn lines in usage spool segment {} were skipped ({} so far)",
              seg.unreadable(),
              s.segmentPath(seq),
              spoolCorruptLines.get());
        }
        List<UsageRecord> records = seg.records();
        for (int from = 0; from < records.size(); from += replayBatchSize) {
          writer.writeAll(
              records.subList(from, Math.min(records.size(), from + replayBatchSize)), true);
        }
        s.delete(seq);
        healthy = true;
        backoffNanos = retryNanos;
      }
      healthy = true;
      return true;
    } catch (SQLException e) {
      markUnhealthy(e);
      return false;
    } catch (IOException e) {
      failLog.warn("Cannot read usage spool; will retry", e);
      return false;
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Builds a {@link JdbcUsageSink}. {@link #build()} validates everything, detects the dialect if
   * not given, creates or migrates the table unless {@link #createSchema(boolean)} is off, and
   * starts the replay thread.
   */
  public static final class Builder {
    private final DataSource dataSource;
    private @Nullable SqlDialect dialect;
    private String table = DEFAULT_TABLE;
    private boolean createSchema = true;
    private @Nullable Path spoolDirectory;
    private boolean spoolEnabled = true;
    private long spoolMaxBytes = DEFAULT_SPOOL_MAX_BYTES;
    private boolean spoolFsync;
    private int replayBatchSize = DEFAULT_REPLAY_BATCH_SIZE;
    private int writeTimeoutSeconds = DEFAULT_WRITE_TIMEOUT_SECONDS;
    private Duration retry = Duration.ofMillis(DEFAULT_RETRY_MILLIS);
    private Duration maxRetry = Duration.ofMillis(DEFAULT_MAX_RETRY_MILLIS);
    private Clock clock = Clock.systemUTC();
    private boolean pgCopy = true;
    private ZoneId rollupZone = ZoneId.of("UTC");

    private Builder(DataSource dataSource) {
      this.dataSource = dataSource;
    }

    /** See {@link #spoolDirectory(Path)}; {@code null} if {@code user.home} is not absolute. */
    private @Nullable Path defaultSpoolDirectory() {
      String home = System.getProperty("user.home", "");
      if (home.isEmpty() || !Path.of(home).isAbsolute()) {
        return null;
      }
      String name = table;
      if (dataSource instanceof DriverManagerDataSource dm) {
        name += "-" + dm.urlHash();
      }
      return Path.of(home, ".attribution", "spool", name);
    }

    /** The database's dialect; detected from the connection's metadata when not set. */
    public Builder dialect(SqlDialect value) {
      this.dialect = Objects.requireNonNull(value, "dialect");
      return this;
    }

    /**
     * The table name, a plain identifier ({@code [A-Za-z_][A-Za-z0-9_]*}, at most 48 characters);
     * default {@value #DEFAULT_TABLE}. The schema-version table is {@code <table>_schema_version}.
     */
    public Builder table(String value) {
      this.table = SchemaManager.checkTable(value);
      return this;
    }

    /**
     * Whether to create or migrate the table at start (default on). Turn off when a DBA manages the
     * schema from the shipped DDL ({@code dev/attribution/sink/jdbc/schema/<dialect>/V*.sql}).
     */
    public Builder createSchema(boolean value) {
      this.createSchema = value;
      return this;
    }

    /**
     * Directory of the local spool, one per sink and per process: it is locked while the sink runs,
     * and a second sink on it runs without a spool (with a warning). It is created (and narrowed
     * to) owner-only permissions.
     *
     * <p>Default {@code ${user.home}/.attribution/spool/<table>} (plus {@code -<hash of the URL>}
     * for {@link JdbcUsageSink#sqlite(Path)}): under the home directory because that survives a
     * reboot (the temp directory is often cleared at boot, which would lose the spool) and is
     * private to the user; never the working directory, which may be read-only or shared. Two
     * processes of one application on one host share that default, so give each its own directory;
     * if the default cannot be used, the sink starts without a spool and says why.
     */
    public Builder spoolDirectory(Path value) {
      this.spoolDirectory = Objects.requireNonNull(value, "spoolDirectory");
      return this;
    }

    /** Largest size of the spool in bytes, at least 64 KiB; default 256 MiB. */
    public Builder spoolMaxBytes(long value) {
      if (value < 64 * 1024) {
        throw new IllegalArgumentException("spoolMaxBytes must be at least 65536, was " + value);
      }
      this.spoolMaxBytes = value;
      return this;
    }

    /**
     * Whether each spool append is forced to the device (survives power loss, costs a disk flush
     * per batch); default off, which survives a process crash but not an OS crash.
     */
    public Builder spoolFsync(boolean value) {
      this.spoolFsync = value;
      return this;
    }

    /** Disables the spool: records that cannot be written are dropped and counted. */
    public Builder disableSpool() {
      this.spoolEnabled = false;
      return this;
    }

    /** Largest number of rows per transaction when replaying; default 1000. */
    public Builder replayBatchSize(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("replayBatchSize must be at least 1, was " + value);
      }
      this.replayBatchSize = value;
      return this;
    }

    /**
     * Statement timeout, whole seconds, at least 1; default 30 s. A batch slower than this is
     * spooled. Set the driver's socket timeout too, so a hung connection also fails.
     */
    public Builder writeTimeout(Duration value) {
      long s = value.toSeconds();
      if (s < 1 || s > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("writeTimeout must be at least 1 s, was " + value);
      }
      this.writeTimeoutSeconds = (int) s;
      return this;
    }

    /**
     * First and longest delay between probes of a failed database (doubling in between); defaults
     * 500 ms and 30 s.
     */
    public Builder retry(Duration first, Duration max) {
      if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
        throw new IllegalArgumentException(
            "retry needs 0 < first <= max, was first=" + first + " max=" + max);
      }
      this.retry = first;
      this.maxRetry = max;
      return this;
    }

    /**
     * Whether PostgreSQL batches go through {@code COPY FROM STDIN} (default on, when the
     * PostgreSQL driver is on the class path): several times faster than INSERT; a batch that meets
     * an existing id is redone with {@code INSERT ... ON CONFLICT DO NOTHING}.
     */
    public Builder postgresCopy(boolean value) {
      this.pgCopy = value;
      return this;
    }

    /**
     * The zone whose local dates are the days of the daily rollups the sink keeps beside the table
     * (default UTC), so the weekly review in that zone sums one row per day and key instead of
     * every call; a review in another zone reads the calls. Used when the rollups are created
     * (schema version 5, filled from the rows already there); a table that has them keeps its zone,
     * and a different value here is logged at start-up. The review's {@code --rebuild-rollups}
     * moves them to another zone. Without {@link #createSchema(boolean)} the sink creates nothing
     * and this is not used: it adds to the rollups in their recorded zone once they exist.
     */
    public Builder rollupZone(ZoneId value) {
      this.rollupZone = Objects.requireNonNull(value, "rollupZone");
      return this;
    }

    /** Clock for the schema-version timestamps; default UTC system clock. */
    public Builder clock(Clock value) {
      this.clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    /**
     * The started sink.
     *
     * @throws IllegalStateException if {@link JdbcUsageSink#sqlite(Path)}'s driver is not on the
     *     class path, the dialect cannot be detected (set it) or the configured spool directory
     *     cannot be created or read (a locked one, or an unusable default, only leaves the sink
     *     without a spool, with a warning)
     */
    public JdbcUsageSink build() {
      if (dataSource instanceof DriverManagerDataSource dm) {
        dm.requireDriver();
      }
      SqlDialect d = dialect;
      if (d == null) {
        try (Connection c = dataSource.getConnection()) {
          d = SqlDialect.detect(c);
        } catch (SQLException e) {
          throw new IllegalStateException(
              "cannot detect the database dialect (database unreachable?); set dialect(...)", e);
        }
      }
      FileSpool s = null;
      String unavailable = null;
      if (spoolEnabled) {
        Path dir = spoolDirectory != null ? spoolDirectory : defaultSpoolDirectory();
        try {
          if (dir == null) {
            throw new IOException("user.home is not an absolute path");
          }
          s = new FileSpool(dir, spoolMaxBytes, SEGMENT_BYTES, spoolFsync);
        } catch (FileSpool.LockedException e) {
          unavailable = e.getMessage();
          LOG.warn(
              "Usage sink jdbc-{} runs WITHOUT a spool: {}. Records it cannot write are dropped and"
                  + " counted. Give each sink and each process its own spoolDirectory(...).",
              table,
              unavailable);
        } catch (IOException e) {
          if (spoolDirectory != null) {
            throw new IllegalStateException("cannot open usage spool directory " + dir, e);
          }
          unavailable = "default spool directory " + dir + " unusable (" + e + ")";
          LOG.warn(
              "Usage sink jdbc-{} runs WITHOUT a spool: {}. Records it cannot write are dropped and"
                  + " counted. Set spoolDirectory(...).",
              table,
              unavailable);
        }
      }
      JdbcUsageSink sink = new JdbcUsageSink(this, d, s, unavailable);
      sink.start();
      return sink;
    }
  }
}
