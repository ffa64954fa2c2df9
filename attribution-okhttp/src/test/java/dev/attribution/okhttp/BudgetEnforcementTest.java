package dev.attribution.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionScope;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.BudgetEvent;
import dev.attribution.api.CallStatus;
import dev.attribution.api.CostSource;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.core.AttributionEngine;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetPeriod;
import dev.attribution.core.budget.LoopGuard;
import dev.attribution.core.budget.Threshold;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.Test;

/** Prices and budgets through the interceptor, with the real openai-java SDK where it matters. */
class BudgetEnforcementTest {

  private static MockResponse chatJson() {
    return new MockResponse()
        .setHeader("content-type", "application/json")
        .setBody(new Buffer().write(Harness.fixture("openai-chat.json")));
  }

  private static Consumer<AttributionEngine.Builder> budgets(
      BudgetDefinition d, List<BudgetEvent> events) {
    return builder -> builder.budget(d).listener(events::add);
  }

  @Test
  void costIsExactToTheLastUnit() throws Exception {
    try (Harness h = new Harness("openai")) {
      OpenAIClient client =
          OpenAIOkHttpClient.builder()
              .baseUrl(h.baseUrl("/v1"))
              .apiKey("sk-test")
              .addInterceptor(AttributionOkHttp.interceptor(h.engine))
              .build();
      h.server.enqueue(chatJson());
      client
          .chat()
          .completions()
          .create(
              ChatCompletionCreateParams.builder().model("gpt-4o").addUserMessage("hi").build());
      UsageRecord r = h.onlyRecord();
      // gpt-4o: $2.50/M input, $1.25/M cached input, $10/M output.
      // 1117 prompt tokens of which 1024 cached: 93 x 2.5e-6 + 1024 x 1.25e-6; 46 x 1e-5 output.
      assertThat(r.cost().input()).isEqualByComparingTo("0.0002325");
      assertThat(r.cost().cachedInput()).isEqualByComparingTo("0.00128");
      assertThat(r.cost().output()).isEqualByComparingTo("0.00046");
      assertThat(r.cost().total()).isEqualTo(new BigDecimal("0.001972500"));
      assertThat(r.costSource()).isEqualTo(CostSource.COMPUTED);
      assertThat(r.priceVersion()).isNotBlank();
      client.close();
    }
  }

