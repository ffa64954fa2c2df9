package dev.attribution.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionScope;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.CallStatus;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.core.AttributionEngine;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.Threshold;
import dev.attribution.core.routing.Route;
import java.util.List;
import java.util.function.Consumer;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okio.Buffer;
import org.junit.jupiter.api.Test;

class FailoverAndSigningTest {

  private static MockResponse chatJson() {
    return new MockResponse()
        .setHeader("content-type", "application/json")
        .setBody(new Buffer().write(Harness.fixture("openai-chat.json")));
  }

  private static Request post(Harness h, String body) {
    return new Request.Builder()
        .url(h.server.url("/v1/chat/completions"))
        .post(RequestBody.create(body, MediaType.get("application/json")))
        .build();
  }

  @Test
  void a503FailsOverOnceToTheBackupRouteAndBothAttemptsAreRecorded() throws Exception {
    MockWebServer backup = new MockWebServer();
    backup.start();
    try (Harness h =
        new Harness(
            "openai",
            b ->
                b.route(
                        Route.builder("backup")
                            .baseUrl(backup.url("/v1").toString())
                            .provider("openai")
                            .build())
                    .failover("backup", true, 429, 500, 502, 503))) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      h.server.enqueue(
          new MockResponse().setResponseCode(503).setBody("{\"error\":{\"type\":\"overloaded\"}}"));
      backup.enqueue(new MockResponse().setResponseCode(503).setBody("{}"));
      try (Response r = client.newCall(post(h, "{\"model\":\"gpt-4o\"}")).execute()) {
        // The backup also failed: its answer is what the app sees, and there is no third try.
        assertThat(r.code()).isEqualTo(503);
      }
      assertThat(h.server.getRequestCount()).isEqualTo(1);
      assertThat(backup.getRequestCount()).isEqualTo(1);

      h.server.enqueue(new MockResponse().setResponseCode(429).setBody("{}"));
      backup.enqueue(chatJson());
      try (Response r = client.newCall(post(h, "{\"model\":\"gpt-4o\"}")).execute()) {
        assertThat(r.code()).isEqualTo(200);
        assertThat(r.body().string()).contains("chatcmpl-");
      }
      List<UsageRecord> rs = h.records(4);
      assertThat(rs).hasSize(4);
      UsageRecord last = rs.get(3);
      assertThat(last.route()).isEqualTo("backup");
      assertThat(last.routeRule()).isEqualTo("failover");
      assertThat(last.attempt()).isEqualTo(2);
      assertThat(last.status()).isEqualTo(CallStatus.OK);
      assertThat(rs.get(2).status()).isEqualTo(CallStatus.UPSTREAM_ERROR);
      assertThat(rs.get(2).httpStatus()).isEqualTo(429);
    } finally {
      backup.shutdown();
    }
  }

  @Test
  void signedRequestsAreNeverRewrittenAndTheRecordSaysSo() throws Exception {
    Consumer<AttributionEngine.Builder> budgets =
        builder ->
            builder.budget(
                BudgetDefinition.builder("tenant")
                    .each(ScopeDimension.TENANT)
                    .limit("0.000001")
                    .thresholds(Threshold.downgradeAt(1))
                    .downgrade("gpt-4o", "gpt-4o-mini")
                    .build());
    try (Harness h = new Harness("openai", budgets)) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      h.server.enqueue(chatJson());
      String body = "{\"model\":\"gpt-4o\",\"max_tokens\":5}";
      Request signed =
          post(h, body)
              .newBuilder()
              .header(
                  "Authorization",
                  "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261128/us-east-1/bedrock/aws4_request, "
                      + "SignedHeaders=host;x-amz-date, Signature=abc123")
              .build();
      try (AttributionScope s =
              Attribution.open(AttributionContext.builder().tenantId("aws").build());
          Response r = client.newCall(signed).execute()) {
        r.body().string();
      }
      assertThat(h.server.takeRequest().getBody().readUtf8()).isEqualTo(body);
      UsageRecord r = h.onlyRecord();
      assertThat(r.effectiveModel()).isEqualTo("gpt-4o");
      assertThat(r.budgetAction()).isEqualTo(BudgetAction.NONE);
      assertThat(r.attributes()).containsEntry("rewrite_skipped", "signed_request");
    }
  }
}
