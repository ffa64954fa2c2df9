package dev.attribution.spring.autoconfigure;

import java.io.IOException;
import java.util.Map;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.MapPropertySource;

/** A loopback server answering in OpenAI's documented chat-completions shape. */
final class FakeOpenAi implements AutoCloseable {

  static final String COMPLETION =
      "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1700000000,"
          + "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"message\":"
          + "{\"role\":\"assistant\",\"content\":\"Hello.\"},\"finish_reason\":\"stop\"}],"
          + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15}}";

  static final String REQUEST =
      "{\"model\":\"gpt-4o-mini\",\"max_completion_tokens\":16,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}]}";

  final MockWebServer server = new MockWebServer();

  FakeOpenAi() throws IOException {
    server.start();
  }

  /** Queues {@code n} completions. */
  FakeOpenAi answer(int n) {
    for (int i = 0; i < n; i++) {
      server.enqueue(
          new MockResponse().setHeader("Content-Type", "application/json").setBody(COMPLETION));
    }
    return this;
  }

  /**
   * {@code runner} with the property that maps this server to the OpenAI dialect (through a map
   * property source: the host's colon would split a {@code key=value} string).
   */
  ApplicationContextRunner mapped(ApplicationContextRunner runner) {
    return runner.withInitializer(
        c -> c.getEnvironment().getPropertySources().addFirst(propertySource()));
  }

  MapPropertySource propertySource() {
    String key = "attribution.provider-hosts.[" + authority() + "]";
    return new MapPropertySource("fake-openai", Map.of(key, "openai"));
  }

  String authority() {
    return server.getHostName() + ":" + server.getPort();
  }

  String url(String path) {
    return server.url(path).toString();
  }

  @Override
  public void close() throws IOException {
    server.shutdown();
  }
}
