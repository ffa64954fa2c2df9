package dev.attribution.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionScope;
import dev.attribution.api.CallStatus;
import dev.attribution.api.CostSource;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.budget.BudgetStatus;
import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.core.AttributionEngine;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.pricing.PriceOverrides;
import java.math.BigDecimal;
import java.util.function.Consumer;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.mockwebserver.MockResponse;
import org.junit.jupiter.api.Test;

/** What a record says about usage and cost, end to end through the interceptor. */
class UsageCorrectnessTest {

  private static MockResponse json(String body) {
    return new MockResponse().setHeader("content-type", "application/json").setBody(body);
  }

  private static UsageRecord call(Harness h, String path, String request) throws Exception {
    OkHttpClient client =
        Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
    try (Response r =
        client
            .newCall(
                new Request.Builder()
                    .url(h.server.url(path))
                    .post(RequestBody.create(request, MediaType.get("application/json")))
                    .build())
            .execute()) {
      r.body().string();
    }
    return h.onlyRecord();
  }

  @Test
  void errorEventInsideA200StreamIsRecordedAsAnUpstreamErrorWithItsUsage() throws Exception {
    try (Harness h = new Harness("anthropic")) {
      h.server.enqueue(
          new MockResponse()
              .setHeader("content-type", "text/event-stream")
              .setBody(
                  "event: message_start\n"
                      + "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
                      + "\"type\":\"message\",\"role\":\"assistant\",\"model\":"
                      + "\"claude-sonnet-4-5-20250929\",\"content\":[],\"usage\":"
                      + "{\"input_tokens\":25,\"output_tokens\":1}}}\n\n"
                      + "event: error\n"
                      + "data: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                      + "\"message\":\"Overloaded\"}}\n\n"));
      UsageRecord r =
          call(
              h,
              "/v1/messages",
              "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,\"stream\":true}");
      assertThat(r.httpStatus()).isEqualTo(200);
      assertThat(r.status()).isEqualTo(CallStatus.UPSTREAM_ERROR);
      assertThat(r.errorType()).isEqualTo("overloaded_error");
      assertThat(r.usage().inputTokens()).isEqualTo(25);
      assertThat(r.cost()).isNotNull();
    }
  }

  @Test
  void openRouterErrorChunkInsideA200StreamIsRecordedAsAnUpstreamError() throws Exception {
    try (Harness h = new Harness("openrouter")) {
      h.server.enqueue(
          new MockResponse()
              .setHeader("content-type", "text/event-stream")
              .setBody(
                  "data: {\"id\":\"gen-1\",\"model\":\"openai/gpt-4o\",\"choices\":[{\"index\":0,"
                      + "\"delta\":{\"content\":\"Hi\"}}]}\n\n"
                      + "data: {\"id\":\"gen-1\",\"model\":\"openai/gpt-4o\",\"error\":{\"code\":"
                      + "\"server_error\",\"message\":\"Provider disconnected\"},\"choices\":"
                      + "[{\"index\":0,\"delta\":{\"content\":\"\"},\"finish_reason\":\"error\"}]}"
                      + "\n\ndata: [DONE]\n\n"));
      UsageRecord r =
          call(h, "/api/v1/chat/completions", "{\"model\":\"openai/gpt-4o\",\"stream\":true}");
      assertThat(r.status()).isEqualTo(CallStatus.UPSTREAM_ERROR);
      assertThat(r.errorType()).isEqualTo("server_error");
    }
  }

  @Test
  void unpricedCallHasAnUnknownCostNotAZeroCost() throws Exception {
    try (Harness h = new Harness("openai")) {
      h.server.enqueue(
          json(
              "{\"id\":\"c1\",\"model\":\"in-house-7b\",\"usage\":{\"prompt_tokens\":100,"
                  + "\"completion_tokens\":20}}"));
      UsageRecord r = call(h, "/v1/chat/completions", "{\"model\":\"in-house-7b\"}");
      assertThat(r.costSource()).isEqualTo(CostSource.UNPRICED);
      assertThat(r.cost()).isNull();
      assertThat(r.usage().inputTokens()).isEqualTo(100);
    }
  }

