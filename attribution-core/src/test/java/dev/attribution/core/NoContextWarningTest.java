package dev.attribution.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.ContextSource;
import dev.attribution.core.transport.CallRequest;
import dev.attribution.testing.LogCapture;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A call made with no scope open and no attribution headers (a forgotten request filter, an
 * unwrapped executor) is named in one warning instead of being recorded silently without tenant.
 */
class NoContextWarningTest {

  private static final String CHAT =
      "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  private static CallRequest chat(AttributionContext context, ContextSource source) {
    return TestCalls.openAiChat(CHAT, Map.of(), context, source);
  }

  @Test
  void aCallWithoutAnyContextIsReportedOnceWithTheFix() {
    try (AttributionEngine engine = AttributionEngine.builder().shutdownHook(false).build();
        LogCapture log = new LogCapture()) {
      engine.begin(chat(AttributionContext.empty(), ContextSource.NONE));
      engine.begin(chat(AttributionContext.empty(), ContextSource.NONE));

      assertThat(log.linesContaining("has no attribution context"))
          .singleElement()
          .satisfies(
              line ->
                  assertThat(line)
                      .contains("WARN")
                      .contains("api.openai.com/v1/chat/completions")
                      .contains("Attribution.openIsolated("));
    }
  }

  @Test
  void callsInAScopeOrWithHeadersAreNotReported() {
    AttributionContext acme = AttributionContext.builder().tenantId("acme").build();
    try (AttributionEngine engine = AttributionEngine.builder().shutdownHook(false).build();
        LogCapture log = new LogCapture()) {
      engine.begin(chat(acme, ContextSource.SCOPE));
      engine.begin(chat(acme, ContextSource.HEADER));
      engine.begin(chat(acme, ContextSource.TAG));
      assertThat(log.linesContaining("has no attribution context")).isEmpty();
    }
  }
}