  @Test
  void unknownModelIsRecordedUnpricedWithItsTokensNeverAsFree() throws Exception {
    List<BudgetEvent> events = new CopyOnWriteArrayList<>();
    try (Harness h = new Harness("openai", b -> b.listener(events::add))) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      h.server.enqueue(chatJson());
      try (Response r = client.newCall(post(h, "{\"model\":\"acme-secret-model-7\"}")).execute()) {
        r.body().string();
      }
      UsageRecord r = h.onlyRecord();
      assertThat(r.costSource()).isEqualTo(CostSource.UNPRICED);
      assertThat(r.usage().inputTokens()).isEqualTo(1117);
      assertThat(events)
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.type()).isEqualTo(BudgetEvent.Type.UNPRICED_MODEL);
                assertThat(e.model()).isEqualTo("acme-secret-model-7");
              });
    }
  }

  @Test
  void blockedCallSurfacesAsTheSdksRateLimitErrorAfterExactlyOneAttempt() throws Exception {
    List<BudgetEvent> events = new CopyOnWriteArrayList<>();
    BudgetDefinition tiny =
        BudgetDefinition.builder("tenant-daily")
            .each(ScopeDimension.TENANT)
            .limit("0.000001")
            .period(BudgetPeriod.calendarDay(ZoneOffset.UTC))
            .build();
    try (Harness h = new Harness("openai", budgets(tiny, events))) {
      OpenAIClient client =
          OpenAIOkHttpClient.builder()
              .baseUrl(h.baseUrl("/v1"))
              .apiKey("sk-test")
              .maxRetries(2)
              .addInterceptor(AttributionOkHttp.interceptor(h.engine))
              .build();
      try (AttributionScope s =
          Attribution.open(AttributionContext.builder().tenantId("acme").build())) {
        assertThatThrownBy(
                () ->
                    client
                        .chat()
                        .completions()
                        .create(
                            ChatCompletionCreateParams.builder()
                                .model("gpt-4o")
                                .addUserMessage("hi")
                                .build()))
            .isInstanceOf(RateLimitException.class)
            .hasMessageContaining("budget 'tenant-daily'")
            .hasMessageContaining("exhausted");
      }
      assertThat(h.server.getRequestCount()).isZero();
      UsageRecord r = h.onlyRecord();
      assertThat(r.status()).isEqualTo(CallStatus.BLOCKED);
      assertThat(r.budgetAction()).isEqualTo(BudgetAction.BLOCK);
      assertThat(r.budgetName()).isEqualTo("tenant-daily");
      // Nothing went over the network: no HTTP status, though the SDK saw the local 429.
      assertThat(r.httpStatus()).isNull();
      assertThat(r.errorType()).isEqualTo("budget_exceeded");
      assertThat(r.cost().isZero()).isTrue();
      assertThat(events).anyMatch(builder -> builder.type() == BudgetEvent.Type.BLOCKED);
      client.close();
    }
  }

  private static Request post(Harness h, String body) {
    return new Request.Builder()
        .url(h.server.url("/v1/chat/completions"))
        .post(RequestBody.create(body, MediaType.get("application/json")))
        .build();
  }

  @Test
  void tenantWalksTheLadderNotifyThenDowngradeThenBlockAndNeverOverspends() throws Exception {
    List<BudgetEvent> events = new CopyOnWriteArrayList<>();
    BigDecimal limit = new BigDecimal("0.02");
    BudgetDefinition monthly =
        BudgetDefinition.builder("tenant-monthly")
            .each(ScopeDimension.TENANT)
            .limit(limit)
            .period(BudgetPeriod.calendarMonth(ZoneOffset.UTC))
            .thresholds(Threshold.notifyAt(50), Threshold.downgradeAt(80), Threshold.blockAt(100))
            .downgrade("gpt-4o", "gpt-4o-mini")
            .build();
    try (Harness h = new Harness("openai", budgets(monthly, events))) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      List<BudgetAction> actions = new ArrayList<>();
      // The guarantee needs upper-bound estimates: the prompt must count at least the 1117 input
      // tokens the canned response reports.
      String ladderBody =
          "{\"model\":\"gpt-4o\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\","
              + "\"content\":\""
              + "hello ".repeat(1200)
              + "\"}]}";
      for (int i = 0; i < 100; i++) {
        h.server.enqueue(chatJson());
        try (AttributionScope s =
                Attribution.open(
                    AttributionContext.builder().tenantId("ladder").feature("summarize").build());
            Response r = client.newCall(post(h, ladderBody)).execute()) {
          r.body().string();
          if (r.code() == 429) {
            break;
          }
        }
      }
      List<UsageRecord> rs = h.records(1);
      rs.forEach(r -> actions.add(r.budgetAction()));
      assertThat(actions).contains(BudgetAction.NOTIFY, BudgetAction.DOWNGRADE, BudgetAction.BLOCK);
      assertThat(actions.indexOf(BudgetAction.NOTIFY))
          .isLessThan(actions.indexOf(BudgetAction.DOWNGRADE));
      assertThat(actions.indexOf(BudgetAction.DOWNGRADE))
          .isLessThan(actions.indexOf(BudgetAction.BLOCK));
      UsageRecord downgraded =
          rs.stream()
              .filter(r -> r.budgetAction() == BudgetAction.DOWNGRADE)
              .findFirst()
              .orElseThrow();
      assertThat(downgraded.requestedModel()).isEqualTo("gpt-4o");
      assertThat(downgraded.effectiveModel()).isEqualTo("gpt-4o-mini");
      boolean sawMini = false;
      for (int i = 0; i < h.server.getRequestCount(); i++) {
        RecordedRequest sent = h.server.takeRequest();
        sawMini |= sent.getBody().readString(StandardCharsets.UTF_8).contains("\"gpt-4o-mini\"");
      }
      assertThat(sawMini).isTrue();
      BigDecimal spent =
          rs.stream().map(r -> r.cost().total()).reduce(BigDecimal.ZERO, BigDecimal::add);
      System.out.println("ladder: " + actions + " spent " + spent + " of " + limit);
      assertThat(spent).isLessThanOrEqualTo(limit);
      assertThat(events).extracting(BudgetEvent::type).contains(BudgetEvent.Type.THRESHOLD_CROSSED);
    }
  }

  @Test
  void criticalTrafficIsNotDowngraded() throws Exception {
    List<BudgetEvent> events = new CopyOnWriteArrayList<>();
    BudgetDefinition monthly =
        BudgetDefinition.builder("tenant-monthly")
            .each(ScopeDimension.TENANT)
            .limit("0.004")
            .period(BudgetPeriod.calendarMonth(ZoneOffset.UTC))
            .thresholds(Threshold.notifyAt(50), Threshold.downgradeAt(80), Threshold.blockAt(1000))
            .downgrade("gpt-4o", "gpt-4o-mini")
            .build();
    try (Harness h = new Harness("openai", budgets(monthly, events))) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      for (String cls : new String[] {"standard", "standard", "critical", "standard"}) {
        h.server.enqueue(chatJson());
        try (AttributionScope s =
                Attribution.open(
                    AttributionContext.builder().tenantId("t").trafficClass(cls).build());
            Response r =
                client.newCall(post(h, "{\"model\":\"gpt-4o\",\"max_tokens\":10}")).execute()) {
          r.body().string();
        }
      }
      List<UsageRecord> rs = h.records(4);
      UsageRecord critical = rs.get(2);
      assertThat(critical.context().trafficClass()).isEqualTo("critical");
      assertThat(critical.effectiveModel()).isEqualTo("gpt-4o");
      assertThat(rs.get(3).effectiveModel()).isEqualTo("gpt-4o-mini");
    }
  }

  @Test
  void loopGuardStopsARunawayAgentThread() throws Exception {
    List<BudgetEvent> events = new CopyOnWriteArrayList<>();
    Consumer<AttributionEngine.Builder> engine =
        builder ->
            builder.listener(events::add).loopGuard(LoopGuard.of(5, null, Duration.ofMinutes(1)));
    try (Harness h = new Harness("openai", engine)) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      int sent = 0;
      int blockedAt = -1;
      for (int i = 0; i < 10 && blockedAt < 0; i++) {
        h.server.enqueue(chatJson());
        try (AttributionScope s =
                Attribution.open(
                    AttributionContext.builder().tenantId("t").threadId("agent-run-42").build());
            Response r = client.newCall(post(h, "{\"model\":\"gpt-4o\"}")).execute()) {
          String body = r.body().string();
          if (r.code() == 429) {
            blockedAt = i;
            assertThat(body).contains("loop_detected");
            assertThat(r.header("x-should-retry")).isEqualTo("false");
          } else {
            sent++;
          }
        }
      }
      assertThat(sent).isEqualTo(5);
      assertThat(blockedAt).isEqualTo(5);
      UsageRecord last = h.records(6).get(5);
      assertThat(last.status()).isEqualTo(CallStatus.BLOCKED);
      assertThat(last.errorType()).isEqualTo("loop_detected");
      assertThat(events).anyMatch(builder -> builder.type() == BudgetEvent.Type.LOOP_STOPPED);
    }
  }
}
