package dev.attribution.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.UsageRecord;
import java.util.List;
import java.util.Random;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.mockwebserver.MockResponse;
import okio.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The application receives exactly the bytes the server sent, whatever the fixture, however the
 * stream is split, and however broken the payload is; attribution's own failures never escape.
 */
class BytesUnchangedTest {

  private static final String[] JSON = {
    "openai-chat.json",
    "openai-chat-reasoning.json",
    "openai-responses.json",
    "openai-embeddings.json",
    "anthropic-messages.json",
    "gemini-generate.json",
    "openrouter-chat.json",
    "deepseek-chat.json",
    "openai-error-429.json",
    "anthropic-error-529.json"
  };
  private static final String[] SSE = {
    "openai-chat-stream.sse",
    "openai-chat-stream-no-usage.sse",
    "openai-responses-stream.sse",
    "anthropic-messages-stream.sse",
    "gemini-generate-stream.sse",
    "groq-chat-stream.sse"
  };

  private static byte[] fetch(
      Harness h, OkHttpClient client, byte[] payload, boolean sse, int chunk) throws Exception {
    MockResponse resp =
        new MockResponse()
            .setHeader("content-type", sse ? "text/event-stream" : "application/json");
    if (chunk > 0) {
      resp.setChunkedBody(new Buffer().write(payload), chunk);
    } else {
      resp.setBody(new Buffer().write(payload));
    }
    h.server.enqueue(resp);
    String body = sse ? "{\"model\":\"m\",\"stream\":true}" : "{\"model\":\"m\"}";
    Request req =
        new Request.Builder()
            .url(h.server.url("/v1/chat/completions"))
            .post(RequestBody.create(body, MediaType.get("application/json")))
            .build();
    try (Response r = client.newCall(req).execute()) {
      return r.body().bytes();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"openai", "anthropic", "gcp.gemini"})
  void everyFixtureArrivesByteForByteHoweverItIsSplit(String provider) throws Exception {
    try (Harness h = new Harness(provider)) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      Random random = new Random(7);
      int calls = 0;
      for (String f : JSON) {
        byte[] expected = Harness.fixture(f);
        assertThat(fetch(h, client, expected, false, 0)).isEqualTo(expected);
        calls++;
      }
      for (String f : SSE) {
        byte[] expected = Harness.fixture(f);
        for (int i = 0; i < 5; i++) {
          assertThat(fetch(h, client, expected, true, 1 + random.nextInt(64))).isEqualTo(expected);
          calls++;
        }
      }
      List<UsageRecord> rs = h.records(calls);
      assertThat(rs).hasSize(calls);
    }
  }

  @Test
  void thousandsOfMutatedBodiesAndStreamsNeverBreakTheCall() throws Exception {
    try (Harness h = new Harness("openai")) {
      AttributionInterceptor interceptor = AttributionOkHttp.interceptor(h.engine);
      OkHttpClient client = Harness.client().addInterceptor(interceptor).build();
      Random random = new Random(20261128);
      int calls = 500;
      for (int i = 0; i < calls; i++) {
        boolean sse = random.nextBoolean();
        String[] pool = sse ? SSE : JSON;
        byte[] payload = mutate(Harness.fixture(pool[random.nextInt(pool.length)]), random);
        int chunk = payload.length > 50_000 ? 16_384 : 1 + random.nextInt(200);
        byte[] got = fetch(h, client, payload, sse, sse ? chunk : 0);
        assertThat(got).isEqualTo(payload);
      }
      List<UsageRecord> rs = h.records(calls);
      assertThat(rs).hasSize(calls);
      assertThat(interceptor.internalFailures()).isZero();
      assertThat(h.engine.stats().internalFailures()).isZero();
      // Broken payloads were seen and counted, not thrown.
      assertThat(h.engine.stats().parseFailures()).isPositive();
    }
  }

  /** One endpoint per built-in dialect and operation. */
  private static final java.util.List<dev.attribution.core.internal.provider.Endpoint> ENDPOINTS =
      java.util.stream.Stream.of(
              "api.openai.com/v1/chat/completions",
              "api.openai.com/v1/responses",
              "api.openai.com/v1/embeddings",
              "api.openai.com/v1/completions",
              "api.anthropic.com/v1/messages",
              "generativelanguage.googleapis.com/v1beta/models/g:streamGenerateContent")
          .map(
              u ->
                  java.util.Objects.requireNonNull(
                      dev.attribution.core.internal.provider.ProviderRegistry.defaults()
                          .recognize(
                              u.substring(0, u.indexOf('/')), 443, u.substring(u.indexOf('/')))))
          .collect(java.util.stream.Collectors.toList());

  @Test
  void parsersSurviveTensOfThousandsOfMutatedBodiesAndStreams() {
    Random bodies = new Random(2811);
    for (int i = 0; i < 20_000; i++) {
      byte[] payload = mutate(Harness.fixture(JSON[bodies.nextInt(JSON.length)]), bodies);
      for (dev.attribution.core.internal.provider.Endpoint d : ENDPOINTS) {
        try {
          assertThat(
                  dev.attribution.core.internal.provider.ResponseParser.parse(
                      d, payload, payload.length))
              .isNotNull();
        } catch (java.io.IOException expected) {
          // Malformed JSON is reported as IOException, which the engine counts; nothing else.
        }
      }
    }
    Random random = new Random(1128);
    for (int i = 0; i < 20_000; i++) {
      byte[] payload = mutate(Harness.fixture(SSE[random.nextInt(SSE.length)]), random);
      for (dev.attribution.core.internal.provider.Endpoint d : ENDPOINTS) {
        dev.attribution.core.internal.provider.StreamReader t = d.dialect().newStream(d);
        int at = 0;
        while (at < payload.length) {
          int n = Math.min(payload.length - at, 1 + random.nextInt(512));
          t.feed(payload, at, n);
          at += n;
        }
        assertThat(t.finish()).isNotNull();
      }
    }
  }

  static byte[] mutate(byte[] in, Random r) {
    byte[] b = in.clone();
    switch (r.nextInt(5)) {
      case 0: // flip random bytes
        for (int i = 0, n = 1 + r.nextInt(8); i < n; i++) {
          b[r.nextInt(b.length)] = (byte) r.nextInt(256);
        }
        return b;
      case 1: // truncate
        return java.util.Arrays.copyOf(b, r.nextInt(b.length));
      case 2: // duplicate a slice
        {
          int from = r.nextInt(b.length);
          int len = Math.min(b.length - from, 1 + r.nextInt(200));
          byte[] out = new byte[b.length + len];
          System.arraycopy(b, 0, out, 0, from + len);
          System.arraycopy(b, from, out, from + len, b.length - from);
          return out;
        }
      case 3: // a huge line without a newline
        {
          byte[] out = new byte[b.length + 120_000];
          System.arraycopy(b, 0, out, 0, b.length);
          java.util.Arrays.fill(out, b.length, out.length, (byte) 'x');
          return out;
        }
      default: // replace numbers with nonsense
        return new String(b, java.nio.charset.StandardCharsets.UTF_8)
            .replaceAll("[0-9]+", r.nextBoolean() ? "-1" : "1e999")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
  }
}
