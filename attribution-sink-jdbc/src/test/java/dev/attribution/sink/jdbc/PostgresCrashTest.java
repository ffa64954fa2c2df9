package dev.attribution.sink.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A JVM killed while its database link is cut loses nothing: the next start replays its spool. */
class PostgresCrashTest {

  @TempDir Path spoolDir;

  private Process child(String mode, int port, String table) throws Exception {
    ProcessBuilder pb =
        ChildJvm.of(CrashChild.class, mode, String.valueOf(port), table, spoolDir.toString());
    pb.redirectError(new File(spoolDir.toFile().getParentFile(), "child-" + mode + ".err"));
    return pb.start();
  }

  @Test
  void spoolOfAKilledProcessIsReplayedOnRestart() throws Exception {
    String table = "crash_" + Long.toHexString(System.nanoTime());
    long lastExported = -1;
    long spooledAtKill = 0;
    try (TcpProxy proxy = new TcpProxy(5432)) {
      Process p = child("stream", proxy.port(), table);
      BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line;
      boolean cut = false;
      while ((line = out.readLine()) != null) {
        String[] f = line.split(" ");
        if (!f[0].equals("exported")) {
          continue;
        }
        lastExported = Long.parseLong(f[1]);
        spooledAtKill = Long.parseLong(f[3]);
        if (!cut && lastExported >= 2000) {
          proxy.cut(); // database unreachable from here on: records go to the spool
          cut = true;
        }
        if (cut && spooledAtKill >= 3000) {
          p.destroyForcibly(); // SIGKILL mid-stream: no shutdown hook, no drain
          break;
        }
      }
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(spooledAtKill).isGreaterThanOrEqualTo(3000);
      assertThat(countRows(table)).isLessThan(lastExported);

      proxy.restore();
      Process again = child("restart", proxy.port(), table);
      List<String> lines = new ArrayList<>();
      try (BufferedReader r =
          new BufferedReader(
              new InputStreamReader(again.getInputStream(), StandardCharsets.UTF_8))) {
        String l;
        while ((l = r.readLine()) != null) {
          lines.add(l);
        }
      }
      assertThat(again.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(again.exitValue()).isZero();
      assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("replayed "));
      long replayed =
          Long.parseLong(
              lines.stream().filter(l -> l.startsWith("replayed ")).findFirst().get().substring(9));
      assertThat(replayed).isGreaterThanOrEqualTo(spooledAtKill);
    }
    // Every record reported exported before the kill is in the table, once.
    try (Connection c = PostgresSinkTest.DS.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT COUNT(*), COUNT(DISTINCT id) FROM " + table + " WHERE id = ANY (?)")) {
      Object[] ids = new Object[(int) lastExported];
      for (int i = 0; i < lastExported; i++) {
        ids[i] = CrashChild.idOf(i);
      }
      ps.setArray(1, c.createArrayOf("uuid", ids));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(lastExported);
        assertThat(rs.getLong(2)).isEqualTo(lastExported);
      }
      try (Statement s = c.createStatement()) {
        s.execute("DROP TABLE " + table);
        s.execute("DROP TABLE " + table + "_schema_version");
      }
    }
  }

  private static long countRows(String table) throws Exception {
    try (Connection c = PostgresSinkTest.DS.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
