package dev.attribution.report;

import dev.attribution.sink.jdbc.internal.Rollups;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;

/** The four databases the sink writes, as the tests reach them. */
final class Databases {
  private Databases() {}

  /** What a test does with a filled table. */
  interface Body {
    void run(String url, String table) throws Exception;
  }

  /** SQLite in {@code dir}, H2 in memory, PostgreSQL and MariaDB on localhost. */
  static String url(String dialect, Path dir) {
    switch (dialect) {
      case "sqlite":
        return "jdbc:sqlite:" + dir.resolve("usage.db");
      case "h2":
        return "jdbc:h2:mem:t" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
      case "postgresql":
        return "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
      default:
        return "jdbc:mariadb://127.0.0.1:3306/test?user=root";
    }
  }

  /**
   * Creates a fresh usage table from the sink's DDL on {@code dialect}, writes {@code calls}, runs
   * {@code body} and drops the table; aborts the test when the database is not reachable.
   */
  static void withTable(String dialect, Path dir, List<UsageRows.Call> calls, Body body)
      throws Exception {
    String url = url(dialect, dir);
    String table = "t_" + Long.toHexString(System.nanoTime()).toLowerCase(Locale.ROOT);
    Connection c;
    try {
      c = DriverManager.getConnection(url);
    } catch (SQLException e) {
      Assumptions.abort("no database at " + url + ": " + e.getMessage());
      return;
    }
    try (c) {
      UsageRows.createTable(c, dialect, table);
      try {
        UsageRows.insert(c, table, calls);
        body.run(url, table);
      } finally {
        try (Statement s = c.createStatement()) {
          s.execute("DROP TABLE " + table);
          for (String suffix :
              List.of(
                  "_schema_version",
                  Rollups.DAILY,
                  Rollups.DAILY_THREAD,
                  Rollups.DAILY_USER,
                  Rollups.DAILY_ZONE)) {
            s.execute("DROP TABLE IF EXISTS " + table + suffix);
          }
        }
      }
    }
  }
}
