package dev.attribution.sink.jdbc;

import dev.attribution.api.UsageRecord;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * PostgreSQL's fastest path: {@code COPY ... FROM STDIN} in text format. COPY cannot skip
 * duplicates, so a batch that hits an existing id fails with {@code 23505} and the caller redoes it
 * with {@code INSERT ... ON CONFLICT DO NOTHING}. Only loaded when the PostgreSQL driver is
 * present.
 */
final class PgCopy {

  private static final int CHUNK = 64 * 1024;

  private PgCopy() {}

  /** Whether the driver's COPY API is on the class path. */
  static boolean available() {
    try {
      Class.forName("org.postgresql.PGConnection", false, PgCopy.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * Copies {@code records} into {@code table} on {@code c} (inside the caller's transaction).
   *
   * @return false when the connection is not a PostgreSQL one, so nothing was done
   */
  static boolean copy(Connection c, String table, List<UsageRecord> records) throws SQLException {
    if (!c.isWrapperFor(PGConnection.class)) {
      return false;
    }
    String sql = "COPY " + table + " (" + String.join(",", Columns.NAMES) + ") FROM STDIN";
    CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
    try {
      // Rows are sent in chunks as they are formatted, so the server parses and indexes one
      // chunk while the next is being built: client and server work on two cores at once.
      StringBuilder sb = new StringBuilder(CHUNK + 4096);
      TextRow row = new TextRow(sb);
      for (UsageRecord r : records) {
        row.first = true;
        Columns.emit(r, row);
        sb.append('\n');
        if (sb.length() >= CHUNK) {
          send(in, sb);
        }
      }
      send(in, sb);
      in.endCopy();
    } finally {
      if (in.isActive()) {
        try {
          in.cancelCopy();
        } catch (SQLException ignored) {
          // the connection is broken; the original failure is what matters
        }
      }
    }
    return true;
  }

  private static void send(CopyIn in, StringBuilder sb) throws SQLException {
    if (sb.length() > 0) {
      byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
      in.writeToCopy(bytes, 0, bytes.length);
      sb.setLength(0);
    }
  }

  /** One row in COPY text format: tab-separated, {@code \N} for null, backslash escapes. */
  private static final class TextRow implements Columns.Sink {
    final StringBuilder sb;
    boolean first;

    TextRow(StringBuilder sb) {
      this.sb = sb;
    }

    private StringBuilder next() {
      if (!first) {
        sb.append('\t');
      }
      first = false;
      return sb;
    }

    @Override
    public void id(UUID v) {
      next().append(v);
    }

    @Override
    public void instant(Instant v) {
      LocalDateTime t = LocalDateTime.ofInstant(v.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
      next().append(t).append("+00");
    }

    @Override
    public void string(@Nullable String v) {
      StringBuilder b = next();
      if (v == null) {
        b.append("\\N");
        return;
      }
      escape(b, v);
    }

    @Override
    public void json(String v) {
      escape(next(), v);
    }

    /**
     * COPY's text format (backslash, tab, newline and carriage return escaped; {@code \N} is NULL):
     * not JSON, so not Jackson's job. A JSON column's text, already written by {@link
     * RecordJson#mapJson}, goes through here as one more layer.
     */
    private static void escape(StringBuilder b, String v) {
      for (int i = 0; i < v.length(); i++) {
        char ch = v.charAt(i);
        switch (ch) {
          case '\\' -> b.append("\\\\");
          case '\t' -> b.append("\\t");
          case '\n' -> b.append("\\n");
          case '\r' -> b.append("\\r");
          default -> b.append(ch);
        }
      }
    }

    @Override
    public void bool(boolean v) {
      next().append(v ? 't' : 'f');
    }

    @Override
    public void number(long v) {
      next().append(v);
    }

    @Override
    public void nullableNumber(@Nullable Long v) {
      if (v == null) {
        next().append("\\N");
      } else {
        next().append(v.longValue());
      }
    }

    @Override
    public void money(@Nullable BigDecimal v) {
      if (v == null) {
        next().append("\\N");
      } else {
        next().append(v.toPlainString());
      }
    }
  }
}
