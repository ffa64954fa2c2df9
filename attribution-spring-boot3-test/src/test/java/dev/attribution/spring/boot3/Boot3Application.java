package dev.attribution.spring.boot3;

import dev.attribution.api.Attribution;
import dev.attribution.spring.autoconfigure.AttributionOkHttpCustomizer;
import java.io.IOException;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** A servlet application on Spring Boot 3.5 whose endpoint calls a model over plain OkHttp. */
@SpringBootApplication
public class Boot3Application {

  @Bean
  OkHttpClient http(AttributionOkHttpCustomizer attribution) {
    return attribution.customize(new OkHttpClient.Builder()).build();
  }

  @RestController
  static class Chat {
    private final OkHttpClient http;
    private final String baseUrl;

    Chat(OkHttpClient http, @Value("${provider.base-url}") String baseUrl) {
      this.http = http;
      this.baseUrl = baseUrl;
    }

    @PostMapping("/chat")
    Map<String, Object> chat() throws IOException {
      Request request =
          new Request.Builder()
              .url(baseUrl + "/v1/chat/completions")
              .header("Authorization", "Bearer test-key")
              .post(
                  RequestBody.create(
                      "{\"model\":\"gpt-4o-mini\",\"max_completion_tokens\":16,"
                          + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}",
                      MediaType.get("application/json")))
              .build();
      try (Response r = http.newCall(request).execute()) {
        r.body().string();
        return Map.of(
            "status", r.code(), "tenant", String.valueOf(Attribution.current().tenantId()));
      }
    }
  }
}
