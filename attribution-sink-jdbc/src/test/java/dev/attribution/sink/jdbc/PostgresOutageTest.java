package dev.attribution.sink.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.attribution.api.UsageRecord;
import dev.attribution.core.internal.pipeline.RecordPipeline;
import dev.attribution.testing.UsageRecords;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sink behind a TCP proxy to the real PostgreSQL, with the link cut mid-stream. */
class PostgresOutageTest {

  @TempDir Path spoolDir;

  static HikariDataSource viaProxy(int port) {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + port + "/test?socketTimeout=10&connectTimeout=2");
    c.setUsername("postgres");
    c.setMaximumPoolSize(4);
    c.setConnectionTimeout(1000);
    return new HikariDataSource(c);
  }

  @Test
  void everyRecordLandsExactlyOnceAcrossATenSecondOutage() throws Exception {
    String table = "outage_" + Long.toHexString(System.nanoTime());
    List<UsageRecord> records = UsageRecords.many(20_000, 42);
    try (TcpProxy proxy = new TcpProxy(5432);
        HikariDataSource ds = viaProxy(proxy.port())) {
      JdbcUsageSink sink =
          JdbcUsageSink.builder(ds)
              .table(table)
              .spoolDirectory(spoolDir)
              .retry(Duration.ofMillis(100), Duration.ofSeconds(1))
              .build();
      RecordPipeline pipeline =
          RecordPipeline.builder()
              .addSink(sink)
              .batchSize(500)
              .linger(Duration.ofMillis(50))
              .build();
      long t0 = System.nanoTime();
      boolean cutDone = false;
      boolean restored = false;
      // 20,000 records over about 16 s; the link is down from 3 s to 13 s.
      for (int i = 0; i < records.size(); i++) {
        pipeline.submit(records.get(i));
        if (i % 100 == 99) {
          long due = t0 + (i + 1) * 800_000L; // 1,250 records per second
          long now = System.nanoTime();
          if (due > now) {
            Thread.sleep((due - now) / 1_000_000);
          }
          double secs = (System.nanoTime() - t0) / 1e9;
          if (!cutDone && secs >= 3) {
            proxy.cut();
            cutDone = true;
          } else if (cutDone && !restored && secs >= 13) {
            proxy.restore();
            restored = true;
          }
        }
      }
      assertThat(cutDone && restored).isTrue();
      pipeline.close(Duration.ofSeconds(60));

      JdbcSinkStats stats = sink.stats();
      assertThat(stats.spooled()).as("records spooled during the outage").isPositive();
      assertThat(stats.replayed()).isPositive();
      assertThat(stats.dropped()).isZero();
      assertThat(stats.spoolBytes()).isZero();
      assertThat(pipeline.stats().dropped()).isZero();
    }
    try (Connection c = PostgresSinkTest.DS.getConnection();
        Statement s = c.createStatement()) {
      Set<UUID> ids = new HashSet<>();
      try (ResultSet rs = s.executeQuery("SELECT id FROM " + table)) {
        while (rs.next()) {
          assertThat(ids.add(rs.getObject(1, UUID.class))).isTrue();
        }
      }
      Set<UUID> expected = new HashSet<>();
      records.forEach(r -> expected.add(r.id()));
      assertThat(ids).hasSize(20_000).isEqualTo(expected);
      s.execute("DROP TABLE " + table);
      s.execute("DROP TABLE " + table + "_schema_version");
    }
  }
}
