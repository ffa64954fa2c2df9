package dev.attribution.sink.jdbc;

import dev.attribution.api.UsageRecord;
import dev.attribution.api.internal.RateLimitedLogger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * How {@link JdbcUsageSink} turns a batch into rows: one transaction per batch, through {@code
 * COPY} on PostgreSQL (redone with {@code INSERT ... ON CONFLICT DO NOTHING} when a record is
 * already there), multi-row INSERTs on PostgreSQL and MySQL/MariaDB, a JDBC batch elsewhere; a
 * batch a database rejects for its data (SQLState class 22 or 23) is retried row by row, so only
 * the offending record is dropped. The sink decides when to write and what to spool; this class
 * only writes, and counts what it wrote.
 */
final class BatchWriter {

  /** Records written by live batches. */
  final AtomicLong written = new AtomicLong();

  /** Records written by replaying the spool. */
  final AtomicLong replayed = new AtomicLong();

  /** Transactions committed, their total and their longest time, in nanoseconds. */
  final AtomicLong batches = new AtomicLong();

  final AtomicLong batchNanos = new AtomicLong();
  final AtomicLong batchNanosMax = new AtomicLong();

  private final DataSource dataSource;
  private final SqlDialect dialect;
  private final String table;
  private final int writeTimeoutSeconds;
  private final boolean usePgCopy;
  private final int rowsPerStatement;
  private final String singleSql;
  private @Nullable String fullMultiSql;
  private final AtomicLong dropped;
  private final RateLimitedLogger dropLog;

  /**
   * A writer into {@code table}.
   *
   * @param replayBatchSize the most rows one transaction takes, which bounds a multi-row INSERT
   * @param usePgCopy whether PostgreSQL batches go through {@code COPY}
   * @param dropped the sink's count of dropped records, which a rejected record joins
   * @param dropLog where a rejected record is reported (rate-limited)
   */
  BatchWriter(
      DataSource dataSource,
      SqlDialect dialect,
      String table,
      int replayBatchSize,
      int writeTimeoutSeconds,
      boolean usePgCopy,
      AtomicLong dropped,
      RateLimitedLogger dropLog) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.table = table;
    this.writeTimeoutSeconds = writeTimeoutSeconds;
    this.usePgCopy = usePgCopy;
    this.singleSql = Columns.insertSql(dialect, table, 1);
    this.rowsPerStatement =
        dialect.multiRowInsert()
            ? Math.max(1, Math.min(replayBatchSize, dialect.maxParameters() / Columns.COUNT))
            : 1;
    this.dropped = dropped;
    this.dropLog = dropLog;
  }

  /** Writes {@code records} in one transaction; data errors fall back to row-by-row. */
  void writeAll(List<UsageRecord> records, boolean replay) throws SQLException {
    long t0 = System.nanoTime();
    try {
      transaction(records);
    } catch (SQLException e) {
      if (!isDataError(e) || records.size() == 1) {
        if (isDataError(e)) {
          dropped.incrementAndGet();
          dropLog.warn(
              "Usage record {} rejected by table {} and dropped: {}",
              records.get(0).id(),
              table,
              e.toString());
          return;
        }
        throw e;
      }
      for (UsageRecord r : records) {
        writeAll(List.of(r), replay);
      }
      return;
    }
    long took = System.nanoTime() - t0;
    batches.incrementAndGet();
    batchNanos.addAndGet(took);
    batchNanosMax.accumulateAndGet(took, Math::max);
    (replay ? replayed : written).addAndGet(records.size());
  }

  private static boolean isDataError(SQLException e) {
    String state = e.getSQLState();
    return state != null && (state.startsWith("22") || state.startsWith("23"));
  }

  private void transaction(List<UsageRecord> records) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      boolean auto = c.getAutoCommit();
      if (auto) {
        c.setAutoCommit(false);
      }
      try {
        if (usePgCopy) {
          try {
            if (PgCopy.copy(c, table, records)) {
              c.commit();
              return;
            }
          } catch (SQLException e) {
            if (!"23505".equals(e.getSQLState())) {
              throw e;
            }
            // A record is already there (a replay): redo the batch with ON CONFLICT DO NOTHING.
            c.rollback();
          }
        }
        if (rowsPerStatement > 1) {
          for (int from = 0; from < records.size(); from += rowsPerStatement) {
            int n = Math.min(rowsPerStatement, records.size() - from);
            try (PreparedStatement ps = c.prepareStatement(multiSql(n))) {
              ps.setQueryTimeout(writeTimeoutSeconds);
              for (int i = 0; i < n; i++) {
                Columns.bind(ps, i * Columns.COUNT, records.get(from + i), dialect);
              }
              ps.executeUpdate();
            }
          }
        } else {
          try (PreparedStatement ps = c.prepareStatement(singleSql)) {
            ps.setQueryTimeout(writeTimeoutSeconds);
            for (UsageRecord r : records) {
              Columns.bind(ps, 0, r, dialect);
              ps.addBatch();
            }
            ps.executeBatch();
          }
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        SchemaManager.rollback(c, e);
        throw e;
      } finally {
        if (auto) {
          try {
            c.setAutoCommit(true);
          } catch (SQLException ignored) {
            // the connection is broken; the pool will discard it
          }
        }
      }
    }
  }

  private String multiSql(int rows) {
    if (rows == rowsPerStatement) {
      String s = fullMultiSql;
      if (s == null) {
        s = Columns.insertSql(dialect, table, rows);
        fullMultiSql = s;
      }
      return s;
    }
    return rows == 1 ? singleSql : Columns.insertSql(dialect, table, rows);
  }
}
