package dev.attribution.sink.jdbc;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** Spool tests over a SQLite file in a temporary directory; sinks are shut down after each. */
abstract class SqliteSpoolTest {

  @TempDir Path tmp;

  final List<JdbcUsageSink> sinks = new ArrayList<>();

  @AfterEach
  void shutdownSinks() {
    for (JdbcUsageSink s : sinks) {
      s.shutdown();
    }
    sinks.clear();
  }

  DataSource sqlite() {
    return new DriverManagerDataSource("jdbc:sqlite:" + tmp.resolve("usage.sqlite"));
  }

  JdbcUsageSink track(JdbcUsageSink s) {
    sinks.add(s);
    return s;
  }
}
