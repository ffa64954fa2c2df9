package dev.attribution.sink.jdbc;

import dev.attribution.api.UsageRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * An append-only spool of usage records on local disk: JSON lines in numbered segment files ({@code
 * usage-<seq>.jsonl}). Appends go to the newest segment; replay takes the oldest closed segment,
 * and deletes it only after its records are safely in the database, so a crash at any point replays
 * (idempotently) rather than loses. The directory is locked against a second spool in another
 * process. Thread-safe.
 */
final class FileSpool implements AutoCloseable {

  static final String PREFIX = "usage-";
  static final String SUFFIX = ".jsonl";

  private final Path dir;
  private final long maxBytes;
  private final long segmentBytes;
  private final boolean fsync;
  private final FileChannel lockChannel;
  private final FileLock lock;
  // segment sequence -> size in bytes, oldest first
  private final TreeMap<Long, Long> segments = new TreeMap<>();
  private long totalBytes;
  private long nextSeq;
  private @Nullable FileChannel current;
  private @Nullable Writer writer;
  private long currentSeq = -1;
  private boolean closed;

  FileSpool(Path dir, long maxBytes, long segmentBytes, boolean fsync) throws IOException {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.segmentBytes = segmentBytes;
    this.fsync = fsync;
    Files.createDirectories(dir);
    this.lockChannel =
        FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock l;
    try {
      l = lockChannel.tryLock();
    } catch (IOException | RuntimeException e) {
      lockChannel.close();
      throw e;
    }
    if (l == null) {
      lockChannel.close();
      throw new IllegalStateException(
          "spool directory " + dir + " is in use by another process; give each sink its own");
    }
    this.lock = l;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
      for (Path p : ds) {
        String n = p.getFileName().toString();
        try {
          long seq = Long.parseLong(n.substring(PREFIX.length(), n.length() - SUFFIX.length()));
          long size = Files.size(p);
          segments.put(seq, size);
          totalBytes += size;
        } catch (NumberFormatException e) {
          // not ours
        }
      }
    }
    nextSeq = segments.isEmpty() ? 1 : segments.lastKey() + 1;
  }

  Path directory() {
    return dir;
  }

  /**
   * Appends {@code records} in order.
   *
   * @return how many did not fit under the size cap (the tail of the list), 0 when all were stored
   * @throws IOException when the disk write fails; then none of the unwritten records are stored
   */
  synchronized int append(List<UsageRecord> records) throws IOException {
    if (closed) {
      throw new IOException("spool is closed");
    }
    StringWriter buf = new StringWriter(records.size() * 1024);
    int fitted = 0;
    long bytes = 0;
    for (UsageRecord r : records) {
      int before = buf.getBuffer().length();
      RecordJson.write(r, buf);
      buf.write('\n');
      // JSON output is ASCII except in values; count UTF-8 bytes exactly for the cap.
      long len = utf8Length(buf.getBuffer(), before);
      if (totalBytes + bytes + len > maxBytes) {
        buf.getBuffer().setLength(before);
        break;
      }
      bytes += len;
      fitted++;
    }
    if (fitted > 0) {
      Writer w = openWriter();
      w.write(buf.getBuffer().toString());
      w.flush();
      if (fsync) {
        current.force(false);
      }
      totalBytes += bytes;
      segments.merge(currentSeq, bytes, Long::sum);
      if (segments.get(currentSeq) >= segmentBytes) {
        closeCurrent();
      }
    }
    return records.size() - fitted;
  }

  private static long utf8Length(CharSequence s, int from) {
    long n = 0;
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  private Writer openWriter() throws IOException {
    if (writer == null) {
      currentSeq = nextSeq++;
      FileChannel ch =
          FileChannel.open(
              segmentPath(currentSeq),
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.APPEND);
      current = ch;
      writer =
          new OutputStreamWriter(Channels.newOutputStream(ch), StandardCharsets.UTF_8.newEncoder());
      segments.putIfAbsent(currentSeq, 0L);
    }
    return writer;
  }

  private void closeCurrent() throws IOException {
    if (writer != null) {
      try {
        writer.flush();
        if (fsync && current != null) {
          current.force(false);
        }
      } finally {
        writer.close();
        writer = null;
        current = null;
        currentSeq = -1;
      }
    }
  }

  Path segmentPath(long seq) {
    return dir.resolve(String.format("%s%020d%s", PREFIX, seq, SUFFIX));
  }

  /** Whether any record waits in the spool. */
  synchronized boolean hasPending() {
    return totalBytes > 0;
  }

  /** Bytes waiting in the spool. */
  synchronized long pendingBytes() {
    return totalBytes;
  }

  /**
   * The oldest segment, closed for writing (the open one is closed first if it is the oldest), or
   * {@code null} when the spool is empty.
   */
  synchronized @Nullable Long oldestSegment() throws IOException {
    while (!segments.isEmpty()) {
      long seq = segments.firstKey();
      if (seq == currentSeq) {
        closeCurrent();
      }
      if (segments.get(seq) == 0L && !Files.exists(segmentPath(seq))) {
        segments.remove(seq);
        continue;
      }
      return seq;
    }
    return null;
  }

  /** The result of reading one segment. */
  record Segment(List<UsageRecord> records, int unreadable) {}

  /** Reads a closed segment; torn or corrupt lines (e.g. from a crash mid-write) are counted. */
  Segment read(long seq) throws IOException {
    List<UsageRecord> out = new ArrayList<>();
    int bad = 0;
    Path p = segmentPath(seq);
    if (!Files.exists(p)) {
      return new Segment(out, 0);
    }
    try (BufferedReader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        try {
          out.add(RecordJson.parse(line));
        } catch (IOException | RuntimeException e) {
          bad++;
        }
      }
    }
    return new Segment(out, bad);
  }

  /** Deletes a replayed segment. */
  synchronized void delete(long seq) throws IOException {
    Long size = segments.remove(seq);
    if (size != null) {
      totalBytes -= size;
    }
    Files.deleteIfExists(segmentPath(seq));
  }

  /** Forces appended records to disk. */
  synchronized void sync() throws IOException {
    if (writer != null && current != null) {
      writer.flush();
      current.force(false);
    }
  }

  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      closeCurrent();
    } finally {
      try {
        lock.release();
      } finally {
        lockChannel.close();
      }
    }
  }
}
