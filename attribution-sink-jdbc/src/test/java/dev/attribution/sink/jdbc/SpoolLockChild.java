package dev.attribution.sink.jdbc;

import java.io.InputStream;
import java.nio.file.Path;

/**
 * The child JVM of {@link SpoolDirectoryTest}: starts a SQLite-backed sink on the spool directory
 * {@code args[0]} (database file {@code args[1]}), prints {@code spool <dir>} or {@code nospool
 * <reason>} and its pid, keeps the sink running until its standard input closes, then shuts down.
 */
public final class SpoolLockChild {

  private SpoolLockChild() {}

  public static void main(String[] args) throws Exception {
    JdbcUsageSink sink =
        JdbcUsageSink.builder(new DriverManagerDataSource("jdbc:sqlite:" + args[1]))
            .dialect(SqlDialect.SQLITE)
            .table("lock_child")
            .spoolDirectory(Path.of(args[0]))
            .build();
    Path dir = sink.spoolDirectory();
    System.out.println(
        (dir != null ? "spool " + dir : "nospool " + sink.spoolUnavailableReason())
            + " pid "
            + ProcessHandle.current().pid());
    System.out.flush();
    InputStream in = System.in;
    while (in.read() >= 0) {
      // wait for the parent to close our input
    }
    sink.shutdown();
  }
}
