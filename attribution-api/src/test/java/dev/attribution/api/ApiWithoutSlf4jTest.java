package dev.attribution.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The API module has no run-time dependency: without SLF4J on the class path its warnings still
 * reach the JDK's platform logging, and nothing fails to load.
 */
class ApiWithoutSlf4jTest {

  /** The child: leaks a scope, then opens the next request's scope. */
  public static final class LeakWithoutSlf4j {
    private LeakWithoutSlf4j() {}

    /**
     * Runs the child.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
      Attribution.openIsolated(AttributionContext.builder().tenantId("a").build());
      try (AttributionScope s =
          Attribution.openIsolated(AttributionContext.builder().tenantId("b").build())) {
        System.out.println("current " + s.context().tenantId());
      }
    }
  }

  @Test
  void warningsGoToPlatformLoggingWhenSlf4jIsAbsent() throws Exception {
    String classPath =
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(entry -> !entry.contains("slf4j"))
            .collect(Collectors.joining(File.pathSeparator));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(java, "-cp", classPath, LeakWithoutSlf4j.class.getName())
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output)
        .contains("current b")
        .contains("WARNING: Attribution scope leaked on thread 'main'")
        .doesNotContainIgnoringCase("slf4j");
  }
}
