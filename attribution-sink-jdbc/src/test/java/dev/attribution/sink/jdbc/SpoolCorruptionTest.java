package dev.attribution.sink.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.attribution.api.OverflowSpool;
import dev.attribution.api.UsageRecord;
import dev.attribution.testing.UsageRecords;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A damaged spool costs only the damaged line: a flipped byte, a line torn by a crash, a write cut
 * short by a full disk. Everything else replays, exactly once.
 */
class SpoolCorruptionTest extends SqliteSpoolTest {

  private static final String TABLE = "spool_corrupt";

  private JdbcUsageSink start(DataSource ds, Path spool) {
    return track(
        JdbcUsageSink.builder(ds)
            .dialect(SqlDialect.SQLITE)
            .table(TABLE)
            .spoolDirectory(spool)
            .retry(Duration.ofMillis(50), Duration.ofMillis(200))
            .build());
  }

  private Set<String> idsInTable() throws Exception {
    Set<String> ids = new HashSet<>();
    try (Connection c = sqlite().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id FROM " + TABLE)) {
      while (rs.next()) {
        assertThat(ids.add(rs.getString(1))).as("each id once").isTrue();
      }
    }
    return ids;
  }

  private static Set<String> ids(List<UsageRecord> records) {
    Set<String> out = new HashSet<>();
    for (UsageRecord r : records) {
      out.add(r.id().toString());
    }
    return out;
  }

  /** Segment files of {@code dir}, oldest first. */
  private static List<Path> segments(Path dir) throws IOException {
    TreeMap<String, Path> m = new TreeMap<>();
    try (var s = Files.list(dir)) {
      s.filter(p -> p.getFileName().toString().startsWith(FileSpool.PREFIX))
          .forEach(p -> m.put(p.getFileName().toString(), p));
    }
    return new ArrayList<>(m.values());
  }

  /** Spools {@code records} one append each into 8 KiB segments; returns the segments. */
  private static List<Path> spoolInSmallSegments(Path dir, List<UsageRecord> records)
      throws IOException {
    try (FileSpool spool = new FileSpool(dir, 1L << 30, 8 * 1024, false)) {
      for (UsageRecord r : records) {
        spool.append(List.of(r));
      }
    }
    return segments(dir);
  }

  private static int lines(byte[] bytes) {
    int n = 0;
    for (byte b : bytes) {
      n += b == '\n' ? 1 : 0;
    }
    return n;
  }

  /** Offset of the first byte of line {@code index} (0-based) in {@code bytes}. */
  private static int lineStart(byte[] bytes, int index) {
    int at = 0;
    for (int i = 0; i < index; i++) {
      while (bytes[at] != '\n') {
        at++;
      }
      at++;
    }
    return at;
  }

  @Test
  void oneInvalidByteCostsOnlyItsLineAndEveryLaterSegmentStillReplays() throws Exception {
    Path dir = tmp.resolve("spool");
    List<UsageRecord> records = UsageRecords.many(40, 21);
    List<Path> segs = spoolInSmallSegments(dir, records);
    assertThat(segs).hasSizeGreaterThan(2);
    byte[] first = Files.readAllBytes(segs.get(0));
    assertThat(lines(first)).isGreaterThan(2);
    first[lineStart(first, 1) + 20] = (byte) 0xFF; // never valid in UTF-8
    Files.write(segs.get(0), first);

    JdbcUsageSink sink = start(sqlite(), dir);
    JdbcSinkContractTest.awaitReplayed(sink, records.size() - 1);

    List<UsageRecord> expected = new ArrayList<>(records);
    expected.remove(1);
    assertThat(idsInTable()).isEqualTo(ids(expected));
    assertThat(sink.stats().spoolCorruptLines()).isEqualTo(1);
    assertThat(sink.stats().dropped()).isEqualTo(1);
    assertThat(sink.stats().spoolBytes()).isZero();
  }

