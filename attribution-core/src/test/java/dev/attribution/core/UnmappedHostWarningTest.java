package dev.attribution.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.ContextSource;
import dev.attribution.core.transport.CallRequest;
import dev.attribution.core.transport.LlmCall;
import dev.attribution.testing.LogCapture;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A proxy or local model server the application forgot to map is named in one warning per host,
 * with the fix ({@code AttributionEngine.builder().mapHost(..)}), instead of passing silently
 * unattributed.
 */
class UnmappedHostWarningTest {

  private static final byte[] CHAT =
      "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
          .getBytes(StandardCharsets.UTF_8);

  private static CallRequest post(String host, int port, String path) {
    return new CallRequest(
        "POST",
        "http",
        host,
        port,
        path,
        null,
        CHAT,
        name -> null,
        AttributionContext.empty(),
        ContextSource.NONE,
        1,
        "");
  }

  @Test
  void unmappedHostOnAnLlmPathIsReportedOncePerHostWithTheMapHostFix() {
    try (AttributionEngine engine = AttributionEngine.builder().shutdownHook(false).build();
        LogCapture log = new LogCapture()) {
      engine.begin(post("llm.internal", 8000, "/v1/chat/completions"));
      engine.begin(post("llm.internal", 8000, "/v1/chat/completions"));
      engine.begin(post("LLM.internal", 8000, "/v1/embeddings"));
      engine.begin(post("127.0.0.1", 11434, "/api/v1/models/gemini-2.0-flash:generateContent"));
      engine.begin(post("127.0.0.1", 11434, "/v1/messages"));

      assertThat(log.linesContaining("llm.internal:8000"))
          .singleElement()
          .satisfies(
              line ->
                  assertThat(line)
                      .contains("WARN")
                      .contains("/v1/chat/completions")
                      .contains("recorded, without a provider,")
                      .doesNotContain("'unknown'")
                      // the fix it names is the builder's own method, not an internal type
                      .contains(
                          "AttributionEngine.builder().mapHost(\"llm.internal:8000\", \"openai\")")
                      .doesNotContain("ProviderRegistry"));
      assertThat(log.linesContaining("mapHost(\"127.0.0.1:11434\"")).hasSize(1);
    }
  }

  @Test
  void theWarningFiresEvenWhenUnrecognisedCallsAreNotRecorded() {
    try (AttributionEngine engine =
            AttributionEngine.builder().shutdownHook(false).recordUnrecognised(false).build();
        LogCapture log = new LogCapture()) {
      LlmCall call = engine.begin(post("proxy.corp", 443, "/openai/v1/responses"));
      assertThat(call.tracked()).isFalse();
      assertThat(log.linesContaining("mapHost(\"proxy.corp:443\"")).hasSize(1);
    }
  }

  @Test
  void hostileTrafficToManyHostsCannotFloodTheLogAndNoQueryStringIsLogged() {
    try (AttributionEngine engine = AttributionEngine.builder().shutdownHook(false).build();
        LogCapture log = new LogCapture()) {
      for (int i = 0; i < 1000; i++) {
        engine.begin(
            new CallRequest(
                "POST",
                "https",
                "h" + i + ".example",
                443,
                "/v1beta/models/gemini-2.0-flash:generateContent",
                "key=AIza-secret-" + i,
                CHAT,
                name -> null,
                AttributionContext.empty(),
                ContextSource.NONE,
                1,
                ""));
      }
      assertThat(log.linesContaining("mapHost(")).hasSize(AttributionEngine.MAX_WARNED_HOSTS);
      assertThat(log.linesContaining("secret")).isEmpty();
    }
  }

  @Test
  void ordinaryApiCallsAndMappedHostsAreNotReported() {
    try (AttributionEngine engine =
            AttributionEngine.builder()
                .shutdownHook(false)
                .mapHost("llm.internal", "vllm")
                .build();
        LogCapture log = new LogCapture()) {
      engine.begin(post("billing.internal", 8080, "/api/invoices"));
      engine.begin(post("billing.internal", 8080, "/api/messages/42"));
      LlmCall mapped = engine.begin(post("llm.internal", 8000, "/v1/chat/completions"));
      assertThat(mapped.recognised()).isTrue();
      assertThat(log.linesContaining("mapHost(")).isEmpty();
    }
  }
}
