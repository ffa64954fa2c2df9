package dev.attribution.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.contract.Exchange;
import dev.attribution.contract.Loopback;
import dev.attribution.contract.TransportContractTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/** The contract for {@link AttributionHttpClient}: the JDK client records as OkHttp does. */
class JdkHttpTransportContractTest extends TransportContractTest {

  @Override
  protected void perform(Loopback h, Exchange e) throws Exception {
    HttpClient jdk = AttributionHttpClient.wrap(HttpClient.newHttpClient(), h.engine);
    for (Exchange.Request r : e.requests()) {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(h.baseUrl() + r.path()))
              .POST(HttpRequest.BodyPublishers.ofString(r.body()));
      for (Map.Entry<String, String> header : r.headers().entrySet()) {
        b.header(header.getKey(), header.getValue());
      }
      HttpResponse<String> resp = jdk.send(b.build(), HttpResponse.BodyHandlers.ofString());
      assertThat(resp.body()).isNotEmpty();
    }
  }
}
