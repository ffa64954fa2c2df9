package dev.attribution.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.CallStatus;
import dev.attribution.api.InMemoryUsageSink;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.Threshold;
import dev.attribution.core.routing.Route;
import dev.attribution.core.transport.CallRequest;
import dev.attribution.core.transport.LlmCall;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Attempts a budget refuses after the first decision: a failover attempt blocked is still recorded
 * as the failover attempt; a downgrade whose target is over its own cap is blocked, not sent.
 */
class FailoverBlockedTest {

  @Test
  void aBlockedFailoverIsRecordedAsAttemptTwoWithWhereItFailedOverFrom() throws Exception {
    InMemoryUsageSink sink = UsageSink.inMemory();
    try (AttributionEngine engine =
        AttributionEngine.builder()
            .shutdownHook(false)
            .addSink(sink)
            .route(
                Route.builder("backup")
                    .baseUrl("https://backup.example/v1")
                    .provider("openai")
                    .mapModel("gpt-4o", "gpt-4o-mini")
                    .build())
            .failover("backup", false, 503)
            .budget(
                BudgetDefinition.builder("mini")
                    .fixed(ScopeDimension.MODEL, "gpt-4o-mini")
                    .limit("0.000001")
                    .thresholds(Threshold.blockAt(100))
                    .build())
            .build()) {
      CallRequest req = TestCalls.openAiChat("{\"model\":\"gpt-4o\",\"max_tokens\":5}", Map.of());
      LlmCall first = engine.begin(req);
      assertThat(first.blocked()).isNull();
      first.onResponse(503, h -> null);
      LlmCall failover = engine.beginFailover(req, first, 503, false);
      assertThat(failover).isNotNull();
      assertThat(failover.blocked()).isNotNull();
      first.completeWithoutBody();
      engine.flush(Duration.ofSeconds(5));
    }
    List<UsageRecord> records =
        sink.awaitCount(2, Duration.ofSeconds(5)).stream()
            .sorted(Comparator.comparingInt(UsageRecord::attempt))
            .toList();
    assertThat(records).hasSize(2);
    UsageRecord blocked = records.get(1);
    assertThat(blocked.status()).isEqualTo(CallStatus.BLOCKED);
    assertThat(blocked.attempt()).isEqualTo(2);
    assertThat(blocked.attributes()).containsEntry("failover_from", "openai");
    assertThat(blocked.routeRule()).isEqualTo("failover");
    assertThat(blocked.budgetName()).isEqualTo("mini");
    assertThat(records.get(0).attempt()).isEqualTo(1);
    assertThat(records.get(0).status()).isEqualTo(CallStatus.UPSTREAM_ERROR);
  }

  /**
   * A downgrade whose cheaper model is over a cap of its own is blocked, not sent: the re-admission
   * for the target refused it, and the call must not go out holding no reservation.
   */
  @Test
  void aDowngradeToAModelOverItsOwnCapIsBlocked() throws Exception {
    InMemoryUsageSink sink = UsageSink.inMemory();
    try (AttributionEngine engine =
        AttributionEngine.builder()
            .shutdownHook(false)
            .addSink(sink)
            .budget(
                BudgetDefinition.builder("big")
                    .fixed(ScopeDimension.MODEL, "gpt-4o")
                    .limit("0.000001")
                    .thresholds(Threshold.downgradeAt(1))
                    .downgrade("gpt-4o", "gpt-4o-mini")
                    .build())
            .budget(
                BudgetDefinition.builder("mini")
                    .fixed(ScopeDimension.MODEL, "gpt-4o-mini")
                    .limit("0.000001")
                    .thresholds(Threshold.blockAt(100))
                    .build())
            .build()) {
      CallRequest req = TestCalls.openAiChat("{\"model\":\"gpt-4o\",\"max_tokens\":5}", Map.of());
      LlmCall call = engine.begin(req);
      assertThat(call.blocked()).as("the downgraded target is over its cap").isNotNull();
      assertThat(call.rewrite()).isNull();
      engine.flush(Duration.ofSeconds(5));
      UsageRecord r = sink.awaitCount(1, Duration.ofSeconds(5)).get(0);
      assertThat(r.status()).isEqualTo(CallStatus.BLOCKED);
      assertThat(r.budgetName()).isEqualTo("mini");
      assertThat(engine.budgetStatuses()).allSatisfy(st -> assertThat(st.reserved()).isZero());
    }
  }
}
