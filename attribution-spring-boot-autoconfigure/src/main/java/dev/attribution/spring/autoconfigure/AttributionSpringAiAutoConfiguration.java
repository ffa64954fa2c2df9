package dev.attribution.spring.autoconfigure;

import dev.attribution.okhttp.AttributionInterceptor;
import org.springframework.ai.anthropic.http.okhttp.AnthropicHttpClientBuilderCustomizer;
import org.springframework.ai.chat.client.ChatClientBuilderCustomizer;
import org.springframework.ai.openai.http.okhttp.OpenAiHttpClientBuilderCustomizer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Spring AI: its OpenAI and Anthropic models build their OkHttp clients through builder customiser
 * beans, and the starter contributes one for each that adds the interceptor, so every Spring AI
 * call (chat, streaming, embeddings, images) is attributed and budgeted with no application code. A
 * blocked call surfaces as the provider's own rate-limit error.
 *
 * <p>A {@code ChatClient} built from Spring AI's {@code ChatClient.Builder} bean also gets an
 * advisor that writes the caller's attribution context into a streamed request's headers: the
 * providers' async SDK clients start the HTTP call on {@code ForkJoinPool.commonPool()}, where no
 * thread-local context survives.
 */
@AutoConfiguration(
    after = AttributionAutoConfiguration.class,
    beforeName = {
      "org.springframework.ai.model.openai.autoconfigure.OpenAiChatAutoConfiguration",
      "org.springframework.ai.model.anthropic.autoconfigure.AnthropicChatAutoConfiguration"
    })
@ConditionalOnBean(AttributionInterceptor.class)
public class AttributionSpringAiAutoConfiguration {

  /** Creates the configuration; Spring calls it. */
  public AttributionSpringAiAutoConfiguration() {}

  /** Spring AI's OpenAI models. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(OpenAiHttpClientBuilderCustomizer.class)
  public static class OpenAiConfiguration {

    /** Creates the configuration; Spring calls it. */
    public OpenAiConfiguration() {}

    /** Adds the interceptor to the OkHttp client of every Spring AI OpenAI model. */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    @ConditionalOnMissingBean(name = "attributionOpenAiHttpClientCustomizer")
    public OpenAiHttpClientBuilderCustomizer attributionOpenAiHttpClientCustomizer(
        AttributionInterceptor interceptor) {
      return builder -> builder.interceptor(interceptor);
    }
  }

  /** Spring AI's Anthropic models. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(AnthropicHttpClientBuilderCustomizer.class)
  public static class AnthropicConfiguration {

    /** Creates the configuration; Spring calls it. */
    public AnthropicConfiguration() {}

    /** Adds the interceptor to the OkHttp client of every Spring AI Anthropic model. */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    @ConditionalOnMissingBean(name = "attributionAnthropicHttpClientCustomizer")
    public AnthropicHttpClientBuilderCustomizer attributionAnthropicHttpClientCustomizer(
        AttributionInterceptor interceptor) {
      return builder -> builder.interceptor(interceptor);
    }
  }

  /** Streams through a {@code ChatClient}: the context travels in the request's options. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(ChatClientBuilderCustomizer.class)
  public static class ChatClientConfiguration {

    /** Creates the configuration; Spring calls it. */
    public ChatClientConfiguration() {}

    /**
     * Adds the attribution advisor to every {@code ChatClient} that Spring AI's {@code
     * ChatClient.Builder} bean builds.
     */
    @Bean
    @ConditionalOnMissingBean(name = "attributionChatClientBuilderCustomizer")
    public ChatClientBuilderCustomizer attributionChatClientBuilderCustomizer() {
      AttributionStreamAdvisor advisor =
          AttributionStreamAdvisor.forClassPath(
              AttributionSpringAiAutoConfiguration.class.getClassLoader());
      return builder -> builder.defaultAdvisors(advisor);
    }
  }
}
