package dev.attribution.sink.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;

/** The contract against an in-memory H2 database. */
class H2SinkTest extends JdbcSinkContractTest {

  static final HikariDataSource DS =
      PostgresSinkTest.pool("jdbc:h2:mem:usage;DB_CLOSE_DELAY=-1", "sa");

  @Override
  DataSource dataSource() {
    return DS;
  }

  @Override
  SqlDialect expectedDialect() {
    return SqlDialect.H2;
  }
}
