package dev.attribution.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import dev.attribution.anthropic.AnthropicAttribution;
import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionScope;
import dev.attribution.api.InMemoryUsageSink;
import dev.attribution.api.UsageRecord;
import dev.attribution.core.AttributionEngine;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MapPropertySource;

/**
 * anthropic-java clients that the application defines as beans, with no attribution code, are
 * attributed through the SDK's interceptor hook; one that already has the interceptor is not
 * attributed twice. The real SDK calls a loopback server answering in Anthropic's shape.
 */
class SdkClientBeansTest {

  private static final String MESSAGE =
      "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\","
          + "\"model\":\"claude-haiku-4-5-20251001\",\"content\":[{\"type\":\"text\","
          + "\"text\":\"Hello.\"}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,"
          + "\"usage\":{\"input_tokens\":14,\"output_tokens\":4}}";

  private static final AttributionContext ACME =
      AttributionContext.builder().tenantId("acme").feature("assistant").build();

  private static MockWebServer server;

  /** The starter, with the loopback server mapped to Anthropic's dialect. */
  private static ApplicationContextRunner runner() {
    String authority = server.url("/").host() + ":" + server.getPort();
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(AttributionAutoConfiguration.class))
        .withUserConfiguration(AttributionAutoConfigurationTest.MemorySink.class)
        .withInitializer(
            c ->
                c.getEnvironment()
                    .getPropertySources()
                    .addFirst(
                        new MapPropertySource(
                            "loopback",
                            Map.of(
                                "attribution.provider-hosts.[" + authority + "]", "anthropic"))));
  }

  @Configuration(proxyBeanMethods = false)
  static class Plain {
    @Bean
    AnthropicClient anthropic() {
      return builder().build();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class AlreadyAttributed {
    @Bean
    AnthropicClient anthropic(AttributionEngine engine) {
      return builder().addInterceptor(AnthropicAttribution.interceptor(engine)).build();
    }
  }

  private static AnthropicOkHttpClient.Builder builder() {
    return AnthropicOkHttpClient.builder()
        .baseUrl(server.url("/").toString())
        .apiKey("sk-ant-test-0123456789abcdef")
        .maxRetries(0);
  }

  private static MockWebServer answering() throws IOException {
    MockWebServer s = new MockWebServer();
    s.enqueue(new MockResponse().setHeader("Content-Type", "application/json").setBody(MESSAGE));
    s.start();
    return s;
  }

  @AfterEach
  void stop() throws IOException {
    server.shutdown();
  }

  private static List<UsageRecord> oneCall(org.springframework.context.ApplicationContext context) {
    Message m;
    try (AttributionScope s = Attribution.openIsolated(ACME)) {
      m =
          context
              .getBean(AnthropicClient.class)
              .messages()
              .create(
                  MessageCreateParams.builder()
                      .model("claude-haiku-4-5")
                      .maxTokens(16)
                      .addUserMessage("Say hello.")
                      .build());
    }
    assertThat(m.usage().outputTokens()).isEqualTo(4);
    assertThat(context.getBean(AttributionEngine.class).flush(Duration.ofSeconds(10))).isTrue();
    return context.getBean(InMemoryUsageSink.class).records();
  }

  @Test
  void anAnthropicClientBeanIsAttributedWithNoCode() throws Exception {
    server = answering();
    runner()
        .withUserConfiguration(Plain.class)
        .run(
            context -> {
              List<UsageRecord> records = oneCall(context);
              assertThat(records).hasSize(1);
              assertThat(records.get(0).provider()).isEqualTo("anthropic");
              assertThat(records.get(0).context().tenantId()).isEqualTo("acme");
              assertThat(records.get(0).usage().inputTokens()).isEqualTo(14);
              assertThat(records.get(0).cost()).isNotNull();
            });
  }

  @Test
  void aClientThatAlreadyHasTheInterceptorIsNotAttributedTwice() throws Exception {
    server = answering();
    runner()
        .withUserConfiguration(AlreadyAttributed.class)
        .run(context -> assertThat(oneCall(context)).hasSize(1));
  }

  @Test
  void thePostProcessorIsSwitchedOffByItsProperty() throws Exception {
    server = answering();
    runner()
        .withUserConfiguration(Plain.class)
        .withPropertyValues("attribution.interceptor.sdk-clients=false")
        .run(context -> assertThat(oneCall(context)).isEmpty());
  }
}
