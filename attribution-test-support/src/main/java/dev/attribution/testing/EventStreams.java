package dev.attribution.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Writes AWS event-stream frames ({@code application/vnd.amazon.eventstream}), CRCs included, as
 * Bedrock's ConverseStream and InvokeModelWithResponseStream send them: for loopback answers the
 * real AWS SDK accepts.
 */
public final class EventStreams {

  private EventStreams() {}

  /**
   * An event frame: {@code :event-type}, {@code :content-type} JSON, {@code :message-type event}.
   */
  public static byte[] event(String eventType, String json) {
    return frame("event", eventType, json);
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
