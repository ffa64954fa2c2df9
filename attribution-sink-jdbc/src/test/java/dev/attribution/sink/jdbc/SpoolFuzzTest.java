package dev.attribution.sink.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.UsageRecord;
import dev.attribution.testing.UsageRecords;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * Random damage to a spool: bytes overwritten with random values (invalid UTF-8, NULs, newlines
 * included) and segments cut at random offsets. Every line the damage did not touch replays exactly
 * once and in order, nothing damaged replays, and nothing throws.
 */
class SpoolFuzzTest {

  /** Where one record's line sits: segment index and byte range, newline included. */
  private record Line(int segment, int start, int end) {}

  @Property(tries = 60)
  void everyUntouchedLineReplaysExactlyOnceInOrder(
      @ForAll @IntRange(min = 1, max = 60) int count,
      @ForAll @IntRange(min = 0, max = 12) int flips,
      @ForAll @IntRange(min = 0, max = 2) int cuts,
      @ForAll @LongRange(min = 4 * 1024, max = 32 * 1024) long segmentBytes,
      @ForAll boolean fsync,
      @ForAll long seed)
      throws IOException {
    Random rnd = new Random(seed);
    Path dir = Files.createTempDirectory("spool-fuzz");
    try {
      List<UsageRecord> records = UsageRecords.many(count, seed);
      try (FileSpool spool = new FileSpool(dir, 1L << 30, segmentBytes, fsync)) {
        for (int i = 0; i < count; ) {
          int n = 1 + rnd.nextInt(3);
          spool.append(records.subList(i, Math.min(count, i + n)));
          i += n;
        }
      }
      List<Path> segs = segments(dir);
      List<byte[]> data = new ArrayList<>();
      List<Line> lines = new ArrayList<>();
      for (int s = 0; s < segs.size(); s++) {
        byte[] b = Files.readAllBytes(segs.get(s));
        data.add(b);
        int start = 0;
        for (int i = 0; i < b.length; i++) {
          if (b[i] == '\n') {
            lines.add(new Line(s, start, i + 1));
            start = i + 1;
          }
        }
      }
      assertThat(lines).hasSize(count);

      Set<Integer> touched = new HashSet<>();
      for (int f = 0; f < flips; f++) {
        int s = rnd.nextInt(data.size());
        byte[] b = data.get(s);
        int at = rnd.nextInt(b.length);
        byte v;
        do {
          v =
              switch (rnd.nextInt(4)) {
                case 0 -> (byte) 0xFF;
                case 1 -> 0;
                case 2 -> '\n';
                default -> (byte) rnd.nextInt(256);
              };
        } while (v == b[at]);
        b[at] = v;
        touch(lines, s, at, touched);
        // If that byte was a newline, its loss joins the next line to this one.
        touch(lines, s, at + 1, touched);
      }
      for (int c = 0; c < cuts; c++) {
        int s = rnd.nextInt(data.size());
        byte[] b = data.get(s);
        int at = rnd.nextInt(b.length + 1);
        data.set(s, Arrays.copyOf(b, at));
        for (int i = 0; i < lines.size(); i++) {
          Line l = lines.get(i);
          if (l.segment() == s && l.end() > at) {
            touched.add(i);
          }
        }
      }
      for (int s = 0; s < segs.size(); s++) {
        Files.write(segs.get(s), data.get(s));
      }

      List<UsageRecord> replayed = new ArrayList<>();
      try (FileSpool spool = new FileSpool(dir, 1L << 30, segmentBytes, false)) {
        Long seq;
        while ((seq = spool.oldestSegment()) != null) {
          replayed.addAll(spool.read(seq).records());
          spool.delete(seq);
        }
      }
      // Each replayed record is one of the originals, unchanged, in order and once; a touched line
      // replays only if its JSON survived intact (a tab turned newline leaves a valid line).
      Set<Integer> seen = new HashSet<>();
      int last = -1;
      for (UsageRecord r : replayed) {
        int i = records.indexOf(r);
        assertThat(i).as("replayed record is an original").isGreaterThan(last);
        seen.add(i);
        last = i;
      }
      for (int i = 0; i < count; i++) {
        if (!touched.contains(i)) {
          assertThat(seen).as("untouched line %d replayed", i).contains(i);
        }
      }
    } finally {
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /** Marks the line of segment {@code s} that holds byte {@code at}, if any. */
  private static void touch(List<Line> lines, int s, int at, Set<Integer> touched) {
    for (int i = 0; i < lines.size(); i++) {
      Line l = lines.get(i);
      if (l.segment() == s && at >= l.start() && at < l.end()) {
        touched.add(i);
      }
    }
  }

  private static List<Path> segments(Path dir) throws IOException {
    TreeMap<String, Path> m = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(p -> p.getFileName().toString().startsWith(FileSpool.PREFIX))
          .forEach(p -> m.put(p.getFileName().toString(), p));
    }
    return new ArrayList<>(m.values());
  }
}
