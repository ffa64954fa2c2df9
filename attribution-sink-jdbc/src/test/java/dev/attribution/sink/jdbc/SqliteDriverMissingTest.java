package dev.attribution.sink.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Driver;
import java.sql.DriverManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteDriverMissingTest {

  @TempDir Path dir;

  @Test
  void sqliteSinkWithoutTheDriverFailsAtBuildNamingTheDependency() throws Exception {
    Path db = dir.resolve("usage.db");
    Driver sqlite = DriverManager.getDriver("jdbc:sqlite:" + db);
    DriverManager.deregisterDriver(sqlite);
    try {
      assertThatThrownBy(
              () -> JdbcUsageSink.sqlite(db).spoolDirectory(dir.resolve("spool")).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("no JDBC driver for jdbc:sqlite:")
          .hasMessageContaining("org.xerial:sqlite-jdbc")
          .message()
          .doesNotContain(db.toString());
    } finally {
      DriverManager.registerDriver(sqlite);
    }
    // Nothing was started: no database file, no spool waiting for a driver that never comes.
    assertThat(Files.exists(dir.resolve("spool"))).isFalse();
    JdbcUsageSink sink = JdbcUsageSink.sqlite(db).spoolDirectory(dir.resolve("spool")).build();
    sink.shutdown();
  }
}
