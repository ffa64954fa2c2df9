package dev.attribution.sink.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attribution.api.OverflowSpool;
import dev.attribution.testing.UsageRecords;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Where the spool lives and who may use it: owner-only files, one sink per directory (a second one
 * runs without a spool instead of failing the application's start), and a default directory outside
 * the working directory.
 */
class SpoolDirectoryTest extends SqliteSpoolTest {

  private JdbcUsageSink.Builder builder(DataSource ds, Path spool) {
    return JdbcUsageSink.builder(ds)
        .dialect(SqlDialect.SQLITE)
        .table("spool_dir")
        .spoolDirectory(spool)
        .retry(Duration.ofMillis(50), Duration.ofMillis(200));
  }

  private static String perms(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void spoolFilesAreReadableByTheOwnerOnly() throws Exception {
    FlakyDataSource flaky = new FlakyDataSource(sqlite());
    flaky.down.set(true);
    Path dir = tmp.resolve("state").resolve("spool");
    JdbcUsageSink sink = track(builder(flaky, dir).build());
    sink.export(UsageRecords.many(3, 1));
    assertThat(sink.stats().spooled()).isEqualTo(3);

    assertThat(perms(dir)).isEqualTo("rwx------");
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.toList();
    }
    assertThat(files).extracting(p -> p.getFileName().toString()).contains(FileSpool.LOCK_FILE);
    assertThat(files).hasSizeGreaterThanOrEqualTo(2);
    for (Path f : files) {
      assertThat(perms(f)).as(f.toString()).isEqualTo("rw-------");
    }
  }

  @Test
  void existingSpoolDirectoryAndFilesAreNarrowedToTheOwner() throws Exception {
    Path dir = tmp.resolve("spool");
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    FlakyDataSource flaky = new FlakyDataSource(sqlite());
    flaky.down.set(true);
    JdbcUsageSink first = builder(flaky, dir).build();
    first.export(UsageRecords.many(2, 2));
    first.shutdown(); // database down: the segment stays
    try (Stream<Path> s = Files.list(dir)) {
      for (Path f : s.toList()) {
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
      }
    }

    track(builder(flaky, dir).build());
    assertThat(perms(dir)).isEqualTo("rwx------");
    try (Stream<Path> s = Files.list(dir)) {
      for (Path f : s.toList()) {
        assertThat(perms(f)).as(f.toString()).isEqualTo("rw-------");
      }
    }
  }

  @Test
  void secondSinkOnTheSameDirectoryRunsWithoutSpoolInsteadOfFailingTheStart() throws Exception {
    FlakyDataSource flaky = new FlakyDataSource(sqlite());
    Path dir = tmp.resolve("spool");
    JdbcUsageSink first = track(builder(flaky, dir).build());
    JdbcUsageSink second = track(builder(flaky, dir).build());

    assertThat(first.spoolDirectory()).isEqualTo(dir.toRealPath());
    assertThat(second.spoolDirectory()).isNull();
    assertThat(second.spoolUnavailableReason())
        .contains(dir.toRealPath().toString())
        .contains("pid " + ProcessHandle.current().pid());

    flaky.down.set(true);
    second.export(UsageRecords.many(5, 3));
    assertThat(second.stats().dropped()).isEqualTo(5);
    first.export(UsageRecords.many(5, 4));
    assertThat(first.stats().spooled()).isEqualTo(5);
    assertThat(first.stats().dropped()).isZero();

    // The pipeline's overflow of the spool-less sink refuses records (counted) but builds.
    OverflowSpool overflow = second.overflowSpool();
    assertThatThrownBy(() -> overflow.append(UsageRecords.full(9, new java.util.Random(9))))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not in use");
    assertThat(second.stats().dropped()).isEqualTo(6);
  }

  private Process child(Path dir) throws IOException {
    ProcessBuilder pb =
        ChildJvm.of(SpoolLockChild.class, dir.toString(), tmp.resolve("child.sqlite").toString());
    pb.redirectError(new File(tmp.toFile(), "child.err"));
    return pb.start();
  }

  private static String firstLine(Process p) throws IOException {
    BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = r.readLine();
    assertThat(line).as("child output").isNotNull();
    return line;
  }

  private static void stop(Process p) throws Exception {
    p.getOutputStream().close();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
  }

  @Test
  void sinkInAnotherProcessOnTheSameDirectoryRunsWithoutSpoolAndNamesTheHolder() throws Exception {
    Path dir = tmp.resolve("spool");
    Process holder = child(dir);
    try {
      assertThat(firstLine(holder)).startsWith("spool ");

      FlakyDataSource flaky = new FlakyDataSource(sqlite());
      JdbcUsageSink sink = track(builder(flaky, dir).build());
      assertThat(sink.spoolDirectory()).isNull();
      assertThat(sink.spoolUnavailableReason()).contains("process " + holder.pid());
      flaky.down.set(true);
      sink.export(UsageRecords.many(4, 5));
      assertThat(sink.stats().dropped()).isEqualTo(4);
    } finally {
      stop(holder);
    }
  }

  @Test
  void refusedSecondSinkDoesNotReleaseTheFirstOnesLock() throws Exception {
    Path dir = tmp.resolve("spool");
    JdbcUsageSink first = track(builder(sqlite(), dir).build());
    JdbcUsageSink refused = builder(sqlite(), dir).build();
    refused.shutdown();
    assertThat(first.spoolDirectory()).isNotNull();

    Process other = child(dir);
    try {
      assertThat(firstLine(other))
          .startsWith("nospool ")
          .contains("process " + ProcessHandle.current().pid());
    } finally {
      stop(other);
    }
  }

  @Test
  void defaultSpoolDirectoryIsUnderTheHomeDirectoryNotTheWorkingDirectory() throws Exception {
    Path home = tmp.resolve("home");
    Files.createDirectories(home);
    String table = "t_default_" + ProcessHandle.current().pid();
    String before = System.getProperty("user.home");
    try {
      System.setProperty("user.home", home.toString());
      JdbcUsageSink sink =
          track(JdbcUsageSink.sqlite(tmp.resolve("default.sqlite")).table(table).build());
      Path dir = sink.spoolDirectory();
      assertThat(dir).isNotNull();
      assertThat(dir.getParent()).isEqualTo(home.resolve(".attribution/spool").toRealPath());
      assertThat(dir.getFileName().toString()).startsWith(table + "-");
      assertThat(dir.startsWith(Path.of(System.getProperty("user.dir")).toAbsolutePath()))
          .isFalse();
    } finally {
      System.setProperty("user.home", before);
    }
    assertThat(Path.of(System.getProperty("user.dir"), "attribution-spool", table)).doesNotExist();
  }

  @Test
  void unusableDefaultSpoolDirectoryLeavesTheSinkWithoutSpoolInsteadOfFailing() throws Exception {
    Path notADirectory = Files.writeString(tmp.resolve("home-is-a-file"), "x");
    String before = System.getProperty("user.home");
    try {
      System.setProperty("user.home", notADirectory.toString());
      JdbcUsageSink sink = track(JdbcUsageSink.sqlite(tmp.resolve("default.sqlite")).build());
      assertThat(sink.spoolDirectory()).isNull();
      assertThat(sink.spoolUnavailableReason()).contains("default spool directory");
    } finally {
      System.setProperty("user.home", before);
    }
  }
}
