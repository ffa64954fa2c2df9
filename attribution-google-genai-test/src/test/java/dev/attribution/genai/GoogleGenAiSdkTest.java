package dev.attribution.genai;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.genai.Client;
import com.google.genai.ResponseStream;
import com.google.genai.types.ClientOptions;
import com.google.genai.types.GenerateContentConfig;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.HttpOptions;
import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionHeaders;
import dev.attribution.api.AttributionScope;
import dev.attribution.api.CallStatus;
import dev.attribution.api.ContextSource;
import dev.attribution.api.TokenUsage;
import dev.attribution.api.UsageRecord;
import dev.attribution.contract.Loopback;
import dev.attribution.okhttp.AttributionOkHttp;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The real google-genai SDK with the OkHttp interceptor on the client it is given ({@code
 * ClientOptions.customHttpClient}): the SDK copies that client with {@code newBuilder()} and adds
 * its own retry interceptor after ours, so ours sees each logical call once.
 */
class GoogleGenAiSdkTest {

  private static final String KEY = "AIzaSyTEST-0123456789abcdefghijklmnop";

  private static final AttributionContext ACME =
      AttributionContext.builder().tenantId("acme").userId("u-1").feature("summarize").build();

  private final Loopback h = new Loopback("gcp.gemini", b -> {});
  private final OkHttpClient ok = AttributionOkHttp.instrument(new OkHttpClient(), h.engine);
  private final Client client =
      Client.builder()
          .apiKey(KEY)
          .httpOptions(HttpOptions.builder().baseUrl(h.baseUrl()).build())
          .clientOptions(ClientOptions.builder().customHttpClient(ok).build())
          .build();

  @AfterEach
  void close() throws Exception {
    client.close();
    ok.dispatcher().executorService().shutdown();
    ok.connectionPool().evictAll();
    h.close();
  }

  private static MockResponse json(String fixture) {
    return new MockResponse()
        .setHeader("content-type", "application/json; charset=UTF-8")
        .setBody(Loopback.fixture(fixture));
  }

  private static MockResponse sse(String fixture) {
    return new MockResponse()
        .setHeader("content-type", "text/event-stream")
        .setChunkedBody(Loopback.fixture(fixture), 97);
  }

  private static void assertKeyNowhere(UsageRecord r) {
    assertThat(r.toString()).doesNotContain(KEY);
    assertThat(r.attributes().toString()).doesNotContain(KEY);
    assertThat(String.valueOf(r.errorMessage())).doesNotContain(KEY);
    assertThat(String.valueOf(r.keyFingerprint())).doesNotContain(KEY).doesNotContain("AIza");
  }

  @Test
  void syncGenerateContentIsAttributedFromTheThreadScope() throws Exception {
    h.server.enqueue(json("gemini-generate.json"));
    GenerateContentResponse resp;
    try (AttributionScope s = Attribution.open(ACME)) {
      resp = client.models.generateContent("gemini-2.5-flash", "Explain AI", null);
    }
    assertThat(resp.text()).startsWith("AI learns patterns");
    RecordedRequest sent = h.server.takeRequest();
    assertThat(sent.getPath()).contains("gemini-2.5-flash:generateContent");

    UsageRecord r = h.onlyRecord();
    assertThat(r.context()).isEqualTo(ACME);
    assertThat(r.contextSource()).isEqualTo(ContextSource.SCOPE);
    assertThat(r.provider()).isEqualTo("gcp.gemini");
    assertThat(r.requestedModel()).isEqualTo("gemini-2.5-flash");
    // promptTokenCount includes the cached tokens; thoughts are output beside the candidates.
    assertThat(r.usage())
        .isEqualTo(
            TokenUsage.builder()
                .inputTokens(1200)
                .cachedInputTokens(1000)
                .outputTokens(1300)
                .reasoningTokens(1000)
                .build());
    assertThat(r.cost()).isNotNull();
    assertThat(r.cost().total()).isPositive();
    assertThat(r.status()).isEqualTo(CallStatus.OK);
    assertThat(r.keyFingerprint()).isNotNull();
    assertKeyNowhere(r);
  }

  @Test
  void asyncGenerateContentCarriesContextInHttpOptionsHeaders() throws Exception {
    h.server.enqueue(json("gemini-generate.json"));
    GenerateContentConfig config =
        GenerateContentConfig.builder()
            .httpOptions(HttpOptions.builder().headers(AttributionHeaders.toHeaders(ACME)))
            .build();
    GenerateContentResponse resp =
        client
            .async
            .models
            .generateContent("gemini-2.5-flash", "Explain AI", config)
            .get(10, TimeUnit.SECONDS);
    assertThat(resp.text()).startsWith("AI learns patterns");
    RecordedRequest sent = h.server.takeRequest();
    assertThat(sent.getHeaders().names())
        .noneMatch(n -> n.toLowerCase(Locale.ROOT).startsWith("x-attribution-"));
    UsageRecord r = h.onlyRecord();
    assertThat(r.context()).isEqualTo(ACME);
    assertThat(r.contextSource()).isEqualTo(ContextSource.HEADER);
    assertThat(r.usage().outputTokens()).isEqualTo(1300);
    assertKeyNowhere(r);
  }

  @Test
  void asyncGenerateContentOnAnInstrumentedClientKeepsTheScopeWhereTheCallWasMade()
      throws Exception {
    h.server.enqueue(json("gemini-generate.json"));
    java.util.concurrent.CompletableFuture<GenerateContentResponse> f;
    try (AttributionScope s = Attribution.open(ACME)) {
      f = client.async.models.generateContent("gemini-2.5-flash", "Explain AI", null);
    }
    f.get(10, TimeUnit.SECONDS);
    UsageRecord r = h.onlyRecord();
    assertThat(r.context()).isEqualTo(ACME);
    assertThat(r.contextSource()).isEqualTo(ContextSource.SCOPE);
  }

  @Test
  void streamedGenerateContentIsRecordedWithTheLastUsage() throws Exception {
    h.server.enqueue(sse("gemini-generate-stream.sse"));
    StringBuilder text = new StringBuilder();
    try (AttributionScope s = Attribution.open(ACME);
        ResponseStream<GenerateContentResponse> stream =
            client.models.generateContentStream("gemini-2.5-flash", "Explain AI", null)) {
      for (GenerateContentResponse chunk : stream) {
        text.append(chunk.text());
      }
    }
    assertThat(text).isNotEmpty();
    assertThat(h.server.takeRequest().getPath()).contains(":streamGenerateContent");
    UsageRecord r = h.onlyRecord();
    assertThat(r.streaming()).isTrue();
    assertThat(r.context()).isEqualTo(ACME);
    assertThat(r.usage().isZero()).isFalse();
    assertThat(r.usageEstimated()).isFalse();
    assertThat(r.status()).isEqualTo(CallStatus.OK);
    assertKeyNowhere(r);
  }
}
