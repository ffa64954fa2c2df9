package dev.attribution.sink.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;

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
}
