package dev.attribution.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.UsageRecord;
import dev.attribution.core.AttributionEngine;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.Threshold;
import dev.attribution.core.internal.provider.Providers;
import dev.attribution.core.routing.Route;
import dev.attribution.core.routing.RoutingRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A call sent to another host by a routing rule, a budget reroute or a failover carries only the
 * route's credential: the application's key (in whichever header or query parameter) never reaches
 * the route's host unless the route opts in. Every pairing of original provider and route target is
 * checked with what the target server really received.
 */
class CredentialIsolationTest {

  private static final String APP_KEY = "sk-app-ORIGINAL-key-0123456789abcdef";
  private static final String ROUTE_KEY = "route-key-ROUTE-9876543210";
  private static final List<String> CREDENTIAL_HEADERS =
      List.of("authorization", "x-api-key", "api-key", "x-goog-api-key");

  /** How the application authenticates its original call. */
  enum Original {
    OPENAI(
        Providers.OPENAI,
        "/v1/chat/completions",
        "{\"model\":\"gpt-4o\",\"max_tokens\":5,\"messages\":[]}",
        "Authorization",
        "Bearer " + APP_KEY),
    ANTHROPIC(
        Providers.ANTHROPIC,
        "/v1/messages",
        "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":5,\"messages\":[]}",
        "x-api-key",
        APP_KEY),
    AZURE(
        Providers.AZURE_OPENAI,
        "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21",
        "{\"max_tokens\":5,\"messages\":[]}",
        "api-key",
        APP_KEY),
    GEMINI_HEADER(
        Providers.GEMINI,
        "/v1beta/models/gemini-2.0-flash:generateContent",
        "{\"contents\":[],\"generationConfig\":{\"maxOutputTokens\":5}}",
        "x-goog-api-key",
        APP_KEY),
    GEMINI_QUERY(
        Providers.GEMINI,
        "/v1beta/models/gemini-2.0-flash:generateContent?alt=json&key=" + APP_KEY,
        "{\"contents\":[],\"generationConfig\":{\"maxOutputTokens\":5}}",
        null,
        null);

    final String provider;
    final String pathAndQuery;
    final String body;
    final String header;
    final String value;

    Original(String provider, String pathAndQuery, String body, String header, String value) {
      this.provider = provider;
      this.pathAndQuery = pathAndQuery;
      this.body = body;
      this.header = header;
      this.value = value;
    }

    /** A provider speaking the same wire dialect that is not this one. */
    String otherProvider() {
      switch (this) {
        case OPENAI:
          return Providers.AZURE_OPENAI;
        case AZURE:
          return Providers.OPENAI;
        case ANTHROPIC:
          return Providers.OPENROUTER;
        default:
          return Providers.OPENROUTER;
      }
    }
  }

  /** What sends the call to the route. */
  enum Mechanism {
    RULE,
    BUDGET_REROUTE,
    FAILOVER
  }

  /** The route's own credential. */
  enum RouteCredential {
    NONE,
    ROUTE_KEY,
    RESOLVER_KEY,
    OPT_IN
  }

