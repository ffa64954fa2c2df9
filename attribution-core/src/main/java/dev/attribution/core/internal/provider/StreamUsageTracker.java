package dev.attribution.core.internal.provider;

import java.nio.charset.StandardCharsets;

/**
 * Follows a server-sent-event stream as the application reads it and collects its usage, with
 * memory independent of the stream's length.
 *
 * <p>Feed it every byte the application reads, in order, with {@link #feed(byte[], int, int)}; it
 * splits lines and events itself, however the bytes were chunked. Only events that can carry usage,
 * model, id or error are parsed as JSON (the first chunk, chunks with the dialect's usage or error
 * key, and the events its {@link SseShape} names); every other chunk is only scanned for the length
 * of its generated text, for estimating output when usage never arrives. It knows no provider: the
 * endpoint's dialect supplies the {@link SseShape} and reads the parsed events.
 *
 * <p>One line is buffered at most {@value #MAX_LINE} bytes; a longer line is skipped (counted in
 * {@link #skippedLines()}). Not thread-safe: one tracker per stream, fed from the reading thread.
 */
public final class StreamUsageTracker implements StreamReader {

  /** Longest SSE line kept for parsing, in bytes: {@value}. */
  public static final int MAX_LINE = 1 << 20;

  private static final byte[] DATA = SseShape.key("data:");
  private static final byte[] EVENT = SseShape.key("event:");

  /** Data events parsed, at most, while looking for the model: {@value}. */
  private static final int MODEL_SEARCH_EVENTS = 8;

  private final ProviderDialect dialect;
  private final SseShape shape;
  private final UsageAccumulator acc;
  private byte[] line = new byte[256];
  private int lineLength;
  private boolean lineOverflow;
  private boolean lastWasCr;
  private String eventName = "";
  private boolean firstData = true;
  private int dataEvents;
  private long skippedLines;
  private long parseFailures;

  /** A tracker for a server-sent-event stream of {@code endpoint}, shaped as {@code shape}. */
  public StreamUsageTracker(Endpoint endpoint, SseShape shape) {
    this.dialect = endpoint.dialect();
    this.shape = shape;
    this.acc = new UsageAccumulator(endpoint);
  }

  /** Consumes {@code len} bytes the application read. Never throws on malformed input. */
  @Override
  public void feed(byte[] buf, int off, int len) {
    int end = off + len;
    int i = off;
    while (i < end) {
      if (lastWasCr) {
        lastWasCr = false;
        if (buf[i] == '\n') {
          i++;
          continue;
        }
      }
      int j = i;
      while (j < end && buf[j] != '\n' && buf[j] != '\r') {
        j++;
      }
      append(buf, i, j - i);
      if (j == end) {
        return;
      }
      lastWasCr = buf[j] == '\r';
      endLine();
      i = j + 1;
    }
  }

  private void append(byte[] buf, int off, int len) {
    if (lineOverflow || len == 0) {
      return;
    }
    int need = lineLength + len;
    if (need > line.length) {
      if (need > MAX_LINE) {
        lineOverflow = true;
        return;
      }
      line = java.util.Arrays.copyOf(line, Math.min(MAX_LINE, Math.max(need, line.length * 2)));
    }
    System.arraycopy(buf, off, line, lineLength, len);
    lineLength = need;
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
        if (shape.terminalEvents().contains(eventName)) {
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
    byte[] done = shape.doneData();
    if (done != null && len == done.length && regionEquals(line, start, done)) {
      acc.completed = true;
      return;
    }
    // One pass over the line finds every key that matters; JSON is parsed only for the few
    // events that can carry usage, model, id or errors.
    byte[][] textKeys = shape.textKeys();
    byte[] usageKey = shape.usageKey();
    byte[] usageNull = shape.usageNullKey();
    byte[][] errorKeys = shape.errorKeys();
    byte[] thinkingKey = shape.thinkingKey();
    boolean usage = false;
    boolean error = false;
    int text = -1;
    int thinking = -1;
    for (int i = start; i < end; i++) {
      if (line[i] != '"') {
        continue;
      }
      if (!usage && usageKey != null && regionEquals(line, i, usageKey)) {
        usage = usageNull == null || !regionEquals(line, i, usageNull);
      } else if (!error && anyAt(i, errorKeys)) {
        error = true;
      } else if (text < 0 && (text = textAt(i, textKeys)) >= 0) {
        // found the text
      } else if (thinking < 0 && thinkingKey != null && regionEquals(line, i, thinkingKey)) {
        thinking = i + thinkingKey.length;
      }
    }
    // An early chunk may name no model (Azure's content-filter chunk has "model":""): keep
    // reading the next few chunks until one does.
    boolean parse =
        firstData
            || usage
            || error
            || (acc.modelMissing() && dataEvents < MODEL_SEARCH_EVENTS)
            || (!eventName.isEmpty() && shape.usageEvents().test(eventName));
    dataEvents++;
    firstData = false;
    if (parse) {
      try {
        ResponseParser.readEvent(line, start, len, dialect, acc);
      } catch (java.io.IOException | RuntimeException e) {
        parseFailures++;
      }
    }
    if (text >= 0) {
      acc.textChars += stringChars(text, end);
    }
    if (thinking >= 0) {
      acc.textChars += stringChars(thinking, end);
    }
  }

  private boolean anyAt(int i, byte[][] keys) {
    for (byte[] k : keys) {
      if (regionEquals(line, i, k)) {
        return true;
      }
    }
    return false;
  }

  /** Where the text value starts when one of {@code keys} is at {@code i}, else -1. */
  private int textAt(int i, byte[][] keys) {
    for (byte[] k : keys) {
      if (regionEquals(line, i, k)) {
        return i + k.length;
      }
    }
    return -1;
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

  /**
   * Ends the stream: processes a final line that had no newline and returns what was collected.
   * Safe to call more than once.
   */
  @Override
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
