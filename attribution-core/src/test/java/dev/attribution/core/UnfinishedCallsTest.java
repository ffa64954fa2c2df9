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

  /**
   * A call being finished on another thread when the engine closes (an application thread closing
   * its stream): close() waits for its record instead of draining the sinks before it arrives. The
   * clock holds the finishing thread inside the record's making; close() must not return while it
   * is held, and the record must be in the sink once it has.
   */
  @Test
  void closeWaitsForACallBeingFinishedOnAnotherThread() throws Exception {
    java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicReference<Thread> held =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.time.Clock clock =
        new java.time.Clock() {
          @Override
          public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
          }

          @Override
          public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
          }

          @Override
          public java.time.Instant instant() {
            if (Thread.currentThread() == held.get()) {
              inside.countDown();
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            return java.time.Instant.parse("2026-12-06T00:00:00Z");
          }
        };
    InMemoryUsageSink sink = UsageSink.inMemory();
    AttributionEngine engine =
        AttributionEngine.builder().addSink(sink).shutdownHook(false).clock(clock).build();
    LlmCall call = engine.begin(TestCalls.openAiChat(CHAT, Map.of()));
    call.onResponse(200, name -> name.equals("content-type") ? "text/event-stream" : null);
    Thread finisher = new Thread(() -> call.completeStream(false), "finisher");
    held.set(finisher);
    finisher.start();
    inside.await();

    Thread closer = new Thread(engine::close, "closer");
    closer.start();
    // close() must block on the call being finished; give it the chance to run past it.
    closer.join(500);
    assertThat(closer.isAlive()).as("close() waits for the call being finished").isTrue();
    release.countDown();
    finisher.join();
    closer.join();

    assertThat(sink.records()).hasSize(1);
    assertThat(sink.records().get(0).status()).isEqualTo(CallStatus.CANCELLED);
    assertThat(sink.records().get(0).attributes()).doesNotContainKey("abandoned");
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
