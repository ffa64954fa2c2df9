package dev.attribution.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionHeaders;
import dev.attribution.api.AttributionScope;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.CallStatus;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.core.AttributionEngine;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetPeriod;
import dev.attribution.core.budget.Threshold;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.mockwebserver.MockResponse;
import okio.Buffer;
import org.junit.jupiter.api.Test;

/** Hard caps hold against ordinary and hostile requests, end to end through the interceptor. */
class HardCapsTest {

  private static final AttributionContext ACME =
      AttributionContext.builder().tenantId("acme").build();

  private static MockResponse chatJson() {
    return new MockResponse()
        .setHeader("content-type", "application/json")
        .setBody(new Buffer().write(Harness.fixture("openai-chat.json")));
  }

  private static Consumer<AttributionEngine.Builder> hardCap(String limit) {
    return builder ->
        builder
            .listener(e -> {})
            .budget(
                BudgetDefinition.builder("tenant-daily")
                    .each(ScopeDimension.TENANT)
                    .limit(limit)
                    .period(BudgetPeriod.calendarDay(ZoneOffset.UTC))
                    .thresholds(
                        Threshold.notifyAt(50), Threshold.downgradeAt(80), Threshold.blockAt(100))
                    .downgrade("gpt-4o", "gpt-4o-mini")
                    .build());
  }

  private static Request post(Harness h, String body) {
    return new Request.Builder()
        .url(h.server.url("/v1/chat/completions"))
        .post(RequestBody.create(body, MediaType.get("application/json")))
        .build();
  }

  private static int send(OkHttpClient client, Request request) throws Exception {
    try (AttributionScope s = Attribution.open(ACME);
        Response r = client.newCall(request).execute()) {
      r.body().string();
      return r.code();
    }
  }

