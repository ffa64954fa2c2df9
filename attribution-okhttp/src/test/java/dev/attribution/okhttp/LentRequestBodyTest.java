package dev.attribution.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.CostSource;
import dev.attribution.api.UsageRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import okhttp3.FormBody;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.mockwebserver.MockResponse;
import okio.Buffer;
import okio.BufferedSink;
import okio.ByteString;
import org.junit.jupiter.api.Test;

/**
 * OkHttp's own bodies of bytes or a string are read without a copy: the engine is lent the
 * application's array ({@link BodyCapture}). What it reads is always exactly what the body wrote,
 * in order, whatever the body does; and a call that finishes after the interceptor returned (a
 * stream) estimates from the bytes as they were sent, even when the application reuses its array
 * once {@code execute()} returned.
 */
class LentRequestBodyTest {

  private static final MediaType JSON = MediaType.get("application/json");

  @Test
  void aBodyOfBytesIsLentNotCopied() {
    byte[] bytes = "{\"model\":\"gpt-4o-mini\"}".getBytes(StandardCharsets.UTF_8);
    RequestBody rb = RequestBody.create(bytes, JSON);
    assertThat(OkHttpRequests.lendsItsArray(rb)).isTrue();
    assertThat(OkHttpRequests.readRequestBody(rb, 1 << 20)).isSameAs(bytes);
  }

  @Test
  void aSliceOrAStringIsReadAsTheBufferReadsIt() throws Exception {
    byte[] bytes = "xx{\"model\":\"gpt-4o-mini\"}yy".getBytes(StandardCharsets.UTF_8);
    RequestBody slice = RequestBody.create(bytes, JSON, 2, bytes.length - 4);
    assertThat(OkHttpRequests.readRequestBody(slice, 1 << 20))
        .isNotSameAs(bytes)
        .isEqualTo(viaBuffer(slice));
    RequestBody string = RequestBody.create("{\"model\":\"é\"}", JSON);
    assertThat(OkHttpRequests.readRequestBody(string, 1 << 20)).isEqualTo(viaBuffer(string));
  }

  @Test
  void otherOkHttpBodiesReadTheSameBytesAsBefore() throws Exception {
    RequestBody form = new FormBody.Builder().add("model", "gpt-4o").add("q", "a b&c").build();
    RequestBody multipart =
        new MultipartBody.Builder("boundary")
            .setType(MultipartBody.FORM)
            .addFormDataPart("model", "whisper-1")
            .addFormDataPart("file", "a.wav", RequestBody.create(new byte[] {1, 2, 3}, null))
            .build();
    for (RequestBody rb : List.of(form, multipart)) {
      assertThat(OkHttpRequests.lendsItsArray(rb)).isTrue();
      assertThat(OkHttpRequests.readRequestBody(rb, 1 << 20)).isEqualTo(viaBuffer(rb));
    }
  }

  @Test
  void tooLargeIsNotRead() {
    RequestBody rb = RequestBody.create(new byte[2048], JSON);
    assertThat(OkHttpRequests.readRequestBody(rb, 1024)).isNull();
  }

  @Test
  void anyMixOfWritesGivesTheBufferedBytesInOrder() throws Exception {
    Random random = new Random(18);
    for (int run = 0; run < 2000; run++) {
      List<Write> writes = new ArrayList<>();
      int n = 1 + random.nextInt(6);
      for (int i = 0; i < n; i++) {
        writes.add(Write.random(random));
      }
      Buffer expected = new Buffer();
      BodyCapture capture = new BodyCapture();
      for (Write w : writes) {
        w.to(expected);
        w.to(capture);
      }
      assertThat(capture.size()).isEqualTo(expected.size());
      byte[] got = capture.bytes();
      assertThat(got).isEqualTo(expected.readByteArray());
      if (writes.size() == 1 && writes.get(0).kind == 0 && writes.get(0).whole()) {
        assertThat(got).isSameAs(writes.get(0).array);
      }
    }
  }

  /** One write of a body into its sink: arrays (whole or a slice), text, numbers, the buffer. */
  private static final class Write {
    final int kind;
    final byte[] array;
    final int offset;
    final int count;

    private Write(int kind, byte[] array, int offset, int count) {
      this.kind = kind;
      this.array = array;
      this.offset = offset;
      this.count = count;
    }

    static Write random(Random r) {
      byte[] a = new byte[r.nextInt(20)];
      r.nextBytes(a);
      int kind = r.nextInt(6);
      if (kind == 0 && r.nextBoolean()) {
        return new Write(0, a, 0, a.length);
      }
      int off = a.length == 0 ? 0 : r.nextInt(a.length);
      return new Write(kind, a, off, a.length - off == 0 ? 0 : r.nextInt(a.length - off));
    }

    boolean whole() {
      return offset == 0 && count == array.length;
    }

    void to(BufferedSink sink) throws Exception {
      switch (kind) {
        case 0 -> sink.write(array, offset, count);
        case 1 -> sink.writeUtf8("k" + count + "é");
        case 2 -> sink.write(ByteString.of(array, offset, count));
        case 3 -> sink.getBuffer().write(array, offset, count);
        case 4 -> sink.writeLong(count * 31L).writeByte(offset);
        default -> {
          sink.outputStream().write(array, offset, count);
          sink.write(array);
        }
      }
    }
  }

  @Test
  void aStreamEstimatesFromTheBytesSentEvenWhenTheAppReusesItsArray() throws Exception {
    String content = "Summarise this ticket in two lines please. ".repeat(40);
    String body =
        "{\"model\":\"gpt-4o-mini\",\"stream\":true,"
            + "\"stream_options\":{\"include_usage\":true},"
            + "\"messages\":[{\"role\":\"user\",\"content\":\""
            + content
            + "\"}]}";
    long asSent = estimatedInput(body, false);
    long reused = estimatedInput(body, true);
    assertThat(asSent).isGreaterThan(100);
    assertThat(reused).isEqualTo(asSent);
  }

  /** The input tokens estimated for a stream that ends without usage. */
  private static long estimatedInput(String body, boolean reuseArray) throws Exception {
    try (Harness h = new Harness("openai")) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      String chunk =
          "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\","
              + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello there\"}}]}\n\n";
      h.server.enqueue(
          new MockResponse().setHeader("content-type", "text/event-stream").setBody(chunk));
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      Request request =
          new Request.Builder()
              .url(h.server.url("/v1/chat/completions"))
              .header("Authorization", "Bearer sk-live-abcdefghijklmnop")
              .post(RequestBody.create(bytes, JSON))
              .build();
      try (Response response = client.newCall(request).execute()) {
        if (reuseArray) {
          // The application reuses its array once the call returned, before reading the stream.
          Arrays.fill(bytes, (byte) ' ');
        }
        response.body().string();
      }
      UsageRecord r = h.onlyRecord();
      assertThat(r.costSource()).isEqualTo(CostSource.ESTIMATED);
      return r.usage().inputTokens();
    }
  }

  private static byte[] viaBuffer(RequestBody rb) throws Exception {
    Buffer b = new Buffer();
    rb.writeTo(b);
    return b.readByteArray();
  }
}
