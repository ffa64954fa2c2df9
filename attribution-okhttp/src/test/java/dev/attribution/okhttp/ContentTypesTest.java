package dev.attribution.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import okhttp3.MediaType;
import org.junit.jupiter.api.Test;

/** The hand-written checks agree with what OkHttp's parsed {@link MediaType} said before. */
class ContentTypesTest {

  private static boolean jsonByMediaType(String v) {
    MediaType t = MediaType.parse(v);
    return t != null && (t.subtype().equals("json") || t.subtype().endsWith("+json"));
  }

  private static boolean sseByMediaType(String v) {
    MediaType t = MediaType.parse(v);
    return t != null && t.type().equals("text") && t.subtype().equals("event-stream");
  }

  @Test
  void agreesWithMediaTypeOnEveryShape() {
    String[] values = {
      "application/json",
      "application/json; charset=utf-8",
      "Application/JSON;charset=UTF-8",
      "application/problem+json",
      "application/x-ndjson",
      "application/jsonl",
      "application/geojson",
      "text/json",
      "text/event-stream",
      "text/event-stream; charset=utf-8",
      "TEXT/Event-Stream",
      "text/event-streams",
      "text/plain",
      "application/octet-stream",
    };
    for (String v : values) {
      assertThat(ContentTypes.isJson(v)).as(v).isEqualTo(jsonByMediaType(v));
      assertThat(ContentTypes.isEventStream(v)).as(v).isEqualTo(sseByMediaType(v));
    }
    // OkHttp refuses a blank before the parameters (so such a body used to go unread); it is JSON.
    assertThat(ContentTypes.isJson("application/vnd.api+json ; x=y")).isTrue();
    assertThat(ContentTypes.isJson(null)).isFalse();
    assertThat(ContentTypes.isEventStream(null)).isFalse();
  }
}