  @Test
  void invalidUsageIsNotPricedAndTheBudgetKeepsTheReservation() throws Exception {
    Consumer<AttributionEngine.Builder> budgets =
        builder ->
            builder.budget(
                BudgetDefinition.builder("t").each(ScopeDimension.TENANT).limit("10").build());
    try (Harness h = new Harness("openai", budgets);
        AttributionScope s =
            Attribution.open(AttributionContext.builder().tenantId("acme").build())) {
      h.server.enqueue(
          json(
              "{\"id\":\"c1\",\"model\":\"gpt-4o\",\"usage\":{\"prompt_tokens\":100,"
                  + "\"completion_tokens\":-4000000}}"));
      UsageRecord r = call(h, "/v1/chat/completions", "{\"model\":\"gpt-4o\",\"max_tokens\":1000}");
      assertThat(r.attributes()).containsEntry("usage_invalid", "negative:completion_tokens");
      assertThat(r.cost()).isNull();
      assertThat(r.costSource()).isEqualTo(CostSource.UNPRICED);
      BudgetStatus st = h.engine.budgetStatus("t", "tenant=acme");
      // The worst case reserved before the call (1000 output tokens of gpt-4o at least) stays
      // charged: never released to zero because the provider's numbers were nonsense.
      assertThat(st.spent()).isGreaterThanOrEqualTo(new BigDecimal("0.01"));
      assertThat(st.reserved()).isZero();
      assertThat(r.attributes()).containsEntry("budget_charge", "reservation");
    }
  }

  @Test
  void answerWhoseUsageCannotBeReadHasAnUnknownCostNotAFreeOne() throws Exception {
    try (Harness h = new Harness("openai")) {
      OkHttpClient client =
          Harness.client()
              .addInterceptor(AttributionInterceptor.builder(h.engine).maxPeekBytes(1024).build())
              .build();
      String content = "x".repeat(4096);
      h.server.enqueue(
          json(
              "{\"id\":\"c1\",\"model\":\"gpt-4o\",\"choices\":[{\"message\":{\"content\":\""
                  + content
                  + "\"}}],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":1000}}"));
      try (Response r =
          client
              .newCall(
                  new Request.Builder()
                      .url(h.server.url("/v1/chat/completions"))
                      .post(
                          RequestBody.create(
                              "{\"model\":\"gpt-4o\"}", MediaType.get("application/json")))
                      .build())
              .execute()) {
        assertThat(r.body().string()).contains(content);
      }
      UsageRecord r = h.onlyRecord();
      assertThat(r.status()).isEqualTo(CallStatus.OK);
      assertThat(r.attributes()).containsEntry("usage_invalid", "missing:usage");
      assertThat(r.cost()).isNull();
    }
  }

  @Test
  void providerReportedCostKeepsTheComputedCostBesideIt() throws Exception {
    try (Harness h = new Harness("openrouter")) {
      h.server.enqueue(
          json(
              "{\"id\":\"gen-1\",\"model\":\"openai/gpt-4o\",\"usage\":{\"prompt_tokens\":1000,"
                  + "\"completion_tokens\":100,\"total_tokens\":1100,\"cost\":0.0042}}"));
      UsageRecord r = call(h, "/api/v1/chat/completions", "{\"model\":\"openai/gpt-4o\"}");
      assertThat(r.costSource()).isEqualTo(CostSource.PROVIDER_REPORTED);
      assertThat(r.cost().total()).isEqualByComparingTo("0.0042");
      // gpt-4o at 2.50 / 10.00 per million: 0.0025 + 0.001.
      assertThat(r.computedCost()).isEqualByComparingTo("0.0035");
    }
  }

