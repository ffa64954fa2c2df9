package dev.attribution.examples.spring;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.attribution.okhttp.AttributionInterceptor;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableAsync;

/**
 * The application. Its one line of attribution code is {@code addInterceptor(interceptor)}; the
 * starter builds the engine from {@code application.yaml}, opens each request's scope from its
 * headers, carries it into {@code @Async} methods, and serves budgets on Actuator.
 */
@SpringBootApplication
@EnableAsync
public class HelpDeskApplication {

  /** Creates the application; Spring calls it. */
  public HelpDeskApplication() {}

  /** Starts the service. */
  public static void main(String[] args) {
    SpringApplication.run(HelpDeskApplication.class, args);
  }

  /** The OpenAI client, with the starter's interceptor. */
  @Bean(destroyMethod = "close")
  public OpenAIClient openAi(
      AttributionInterceptor interceptor,
      @Value("${helpdesk.openai.base-url:https://api.openai.com/v1}") String baseUrl,
      @Value("${OPENAI_API_KEY:no-key-for-a-local-server}") String apiKey) {
    return OpenAIOkHttpClient.builder()
        .baseUrl(baseUrl)
        .apiKey(apiKey)
        .maxRetries(0)
        .addInterceptor(interceptor)
        .build();
  }
}
