package dev.attribution.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.InMemoryUsageSink;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import dev.attribution.api.internal.RateLimitedLogger;
import dev.attribution.core.transport.LlmCall;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** Untrusted strings from requests cannot forge log lines or grow records without bound. */
class UntrustedTextTest {

  /** A logger that keeps every formatted line. */
  static final class Captured extends AbstractLogger {
    private static final long serialVersionUID = 1L;
    final transient List<String> lines = new ArrayList<>();

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
        Level level, Marker marker, String pattern, Object[] args, Throwable t) {
      lines.add(MessageFormatter.basicArrayFormat(pattern, args));
    }

    @Override
    public boolean isTraceEnabled() {
      return true;
    }

    @Override
    public boolean isTraceEnabled(Marker marker) {
      return true;
    }

    @Override
    public boolean isDebugEnabled() {
      return true;
    }

    @Override
    public boolean isDebugEnabled(Marker marker) {
      return true;
    }

    @Override
    public boolean isInfoEnabled() {
      return true;
    }

    @Override
    public boolean isInfoEnabled(Marker marker) {
      return true;
    }

    @Override
    public boolean isWarnEnabled() {
      return true;
    }

    @Override
    public boolean isWarnEnabled(Marker marker) {
      return true;
    }

    @Override
    public boolean isErrorEnabled() {
      return true;
    }

    @Override
    public boolean isErrorEnabled(Marker marker) {
      return true;
    }
  }

  @Test
  void aRateLimitedWarningCannotBeSplitIntoAForgedLogLine() {
    Captured log = new Captured();
    new RateLimitedLogger(log, 10_000)
        .warn(
            "no price for {} at {}",
            "gpt-4o\n2026-12-04 WARN admin logged in\u001b[31m",
            "openai",
            new IllegalStateException("kept as a throwable"));
    assertThat(log.lines).hasSize(1);
    assertThat(log.lines.get(0))
        .isEqualTo("no price for gpt-4o\\n2026-12-04 WARN admin logged in\\u001b[31m at openai");
  }

  @Test
  void aHugeModelNameIsBoundedInTheRecordAndInTheUnpricedWarning() throws Exception {
    String model = "evil\r\nWARN forged line" + "m".repeat(10_000);
    InMemoryUsageSink sink = UsageSink.inMemory();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream original = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try (AttributionEngine engine = AttributionEngine.builder().addSink(sink).build()) {
      String body = "{\"model\":\"" + model.replace("\r\n", "\\r\\n") + "\",\"messages\":[]}";
      LlmCall call = engine.begin(TestCalls.openAiChat(body, Map.of()));
      assertThat(call.rewrite()).isNull();
      call.onResponse(200, h -> null);
      byte[] response =
          ("{\"model\":\"" + "r".repeat(5000) + "\",\"usage\":{\"prompt_tokens\":1}}")
              .getBytes(StandardCharsets.UTF_8);
      call.completeBody(response, response.length);
      engine.flush(Duration.ofSeconds(5));
    } finally {
      System.setErr(original);
    }
    UsageRecord r = sink.awaitCount(1, Duration.ofSeconds(5)).get(0);
    assertThat(r.requestedModel())
        .hasSize(AttributionContext.MAX_VALUE_LENGTH)
        .startsWith("evil\r\n");
    assertThat(r.effectiveModel()).hasSize(AttributionContext.MAX_VALUE_LENGTH);
    assertThat(r.responseModel()).hasSize(AttributionContext.MAX_VALUE_LENGTH);
    String logged = err.toString(StandardCharsets.UTF_8);
    assertThat(logged).contains("no price for model");
    for (String line : logged.split("\n", -1)) {
      assertThat(line).doesNotStartWith("WARN forged line").hasSizeLessThan(1000);
    }
  }
}