  @Test
  void anthropicWebSearchesArePricedFromTheCatalogInTheirOwnCategory() throws Exception {
    try (Harness h = new Harness("anthropic")) {
      h.server.enqueue(
          json(
              "{\"id\":\"msg_1\",\"type\":\"message\",\"model\":\"claude-sonnet-4-5-20250929\","
                  + "\"content\":[],\"usage\":{\"input_tokens\":1000,\"output_tokens\":100,"
                  + "\"server_tool_use\":{\"web_search_requests\":3}}}"));
      UsageRecord r =
          call(h, "/v1/messages", "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100}");
      // $10 per 1,000 searches.
      assertThat(r.cost().tools()).isEqualByComparingTo("0.03");
      // Plus 1000 input at $3 and 100 output at $15 per million.
      assertThat(r.cost().total()).isEqualByComparingTo("0.0345");
      assertThat(r.attributes()).containsEntry("web_search_requests", "3");
    }
  }

  @Test
  void responsesWebSearchCallsArePricedByTheOverride() throws Exception {
    PriceOverrides pricing =
        PriceOverrides.parse("webSearch:\n  - {provider: openai, pricePerCall: 0.01}\n", "test");
    try (Harness h = new Harness("openai", b -> b.priceOverrides(pricing))) {
      h.server.enqueue(
          json(
              "{\"id\":\"resp_1\",\"object\":\"response\",\"model\":\"gpt-4.1-2025-04-14\","
                  + "\"output\":[{\"type\":\"web_search_call\",\"id\":\"ws_1\",\"status\":"
                  + "\"completed\"},{\"type\":\"web_search_call\",\"id\":\"ws_2\",\"status\":"
                  + "\"completed\"},{\"type\":\"message\",\"content\":[]}],"
                  + "\"usage\":{\"input_tokens\":300,\"output_tokens\":100}}"));
      UsageRecord r = call(h, "/v1/responses", "{\"model\":\"gpt-4.1\",\"tools\":[]}");
      assertThat(r.cost().tools()).isEqualByComparingTo("0.02");
      assertThat(r.attributes()).doesNotContainKey("web_search_unpriced");
    }
  }

  @Test
  void webSearchesWithoutAPriceAreMarkedOnTheRecord() throws Exception {
    try (Harness h = new Harness("openai")) {
      h.server.enqueue(
          json(
              "{\"id\":\"resp_1\",\"object\":\"response\",\"model\":\"gpt-4.1-2025-04-14\","
                  + "\"output\":[{\"type\":\"web_search_call\",\"id\":\"ws_1\"}],"
                  + "\"usage\":{\"input_tokens\":300,\"output_tokens\":100}}"));
      UsageRecord r = call(h, "/v1/responses", "{\"model\":\"gpt-4.1\"}");
      assertThat(r.attributes()).containsEntry("web_search_unpriced", "1");
      assertThat(r.cost().tools()).isZero();
    }
  }

  @Test
  void priceOverrideKeyedByTheProviderIdTheRecordShowsIsUsed() throws Exception {
    PriceOverrides pricing =
        PriceOverrides.parse(
            "models:\n"
                + "  - {provider: mistral_ai, model: acme-ft-1, inputPerMillion: 1,"
                + " outputPerMillion: 2}\n",
            "test");
    try (Harness h = new Harness("mistral_ai", b -> b.priceOverrides(pricing))) {
      h.server.enqueue(
          json(
              "{\"id\":\"c1\",\"model\":\"acme-ft-1\",\"usage\":{\"prompt_tokens\":1000000,"
                  + "\"completion_tokens\":1000000}}"));
      UsageRecord r = call(h, "/v1/chat/completions", "{\"model\":\"acme-ft-1\"}");
      assertThat(r.provider()).isEqualTo("mistral_ai");
      assertThat(r.costSource()).isEqualTo(CostSource.COMPUTED);
      assertThat(r.cost().total()).isEqualByComparingTo("3");
    }
  }
}
