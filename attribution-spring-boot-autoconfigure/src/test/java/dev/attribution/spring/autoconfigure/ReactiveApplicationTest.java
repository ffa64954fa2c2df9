package dev.attribution.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.InMemoryUsageSink;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import dev.attribution.core.AttributionEngine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The WebFlux filter in a running reactive application: a real Reactor Netty server on a random
 * port, real HTTP calls to it, and handlers that hop to another thread before they read the scope
 * or call the (loopback) provider, as reactive handlers do.
 */
class ReactiveApplicationTest {

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {

    @Bean(destroyMethod = "")
    InMemoryUsageSink records() {
      return UsageSink.inMemory();
    }

    @Bean
    OkHttpClient http(AttributionOkHttpCustomizer attribution) {
      return attribution.customize(new OkHttpClient.Builder()).build();
    }

    @Bean
    Handlers handlers(OkHttpClient http) {
      return new Handlers(http);
    }
  }

  @RestController
  static class Handlers {
    private final OkHttpClient http;

    Handlers(OkHttpClient http) {
      this.http = http;
    }

    /** The scope as a worker thread sees it, and the inbound attribution header as received. */
    @GetMapping("/context")
    Mono<String> context(ServerWebExchange exchange) {
      String inbound = exchange.getRequest().getHeaders().getFirst("x-attribution-tenant");
      return Mono.fromCallable(
              () -> {
                AttributionContext c = Attribution.current();
                return c.tenantId() + "|" + c.feature() + "|" + inbound;
              })
          .subscribeOn(Schedulers.boundedElastic());
    }

    /** One model call through the application's OkHttp client, on a worker thread. */
    @PostMapping("/chat")
    Mono<String> chat() {
      return Mono.fromCallable(
              () -> {
                Request request =
                    new Request.Builder()
                        .url(FAKE.url("/v1/chat/completions"))
                        .post(
                            RequestBody.create(
                                FakeOpenAi.REQUEST, MediaType.get("application/json")))
                        .build();
                try (Response response = http.newCall(request).execute()) {
                  return String.valueOf(response.code());
                }
              })
          .subscribeOn(Schedulers.boundedElastic());
    }
  }

  private static FakeOpenAi FAKE;
  private static ConfigurableApplicationContext APP;
  private static String base;
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    FAKE = new FakeOpenAi();
    Map<String, Object> properties = new HashMap<>();
    properties.put("server.port", "0");
    properties.put("spring.reactor.context-propagation", "auto");
    properties.put("attribution.provider-hosts.[" + FAKE.authority() + "]", "openai");
    APP =
        new SpringApplicationBuilder(App.class)
            .web(WebApplicationType.REACTIVE)
            .properties(properties)
            .run();
    base = "http://127.0.0.1:" + APP.getEnvironment().getProperty("local.server.port");
  }

  @AfterAll
  static void stop() throws Exception {
    if (APP != null) {
      APP.close();
    }
    FAKE.close();
    Hooks.disableAutomaticContextPropagation();
  }

  private static HttpResponse<String> send(String method, String path, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(10))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      b.headers(headers);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theRequestScopeFollowsTheReactiveChainAndInboundAttributionHeadersAreHidden()
      throws Exception {
    assertThat(APP.getBean(AttributionWebFilter.class)).isNotNull();
    HttpResponse<String> r =
        send(
            "GET",
            "/context",
            "X-Tenant-Id",
            "acme",
            "X-Feature",
            "support-chat",
            "x-attribution-tenant",
            "someone-else");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("acme|support-chat|null");
  }

  @Test
  void aRequestWithoutIdentityRunsUnattributed() throws Exception {
    HttpResponse<String> r = send("GET", "/context", "x-attribution-tenant", "someone-else");
    assertThat(r.body()).isEqualTo("null|null|null");
  }

  @Test
  void aModelCallFromAReactiveHandlerIsAttributedToTheRequest() throws Exception {
    InMemoryUsageSink records = APP.getBean(InMemoryUsageSink.class);
    AttributionEngine engine = APP.getBean(AttributionEngine.class);
    engine.flush(Duration.ofSeconds(10));
    records.clear();
    FAKE.answer(1);
    HttpResponse<String> r =
        send("POST", "/chat", "X-Tenant-Id", "acme", "X-Feature", "support-chat");
    assertThat(r.body()).isEqualTo("200");
    assertThat(engine.flush(Duration.ofSeconds(10))).isTrue();
    List<UsageRecord> all = records.records();
    assertThat(all).hasSize(1);
    assertThat(all.get(0).provider()).isEqualTo("openai");
    assertThat(all.get(0).context().tenantId()).isEqualTo("acme");
    assertThat(all.get(0).context().feature()).isEqualTo("support-chat");
  }
}
