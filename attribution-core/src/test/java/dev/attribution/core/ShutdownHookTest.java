package dev.attribution.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import java.io.File;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application that exits without closing the engine loses no records: a real child JVM records a
 * call and calls {@code System.exit} with the engine still open.
 */
class ShutdownHookTest {

  @TempDir Path dir;

  /** The child: one record through a file-writing sink, then exit without {@code close()}. */
  public static final class ExitWithoutClose {
    private ExitWithoutClose() {}

    /**
     * Runs the child.
     *
     * @param args the output file and {@code on} or {@code off} for the shutdown hook, or {@code
     *     hung} for a sink that never returns from its close
     */
    public static void main(String[] args) {
      Path out = Path.of(args[0]);
      AttributionEngine.Builder b = AttributionEngine.builder();
      if (args[1].equals("hung")) {
        // A sink that never returns from its close: the hook must still let the JVM exit.
        b.addSink(new FileSink(out, true));
        b.shutdownHookTimeout = Duration.ofMillis(200);
      } else {
        b.addSink(new FileSink(out)).shutdownHook(args[1].equals("on"));
      }
      AttributionEngine engine = b.build();
      engine.recordMeter("vector.read", BigDecimal.TEN);
      System.exit(0);
    }
  }

  /** Appends one line per record, and {@code shutdown} when the pipeline closes it. */
  static final class FileSink implements UsageSink {
    private final Path file;
    private final boolean hangOnShutdown;

    FileSink(Path file) {
      this(file, false);
    }

    FileSink(Path file, boolean hangOnShutdown) {
      this.file = file;
      this.hangOnShutdown = hangOnShutdown;
    }

    @Override
    public void export(List<UsageRecord> batch) throws IOException {
      for (UsageRecord r : batch) {
        append("record " + r.requestedModel());
      }
    }

    @Override
    public void shutdown() throws IOException, InterruptedException {
      append("shutdown");
      while (hangOnShutdown) {
        Thread.sleep(1000);
      }
    }

    private void append(String line) throws IOException {
      Files.writeString(
          file,
          line + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    }
  }

  private List<String> runChild(String hook) throws Exception {
    Path out = dir.resolve("records-" + hook + ".txt");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-cp",
            System.getProperty("java.class.path"),
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            ExitWithoutClose.class.getName(),
            out.toString(),
            hook);
    pb.redirectErrorStream(true);
    pb.redirectOutput(new File(dir.toFile(), "child-" + hook + ".log"));
    Process p = pb.start();
    boolean exited = p.waitFor(60, TimeUnit.SECONDS);
    if (!exited) {
      p.destroyForcibly();
    }
    assertThat(exited).as("the child JVM exited").isTrue();
    assertThat(p.exitValue()).isZero();
    return Files.exists(out) ? Files.readAllLines(out) : List.of();
  }

  @Test
  void closingTheEngineRemovesItsHookSoClosedEnginesDoNotPileUpUntilExit() {
    AttributionEngine engine = AttributionEngine.builder().build();
    Thread hook = engine.shutdownHook();
    assertThat(hook).isNotNull();
    engine.close();
    // Already removed: removing it again reports that it was not registered.
    assertThat(Runtime.getRuntime().removeShutdownHook(hook)).isFalse();
    try (AttributionEngine noHook = AttributionEngine.builder().shutdownHook(false).build()) {
      assertThat(noHook.shutdownHook()).isNull();
    }
  }

  @Test
  void exitingWithoutCloseStillDeliversTheRecordAndClosesTheSinks() throws Exception {
    assertThat(runChild("on")).containsExactly("record vector.read", "shutdown");
  }

  @Test
  void aSinkThatHangsInItsCloseCannotKeepTheJvmFromExiting() throws Exception {
    assertThat(runChild("hung")).containsExactly("record vector.read", "shutdown");
  }

  @Test
  void withTheHookSwitchedOffNothingClosesTheSinksAtExit() throws Exception {
    assertThat(runChild("off")).doesNotContain("shutdown");
  }
}
