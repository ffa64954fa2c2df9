package dev.attribution.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.CallStatus;
import dev.attribution.api.ContextSource;
import dev.attribution.api.CostSource;
import dev.attribution.api.InMemoryUsageSink;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.Threshold;
import dev.attribution.core.transport.CallRequest;
import dev.attribution.core.transport.LlmCall;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * What a record says when a value is unknown or only hypothetical: no sentinels (HTTP status 0,
 * provider "unknown"), a dry-run outcome in its own typed field, the Azure deployment in its own.
 */
class RecordFieldsTest {

  private static final String CHAT_RESPONSE =
      "{\"id\":\"chatcmpl-1\",\"model\":\"gpt-4o-2024-08-06\",\"usage\":"
          + "{\"prompt_tokens\":10,\"completion_tokens\":5,\"total_tokens\":15}}";

  private static UsageRecord only(AttributionEngine engine, InMemoryUsageSink sink)
      throws InterruptedException {
    engine.flush(Duration.ofSeconds(5));
    List<UsageRecord> rs = sink.awaitCount(1, Duration.ofSeconds(5));
    assertThat(rs).hasSize(1);
    return rs.get(0);
  }

  private static CallRequest post(String host, String path, byte @Nullable [] body) {
    return new CallRequest(
        "POST",
        "https",
        host,
        443,
        path,
        null,
        body,
        h -> null,
        AttributionContext.empty(),
        ContextSource.NONE,
        1,
        "");
  }

  private static void answer(LlmCall call, int status, String body) {
    call.onResponse(status, h -> null);
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    call.completeBody(bytes, bytes.length);
  }

  @Test
  void aDryRunBudgetThatWouldBlockLetsTheCallThroughAndTheRecordSaysWhatItWouldHaveDone()
      throws Exception {
    InMemoryUsageSink sink = UsageSink.inMemory();
    BudgetDefinition tiny =
        BudgetDefinition.builder("global-dry")
            .limit("0.000001")
            .thresholds(Threshold.blockAt(100))
            .dryRun(true)
            .build();
    try (AttributionEngine engine =
        AttributionEngine.builder().shutdownHook(false).budget(tiny).addSink(sink).build()) {
      LlmCall call =
          engine.begin(TestCalls.openAiChat("{\"model\":\"gpt-4o\",\"max_tokens\":100}", Map.of()));
      assertThat(call.blocked()).isNull();
      answer(call, 200, CHAT_RESPONSE);
      UsageRecord r = only(engine, sink);
      assertThat(r.budgetAction()).isEqualTo(BudgetAction.NONE);
      assertThat(r.dryRunAction()).isEqualTo(BudgetAction.BLOCK);
      assertThat(r.budgetName()).isEqualTo("global-dry");
      assertThat(r.attributes()).doesNotContainKey("budget_dry_run");
      assertThat(r.httpStatus()).isEqualTo(200);
      assertThat(r.provider()).isEqualTo("openai");
      assertThat(r.deployment()).isNull();
    }
  }

  @Test
  void anEnforcingBudgetBlocksWithoutAnHttpStatusAndWithoutADryRunAction() throws Exception {
    InMemoryUsageSink sink = UsageSink.inMemory();
    BudgetDefinition tiny =
        BudgetDefinition.builder("global")
            .limit("0.000001")
            .thresholds(Threshold.blockAt(100))
            .build();
    try (AttributionEngine engine =
        AttributionEngine.builder().shutdownHook(false).budget(tiny).addSink(sink).build()) {
      LlmCall call = engine.begin(TestCalls.openAiChat("{\"model\":\"gpt-4o\"}", Map.of()));
      assertThat(call.blocked()).isNotNull();
      assertThat(call.blocked().status()).as("the application still gets a 429").isEqualTo(429);
      UsageRecord r = only(engine, sink);
      assertThat(r.status()).isEqualTo(CallStatus.BLOCKED);
      assertThat(r.budgetAction()).isEqualTo(BudgetAction.BLOCK);
      assertThat(r.dryRunAction()).isNull();
      assertThat(r.httpStatus()).as("nothing went over the network").isNull();
    }
  }

  @Test
  void anAzureCallRecordsItsDeploymentBesideTheModelItServes() throws Exception {
    InMemoryUsageSink sink = UsageSink.inMemory();
    try (AttributionEngine engine =
        AttributionEngine.builder()
            .shutdownHook(false)
            .azureDeployment("prod-chat", "gpt-4o")
            .addSink(sink)
            .build()) {
      LlmCall call =
          engine.begin(
              post(
                  "acme.openai.azure.com",
                  "/openai/deployments/prod-chat/chat/completions",
                  "{\"messages\":[]}".getBytes(StandardCharsets.UTF_8)));
      answer(call, 200, CHAT_RESPONSE);
      UsageRecord r = only(engine, sink);
      assertThat(r.provider()).isEqualTo("azure.ai.openai");
      assertThat(r.deployment()).isEqualTo("prod-chat");
      assertThat(r.requestedModel()).isEqualTo("gpt-4o");
      assertThat(r.attributes()).isEmpty();
    }
  }

  @Test
  void aTransportFailureHasNoHttpStatus() throws Exception {
    InMemoryUsageSink sink = UsageSink.inMemory();
    try (AttributionEngine engine =
        AttributionEngine.builder().shutdownHook(false).addSink(sink).build()) {
      LlmCall call = engine.begin(TestCalls.openAiChat("{\"model\":\"gpt-4o\"}", Map.of()));
      call.failed(new IOException("connection reset"));
      UsageRecord r = only(engine, sink);
      assertThat(r.status()).isEqualTo(CallStatus.FAILED);
      assertThat(r.httpStatus()).isNull();
      assertThat(r.errorType()).isEqualTo("IOException");
    }
  }

  @Test
  void anUnrecognisedEndpointIsRecordedWithoutAProviderAndUnpricedNotFree() throws Exception {
    InMemoryUsageSink sink = UsageSink.inMemory();
    try (AttributionEngine engine =
        AttributionEngine.builder()
            .shutdownHook(false)
            .recordUnrecognised(true)
            .addSink(sink)
            .build()) {
      LlmCall call = engine.begin(post("internal.example", "/v1/files", null));
      assertThat(call.recognised()).isFalse();
      call.onResponse(201, h -> null);
      call.completeWithoutBody();
      UsageRecord r = only(engine, sink);
      assertThat(r.provider()).isNull();
      assertThat(r.operation()).as("unknown is null, not \"unknown\"").isNull();
      assertThat(r.cost()).as("unknown, never zero").isNull();
      assertThat(r.costSource()).isEqualTo(CostSource.UNPRICED);
      assertThat(r.httpStatus()).isEqualTo(201);
      assertThat(r.status()).isEqualTo(CallStatus.OK);
      assertThat(r.attributes()).doesNotContainKey("budget_charge");
      assertThat(engine.stats().unpricedCalls()).isZero();
    }
  }

  @Test
  void aMeterReadingHasNoHttpStatus() throws Exception {
    InMemoryUsageSink sink = UsageSink.inMemory();
    try (AttributionEngine engine =
        AttributionEngine.builder().shutdownHook(false).addSink(sink).build()) {
      engine.recordMeter("vector.read", BigDecimal.TEN);
      UsageRecord r = only(engine, sink);
      assertThat(r.provider()).isEqualTo("meter");
      assertThat(r.httpStatus()).isNull();
    }
  }
}
