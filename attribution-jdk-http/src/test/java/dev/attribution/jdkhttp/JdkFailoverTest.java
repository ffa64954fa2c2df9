package dev.attribution.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionScope;
import dev.attribution.api.CallStatus;
import dev.attribution.api.UsageRecord;
import dev.attribution.contract.Loopback;
import dev.attribution.core.AttributionEngine;
import dev.attribution.core.routing.Route;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The JDK wrapper fails over as the OkHttp interceptor does: once, over the engine's failover
 * route, with the route's credential only; the application's handler sees only the final answer.
 */
class JdkFailoverTest {

  private static final String APP_KEY = "sk-app-ORIGINAL-key-0123456789abcdef";
  private static final String ROUTE_KEY = "route-key-BACKUP-9876543210";

  private final MockWebServer backup = new MockWebServer();

  @AfterEach
  void stop() throws Exception {
    backup.shutdown();
  }

  private Loopback loopback(Consumer<Route.Builder> route) throws Exception {
    backup.start();
    Consumer<AttributionEngine.Builder> customize =
        b -> {
          Route.Builder r =
              Route.builder("backup").baseUrl(backup.url("/v1").toString()).provider("openai");
          route.accept(r);
          b.route(r.build()).failover("backup", true, 429, 500, 502, 503);
        };
    return new Loopback("openai", customize);
  }

  private static HttpRequest chat(Loopback h, Duration timeout) {
    return AttributionHttpClientTest.post(h, "/v1/chat/completions", AttributionHttpClientTest.CHAT)
        .setHeader("authorization", "Bearer " + APP_KEY)
        .timeout(timeout)
        .build();
  }

  /** A handler that counts how often the application's handler is given an answer. */
  private static final class Counting implements HttpResponse.BodyHandler<String> {
    final AtomicInteger applied = new AtomicInteger();

    @Override
    public HttpResponse.BodySubscriber<String> apply(HttpResponse.ResponseInfo info) {
      applied.incrementAndGet();
      return HttpResponse.BodyHandlers.ofString().apply(info);
    }
  }

  private void assertFailedOverWithoutTheAppsKey(Loopback h, int firstStatus) throws Exception {
    RecordedRequest atBackup = backup.takeRequest(5, TimeUnit.SECONDS);
    assertThat(atBackup).isNotNull();
    assertThat(atBackup.getPath()).isEqualTo("/v1/chat/completions");
    assertThat(atBackup.getHeaders().toString()).doesNotContain(APP_KEY);
    assertThat(atBackup.getBody().readUtf8()).doesNotContain(APP_KEY);
    List<UsageRecord> rs = h.records(2);
    assertThat(rs).hasSize(2);
    assertThat(rs.get(0).attempt()).isEqualTo(1);
    assertThat(rs.get(0).status())
        .isEqualTo(firstStatus == 0 ? CallStatus.FAILED : CallStatus.UPSTREAM_ERROR);
    if (firstStatus > 0) {
      assertThat(rs.get(0).httpStatus()).isEqualTo(firstStatus);
    }
    UsageRecord last = rs.get(1);
    assertThat(last.attempt()).isEqualTo(2);
    assertThat(last.route()).isEqualTo("backup");
    assertThat(last.routeRule()).isEqualTo("failover");
    assertThat(last.status()).isEqualTo(CallStatus.OK);
    assertThat(last.context()).isEqualTo(AttributionHttpClientTest.ACME);
    assertThat(last.cost().total()).isPositive();
  }

  @Test
  void a503FailsOverOnceAndTheAppsKeyNeverReachesTheBackupHost() throws Exception {
    try (Loopback h = loopback(r -> {})) {
      h.server.enqueue(new MockResponse().setResponseCode(503).setBody("{\"error\":{}}"));
      backup.enqueue(AttributionHttpClientTest.json("openai-chat.json"));
      HttpClient jdk = AttributionHttpClient.wrap(HttpClient.newHttpClient(), h.engine);
      Counting handler = new Counting();
      HttpResponse<String> resp;
      try (AttributionScope s = Attribution.open(AttributionHttpClientTest.ACME)) {
        resp = jdk.send(chat(h, Duration.ofSeconds(10)), handler);
      }
      assertThat(resp.statusCode()).isEqualTo(200);
      assertThat(resp.body()).isEqualTo(Loopback.fixture("openai-chat.json"));
      assertThat(handler.applied).hasValue(1);
      assertThat(h.server.takeRequest().getHeader("authorization")).isEqualTo("Bearer " + APP_KEY);
      assertFailedOverWithoutTheAppsKey(h, 503);
    }
  }

  @Test
  void asyncFailoverCarriesTheRoutesOwnCredentialAndNotTheAppsKey() throws Exception {
    try (Loopback h = loopback(r -> r.apiKey(ROUTE_KEY))) {
      h.server.enqueue(new MockResponse().setResponseCode(429).setBody("{\"error\":{}}"));
      backup.enqueue(AttributionHttpClientTest.json("openai-chat.json"));
      HttpClient jdk = AttributionHttpClient.wrap(HttpClient.newHttpClient(), h.engine);
      Counting handler = new Counting();
      HttpResponse<String> resp;
      try (AttributionScope s = Attribution.open(AttributionHttpClientTest.ACME)) {
        resp = jdk.sendAsync(chat(h, Duration.ofSeconds(10)), handler).get(10, TimeUnit.SECONDS);
      }
      assertThat(resp.statusCode()).isEqualTo(200);
      assertThat(handler.applied).hasValue(1);
      h.server.takeRequest();
      RecordedRequest atBackup = backup.takeRequest(5, TimeUnit.SECONDS);
      assertThat(atBackup.getHeader("authorization")).isEqualTo("Bearer " + ROUTE_KEY);
      assertThat(atBackup.getHeaders().toString()).doesNotContain(APP_KEY);
      List<UsageRecord> rs = h.records(2);
      assertThat(rs.get(1).route()).isEqualTo("backup");
      assertThat(rs.get(1).attempt()).isEqualTo(2);
      assertThat(rs.get(1).status()).isEqualTo(CallStatus.OK);
    }
  }

  @Test
  void aTimeoutFailsOverWhenTheFailoverSaysSo() throws Exception {
    try (Loopback h = loopback(r -> {})) {
      h.server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
      backup.enqueue(AttributionHttpClientTest.json("openai-chat.json"));
      HttpClient jdk = AttributionHttpClient.wrap(HttpClient.newHttpClient(), h.engine);
      HttpResponse<String> resp;
      try (AttributionScope s = Attribution.open(AttributionHttpClientTest.ACME)) {
        resp = jdk.send(chat(h, Duration.ofMillis(300)), HttpResponse.BodyHandlers.ofString());
      }
      assertThat(resp.statusCode()).isEqualTo(200);
      assertFailedOverWithoutTheAppsKey(h, 0);
    }
  }

  @Test
  void aSuccessfulAnswerNeverFailsOver() throws Exception {
    try (Loopback h = loopback(r -> {})) {
      h.server.enqueue(AttributionHttpClientTest.json("openai-chat.json"));
      HttpClient jdk = AttributionHttpClient.wrap(HttpClient.newHttpClient(), h.engine);
      HttpResponse<String> resp =
          jdk.send(chat(h, Duration.ofSeconds(10)), HttpResponse.BodyHandlers.ofString());
      assertThat(resp.statusCode()).isEqualTo(200);
      assertThat(h.onlyRecord().attempt()).isEqualTo(1);
      assertThat(backup.getRequestCount()).isZero();
    }
  }
}
