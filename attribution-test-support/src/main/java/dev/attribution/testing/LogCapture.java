package dev.attribution.testing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Captures what the tests' SLF4J binding (slf4j-simple, which looks {@code System.err} up on every
 * message) prints while it is open, and still passes it through to the real stderr.
 */
public final class LogCapture implements AutoCloseable {

  private final PrintStream original = System.err;
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

  /** Starts capturing {@code System.err}; {@link #close()} puts the original stream back. */
  public LogCapture() {
    OutputStream tee =
        new OutputStream() {
          @Override
          public void write(int b) {
            synchronized (captured) {
              captured.write(b);
            }
            original.write(b);
          }

          @Override
          public void write(byte[] b, int off, int len) {
            synchronized (captured) {
              captured.write(b, off, len);
            }
            original.write(b, off, len);
          }
        };
    System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
  }

  /** The captured lines that contain {@code text}. */
  public List<String> linesContaining(String text) {
    String all;
    synchronized (captured) {
      all = captured.toString(StandardCharsets.UTF_8);
    }
    return Arrays.stream(all.split("\\R")).filter(l -> l.contains(text)).toList();
  }

  /** Stops capturing and restores the original {@code System.err}. */
  @Override
  public void close() {
    System.err.flush();
    System.setErr(original);
  }
}
