package dev.attribution.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionScope;
import dev.attribution.api.UsageRecord;
import dev.attribution.contract.Loopback;
import dev.attribution.contract.RecordContract;
import dev.attribution.okhttp.AttributionOkHttp;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.Stream;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The transport contract: the same exchange gives the same record through the JDK HttpClient
 * wrapper and through the OkHttp interceptor.
 */
class SameRecordAsOkHttpTest {

  static Stream<Arguments> exchanges() {
    String anthropic =
        "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1024,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    String anthropicStream = anthropic.replace("\"max_tokens\"", "\"stream\":true,\"max_tokens\"");
    String gemini = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}";
    return Stream.of(
        Arguments.of(
            "openai", "/v1/chat/completions", AttributionHttpClientTest.CHAT, "openai-chat.json"),
        Arguments.of(
            "openai",
            "/v1/chat/completions",
            AttributionHttpClientTest.CHAT.replace("\"gpt-4o\"", "\"gpt-4o-mini\",\"stream\":true"),
            "openai-chat-stream.sse"),
        Arguments.of(
            "openai",
            "/v1/responses",
            "{\"model\":\"gpt-4.1\",\"input\":\"hi\"}",
            "openai-responses.json"),
        Arguments.of(
            "openai",
            "/v1/chat/completions",
            AttributionHttpClientTest.CHAT,
            "openai-error-429.json"),
        Arguments.of("anthropic", "/v1/messages", anthropic, "anthropic-messages.json"),
        Arguments.of("anthropic", "/v1/messages", anthropicStream, "anthropic-messages-stream.sse"),
        Arguments.of(
            "gcp.gemini",
            "/v1beta/models/gemini-2.5-flash:generateContent",
            gemini,
            "gemini-generate.json"),
        Arguments.of(
            "gcp.gemini",
            "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
            gemini,
            "gemini-generate-stream.sse"));
  }

  private static MockResponse answer(String fixture) {
    if (fixture.endsWith(".sse")) {
      return AttributionHttpClientTest.sse(fixture);
    }
    MockResponse m = AttributionHttpClientTest.json(fixture);
    return fixture.contains("error-429") ? m.setResponseCode(429) : m;
  }

  @ParameterizedTest(name = "{3}")
  @MethodSource("exchanges")
  void jdkWrapperAndOkHttpInterceptorRecordTheSameExchangeAlike(
      String provider, String path, String body, String fixture) throws Exception {
    try (Loopback h = new Loopback(provider, b -> {})) {
      h.server.enqueue(answer(fixture));
      HttpClient jdk = AttributionHttpClient.wrap(HttpClient.newHttpClient(), h.engine);
      try (AttributionScope s = Attribution.open(AttributionHttpClientTest.ACME)) {
        HttpResponse<byte[]> r =
            jdk.send(
                AttributionHttpClientTest.post(h, path, body).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.body())
            .isEqualTo(Loopback.fixture(fixture).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      RecordedRequest jdkSent = h.server.takeRequest();
      UsageRecord viaJdk = h.onlyRecord();

      h.server.enqueue(answer(fixture));
      OkHttpClient ok =
          new OkHttpClient.Builder()
              .addInterceptor(AttributionOkHttp.interceptor(h.engine))
              .build();
      Request replay =
          new Request.Builder()
              .url(h.server.url(path))
              .header("authorization", jdkSent.getHeader("authorization"))
              .post(RequestBody.create(body, MediaType.get("application/json")))
              .build();
      try (AttributionScope s = Attribution.open(AttributionHttpClientTest.ACME);
          Response resp = ok.newCall(replay).execute()) {
        resp.body().bytes();
      }
      RecordedRequest okSent = h.server.takeRequest();
      // Both transports sent the same bytes upstream (include_usage added alike).
      assertThat(okSent.getBody().readUtf8()).isEqualTo(jdkSent.getBody().readUtf8());
      List<UsageRecord> both = h.records(2);
      assertThat(both).hasSize(2);
      assertThat(RecordContract.comparable(viaJdk))
          .isEqualTo(RecordContract.comparable(both.get(1)));
      // Not equal by being empty: every answered exchange carries tokens and a cost.
      boolean error = fixture.contains("error");
      assertThat(viaJdk.usage().isZero()).isEqualTo(error);
      assertThat(viaJdk.cost() != null && viaJdk.cost().total().signum() > 0).isEqualTo(!error);
      ok.dispatcher().executorService().shutdown();
      ok.connectionPool().evictAll();
    }
  }
}
