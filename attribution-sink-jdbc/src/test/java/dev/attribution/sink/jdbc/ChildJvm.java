package dev.attribution.sink.jdbc;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts a test's {@code main} class in a child JVM on the test class path. */
final class ChildJvm {

  private ChildJvm() {}

  /** A process builder for {@code main} with {@code args}, logging errors only. */
  static ProcessBuilder of(Class<?> main, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=error");
    cmd.add(main.getName());
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd);
  }
}
