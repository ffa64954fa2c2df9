package dev.attribution.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.contract.Loopback;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import okhttp3.mockwebserver.MockResponse;
import okio.Buffer;
import org.junit.jupiter.api.Test;

/**
 * The application reads the body through the subscriber it gave the client ({@code getBody()}), not
 * through {@code response.body()}, and drops the response while it still reads: the library's
 * watched wrapper becomes unreachable, but the stream the application reads is never closed under
 * it.
 */
class OwnBodySubscriberTest {

  @Test
  void aStreamStillBeingReadIsNotClosedByTheCleaner() throws Exception {
    try (Loopback h = new Loopback("openai", b -> {})) {
      HttpClient client = AttributionHttpClient.wrap(HttpClient.newHttpClient(), h.engine);
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < 2000; i++) {
        sb.append("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",")
            .append("\"choices\":[{\"index\":0,\"delta\":{\"content\":\"w \"}}]}\n\n");
      }
      sb.append("data: [DONE]\n\n");
      h.server.enqueue(
          new MockResponse()
              .setHeader("content-type", "text/event-stream")
              .setChunkedBody(new Buffer().writeUtf8(sb.toString()), 1024)
              .throttleBody(4096, 50, java.util.concurrent.TimeUnit.MILLISECONDS));
      HttpRequest req =
          HttpRequest.newBuilder(h.server.url("/v1/chat/completions").uri())
              .header("content-type", "application/json")
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      "{\"model\":\"gpt-4o\",\"stream\":true,"
                          + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
              .build();
      HttpResponse.BodySubscriber<InputStream> sub = HttpResponse.BodySubscribers.ofInputStream();
      HttpResponse<InputStream> r = client.send(req, info -> sub);
      assertThat(r.statusCode()).isEqualTo(200);
      r = null;
      InputStream in = sub.getBody().toCompletableFuture().join();
      long total = 0;
      byte[] buf = new byte[4096];
      IOException failed = null;
      try {
        int n;
        while ((n = in.read(buf)) != -1) {
          total += n;
          System.gc();
        }
      } catch (IOException e) {
        failed = e;
      }
      h.engine.flush(Duration.ofSeconds(5));
      assertThat(failed).as("the application's read of a live body").isNull();
      assertThat(h.onlyRecord().attributes())
          .as("a stream read to its end is not abandoned")
          .doesNotContainKey("abandoned");
      assertThat(h.onlyRecord().status()).isEqualTo(dev.attribution.api.CallStatus.OK);
    }
  }
}
