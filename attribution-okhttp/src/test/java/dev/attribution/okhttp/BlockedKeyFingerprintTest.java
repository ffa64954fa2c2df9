package dev.attribution.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionScope;
import dev.attribution.api.CallStatus;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.core.AttributionEngine;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetPeriod;
import dev.attribution.core.internal.provider.Providers;
import dev.attribution.core.routing.Route;
import dev.attribution.core.routing.RoutingRule;
import java.time.ZoneOffset;
import java.util.function.Consumer;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * A blocked call is attributed to the key it would have been sent with, as an admitted call is: the
 * application's own key, a {@code CredentialResolver}'s or a route's. Only the fingerprint is
 * recorded, never the key.
 */
class BlockedKeyFingerprintTest {

  private static final String APP_KEY = "sk-app-blocked-0123456789abcdef";
  private static final String ROUTE_KEY = "sk-route-blocked-9876543210fedcba";
  private static final String SECRET = "a-fingerprint-secret-of-32-bytes-or-more!";

  private static final BudgetDefinition EXHAUSTED =
      BudgetDefinition.builder("tenant-daily")
          .each(ScopeDimension.TENANT)
          .limit("0.000001")
          .period(BudgetPeriod.calendarDay(ZoneOffset.UTC))
          .build();

  private static UsageRecord blockedRecord(
      Consumer<AttributionEngine.Builder> config, String authorization) throws Exception {
    try (Harness h =
            new Harness(
                Providers.OPENAI,
                config.andThen(b -> b.keyFingerprintSecret(SECRET).budget(EXHAUSTED)));
        AttributionScope s =
            Attribution.open(AttributionContext.builder().tenantId("acme").build())) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      Request.Builder req =
          new Request.Builder()
              .url(h.server.url("/v1/chat/completions"))
              .post(
                  RequestBody.create(
                      "{\"model\":\"gpt-4o\",\"max_tokens\":50,\"messages\":[]}",
                      MediaType.get("application/json")));
      if (authorization != null) {
        req.header("Authorization", authorization);
      }
      try (Response r = client.newCall(req.build()).execute()) {
        assertThat(r.code()).isEqualTo(429);
      }
      assertThat(h.server.getRequestCount()).isZero();
      UsageRecord r = h.onlyRecord();
      assertThat(r.status()).isEqualTo(CallStatus.BLOCKED);
      assertThat(r.toString()).doesNotContain(APP_KEY).doesNotContain(ROUTE_KEY);
      return r;
    }
  }

  @Test
  void aBlockedCallCarriesTheFingerprintOfTheApplicationsKey() throws Exception {
    UsageRecord r = blockedRecord(b -> {}, "Bearer " + APP_KEY);
    assertThat(r.keyFingerprint()).isEqualTo(AttributionEngine.keyFingerprint(SECRET, APP_KEY));
  }

  @Test
  void aBlockedCallCarriesTheFingerprintOfTheResolversKey() throws Exception {
    UsageRecord r = blockedRecord(b -> b.credentials((ctx, p, route) -> ROUTE_KEY), null);
    assertThat(r.keyFingerprint()).isEqualTo(AttributionEngine.keyFingerprint(SECRET, ROUTE_KEY));
  }

  @Test
  void aBlockedCallOnARouteCarriesTheFingerprintOfTheRoutesKey() throws Exception {
    Route alt =
        Route.builder("alt")
            .baseUrl("http://127.0.0.1:9/v1")
            .provider(Providers.OPENAI)
            .apiKey(ROUTE_KEY)
            .build();
    UsageRecord r =
        blockedRecord(
            b -> b.route(alt).routingRule(RoutingRule.builder("all").route("alt").build()),
            "Bearer " + APP_KEY);
    assertThat(r.keyFingerprint()).isEqualTo(AttributionEngine.keyFingerprint(SECRET, ROUTE_KEY));
  }

  @Test
  void aBlockedCallOnARouteWithoutAKeyHasNoFingerprintBecauseNoKeyWouldHaveGone() throws Exception {
    Route alt =
        Route.builder("alt").baseUrl("http://127.0.0.1:9/v1").provider(Providers.OPENAI).build();
    UsageRecord r =
        blockedRecord(
            b -> b.route(alt).routingRule(RoutingRule.builder("all").route("alt").build()),
            "Bearer " + APP_KEY);
    assertThat(r.keyFingerprint()).isNull();
  }
}