  @Test
  void segmentThatCannotBeReadAtAllDoesNotHoldBackLaterSegments() throws Exception {
    Path dir = tmp.resolve("spool");
    List<UsageRecord> records = UsageRecords.many(20, 26);
    List<Path> segs = spoolInSmallSegments(dir, records);
    assertThat(segs).hasSizeGreaterThan(1);
    int inFirst = lines(Files.readAllBytes(segs.get(0)));
    // Opening it works, reading fails (EISDIR): like a file the disk can no longer return.
    Files.delete(segs.get(0));
    Files.createDirectory(segs.get(0));

    JdbcUsageSink sink = start(sqlite(), dir);
    JdbcSinkContractTest.awaitReplayed(sink, records.size() - inFirst);
    assertThat(idsInTable()).isEqualTo(ids(records.subList(inFirst, records.size())));
    assertThat(segs.get(0)).isDirectory();
    assertThat(sink.stats().spoolCorruptLines()).isZero();
  }

  @Test
  void spoolLeftByAVersionWithoutLineChecksumsStillReplays() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("spool"));
    List<UsageRecord> records = UsageRecords.many(5, 27);
    StringBuilder plain = new StringBuilder();
    for (UsageRecord r : records) {
      plain.append(RecordJson.toJson(r)).append('\n');
    }
    Files.writeString(dir.resolve("usage-00000000000000000007.jsonl"), plain);

    JdbcUsageSink sink = start(sqlite(), dir);
    JdbcSinkContractTest.awaitReplayed(sink, 5);
    assertThat(idsInTable()).isEqualTo(ids(records));
    assertThat(sink.stats().spoolCorruptLines()).isZero();
  }

  @Test
  void overflowFromManyThreadsDuringFlappingOutagesLosesNothing() throws Exception {
    FlakyDataSource flaky = new FlakyDataSource(sqlite());
    JdbcUsageSink sink = start(flaky, tmp.resolve("spool"));
    OverflowSpool overflow = sink.overflowSpool();
    List<UsageRecord> records = UsageRecords.many(2400, 28);
    int threads = 4;
    int perThread = 400; // the first 1600 go through the overflow, the rest through export()
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        List<UsageRecord> mine = records.subList(t * perThread, (t + 1) * perThread);
        done.add(
            pool.submit(
                () -> {
                  for (UsageRecord r : mine) {
                    overflow.append(r);
                  }
                  return null;
                }));
      }
      for (int i = threads * perThread; i < records.size(); i += 50) {
        flaky.down.set((i / 50) % 2 == 0);
        sink.export(records.subList(i, i + 50));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    flaky.down.set(false);
    sink.flush();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (sink.stats().spoolBytes() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(idsInTable()).isEqualTo(ids(records));
    JdbcSinkStats st = sink.stats();
    assertThat(st.dropped()).isZero();
    assertThat(st.spoolCorruptLines()).isZero();
    assertThat(st.spoolWriteFailures()).isZero();
  }

  @Test
  void lineTornByACrashCostsOnlyItselfAndTheNextRecordIsIntact() throws Exception {
    Path dir = tmp.resolve("spool");
    List<UsageRecord> before = UsageRecords.many(10, 22);
    try (FileSpool spool = new FileSpool(dir, 1L << 30, 1L << 30, false)) {
      spool.append(before);
    }
    // Cut the last line inside a two-byte character ("ü" in a tag), as a crash mid-write can.
    Path seg = segments(dir).get(0);
    byte[] bytes = Files.readAllBytes(seg);
    int cut = bytes.length - 1;
    while ((bytes[cut] & 0xFF) != 0xC3) {
      cut--;
    }
    assertThat(cut).isGreaterThan(lineStart(bytes, 9));
    try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
      ch.truncate(cut + 1);
    }

    FlakyDataSource flaky = new FlakyDataSource(sqlite());
    flaky.down.set(true);
    JdbcUsageSink sink = start(flaky, dir);
    List<UsageRecord> after = UsageRecords.many(5, 23);
    sink.export(after);
    assertThat(sink.stats().spooled()).isEqualTo(5);
    flaky.down.set(false);
    JdbcSinkContractTest.awaitReplayed(sink, 14);

    List<UsageRecord> expected = new ArrayList<>(before.subList(0, 9));
    expected.addAll(after);
    assertThat(idsInTable()).isEqualTo(ids(expected));
    assertThat(sink.stats().spoolCorruptLines()).isEqualTo(1);
  }

  private static boolean run(String... cmd) throws Exception {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    }
  }

  /** A test body run on a freshly mounted 128 KiB file system. */
  private interface OnSmallDisk {
    void run(Path mount) throws Exception;
  }

  /** Runs {@code test} on a 128 KiB tmpfs (root only; skipped elsewhere), unmounted afterwards. */
  private void onSmallDisk(OnSmallDisk test) throws Exception {
    Path mnt = Files.createDirectories(tmp.resolve("small-disk"));
    assumeTrue(
        run("mount", "-t", "tmpfs", "-o", "size=128k", "tmpfs", mnt.toString()),
        "needs root to mount a 128 KiB tmpfs as a full disk");
    try {
      test.run(mnt);
    } finally {
      shutdownSinks();
      assertThat(run("umount", mnt.toString())).as("umount " + mnt).isTrue();
    }
  }

  @Test
  void writeCutShortByAFullDiskLeavesNoPartialLineBehind() throws Exception {
    onSmallDisk(
        mnt -> {
          Path filler = mnt.resolve("filler");
          Files.write(filler, new byte[48 * 1024]);
          FlakyDataSource flaky = new FlakyDataSource(sqlite());
          flaky.down.set(true);
          JdbcUsageSink sink = start(flaky, mnt.resolve("spool"));

          List<UsageRecord> records = UsageRecords.many(200, 24);
          Set<String> stored = new HashSet<>();
          int next = 0;
          int failuresAfterFull = 0;
          // Fill the disk; a record either reaches the spool or is counted as dropped.
          while (next < records.size() && failuresAfterFull < 5) {
            long spooled = sink.stats().spooled();
            sink.export(List.of(records.get(next)));
            if (sink.stats().spooled() > spooled) {
              stored.add(records.get(next).id().toString());
            } else {
              failuresAfterFull++;
            }
            next++;
          }
          assertThat(failuresAfterFull).as("the disk filled up").isEqualTo(5);
          assertThat(sink.stats().spoolWriteFailures()).isEqualTo(5);
          assertThat(sink.stats().dropped()).isEqualTo(5);

          // Space comes back: later records must append cleanly behind the failed writes.
          Files.delete(filler);
          for (int i = 0; i < 10; i++, next++) {
            long spooled = sink.stats().spooled();
            sink.export(List.of(records.get(next)));
            assertThat(sink.stats().spooled()).isEqualTo(spooled + 1);
            stored.add(records.get(next).id().toString());
          }

          flaky.down.set(false);
          JdbcSinkContractTest.awaitReplayed(sink, stored.size());
          assertThat(idsInTable()).isEqualTo(stored);
          assertThat(sink.stats().spoolCorruptLines()).isZero();
        });
  }

  @Test
  void fullDiskAtStartDoesNotFailTheStartAndSpoolingResumesWhenSpaceReturns() throws Exception {
    onSmallDisk(
        mnt -> {
          Path filler = mnt.resolve("filler");
          try (OutputStream out = Files.newOutputStream(filler)) {
            byte[] block = new byte[4096];
            while (true) {
              out.write(block);
            }
          } catch (IOException full) {
            // every block is taken
          }
          FlakyDataSource flaky = new FlakyDataSource(sqlite());
          flaky.down.set(true);
          JdbcUsageSink sink = start(flaky, mnt.resolve("spool"));
          assertThat(sink.spoolDirectory()).isNotNull();

          List<UsageRecord> records = UsageRecords.many(6, 25);
          sink.export(records.subList(0, 1));
          assertThat(sink.stats().dropped()).isEqualTo(1);
          assertThat(sink.stats().spoolWriteFailures()).isEqualTo(1);

          Files.delete(filler);
          sink.export(records.subList(1, 6));
          assertThat(sink.stats().spooled()).isEqualTo(5);
          flaky.down.set(false);
          JdbcSinkContractTest.awaitReplayed(sink, 5);
          assertThat(idsInTable()).isEqualTo(ids(records.subList(1, 6)));
          assertThat(sink.stats().spoolCorruptLines()).isZero();
        });
  }
}
