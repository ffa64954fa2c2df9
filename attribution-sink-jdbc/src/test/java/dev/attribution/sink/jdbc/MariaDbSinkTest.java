package dev.attribution.sink.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;

/** The contract against the real MariaDB on 127.0.0.1:3306. */
class MariaDbSinkTest extends JdbcSinkContractTest {

  static final HikariDataSource DS =
      PostgresSinkTest.pool("jdbc:mariadb://127.0.0.1:3306/test", "root");

  @Override
  DataSource dataSource() {
    return DS;
  }

  @Override
  SqlDialect expectedDialect() {
    return SqlDialect.MYSQL;
  }
}
