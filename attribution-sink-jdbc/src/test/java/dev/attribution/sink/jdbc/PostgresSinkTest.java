package dev.attribution.sink.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.attribution.api.UsageRecord;
import dev.attribution.testing.UsageRecords;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The contract against the real PostgreSQL on 127.0.0.1:5432. */
class PostgresSinkTest extends JdbcSinkContractTest {

  static final HikariDataSource DS = pool("jdbc:postgresql://127.0.0.1:5432/test", "postgres");

  static HikariDataSource pool(String url, String user) {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(url);
    c.setUsername(user);
    c.setMaximumPoolSize(8);
    c.setConnectionTimeout(5000);
    return new HikariDataSource(c);
  }

  @AfterAll
  static void close() {}

  @Override
  DataSource dataSource() {
    return DS;
  }

  @Override
  SqlDialect expectedDialect() {
    return SqlDialect.POSTGRESQL;
  }

  /**
   * With {@code reWriteBatchedInserts=true} (a common pgJDBC tuning) the driver reports each row of
   * a JDBC batch as SUCCESS_NO_INFO (-2): the rollup check's count of inserted rows is then 0, so a
   * batch on the JDBC-batch path (replayBatchSize 1, so one row per statement) must not be failed
   * as "stored concurrently" for ever.
   */
  @Test
  void aRewrittenJdbcBatchIsNotMistakenForAConcurrentWriter() throws Exception {
    try (com.zaxxer.hikari.HikariDataSource rewriting =
        pool("jdbc:postgresql://127.0.0.1:5432/test?reWriteBatchedInserts=true", "postgres")) {
      JdbcUsageSink sink = track(builder(rewriting).replayBatchSize(1).postgresCopy(false).build());
      List<UsageRecord> records = UsageRecords.many(10, 4);
      sink.export(records);
      sink.flush();
      assertThat(rowCount()).isEqualTo(records.size());
      sink.shutdown();
    }
  }
}