  static Stream<Arguments> pairings() {
    List<Arguments> all = new ArrayList<>();
    for (Original o : Original.values()) {
      for (boolean sameProvider : new boolean[] {true, false}) {
        for (Mechanism m : Mechanism.values()) {
          for (RouteCredential c : RouteCredential.values()) {
            all.add(Arguments.of(o, sameProvider ? o.provider : o.otherProvider(), m, c));
          }
        }
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0} -> {1} by {2} with {3}")
  @MethodSource("pairings")
  void theRouteReceivesOnlyItsOwnCredential(
      Original original, String targetProvider, Mechanism mechanism, RouteCredential credential)
      throws Exception {
    MockWebServer target = new MockWebServer();
    target.start();
    Route.Builder route =
        Route.builder("alt")
            .baseUrl(target.url(basePath(original)).toString())
            .provider(targetProvider);
    if (credential == RouteCredential.ROUTE_KEY) {
      route.apiKey(ROUTE_KEY);
    } else if (credential == RouteCredential.OPT_IN) {
      route.forwardApplicationCredentials(true);
    }
    Consumer<AttributionEngine.Builder> customize =
        b -> {
          b.route(route.build());
          if (credential == RouteCredential.RESOLVER_KEY) {
            b.credentials((ctx, provider, r) -> "alt".equals(r) ? ROUTE_KEY : null);
          }
          switch (mechanism) {
            case RULE:
              b.routingRule(RoutingRule.builder("everything").route("alt").build());
              break;
            case BUDGET_REROUTE:
              b.budget(
                  BudgetDefinition.builder("tiny")
                      .limit("0.000000001")
                      .thresholds(Threshold.rerouteAt(1, "alt"))
                      .build());
              break;
            case FAILOVER:
              b.failover("alt", false, 503);
              break;
          }
        };
    try (Harness h = new Harness(original.provider, customize)) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      if (mechanism == Mechanism.FAILOVER) {
        h.server.enqueue(new MockResponse().setResponseCode(503).setBody("{}"));
      }
      target.enqueue(
          new MockResponse().setHeader("content-type", "application/json").setBody("{}"));
      Request.Builder rb =
          new Request.Builder()
              .url(h.server.url(original.pathAndQuery))
              .post(RequestBody.create(original.body, MediaType.get("application/json")));
      if (original.header != null) {
        rb.header(original.header, original.value);
      }
      try (Response r = client.newCall(rb.build()).execute()) {
        r.body().string();
      }

      RecordedRequest got = target.takeRequest(5, TimeUnit.SECONDS);
      assertThat(got).as("the route's host received the call").isNotNull();
      List<UsageRecord> records = h.records(mechanism == Mechanism.FAILOVER ? 2 : 1);
      UsageRecord routed = records.get(records.size() - 1);
      assertThat(routed.route()).isEqualTo("alt");

      String url = got.getRequestUrl().toString();
      Headers headers = got.getHeaders();
      if (credential == RouteCredential.OPT_IN) {
        // Opted in: the application's credential travels exactly as the application sent it.
        if (original.header != null) {
          assertThat(headers.get(original.header)).isEqualTo(original.value);
        } else {
          assertThat(got.getRequestUrl().queryParameter("key")).isEqualTo(APP_KEY);
        }
        return;
      }
      assertThat(url).doesNotContain(APP_KEY).doesNotContain("key=");
      for (int i = 0; i < headers.size(); i++) {
        assertThat(headers.value(i)).as("header %s", headers.name(i)).doesNotContain(APP_KEY);
      }
      List<String> present = new ArrayList<>();
      for (String name : headers.names()) {
        if (CREDENTIAL_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
          present.add(name.toLowerCase(Locale.ROOT));
        }
      }
      if (credential == RouteCredential.NONE) {
        assertThat(present).as("credentials sent to a route without one").isEmpty();
        assertThat(routed.attributes()).containsEntry("credentials_stripped", "true");
        assertThat(routed.keyFingerprint()).isNull();
      } else {
        String expected = expectedHeader(original, targetProvider);
        assertThat(present).containsExactly(expected);
        assertThat(headers.get(expected))
            .isEqualTo(expected.equals("authorization") ? "Bearer " + ROUTE_KEY : ROUTE_KEY);
        assertThat(routed.keyFingerprint()).isNotNull().doesNotContain(ROUTE_KEY);
      }
    } finally {
      target.shutdown();
    }
  }

  @Test
  void aResolverKeyOnTheSameHostReplacesTheGeminiQueryKey() throws Exception {
    try (Harness h = new Harness(Providers.GEMINI, b -> b.credentials((ctx, p, r) -> ROUTE_KEY))) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      h.server.enqueue(
          new MockResponse().setHeader("content-type", "application/json").setBody("{}"));
      Request req =
          new Request.Builder()
              .url(h.server.url(Original.GEMINI_QUERY.pathAndQuery))
              .post(
                  RequestBody.create(Original.GEMINI_QUERY.body, MediaType.get("application/json")))
              .build();
      try (Response r = client.newCall(req).execute()) {
        r.body().string();
      }
      RecordedRequest got = h.server.takeRequest(5, TimeUnit.SECONDS);
      assertThat(got.getRequestUrl().queryParameter("key")).isNull();
      assertThat(got.getRequestUrl().queryParameter("alt")).isEqualTo("json");
      assertThat(got.getHeader("x-goog-api-key")).isEqualTo(ROUTE_KEY);
    }
  }

  @Test
  void everyCredentialTheAppSetIsRemovedNotOnlyTheOneItsProviderReads() throws Exception {
    MockWebServer target = new MockWebServer();
    target.start();
    Route route =
        Route.builder("alt")
            .baseUrl(target.url("/v1").toString())
            .provider(Providers.OPENROUTER)
            .apiKey(ROUTE_KEY)
            .build();
    try (Harness h =
        new Harness(
            Providers.OPENAI,
            b -> b.route(route).routingRule(RoutingRule.builder("all").route("alt").build()))) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      target.enqueue(
          new MockResponse().setHeader("content-type", "application/json").setBody("{}"));
      Request req =
          new Request.Builder()
              .url(h.server.url("/v1/chat/completions?key=" + APP_KEY + "&alt=json"))
              .post(RequestBody.create(Original.OPENAI.body, MediaType.get("application/json")))
              .addHeader("AUTHORIZATION", "Bearer " + APP_KEY)
              .addHeader("authorization", "Basic " + APP_KEY)
              .addHeader("X-Api-Key", APP_KEY)
              .addHeader("Api-Key", APP_KEY)
              .addHeader("X-Goog-Api-Key", APP_KEY)
              .build();
      try (Response r = client.newCall(req).execute()) {
        r.body().string();
      }
      RecordedRequest got = target.takeRequest(5, TimeUnit.SECONDS);
      assertThat(got.getHeaders().values("Authorization")).containsExactly("Bearer " + ROUTE_KEY);
      assertThat(got.getHeader("x-api-key")).isNull();
      assertThat(got.getHeader("api-key")).isNull();
      assertThat(got.getHeader("x-goog-api-key")).isNull();
      assertThat(got.getRequestUrl().queryParameter("key")).isNull();
      assertThat(got.getRequestUrl().queryParameter("alt")).isEqualTo("json");
      assertThat(got.getRequestUrl().toString()).doesNotContain(APP_KEY);
      assertThat(got.getHeaders().toString()).doesNotContain(APP_KEY);
    } finally {
      target.shutdown();
    }
  }

  private static String basePath(Original o) {
    switch (o) {
      case ANTHROPIC:
        return "/v1";
      case AZURE:
        return "/openai/deployments/gpt-4o?api-version=2024-10-21";
      case GEMINI_HEADER:
      case GEMINI_QUERY:
        return "/v1beta/models";
      default:
        return "/v1";
    }
  }

  private static String expectedHeader(Original o, String targetProvider) {
    switch (o) {
      case ANTHROPIC:
        return "x-api-key";
      case GEMINI_HEADER:
      case GEMINI_QUERY:
        return "x-goog-api-key";
      default:
        return targetProvider.equals(Providers.AZURE_OPENAI) ? "api-key" : "authorization";
    }
  }
}