  @Test
  void manyCompletionsAreReservedAsManyUnderAHardCap() throws Exception {
    // One completion of at most 1000 gpt-4o tokens costs about 0.01 USD: it fits a 0.05 cap.
    Consumer<AttributionEngine.Builder> budgets = hardCap("0.05");
    try (Harness h = new Harness("openai", budgets)) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      String many = "{\"model\":\"gpt-4o\",\"max_tokens\":1000,\"n\":128,\"messages\":[]}";
      assertThat(send(client, post(h, many))).isEqualTo(429);
      // Downgraded to gpt-4o-mini, 100 generations of 1000 tokens still cost 0.06 USD.
      String bestOf = "{\"model\":\"gpt-4o\",\"max_tokens\":1000,\"best_of\":100,\"n\":1}";
      assertThat(send(client, post(h, bestOf))).isEqualTo(429);
      assertThat(h.server.getRequestCount()).isZero();
      h.server.enqueue(chatJson());
      String one = "{\"model\":\"gpt-4o\",\"max_tokens\":1000,\"n\":1,\"messages\":[]}";
      assertThat(send(client, post(h, one))).isEqualTo(200);
      assertThat(h.server.getRequestCount()).isEqualTo(1);
      assertThat(h.records(3))
          .extracting(UsageRecord::status)
          .containsExactly(CallStatus.BLOCKED, CallStatus.BLOCKED, CallStatus.OK);
    }
  }

  @Test
  void geminiCandidatesAreReservedPerCandidate() throws Exception {
    // gemini-2.5-flash: 4000 output tokens at 2.50/M is 0.01 USD per candidate.
    Consumer<AttributionEngine.Builder> budgets = hardCap("0.05");
    try (Harness h = new Harness("gcp.gemini", budgets)) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      String path = "/v1beta/models/gemini-2.5-flash:generateContent";
      String eight =
          "{\"contents\":[],\"generationConfig\":{\"candidateCount\":8,\"maxOutputTokens\":4000}}";
      assertThat(send(client, gemini(h, path, eight))).isEqualTo(429);
      assertThat(h.server.getRequestCount()).isZero();
      h.server.enqueue(
          new MockResponse()
              .setHeader("content-type", "application/json")
              .setBody(new Buffer().write(Harness.fixture("gemini-generate.json"))));
      String one =
          "{\"contents\":[],\"generationConfig\":{\"candidateCount\":1,\"maxOutputTokens\":4000}}";
      assertThat(send(client, gemini(h, path, one))).isEqualTo(200);
    }
  }

  private static Request gemini(Harness h, String path, String body) {
    return new Request.Builder()
        .url(h.server.url(path))
        .post(RequestBody.create(body, MediaType.get("application/json")))
        .build();
  }

  @Test
  void paddingABodyPastTheReadLimitDoesNotSlipUnderAHardCap() throws Exception {
    // Unread, the body would be estimated as 4096 output tokens and no input: 0.04 USD, under the
    // cap. It is reserved at the unreadable-request reserve (1.00) instead.
    Consumer<AttributionEngine.Builder> budgets = hardCap("0.05");
    try (Harness h = new Harness("openai", budgets)) {
      OkHttpClient client =
          Harness.client()
              .addInterceptor(
                  AttributionInterceptor.builder(h.engine).maxRequestBytes(1024).build())
              .build();
      String padded =
          "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\""
              + "x".repeat(4000)
              + "\"}]}";
      assertThat(send(client, post(h, padded))).isEqualTo(429);
      assertThat(h.server.getRequestCount()).isZero();
      UsageRecord r = h.onlyRecord();
      assertThat(r.status()).isEqualTo(CallStatus.BLOCKED);
      assertThat(r.budgetName()).isEqualTo("tenant-daily");
    }
  }

  @Test
  void unknownModelIsReservedConservativelyUnderAHardCap() throws Exception {
    Consumer<AttributionEngine.Builder> budgets = hardCap("0.05");
    try (Harness h = new Harness("openai", budgets)) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      String unknown = "{\"model\":\"acme-secret-model-7\",\"max_tokens\":10,\"messages\":[]}";
      assertThat(send(client, post(h, unknown))).isEqualTo(429);
      assertThat(h.server.getRequestCount()).isZero();
    }
  }

  @Test
  void tenantPastTheDowngradeThresholdIsAdmittedOnTheCheaperModel() throws Exception {
    // 75 % spent already, as recorded before a restart.
    Consumer<AttributionEngine.Builder> budgets =
        hardCap("0.10")
            .andThen(
                b ->
                    b.seedBudgetsFrom(request -> Map.of(List.of("acme"), new BigDecimal("0.075"))));
    try (Harness h = new Harness("openai", budgets)) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      h.server.enqueue(chatJson());
      // gpt-4o's worst case (3000 output tokens, 0.03 USD) would pass the cap; gpt-4o-mini's fits.
      String dear = "{\"model\":\"gpt-4o\",\"max_tokens\":3000,\"messages\":[]}";
      assertThat(send(client, post(h, dear))).isEqualTo(200);
      assertThat(h.server.takeRequest().getBody().readString(StandardCharsets.UTF_8))
          .contains("\"gpt-4o-mini\"");
      UsageRecord r = h.onlyRecord();
      assertThat(r.budgetAction()).isEqualTo(BudgetAction.DOWNGRADE);
      assertThat(r.requestedModel()).isEqualTo("gpt-4o");
      assertThat(r.effectiveModel()).isEqualTo("gpt-4o-mini");
      assertThat(h.engine.budgetStatus("tenant-daily", "tenant=acme").reserved())
          .isEqualByComparingTo("0");
      assertThat(h.engine.budgetStatus("tenant-daily", "tenant=acme").spent())
          .isLessThanOrEqualTo(new BigDecimal("0.10"));
    }
  }

  @Test
  void badHeaderValueIsDroppedAloneAndTheScopeTenantStillCounts() throws Exception {
    Consumer<AttributionEngine.Builder> budgets = hardCap("10");
    try (Harness h = new Harness("openai", budgets)) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      h.server.enqueue(chatJson());
      Request r =
          post(h, "{\"model\":\"gpt-4o\",\"max_tokens\":10,\"messages\":[]}")
              .newBuilder()
              .header(AttributionHeaders.FEATURE, "summarize")
              .header(AttributionHeaders.USER, "u".repeat(AttributionContext.MAX_VALUE_LENGTH + 1))
              .header(AttributionHeaders.TAGS, "plan=pro")
              .build();
      try (AttributionScope s =
              Attribution.open(
                  AttributionContext.builder()
                      .tenantId("acme")
                      .feature("chat")
                      .tag("region", "eu")
                      .build());
          Response resp = client.newCall(r).execute()) {
        resp.body().string();
      }
      assertThat(h.server.takeRequest().getHeader(AttributionHeaders.USER)).isNull();
      UsageRecord rec = h.onlyRecord();
      assertThat(rec.context().tenantId()).isEqualTo("acme");
      assertThat(rec.context().feature()).isEqualTo("summarize");
      assertThat(rec.context().userId()).isNull();
      assertThat(rec.context().tags()).containsEntry("plan", "pro").containsEntry("region", "eu");
      assertThat(rec.attributes()).containsEntry("rejected_headers", AttributionHeaders.USER);
      assertThat(h.engine.budgetStatus("tenant-daily", "tenant=acme").spent()).isPositive();
    }
  }
}
