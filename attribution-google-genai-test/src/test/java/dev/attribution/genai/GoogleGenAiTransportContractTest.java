package dev.attribution.genai;

import com.google.genai.Client;
import com.google.genai.ResponseStream;
import com.google.genai.types.ClientOptions;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.HttpOptions;
import dev.attribution.contract.Exchange;
import dev.attribution.contract.Loopback;
import dev.attribution.contract.TransportContractTest;
import dev.attribution.okhttp.AttributionOkHttp;
import okhttp3.OkHttpClient;

/**
 * The contract for google-genai on an instrumented {@code customHttpClient}: the real SDK records
 * the Gemini exchanges as the bare OkHttp interceptor does.
 */
class GoogleGenAiTransportContractTest extends TransportContractTest {

  @Override
  protected boolean speaks(Exchange e) {
    return e.provider().equals("gcp.gemini");
  }

  @Override
  protected void perform(Loopback h, Exchange e) throws Exception {
    OkHttpClient ok = AttributionOkHttp.instrument(new OkHttpClient(), h.engine);
    try (Client client =
        Client.builder()
            .apiKey(Exchange.API_KEY)
            .httpOptions(HttpOptions.builder().baseUrl(h.baseUrl()).build())
            .clientOptions(ClientOptions.builder().customHttpClient(ok).build())
            .build()) {
      if (e.streaming()) {
        try (ResponseStream<GenerateContentResponse> stream =
            client.models.generateContentStream(e.model(), "hi", null)) {
          for (GenerateContentResponse chunk : stream) {
            chunk.text();
          }
        }
      } else {
        client.models.generateContent(e.model(), "hi", null);
      }
    } finally {
      ok.dispatcher().executorService().shutdown();
      ok.connectionPool().evictAll();
    }
  }
}
