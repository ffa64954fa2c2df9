package dev.attribution.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.CRC32;

/**
 * Writes AWS event-stream frames ({@code application/vnd.amazon.eventstream}), CRCs included, as
 * Bedrock's ConverseStream and InvokeModelWithResponseStream send them: for loopback answers the
 * real AWS SDK accepts. The shared fixtures of Bedrock streams ({@code /fixtures/*.events}) are
 * written as text, one event a line, and framed by {@link #fixture}.
 */
public final class EventStreams {

  private EventStreams() {}

  /**
   * An event frame: {@code :event-type}, {@code :content-type} JSON, {@code :message-type event}.
   */
  public static byte[] event(String eventType, String json) {
    return frame("event", eventType, json);
  }

  /**
   * An InvokeModelWithResponseStream {@code chunk} event: the model's own event {@code json},
   * base64-encoded in the payload's {@code bytes} as Bedrock sends it.
   */
  public static byte[] chunk(String json) {
    String b64 = Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    return event("chunk", "{\"bytes\":\"" + b64 + "\"}");
  }

  /**
   * A shared Bedrock stream fixture ({@code /fixtures/<name>}) as the event-stream body Bedrock
   * sends. Each non-blank line is {@code <event-type> <JSON payload>}; a {@code chunk} line holds
   * the model's own event, written as by {@link #chunk}.
   */
  public static byte[] fixture(String name) {
    String text;
    try (InputStream in = EventStreams.class.getResourceAsStream("/fixtures/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      int space = line.indexOf(' ');
      String type = line.substring(0, space);
      String json = line.substring(space + 1).strip();
      byte[] f = type.equals("chunk") ? chunk(json) : event(type, json);
      out.write(f, 0, f.length);
    }
    return out.toByteArray();
  }

  /** An exception frame, e.g. {@code throttlingException}. */
  public static byte[] exception(String exceptionType, String json) {
    return frame("exception", exceptionType, json);
  }

  private static byte[] frame(String messageType, String type, String json) {
    ByteArrayOutputStream headers = new ByteArrayOutputStream();
    header(headers, messageType.equals("event") ? ":event-type" : ":exception-type", type);
    header(headers, ":content-type", "application/json");
    header(headers, ":message-type", messageType);
    byte[] h = headers.toByteArray();
    byte[] payload = json.getBytes(StandardCharsets.UTF_8);
    int total = 12 + h.length + payload.length + 4;
    ByteBuffer b = ByteBuffer.allocate(total);
    b.putInt(total).putInt(h.length);
    CRC32 crc = new CRC32();
    crc.update(b.array(), 0, 8);
    b.putInt((int) crc.getValue());
    b.put(h).put(payload);
    crc.reset();
    crc.update(b.array(), 0, total - 4);
    b.putInt((int) crc.getValue());
    return b.array();
  }

  private static void header(ByteArrayOutputStream out, String name, String value) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    byte[] v = value.getBytes(StandardCharsets.UTF_8);
    out.write(n.length);
    out.write(n, 0, n.length);
    out.write(7);
    out.write(v.length >>> 8);
    out.write(v.length & 0xff);
    out.write(v, 0, v.length);
  }

  /** Frames one after another, as one body. */
  public static byte[] concat(byte[]... frames) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] f : frames) {
      out.write(f, 0, f.length);
    }
    return out.toByteArray();
  }
}
