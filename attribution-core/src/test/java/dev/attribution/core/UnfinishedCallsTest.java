package dev.attribution.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.CallStatus;
import dev.attribution.api.InMemoryUsageSink;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import dev.attribution.core.transport.LlmCall;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The engine's registry of unfinished calls, finished by {@code close()}. */
class UnfinishedCallsTest {

  private static final String CHAT =
      "{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  private static AttributionEngine engine(InMemoryUsageSink sink) {
    return AttributionEngine.builder().addSink(sink).shutdownHook(false).build();
  }

  @Test
  void aFinishedCallLeavesTheRegistryAndCloseRecordsEveryUnfinishedOneOnce() {
    InMemoryUsageSink sink = UsageSink.inMemory();
    AttributionEngine engine = engine(sink);
    LlmCall done = engine.begin(TestCalls.openAiChat(CHAT, Map.of()));
    LlmCall waiting = engine.begin(TestCalls.openAiChat(CHAT, Map.of()));
    LlmCall streaming = engine.begin(TestCalls.openAiChat(CHAT, Map.of()));
    assertThat(engine.unfinishedCalls()).isEqualTo(3);

    done.onResponse(200, name -> null);
    done.completeStream(true);
    assertThat(engine.unfinishedCalls()).isEqualTo(2);

    streaming.onResponse(200, name -> name.equals("content-type") ? "text/event-stream" : null);
    byte[] chunk =
        ("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello there, friend\"}}]}\n\n")
            .getBytes(StandardCharsets.UTF_8);
    streaming.onStreamBytes(chunk, 0, chunk.length);

    engine.close();

    assertThat(engine.unfinishedCalls()).isZero();
    List<UsageRecord> rs = sink.records();
    assertThat(rs).hasSize(3);
    // Finishing after close() is a no-op: still one record per call.
    streaming.completeStream(true);
    waiting.failed(new java.io.IOException("late"));
    assertThat(sink.records()).hasSize(3);
    UsageRecord w = rs.stream().filter(r -> r.httpStatus() == null).findFirst().orElseThrow();
    assertThat(w.status()).isEqualTo(CallStatus.CANCELLED);
    assertThat(w.attributes()).containsEntry("abandoned", "engine_closed");
    assertThat(w.usageEstimated()).isTrue();
    assertThat(w.usage().inputTokens()).isPositive();
    assertThat(w.usage().outputTokens()).isZero();
    UsageRecord s =
        rs.stream()
            .filter(r -> r.attributes().containsKey("abandoned") && r.httpStatus() != null)
            .findFirst()
            .orElseThrow();
    assertThat(s.status()).isEqualTo(CallStatus.CANCELLED);
    assertThat(s.usage().outputTokens()).isEqualTo(5);
  }

  @Test
  void theRegistryIsBoundedAndSaysSoOnce() {
    int[] reported = new int[1];
    InFlightCalls calls = new InFlightCalls(1, () -> reported[0]++);
    InMemoryUsageSink sink = UsageSink.inMemory();
    try (AttributionEngine engine = engine(sink)) {
      int added = 0;
      for (int i = 0; i < 200; i++) {
        EngineCall c = (EngineCall) engine.begin(TestCalls.openAiChat(CHAT, Map.of()));
        if (calls.add(c)) {
          added++;
        }
      }
      assertThat(added).isEqualTo(InFlightCalls.STRIPES);
      assertThat(calls.size()).isEqualTo(InFlightCalls.STRIPES);
      assertThat(reported[0]).isEqualTo(1);
      for (EngineCall c : calls.snapshot()) {
        calls.remove(c);
      }
      assertThat(calls.size()).isZero();
    }
  }
}
