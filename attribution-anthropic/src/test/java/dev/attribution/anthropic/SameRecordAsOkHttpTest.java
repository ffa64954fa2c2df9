package dev.attribution.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.models.messages.RawMessageStreamEvent;
import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionScope;
import dev.attribution.api.UsageRecord;
import dev.attribution.contract.Loopback;
import dev.attribution.contract.RecordContract;
import dev.attribution.okhttp.AttributionOkHttp;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The transport contract: the same exchange (the request the SDK sent, the same canned answer)
 * gives the same record whether the anthropic-java interceptor or the OkHttp interceptor saw it.
 */
class SameRecordAsOkHttpTest {

  /** Headers OkHttp sets itself on the replay. */
  private static final java.util.Set<String> COPIED_BY_OKHTTP =
      java.util.Set.of("host", "content-length", "content-type", "connection", "accept-encoding");

  private static MockResponse answer(String fixture) {
    return fixture.endsWith(".sse")
        ? AnthropicSdkTest.sse(fixture)
        : AnthropicSdkTest.json(fixture);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"anthropic-messages.json", "anthropic-messages-stream.sse", "anthropic-error-529"})
  void sdkInterceptorAndOkHttpInterceptorRecordTheSameExchangeAlike(String fixture)
      throws Exception {
    try (Loopback h = new Loopback("anthropic", b -> {})) {
      AnthropicClient client = AnthropicSdkTest.client(h, 0);
      boolean error = fixture.equals("anthropic-error-529");
      MockResponse canned =
          error
              ? new MockResponse()
                  .setResponseCode(529)
                  .setHeader("content-type", "application/json")
                  .setBody(Loopback.fixture("anthropic-error-529.json"))
              : answer(fixture);
      h.server.enqueue(canned);
      try (AttributionScope s = Attribution.open(AnthropicSdkTest.ACME)) {
        if (fixture.endsWith(".sse")) {
          try (StreamResponse<RawMessageStreamEvent> st =
              client.messages().createStreaming(AnthropicSdkTest.params("claude-sonnet-4-5"))) {
            st.stream().forEach(e -> {});
          }
        } else {
          try {
            client.messages().create(AnthropicSdkTest.params("claude-sonnet-4-5"));
          } catch (RuntimeException expectedForTheErrorCase) {
            assertThat(error).isTrue();
          }
        }
      }
      RecordedRequest sdkSent = h.server.takeRequest();
      UsageRecord viaSdk = h.onlyRecord();

      // The same bytes and credentials through OkHttp with the OkHttp interceptor.
      h.server.enqueue(canned.clone());
      OkHttpClient ok =
          new OkHttpClient.Builder()
              .addInterceptor(AttributionOkHttp.interceptor(h.engine))
              .build();
      Request.Builder replay = new Request.Builder().url(h.server.url(sdkSent.getPath()));
      for (String name : sdkSent.getHeaders().names()) {
        if (!COPIED_BY_OKHTTP.contains(name.toLowerCase(java.util.Locale.ROOT))) {
          replay.header(name, sdkSent.getHeader(name));
        }
      }
      replay.post(
          RequestBody.create(sdkSent.getBody().readByteArray(), MediaType.get("application/json")));
      try (AttributionScope s = Attribution.open(AnthropicSdkTest.ACME);
          Response resp = ok.newCall(replay.build()).execute()) {
        resp.body().bytes();
      }
      List<UsageRecord> both = h.records(2);
      assertThat(both).hasSize(2);
      UsageRecord viaOkHttp = both.get(1);
      assertThat(RecordContract.comparable(viaSdk)).isEqualTo(RecordContract.comparable(viaOkHttp));
      assertThat(viaSdk.usage().isZero()).isEqualTo(error);
      ok.dispatcher().executorService().shutdown();
      ok.connectionPool().evictAll();
      client.close();
    }
  }
}
