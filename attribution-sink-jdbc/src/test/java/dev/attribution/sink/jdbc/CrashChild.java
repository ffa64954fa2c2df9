package dev.attribution.sink.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.attribution.api.UsageRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The child JVM of {@link PostgresCrashTest}. Mode {@code stream}: exports numbered records in
 * batches of 100 forever, printing {@code exported <n> spooled <s>} after each, until killed. Mode
 * {@code restart}: starts a sink on the same spool, waits until the spool is empty, prints {@code
 * replayed <n>} and shuts down cleanly.
 */
public final class CrashChild {

  private CrashChild() {}

  static UUID idOf(long i) {
    return new UUID(0x7000_0000_0000_7000L, 0x8000_0000_0000_0000L | i);
  }

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    int port = Integer.parseInt(args[1]);
    String table = args[2];
    Path spool = Path.of(args[3]);
    try (HikariDataSource ds = PostgresOutageTest.viaProxy(port)) {
      JdbcUsageSink sink =
          JdbcUsageSink.builder(ds)
              .table(table)
              .spoolDirectory(spool)
              .retry(Duration.ofMillis(100), Duration.ofMillis(500))
              .build();
      if (mode.equals("stream")) {
        Instant t = Instant.parse("2026-05-01T00:00:00Z");
        for (long n = 0; ; ) {
          List<UsageRecord> batch = new ArrayList<>();
          for (int i = 0; i < 100; i++, n++) {
            batch.add(UsageRecord.builder().id(idOf(n)).startedAt(t.plusMillis(n)).build());
          }
          sink.export(batch);
          System.out.println("exported " + n + " spooled " + sink.stats().spooled());
          System.out.flush();
          Thread.sleep(5);
        }
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (sink.stats().spoolBytes() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      System.out.println("replayed " + sink.stats().replayed());
      sink.shutdown();
    }
  }
}
