package dev.attribution.anthropic;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import dev.attribution.contract.Exchange;
import dev.attribution.contract.Loopback;
import dev.attribution.contract.TransportContractTest;

/**
 * The contract for the anthropic-java interceptor: the real SDK (its own request bytes, headers and
 * retries) records the Anthropic exchanges as the OkHttp interceptor does.
 */
class AnthropicTransportContractTest extends TransportContractTest {

  @Override
  protected boolean speaks(Exchange e) {
    return e.provider().equals("anthropic");
  }

  @Override
  protected void perform(Loopback h, Exchange e) throws Exception {
    AnthropicClient client =
        AnthropicOkHttpClient.builder()
            .baseUrl(h.baseUrl())
            .apiKey(Exchange.API_KEY)
            .maxRetries(e.kind() == Exchange.Kind.RETRY ? 1 : 0)
            .addInterceptor(AnthropicAttribution.interceptor(h.engine))
            .build();
    try {
      MessageCreateParams params =
          MessageCreateParams.builder()
              .model(e.model())
              .maxTokens(1024)
              .addUserMessage("Hello, Claude")
              .build();
      if (e.streaming()) {
        try (StreamResponse<RawMessageStreamEvent> st = client.messages().createStreaming(params)) {
          st.stream().forEach(event -> {});
        }
      } else {
        client.messages().create(params);
      }
    } finally {
      client.close();
    }
  }
}
