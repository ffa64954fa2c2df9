package dev.attribution.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionScope;
import dev.attribution.api.CostSource;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.core.AttributionEngine;
import dev.attribution.core.budget.BudgetDefinition;
import java.math.BigDecimal;
import java.util.function.Consumer;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.mockwebserver.MockResponse;
import okio.Buffer;
import org.junit.jupiter.api.Test;

class ProvidersEndToEndTest {

  private static MockResponse json(String fixture) {
    return new MockResponse()
        .setHeader("content-type", "application/json")
        .setBody(new Buffer().write(Harness.fixture(fixture)));
  }

  private static Request post(Harness h, String path, String body) {
    return new Request.Builder()
        .url(h.server.url(path))
        .post(RequestBody.create(body, MediaType.get("application/json")))
        .build();
  }

  @Test
  void azureDeploymentInThePathIsPricedAsTheModelItServes() throws Exception {
    try (Harness h = new Harness("azure.ai.openai")) {
      // An engine of its own whose registry also maps the deployment to the model it serves.
      AttributionEngine engine =
          AttributionEngine.builder()
              .mapHost(h.server.getHostName() + ":" + h.server.getPort(), "azure.ai.openai")
              .azureDeployment("prod-chat", "gpt-4o")
              .addSink(h.sink)
              .shutdownHook(false)
              .build();
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(engine)).build();
      h.server.enqueue(json("openai-chat.json"));
      try (Response r =
          client
              .newCall(
                  post(
                      h,
                      "/openai/deployments/prod-chat/chat/completions?api-version=2024-10-21",
                      "{\"messages\":[]}"))
              .execute()) {
        r.body().string();
      }
      UsageRecord r = h.onlyRecord();
      assertThat(r.provider()).isEqualTo("azure.ai.openai");
      assertThat(r.requestedModel()).isEqualTo("gpt-4o");
      assertThat(r.costSource()).isEqualTo(CostSource.COMPUTED);
      assertThat(r.cost().total()).isPositive();
    }
  }

  @Test
  void openRouterReportedCostCountsByDefaultNextToTheComputedOne() throws Exception {
    try (Harness h = new Harness("openrouter")) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      h.server.enqueue(json("openrouter-chat.json"));
      try (Response r =
          client
              .newCall(post(h, "/api/v1/chat/completions", "{\"model\":\"openai/gpt-4o-mini\"}"))
              .execute()) {
        r.body().string();
      }
      UsageRecord r = h.onlyRecord();
      assertThat(r.costSource()).isEqualTo(CostSource.PROVIDER_REPORTED);
      assertThat(r.cost().total()).isEqualByComparingTo(new BigDecimal("0.0000074"));
      assertThat(r.providerReportedCost()).isEqualByComparingTo(new BigDecimal("0.0000074"));
    }
  }

  @Test
  void blockCanBeATypedIOExceptionInstead() throws Exception {
    Consumer<AttributionEngine.Builder> budgets =
        builder ->
            builder.budget(
                BudgetDefinition.builder("tiny")
                    .each(ScopeDimension.TENANT)
                    .limit("0.000001")
                    .build());
    try (Harness h = new Harness("openai", budgets)) {
      OkHttpClient client =
          Harness.client()
              .addInterceptor(
                  AttributionInterceptor.builder(h.engine).blockWithException(true).build())
              .build();
      try (AttributionScope s =
          Attribution.open(AttributionContext.builder().tenantId("x").build())) {
        assertThatThrownBy(
                () ->
                    client
                        .newCall(post(h, "/v1/chat/completions", "{\"model\":\"gpt-4o\"}"))
                        .execute())
            .isInstanceOf(BudgetExceededException.class)
            .satisfies(
                e -> assertThat(((BudgetExceededException) e).budgetName()).isEqualTo("tiny"));
      }
      assertThat(h.server.getRequestCount()).isZero();
    }
  }
}
