package dev.attribution.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.azure.AzureOpenAIServiceVersion;
import com.openai.azure.AzureUrlPathMode;
import com.openai.azure.credential.AzureApiKeyCredential;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionScope;
import dev.attribution.api.CallStatus;
import dev.attribution.api.CostSource;
import dev.attribution.api.TokenUsage;
import dev.attribution.api.UsageRecord;
import dev.attribution.core.AttributionEngine;
import java.nio.charset.StandardCharsets;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * openai-java in Azure mode (legacy deployment paths, {@code api-key} credential) through the
 * interceptor: the deployment in the path is priced as the model it serves.
 */
class OpenAiAzureSdkTest {

  private static final String KEY = "azure-key-0123456789abcdef0123456789";
  private static final AttributionContext ACME =
      AttributionContext.builder().tenantId("acme").feature("support-chat").build();

  private final Harness h = new Harness("azure.ai.openai");
  private final AttributionEngine engine =
      AttributionEngine.builder()
          .mapHost(h.server.getHostName() + ":" + h.server.getPort(), "azure.ai.openai")
          .azureDeployment("prod-chat", "gpt-4o")
          .addSink(h.sink)
          .shutdownHook(false)
          .build();
  // A loopback host is not an Azure host, so Azure mode is forced with the legacy path mode.
  private final OpenAIClient client =
      OpenAIOkHttpClient.builder()
          .baseUrl(h.baseUrl("/"))
          .credential(AzureApiKeyCredential.create(KEY))
          .azureServiceVersion(AzureOpenAIServiceVersion.getV2024_10_21())
          .azureUrlPathMode(AzureUrlPathMode.LEGACY)
          .addInterceptor(AttributionOkHttp.interceptor(engine))
          .build();

  @AfterEach
  void close() throws Exception {
    client.close();
    engine.close();
    h.close();
  }

  private static ChatCompletionCreateParams chat() {
    return ChatCompletionCreateParams.builder().model("prod-chat").addUserMessage("hi").build();
  }

  @Test
  void azureChatIsPricedAsTheDeploymentsModelAndTheKeyIsNeverRecorded() throws Exception {
    h.server.enqueue(
        new MockResponse()
            .setHeader("content-type", "application/json")
            .setBody(new String(Harness.fixture("openai-chat.json"), StandardCharsets.UTF_8)));
    try (AttributionScope s = Attribution.open(ACME)) {
      client.chat().completions().create(chat());
    }
    RecordedRequest sent = h.server.takeRequest();
    assertThat(sent.getPath())
        .startsWith("/openai/deployments/prod-chat/chat/completions")
        .contains("api-version=2024-10-21");
    assertThat(sent.getHeader("api-key")).isEqualTo(KEY);

    UsageRecord r = h.onlyRecord();
    assertThat(r.provider()).isEqualTo("azure.ai.openai");
    assertThat(r.deployment()).isEqualTo("prod-chat");
    assertThat(r.context()).isEqualTo(ACME);
    assertThat(r.requestedModel()).isEqualTo("gpt-4o");
    assertThat(r.usage())
        .isEqualTo(
            TokenUsage.builder()
                .inputTokens(1117)
                .cachedInputTokens(1024)
                .outputTokens(46)
                .build());
    assertThat(r.costSource()).isEqualTo(CostSource.COMPUTED);
    assertThat(r.cost().total()).isPositive();
    assertThat(r.status()).isEqualTo(CallStatus.OK);
    assertThat(r.keyFingerprint()).isNotNull().doesNotContain(KEY);
    assertThat(r.toString()).doesNotContain(KEY);
  }

  @Test
  void azureStreamGetsUsageBecauseTheInterceptorAsksForIt() throws Exception {
    h.server.enqueue(
        new MockResponse()
            .setHeader("content-type", "text/event-stream")
            .setChunkedBody(
                new String(Harness.fixture("openai-chat-stream.sse"), StandardCharsets.UTF_8), 97));
    try (AttributionScope s = Attribution.open(ACME);
        StreamResponse<ChatCompletionChunk> stream =
            client.chat().completions().createStreaming(chat())) {
      stream.stream().forEach(c -> {});
    }
    assertThat(h.server.takeRequest().getBody().readUtf8()).contains("\"include_usage\":true");
    UsageRecord r = h.onlyRecord();
    assertThat(r.streaming()).isTrue();
    assertThat(r.usage()).isEqualTo(TokenUsage.of(19, 10));
    assertThat(r.requestedModel()).isEqualTo("gpt-4o");
  }
}
