package dev.attribution.sink.jdbc;

import dev.attribution.api.UsageRecord;
import dev.attribution.api.internal.RateLimitedLogger;
import dev.attribution.sink.jdbc.internal.Rollups;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
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

  /** Batches written without their rollup update (see {@link #transaction(List)}). */
  final AtomicLong rollupFailures = new AtomicLong();

  // Whether the table has daily rollups (schema version 5): true once a batch found them (they are
  // never dropped by the sink); until then every batch looks, since another instance or a DBA can
  // create them while this sink runs (one metadata query a batch, on tables without them only).
  private volatile boolean rollupsExist;
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
    try {
      transaction(records, true);
    } catch (RollupException e) {
      // The rollups are derived data: keep the calls, leave the rollups short (the review notices
      // and sums the calls instead) and say so.
      rollupFailures.incrementAndGet();
      dropLog.warn(
          "Daily rollups of table {} not updated for {} records ({}); the weekly review reads the"
              + " usage rows until they are rebuilt",
          table,
          records.size(),
          e.getCause().toString());
      transaction(records, false);
    }
  }

  private void transaction(List<UsageRecord> records, boolean withRollups) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      boolean known = rollupsExist;
      if (!known) {
        known = Rollups.exist(c, table);
        rollupsExist = known;
      }
      boolean rollups = withRollups && known;
      boolean auto = c.getAutoCommit();
      if (auto) {
        c.setAutoCommit(false);
      }
      try {
        if (usePgCopy) {
          try {
            if (PgCopy.copy(c, table, records)) {
              if (rollups) {
                addToRollups(c, records);
              }
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
        // SQLite reports each row's insert (0 for a record already there), and must not read
        // before it writes (a read lock cannot wait to become a write lock); elsewhere look first.
        boolean countsPerRow = dialect == SqlDialect.SQLITE && rowsPerStatement == 1;
        // MySQL's and H2's insert counts cannot tell a row this transaction inserted from one
        // another transaction stored between our look and our insert: writers of the table take
        // turns on the zone row, taken before looking, so the look sees every committed record.
        boolean zoneFirst = rollups && !reportsInsertedRows();
        ZoneId zone = null;
        if (zoneFirst) {
          try {
            zone = Rollups.zoneForWriting(c, dialect, table, writeTimeoutSeconds, true);
          } catch (SQLException e) {
            throw rollupFailure(e);
          } catch (RuntimeException e) {
            throw new RollupException(e); // e.g. a zone the database holds that Java does not know
          }
        }
        List<UsageRecord> fresh =
            rollups && !countsPerRow ? notYetStored(c, records) : new ArrayList<>(records.size());
        // Where the look found which records are new, insert only those (first copy of a record
        // twice in the batch): H2's MERGE would otherwise overwrite a stored row with a later copy
        // the rollups do not count.
        List<UsageRecord> toInsert = rollups && !countsPerRow ? fresh : records;
        long inserted = 0;
        if (toInsert.isEmpty()) {
          // every record is stored already
        } else if (rowsPerStatement > 1) {
          for (int from = 0; from < toInsert.size(); from += rowsPerStatement) {
            int n = Math.min(rowsPerStatement, toInsert.size() - from);
            try (PreparedStatement ps = c.prepareStatement(multiSql(n))) {
              ps.setQueryTimeout(writeTimeoutSeconds);
              for (int i = 0; i < n; i++) {
                Columns.bind(ps, i * Columns.COUNT, toInsert.get(from + i), dialect);
              }
              inserted += ps.executeUpdate();
            }
          }
        } else {
          try (PreparedStatement ps = c.prepareStatement(singleSql)) {
            ps.setQueryTimeout(writeTimeoutSeconds);
            if (rollups && dialect == SqlDialect.POSTGRESQL) {
              // pgJDBC's reWriteBatchedInserts reports a batch's rows as SUCCESS_NO_INFO (-2),
              // which the check below would take for rows stored concurrently: one by one.
              for (UsageRecord r : toInsert) {
                Columns.bind(ps, 0, r, dialect);
                inserted += ps.executeUpdate();
              }
            } else {
              for (UsageRecord r : toInsert) {
                Columns.bind(ps, 0, r, dialect);
                ps.addBatch();
              }
              int[] counts = ps.executeBatch();
              for (int i = 0; i < counts.length; i++) {
                inserted += Math.max(0, counts[i]);
                if (countsPerRow && counts[i] > 0) {
                  fresh.add(toInsert.get(i));
                }
              }
            }
          }
        }
        if (rollups) {
          if (reportsInsertedRows() && inserted != fresh.size()) {
            // Another transaction stored one of these records between our look and our insert:
            // which one is unknown here, so let the batch be retried (it then finds it stored).
            throw new SQLException(
                "a record of this batch was stored concurrently; retrying the batch", "40001");
          }
          if (zoneFirst) {
            addToRollups(c, fresh, zone);
          } else {
            addToRollups(c, fresh);
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

  /**
   * Whether the dialect's insert counts only the rows it inserted (PostgreSQL's and SQLite's {@code
   * ON CONFLICT DO NOTHING}; MySQL counts a found duplicate, H2's MERGE updates it).
   */
  private boolean reportsInsertedRows() {
    return dialect == SqlDialect.POSTGRESQL || dialect == SqlDialect.SQLITE;
  }

  /** The records of {@code records} the table does not hold yet, seen in this transaction. */
  private List<UsageRecord> notYetStored(Connection c, List<UsageRecord> records)
      throws SQLException {
    java.util.Set<UUID> stored = new java.util.HashSet<>();
    int per = 500;
    for (int from = 0; from < records.size(); from += per) {
      int n = Math.min(per, records.size() - from);
      StringBuilder sql =
          new StringBuilder("SELECT id FROM ").append(table).append(" WHERE id IN (");
      for (int i = 0; i < n; i++) {
        sql.append(i == 0 ? "" : ", ").append(dialect.idPlaceholder());
      }
      try (PreparedStatement ps = c.prepareStatement(sql.append(')').toString())) {
        ps.setQueryTimeout(writeTimeoutSeconds);
        for (int i = 0; i < n; i++) {
          dialect.bindId(ps, i + 1, records.get(from + i).id());
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            stored.add(dialect.readId(rs, "id"));
          }
        }
      }
    }
    // A record twice in one batch is inserted once: keep its first copy.
    List<UsageRecord> fresh = new ArrayList<>(records.size() - stored.size());
    for (UsageRecord r : records) {
      if (stored.add(r.id())) {
        fresh.add(r);
      }
    }
    return fresh;
  }

  /**
   * Adds {@code inserted} to the daily rollups in this transaction. A failure that is not the
   * connection's or the transaction's (those retry the batch as any write failure does) becomes a
   * {@link RollupException}, so the calls are written without it.
   */
  private void addToRollups(Connection c, List<UsageRecord> inserted) throws SQLException {
    ZoneId zone;
    try {
      zone = Rollups.zoneForWriting(c, dialect, table, writeTimeoutSeconds, false);
    } catch (SQLException e) {
      throw rollupFailure(e);
    } catch (RuntimeException e) {
      throw new RollupException(e);
    }
    addToRollups(c, inserted, zone);
  }

  /** Adds {@code inserted} to the rollups in {@code zone} (none when null), as above. */
  private void addToRollups(Connection c, List<UsageRecord> inserted, @Nullable ZoneId zone)
      throws SQLException {
    try {
      if (zone == null || inserted.isEmpty()) {
        return;
      }
      Rollups.Batch batch = new Rollups.Batch(zone);
      for (UsageRecord r : inserted) {
        batch.add(Columns.rollupCall(r));
      }
      batch.write(c, dialect, table);
    } catch (SQLException e) {
      throw rollupFailure(e);
    } catch (RuntimeException e) {
      throw new RollupException(e);
    }
  }

  /**
   * {@code e} itself when retrying the batch may cure it (the connection's or the transaction's
   * failure: a lost connection, a deadlock, a lock wait or statement timeout, e.g. behind a rebuild
   * holding the zone row), else a {@link RollupException}.
   */
  private SQLException rollupFailure(SQLException e) {
    String state = e.getSQLState();
    if (e instanceof java.sql.SQLTransientException
        || e instanceof java.sql.SQLRecoverableException
        || (state != null
            && (state.startsWith("08")
                || state.startsWith("40")
                || state.startsWith("57")
                || state.equals("HYT00")
                || state.equals("70100")))
        || (dialect == SqlDialect.MYSQL && e.getErrorCode() == 1205)) {
      return e;
    }
    return new RollupException(e);
  }

  /** A rollup update failed for a reason retrying the batch would not cure. */
  private static final class RollupException extends SQLException {
    private static final long serialVersionUID = 1L;

    RollupException(Exception cause) {
      super(cause.toString(), cause);
    }
  }

  /** Forgets whether the rollups exist, after the schema changed. */
  void schemaChanged() {
    rollupsExist = false;
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
