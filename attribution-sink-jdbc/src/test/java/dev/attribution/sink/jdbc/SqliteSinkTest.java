package dev.attribution.sink.jdbc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;

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
}
