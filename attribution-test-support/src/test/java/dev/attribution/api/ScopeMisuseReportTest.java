package dev.attribution.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.testing.LogCapture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Misuse of scopes is loud: a scope leaked on a pooled thread is reported when the next request's
 * {@code openIsolated} hides it, and closing out of order is logged, both through SLF4J like the
 * rest of the library (the tests' binding is slf4j-simple: {@code WARN <logger> - <message>}).
 */
class ScopeMisuseReportTest {

  private static final AttributionContext FIRST =
      AttributionContext.builder().tenantId("acme").build();
  private static final AttributionContext SECOND =
      AttributionContext.builder().tenantId("globex").build();

  private final String name = "pooled-" + System.nanoTime();
  private final ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, name));

  @AfterEach
  void stopPool() throws InterruptedException {
    System.clearProperty(ScopeStorage.DEBUG_PROPERTY);
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  private void run(Runnable task) throws Exception {
    pool.submit(task).get(10, TimeUnit.SECONDS);
  }

  /** A request filter that forgets to close its scope. */
  private static void leakingRequest() {
    Attribution.openIsolated(FIRST);
  }

  /** A request filter that closes its scope. */
  private static void wellBehavedRequest() {
    try (AttributionScope s = Attribution.openIsolated(SECOND)) {
      assertThat(Attribution.current()).isEqualTo(SECOND);
    }
  }

  @Test
  void aScopeLeakedOnAPooledThreadIsReportedOnceWhenTheNextRequestOpensItsScope() throws Exception {
    long before = Attribution.leakedScopes();
    try (LogCapture log = new LogCapture()) {
      run(ScopeMisuseReportTest::leakingRequest);
      run(ScopeMisuseReportTest::wellBehavedRequest);
      run(ScopeMisuseReportTest::wellBehavedRequest);

      assertThat(log.linesContaining("leaked on thread '" + name + "'"))
          .singleElement()
          .satisfies(
              line ->
                  assertThat(line)
                      .contains("WARN dev.attribution.api.Attribution - ")
                      .contains("try-with-resources")
                      .contains("-Ddev.attribution.debugScopes=true"));
    }
    // Counted each time a request finds it, logged once.
    assertThat(Attribution.leakedScopes() - before).isEqualTo(2);
  }

  @Test
  void withTheDebugSwitchTheReportShowsWhereTheLeakedScopeWasOpened() throws Exception {
    System.setProperty(ScopeStorage.DEBUG_PROPERTY, "true");
    try (LogCapture log = new LogCapture()) {
      run(ScopeMisuseReportTest::leakingRequest);
      run(ScopeMisuseReportTest::wellBehavedRequest);

      assertThat(log.linesContaining("leaked on thread '" + name + "'")).hasSize(1);
      assertThat(log.linesContaining("the scope was opened here")).hasSize(1);
      assertThat(log.linesContaining("ScopeMisuseReportTest.leakingRequest")).isNotEmpty();
    }
  }

  @Test
  void scopesInstalledByWrappedExecutorsAndProperlyClosedOnesAreNotReported() throws Exception {
    long before = Attribution.leakedScopes();
    ExecutorService wrapped = Attribution.wrap(pool);
    try (LogCapture log = new LogCapture();
        AttributionScope outer = Attribution.open(FIRST)) {
      wrapped.submit(ScopeMisuseReportTest::wellBehavedRequest).get(10, TimeUnit.SECONDS);
      run(ScopeMisuseReportTest::wellBehavedRequest);
      assertThat(log.linesContaining("leaked on thread")).isEmpty();
    }
    assertThat(Attribution.leakedScopes()).isEqualTo(before);
  }

  @Test
  void closingOutOfOrderIsLoggedThroughTheLibrarysLogging() {
    try (LogCapture log = new LogCapture()) {
      // The report is rate-limited to the 1st, 2nd, 4th, 8th.. occurrence in this JVM: close out
      // of order until the count is a power of two.
      do {
        AttributionScope outer = Attribution.open(FIRST);
        AttributionScope inner = Attribution.open(SECOND);
        outer.close(); // out of order: ignored
        inner.close();
        outer.close();
      } while (Long.bitCount(Attribution.outOfOrderCloses()) != 1);

      assertThat(log.linesContaining("closed out of order"))
          .singleElement()
          .satisfies(line -> assertThat(line).contains("WARN dev.attribution.api.Attribution - "));
    }
  }
}
