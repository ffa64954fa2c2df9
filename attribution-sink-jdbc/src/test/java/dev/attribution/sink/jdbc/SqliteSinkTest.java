package dev.attribution.sink.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.sink.jdbc.internal.Rollups;
import dev.attribution.testing.UsageRecords;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The contract against a SQLite file, through the unpooled embedded-default data source. */
class SqliteSinkTest extends JdbcSinkContractTest {

  static final DataSource DS;

  static {
    try {
      Path f = Files.createTempFile("usage", ".sqlite");
      f.toFile().deleteOnExit();
      DS = new DriverManagerDataSource("jdbc:sqlite:" + f + "?busy_timeout=10000");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  DataSource dataSource() {
    return DS;
  }

  @Override
  SqlDialect expectedDialect() {
    return SqlDialect.SQLITE;
  }

  /** How many rollup amounts SQLite holds as REAL (an integer sum that overflowed), not INTEGER. */
  private long realAmounts() throws Exception {
    try (Connection c = DS.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT COUNT(*) FROM "
                    + table
                    + Rollups.DAILY
                    + " WHERE typeof(cost_total) = 'real' OR typeof(charge_total) = 'real'"
                    + " OR typeof(cost_output) = 'real'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * SQLite keeps amounts as integer billionths; a rollup sum past 2^63 billionths (9.2e9 units of a
   * day and key, e.g. ten calls of 999,999,999.999999999) must not turn silently into an inexact
   * REAL, which the review would sum where the calls' own SUM fails with "integer overflow".
   */
  @Test
  void aRollupSumBeyondALongIsNeverKeptAsAnInexactReal() throws Exception {
    JdbcUsageSink sink = track(builder(DS).build());
    Instant at = Instant.parse("2026-03-02T10:00:00Z");
    for (int i = 0; i < 12; i++) {
      sink.export(List.of(UsageRecords.moneyExtremes(at.plusSeconds(i))));
    }
    sink.flush();
    assertThat(rowCount()).as("every call kept").isEqualTo(12);
    assertThat(realAmounts()).as("rollup amounts held as REAL").isZero();
  }

  /**
   * A version-4 table whose rows of one day and key sum beyond a long: the version-5 migration's
   * fill cannot hold them, but the sink must still start and write (the rollups are derived data).
   */
  @Test
  void aVersion4TableWhoseDaySumsExceedALongStillMigrates() throws Exception {
    Instant at = Instant.parse("2026-03-02T10:00:00Z");
    JdbcUsageSink first = track(builder(DS).build());
    for (int i = 0; i < 12; i++) {
      first.export(List.of(UsageRecords.moneyExtremes(at.plusSeconds(i))));
    }
    first.flush();
    try (Connection c = DS.getConnection();
        Statement s = c.createStatement()) {
      for (String suffix :
          List.of(Rollups.DAILY, Rollups.DAILY_THREAD, Rollups.DAILY_USER, Rollups.DAILY_ZONE)) {
        s.execute("DROP TABLE " + table + suffix);
      }
      s.execute("DELETE FROM " + table + "_schema_version WHERE version = 5");
    }
    JdbcUsageSink next = track(builder(DS).build());
    next.export(List.of(UsageRecords.moneyExtremes(at.plusSeconds(100))));
    next.flush();
    assertThat(rowCount()).as("the new sink's call written, not spooled").isEqualTo(13);
  }
}
