package dev.attribution.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.contract.Loopback;
import java.net.http.HttpClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.condition.JRE;

/**
 * Java 21 gave {@link HttpClient} {@code shutdown}, {@code shutdownNow}, {@code awaitTermination},
 * {@code isTerminated} and {@code close}; the wrapper (compiled for 17) must pass each to the
 * client it wraps. Runs in the {@code java25} surefire execution (attribution-jdk-http's pom) on
 * the Temurin 25 JDK when it is installed; skipped on the default 17 run.
 */
@EnabledForJreRange(min = JRE.JAVA_21)
class Java21LifecycleTest {

  /** The wrapped client's own state, read through Java 21's API on HttpClient. */
  private static boolean terminated(HttpClient client) throws Exception {
    return (Boolean) HttpClient.class.getMethod("isTerminated").invoke(client);
  }

  @Test
  void closePassesToTheWrappedClient() throws Exception {
    try (Loopback h = new Loopback("openai", b -> {})) {
      HttpClient real = HttpClient.newHttpClient();
      AttributionHttpClient wrapper = AttributionHttpClient.wrap(real, h.engine);
      assertThat(terminated(real)).isFalse();
      // HttpClient.close() called on the wrapper, as try-with-resources on an HttpClient does:
      // the wrapper's close() must be the override that runs.
      HttpClient.class.getMethod("close").invoke(wrapper);
      assertThat(terminated(real)).isTrue();
      assertThat(wrapper.isTerminated()).isTrue();
    }
  }

  @Test
  void shutdownAndAwaitTerminationPassToTheWrappedClient() throws Exception {
    try (Loopback h = new Loopback("openai", b -> {})) {
      HttpClient real = HttpClient.newHttpClient();
      AttributionHttpClient wrapper = AttributionHttpClient.wrap(real, h.engine);
      HttpClient.class.getMethod("shutdown").invoke(wrapper);
      assertThat(wrapper.awaitTermination(Duration.ofSeconds(10))).isTrue();
      assertThat(terminated(real)).isTrue();
    }
  }

  @Test
  void shutdownNowPassesToTheWrappedClient() throws Exception {
    try (Loopback h = new Loopback("openai", b -> {})) {
      HttpClient real = HttpClient.newHttpClient();
      AttributionHttpClient wrapper = AttributionHttpClient.wrap(real, h.engine);
      wrapper.shutdownNow();
      assertThat(wrapper.awaitTermination(Duration.ofSeconds(10))).isTrue();
      assertThat(terminated(real)).isTrue();
    }
  }

  @Test
  void closeAlsoClosesTheClientPinnedCallsWentThrough() throws Exception {
    dev.attribution.core.routing.Route alt;
    try (okhttp3.mockwebserver.MockWebServer target = new okhttp3.mockwebserver.MockWebServer()) {
      target.start();
      alt =
          dev.attribution.core.routing.Route.builder("alt")
              .baseUrl(target.url("/v1").toString())
              .provider("openai")
              .apiKey("sk-route-0123456789abcdef")
              .build();
      try (Loopback h =
          new Loopback(
              "openai",
              b ->
                  b.route(alt)
                      .routingRule(
                          dev.attribution.core.routing.RoutingRule.builder("all")
                              .route("alt")
                              .build()))) {
        target.enqueue(AttributionHttpClientTest.json("openai-chat.json"));
        HttpClient real =
            HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
        AttributionHttpClient wrapper = AttributionHttpClient.wrap(real, h.engine);
        wrapper.send(
            AttributionHttpClientTest.post(
                    h, "/v1/chat/completions", AttributionHttpClientTest.CHAT)
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
        HttpClient derived = wrapper.pinned.derived();
        assertThat(derived).isNotNull();
        assertThat(terminated(derived)).isFalse();
        HttpClient.class.getMethod("close").invoke(wrapper);
        assertThat(terminated(real)).isTrue();
        assertThat(terminated(derived)).isTrue();
        assertThat(wrapper.isTerminated()).isTrue();
      }
    }
  }

  /** Guards the point of the java25 execution: it really ran on the JDK it was given. */
  @Test
  @EnabledIfSystemProperty(named = "attribution.expectJava", matches = "\\d+")
  void runsOnTheJdkTheExecutionNames() {
    assertThat(Runtime.version().feature())
        .isEqualTo(Integer.parseInt(System.getProperty("attribution.expectJava")));
  }
}
