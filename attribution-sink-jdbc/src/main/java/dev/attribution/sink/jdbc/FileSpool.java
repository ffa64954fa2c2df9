package dev.attribution.sink.jdbc;

import dev.attribution.api.UsageRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * An append-only spool of usage records on local disk: one record per line in numbered segment
 * files ({@code usage-<seq>.jsonl}). Appends go to the newest segment; replay takes the oldest
 * closed segment, and deletes it only after its records are safely in the database, so a crash at
 * any point replays (idempotently) rather than loses. Thread-safe.
 *
 * <p>A line is the record's JSON, a tab and the CRC-32C of the JSON's UTF-8 bytes in 8 hex digits.
 * Reading is line by line: a line that does not check out (a flipped byte, invalid UTF-8, NULs left
 * by a crash, a torn last line without its newline) is skipped and counted, and the rest of the
 * segment and every later segment still replay. Lines without a checksum (written before it
 * existed) are still read.
 *
 * <p>Each append writes its lines as one buffer; if the write fails (e.g. a full disk) the segment
 * is truncated back to its previous length, so no partial line is left to glue onto the next
 * record. A segment found on disk at open is never appended to, so a line torn by a crash stays a
 * lone corrupt line.
 *
 * <p>The directory is created owner-only ({@code rwx------}) and the files {@code rw-------} where
 * the file system has POSIX permissions. It is locked ({@code .lock}, holding the owner's pid) for
 * the spool's lifetime: a second spool on the same directory, in this process or another, fails to
 * open with {@link LockedException}.
 */
final class FileSpool implements AutoCloseable {

  static final String PREFIX = "usage-";
  static final String SUFFIX = ".jsonl";
  static final String LOCK_FILE = ".lock";

  /** A longer line is corrupt (a file of NULs, say): it is skipped rather than read into memory. */
  static final int MAX_LINE_BYTES = 16 * 1024 * 1024;

  private static final Set<PosixFilePermission> DIR_PERMS =
      PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE_PERMS =
      PosixFilePermissions.fromString("rw-------");

  /**
   * Directories locked by a spool of this class loader. Checked before opening the lock file,
   * because closing any channel on a file releases every lock this process holds on it (POSIX
   * record locks), so a second spool must not even open the first one's lock file.
   */
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

  /**
   * Lock-file channels whose lock belongs to another class loader's spool in this process: they
   * must stay open (see {@link #HELD}), so they are kept here for the life of the process.
   */
  private static final List<FileChannel> NEVER_CLOSE = new ArrayList<>();

  /**
   * The spool directory is locked by another spool, in this process or another, or cannot be locked
   * at all (a file system without locks): either way this spool must not use it.
   */
  static final class LockedException extends IOException {
    private static final long serialVersionUID = 1L;

    LockedException(String message) {
      super(message);
    }
  }

  private final Path dir;
  private final long maxBytes;
  private final long segmentBytes;
  private final boolean fsync;
  private final boolean posix;
  private final FileChannel lockChannel;
  private final FileLock lock;
  // segment sequence -> size in bytes, oldest first
  private final TreeMap<Long, Long> segments = new TreeMap<>();
  private long totalBytes;
  private long nextSeq;
  private @Nullable FileChannel current;
  private long currentSeq = -1;
  private long currentSize;
  private boolean closed;

  /**
   * Opens (creating if needed) and locks the spool in {@code dir}.
   *
   * @throws LockedException if another spool holds the directory
   * @throws IOException if the directory cannot be created or read
   */
  FileSpool(Path dir, long maxBytes, long segmentBytes, boolean fsync) throws IOException {
    this.maxBytes = maxBytes;
    this.segmentBytes = segmentBytes;
    this.fsync = fsync;
    this.posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    if (posix) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_PERMS));
    } else {
      Files.createDirectories(dir);
    }
    this.dir = dir.toRealPath();
    restrict(this.dir, DIR_PERMS);
    if (!HELD.add(this.dir)) {
      throw new LockedException(
          "spool directory "
              + this.dir
              + " is already in use by another sink in this process (pid "
              + ProcessHandle.current().pid()
              + ")");
    }
    FileLock l = null;
    FileChannel ch = null;
    try {
      ch = open(this.dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.READ);
      restrict(this.dir.resolve(LOCK_FILE), FILE_PERMS);
      boolean sameProcess = false;
      try {
        l = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        sameProcess = true;
      } catch (IOException e) {
        // e.g. a network file system without locks: unsafe to share, so do not use it
        ch.close();
        throw new LockedException("spool directory " + this.dir + " cannot be locked (" + e + ")");
      }
      if (l == null) {
        String holder = sameProcess ? "another class loader of this process" : holder(ch);
        if (sameProcess) {
          synchronized (NEVER_CLOSE) {
            NEVER_CLOSE.add(ch);
          }
        } else {
          ch.close();
        }
        throw new LockedException("spool directory " + this.dir + " is locked by " + holder);
      }
      writePid(ch);
      scan();
    } catch (IOException | RuntimeException | Error e) {
      // A LockedException has already closed (or parked) the channel; anything else has not.
      if (ch != null && !(e instanceof LockedException)) {
        ch.close();
      }
      HELD.remove(this.dir);
      throw e;
    }
    this.lockChannel = ch;
    this.lock = l;
  }

  /**
   * Records this process's pid in the lock file, for the warning of a refused second spool. Best
   * effort: a full disk must not stop the spool from starting (it may have room again later).
   */
  private static void writePid(FileChannel ch) {
    byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
    try {
      ch.truncate(0);
      ch.write(ByteBuffer.wrap(pid), 0);
    } catch (IOException e) {
      // the holder will be reported as unknown
    }
  }

  private void scan() throws IOException {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
      for (Path p : ds) {
        String n = p.getFileName().toString();
        try {
          long seq = Long.parseLong(n.substring(PREFIX.length(), n.length() - SUFFIX.length()));
          long size = Files.size(p);
          restrict(p, FILE_PERMS);
          segments.put(seq, size);
          totalBytes += size;
        } catch (NumberFormatException e) {
          // not ours
        }
      }
    }
    // Never append to a segment found on disk: its last line may be torn by a crash, and a
    // record appended behind it would be glued onto it.
    nextSeq = segments.isEmpty() ? 1 : segments.lastKey() + 1;
  }

  private static String holder(FileChannel ch) {
    try {
      ByteBuffer b = ByteBuffer.allocate(32);
      ch.read(b, 0);
      String pid = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).trim();
      if (!pid.isEmpty() && pid.chars().allMatch(Character::isDigit)) {
        return "process " + pid;
      }
    } catch (IOException e) {
      // fall through: the holder is unknown
    }
    return "another process";
  }

  /**
   * Narrows an existing path's permissions to {@code perms}, where the file system has them. Best
   * effort: a path owned by another user keeps its permissions rather than failing the start (what
   * this spool creates is owner-only from the start).
   */
  private void restrict(Path p, Set<PosixFilePermission> perms) {
    if (!posix) {
      return;
    }
    try {
      if (!Files.getPosixFilePermissions(p).equals(perms)) {
        Files.setPosixFilePermissions(p, perms);
      }
    } catch (IOException | SecurityException e) {
      // not ours to change; see above
    }
  }

  private FileChannel open(Path p, OpenOption... options) throws IOException {
    Set<OpenOption> opts = new HashSet<>(Arrays.asList(options));
    opts.add(StandardOpenOption.WRITE);
    return posix
        ? FileChannel.open(p, opts, PosixFilePermissions.asFileAttribute(FILE_PERMS))
        : FileChannel.open(p, opts, new FileAttribute<?>[0]);
  }

  Path directory() {
    return dir;
  }

  /**
   * Appends {@code records} in order, all or none.
   *
   * @return how many did not fit under the size cap (the tail of the list), 0 when all were stored
   * @throws IOException when the disk write fails; then none of the records are stored and the
   *     spool is as it was before the call
   */
  synchronized int append(List<UsageRecord> records) throws IOException {
    if (closed) {
      throw new IOException("spool is closed");
    }
    ByteArrayOutputStream buf = new ByteArrayOutputStream(records.size() * 1024);
    int fitted = 0;
    for (UsageRecord r : records) {
      byte[] line = line(r);
      if (totalBytes + buf.size() + line.length > maxBytes) {
        break;
      }
      buf.write(line);
      fitted++;
    }
    if (fitted > 0) {
      write(buf);
    }
    return records.size() - fitted;
  }

  /** One spool line: JSON, tab, CRC-32C of the JSON in 8 hex digits, newline. */
  static byte[] line(UsageRecord r) {
    byte[] json = RecordJson.toUtf8(r);
    CRC32C crc = new CRC32C();
    crc.update(json);
    byte[] out = new byte[json.length + 10];
    System.arraycopy(json, 0, out, 0, json.length);
    out[json.length] = '\t';
    long v = crc.getValue();
    for (int i = 0; i < 8; i++) {
      out[json.length + 8 - i] = (byte) Character.forDigit((int) (v >>> (4 * i)) & 0xf, 16);
    }
    out[out.length - 1] = '\n';
    return out;
  }

  private void write(ByteArrayOutputStream buf) throws IOException {
    FileChannel ch = current();
    long before = currentSize;
    ByteBuffer bb = ByteBuffer.wrap(buf.toByteArray());
    try {
      long pos = before;
      while (bb.hasRemaining()) {
        pos += ch.write(bb, pos);
      }
      if (fsync) {
        ch.force(false);
      }
    } catch (IOException | RuntimeException e) {
      rollBack(ch, before, e);
      throw e;
    }
    currentSize = before + bb.limit();
    totalBytes += bb.limit();
    segments.put(currentSeq, currentSize);
    if (currentSize >= segmentBytes) {
      closeCurrent();
    }
  }

  /**
   * Cuts a failed write's partial line off the segment, so the next record starts on a clean line.
   * If even that fails, the segment is closed with the partial line in it (replay skips it as
   * corrupt) and the next append starts a new one.
   */
  private void rollBack(FileChannel ch, long before, Exception cause) {
    try {
      ch.truncate(before);
      if (ch.size() == before) {
        return;
      }
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
    }
    long onDisk = before;
    try {
      onDisk = Math.max(before, ch.size());
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
    }
    totalBytes += onDisk - before;
    segments.put(currentSeq, onDisk);
    try {
      closeCurrent();
    } catch (IOException e) {
      cause.addSuppressed(e);
    }
  }

  private FileChannel current() throws IOException {
    FileChannel ch = current;
    if (ch == null) {
      long seq = nextSeq++;
      ch = open(segmentPath(seq), StandardOpenOption.CREATE_NEW);
      if (fsync) {
        syncDirectory();
      }
      current = ch;
      currentSeq = seq;
      currentSize = 0;
      segments.putIfAbsent(seq, 0L);
    }
    return ch;
  }

  /**
   * Forces the directory entry of a new segment to disk, so with {@code fsync} a power loss cannot
   * lose a whole segment whose lines were forced. Best effort: not every platform can open a
   * directory.
   */
  private void syncDirectory() {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException | RuntimeException e) {
      // the lines are still forced; only the new file's name is at the OS's mercy
    }
  }

  private void closeCurrent() throws IOException {
    FileChannel ch = current;
    if (ch != null) {
      current = null;
      currentSeq = -1;
      currentSize = 0;
      try {
        if (fsync) {
          ch.force(false);
        }
      } finally {
        ch.close();
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

  /**
   * The result of reading one segment.
   *
   * @param records the records of every line that checked out, in file order
   * @param unreadable lines skipped because they did not (corrupt, torn or not a record)
   */
  record Segment(List<UsageRecord> records, int unreadable) {}

  /** Reads a closed segment line by line; a bad line costs only itself. */
  Segment read(long seq) throws IOException {
    List<UsageRecord> out = new ArrayList<>();
    int bad = 0;
    byte[] chunk = new byte[64 * 1024];
    byte[] line = new byte[4096];
    int len = 0;
    boolean overflow = false;
    try (InputStream in = Files.newInputStream(segmentPath(seq))) {
      int n;
      while ((n = in.read(chunk)) >= 0) {
        for (int i = 0; i < n; i++) {
          byte c = chunk[i];
          if (c == '\n') {
            if (overflow || len > 0) {
              UsageRecord r = overflow ? null : decode(line, len);
              if (r == null) {
                bad++;
              } else {
                out.add(r);
              }
            }
            len = 0;
            overflow = false;
          } else if (!overflow) {
            if (len == line.length) {
              if (len >= MAX_LINE_BYTES) {
                overflow = true;
                continue;
              }
              line = Arrays.copyOf(line, Math.min(MAX_LINE_BYTES, len * 2));
            }
            line[len++] = c;
          }
        }
      }
    } catch (NoSuchFileException e) {
      return new Segment(out, 0);
    }
    if (overflow || len > 0) {
      // The last line has no newline: torn by a crash or a failed write. Even if it parses, the
      // write that made it did not finish, so it was never reported as stored.
      bad++;
    }
    return new Segment(out, bad);
  }

  /** The record on one line (without its newline), or {@code null} if the line is not one. */
  static @Nullable UsageRecord decode(byte[] b, int len) {
    int end = len;
    int tab = -1;
    for (int i = len - 1; i >= 0 && i >= len - 9; i--) {
      if (b[i] == '\t') {
        tab = i;
        break;
      }
    }
    if (tab >= 0) {
      if (len - tab - 1 != 8) {
        return null;
      }
      long want = 0;
      for (int i = tab + 1; i < len; i++) {
        int d = Character.digit(b[i], 16);
        if (d < 0) {
          return null;
        }
        want = (want << 4) | d;
      }
      CRC32C crc = new CRC32C();
      crc.update(b, 0, tab);
      if (crc.getValue() != want) {
        return null;
      }
      end = tab;
    } else if (b[len - 1] != '}') {
      // A line from before checksums must still end its object; anything else is damage.
      return null;
    }
    try {
      String json =
          StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(b, 0, end)).toString();
      return RecordJson.parse(json);
    } catch (IOException | RuntimeException e) {
      // CharacterCodingException (invalid UTF-8) is an IOException too
      return null;
    }
  }

  /**
   * Stops replaying a segment that cannot be read: it stays on disk, out of this spool's pending
   * bytes, and is picked up again when the next spool opens the directory.
   */
  synchronized void setAside(long seq) {
    Long size = segments.remove(seq);
    if (size != null) {
      totalBytes -= size;
    }
  }

  /**
   * Deletes a replayed segment. If the file cannot be deleted it is no longer replayed by this
   * spool; the next one replays it again, which the record ids make harmless.
   */
  synchronized void delete(long seq) throws IOException {
    Long size = segments.remove(seq);
    if (size != null) {
      totalBytes -= size;
    }
    Files.deleteIfExists(segmentPath(seq));
  }

  /** Forces appended records to disk. */
  synchronized void sync() throws IOException {
    FileChannel ch = current;
    if (ch != null) {
      ch.force(false);
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
        try {
          lockChannel.close();
        } finally {
          HELD.remove(dir);
        }
      }
    }
  }
}
