package dev.attribution.core.provider;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;

/**
 * Follows a server-sent-event stream as the application reads it and collects its usage, with
 * memory independent of the stream's length.
 *
 * <p>Feed it every byte the application reads, in order, with {@link #feed(byte[], int, int)}; it
 * splits lines and events itself, however the bytes were chunked. Only events that can carry usage,
 * model, id or error are parsed as JSON (the first chunk, chunks mentioning {@code usage}, and the
 * provider's start, delta-usage and completion events); every other chunk is only scanned for the
 * length of its generated text, for estimating output when usage never arrives.
 *
 * <p>One line is buffered at most {@value #MAX_LINE} bytes; a longer line is skipped (counted in
 * {@link #skippedLines()}). Not thread-safe: one tracker per stream, fed from the reading thread.
 */
public final class StreamUsageTracker {

  /** Longest SSE line kept for parsing, in bytes: {@value}. */
  public static final int MAX_LINE = 1 << 20;

  private static final byte[] DATA = "data:".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] EVENT = "event:".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] USAGE = "\"usage".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] USAGE_NULL = "\"usage\":null".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ERROR = "\"error\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CONTENT = "\"content\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TEXT = "\"text\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TEXT_SPACED = "\"text\": \"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DELTA = "\"delta\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] THINKING = "\"thinking\":\"".getBytes(StandardCharsets.US_ASCII);

  private final Dialect dialect;
  private final UsageAccumulator acc;
  private byte[] line = new byte[256];
  private int lineLength;
  private boolean lineOverflow;
  private boolean lastWasCr;
  private String eventName = "";
  private boolean firstData = true;
  private long skippedLines;
  private long parseFailures;

  /** A tracker for a stream of {@code dialect}. */
  public StreamUsageTracker(Dialect dialect) {
    this.dialect = dialect;
    this.acc = new UsageAccumulator(dialect);
  }

  /** Consumes {@code len} bytes the application read. Never throws on malformed input. */
  public void feed(byte[] buf, int off, int len) {
    int end = off + len;
    for (int i = off; i < end; i++) {
      byte b = buf[i];
      if (b == '\n') {
        if (lastWasCr) {
          lastWasCr = false;
          continue;
        }
        endLine();
      } else if (b == '\r') {
        lastWasCr = true;
        endLine();
      } else {
        lastWasCr = false;
        append(b);
      }
    }
  }

  private void append(byte b) {
    if (lineOverflow) {
      return;
    }
    if (lineLength == line.length) {
      if (line.length >= MAX_LINE) {
        lineOverflow = true;
        return;
      }
      line = java.util.Arrays.copyOf(line, Math.min(MAX_LINE, line.length * 2));
    }
    line[lineLength++] = b;
  }

  private void endLine() {
    try {
      if (lineOverflow) {
        skippedLines++;
      } else if (lineLength == 0) {
        eventName = "";
      } else if (startsWith(line, lineLength, DATA)) {
        int start = DATA.length;
        if (start < lineLength && line[start] == ' ') {
          start++;
        }
        onData(start, lineLength);
      } else if (startsWith(line, lineLength, EVENT)) {
        int start = EVENT.length;
        if (start < lineLength && line[start] == ' ') {
          start++;
        }
        eventName = new String(line, start, lineLength - start, StandardCharsets.UTF_8);
        if (eventName.equals("message_stop") || eventName.equals("response.completed")) {
          acc.completed = true;
        }
      }
    } catch (RuntimeException e) {
      parseFailures++;
    } finally {
      lineLength = 0;
      lineOverflow = false;
      if (line.length > 64 * 1024) {
        line = new byte[256]; // do not keep a huge buffer after one long line
      }
    }
  }

  private void onData(int start, int end) {
    int len = end - start;
    if (len == DONE.length && regionEquals(line, start, DONE)) {
      acc.completed = true;
      return;
    }
    boolean parse = firstData || mentionsUsage(start, end) || indexOf(line, start, end, ERROR) >= 0;
    if (!parse) {
      switch (dialect) {
        case ANTHROPIC_MESSAGES:
          parse =
              eventName.equals("message_start")
                  || eventName.equals("message_delta")
                  || eventName.equals("error");
          break;
        case OPENAI_RESPONSES:
          parse =
              eventName.startsWith("response.completed")
                  || eventName.equals("response.incomplete")
                  || eventName.equals("response.failed");
          break;
        default:
          break;
      }
    }
    firstData = false;
    if (parse) {
      try {
        JsonNode node = ResponseParser.MAPPER.readTree(line, start, len);
        if (node != null && node.isObject()) {
          acc.onObject(node);
          JsonNode type = node.get("type");
          if (type != null
              && (type.asText().equals("response.completed")
                  || type.asText().equals("message_stop"))) {
            acc.completed = true;
          }
        }
      } catch (java.io.IOException | RuntimeException e) {
        parseFailures++;
      }
    }
    acc.textChars += textChars(start, end);
  }

  private boolean mentionsUsage(int start, int end) {
    int i = indexOf(line, start, end, USAGE);
    return i >= 0 && !regionEquals(line, i, USAGE_NULL);
  }

  private long textChars(int start, int end) {
    byte[] key;
    switch (dialect) {
      case ANTHROPIC_MESSAGES:
        key = TEXT;
        break;
      case OPENAI_RESPONSES:
        key = DELTA;
        break;
      case GEMINI_GENERATE:
        key = indexOf(line, start, end, TEXT_SPACED) >= 0 ? TEXT_SPACED : TEXT;
        break;
      default:
        key = CONTENT;
    }
    long n = 0;
    int i = indexOf(line, start, end, key);
    if (i >= 0) {
      n += stringChars(i + key.length, end);
    }
    if (dialect == Dialect.ANTHROPIC_MESSAGES) {
      int t = indexOf(line, start, end, THINKING);
      if (t >= 0) {
        n += stringChars(t + THINKING.length, end);
      }
    }
    return n;
  }

  /** Characters of a JSON string body starting at {@code i}, up to its closing quote. */
  private long stringChars(int i, int end) {
    long n = 0;
    while (i < end) {
      byte b = line[i];
      if (b == '"') {
        break;
      }
      if (b == '\\') {
        i += (i + 1 < end && line[i + 1] == 'u') ? 6 : 2;
        n++;
        continue;
      }
      if ((b & 0xC0) != 0x80) {
        n++;
      }
      i++;
    }
    return n;
  }

  private static boolean startsWith(byte[] a, int len, byte[] prefix) {
    return len >= prefix.length && regionEquals(a, 0, prefix);
  }

  private static boolean regionEquals(byte[] a, int at, byte[] b) {
    if (at + b.length > a.length) {
      return false;
    }
    for (int i = 0; i < b.length; i++) {
      if (a[at + i] != b[i]) {
        return false;
      }
    }
    return true;
  }

  static int indexOf(byte[] a, int from, int to, byte[] needle) {
    byte first = needle[0];
    int last = to - needle.length;
    for (int i = from; i <= last; i++) {
      if (a[i] == first && regionEquals(a, i, needle)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Ends the stream: processes a final line that had no newline and returns what was collected.
   * Safe to call more than once.
   */
  public ParsedResponse finish() {
    if (lineLength > 0 || lineOverflow) {
      endLine();
    }
    return acc.result();
  }

  /** Lines longer than {@value #MAX_LINE} bytes that were skipped. */
  public long skippedLines() {
    return skippedLines;
  }

  /** Events whose JSON could not be parsed. */
  public long parseFailures() {
    return parseFailures;
  }
}
