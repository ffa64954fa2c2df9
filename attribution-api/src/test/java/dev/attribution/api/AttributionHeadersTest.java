package dev.attribution.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class AttributionHeadersTest {

  private static AttributionHeaders.Parsed parse(Map<String, String> headers) {
    return AttributionHeaders.parse(headers::get);
  }

  @Test
  void roundTripsAFullContextWithAwkwardCharacters() {
    AttributionContext ctx =
        AttributionContext.builder()
            .tenantId("Acme, Inc. = große Firma")
            .userId("user+1@example.com")
            .assistantId("agent/α β")
            .threadId("thread%20literal")
            .feature("support chat, v2")
            .trafficClass(AttributionContext.TRAFFIC_BACKGROUND)
            .tag("plan", "pro=yes, really")
            .tag("region", "日本 東京")
            .tag("emoji", "\uD83D\uDE80 launch")
            .build();

    Map<String, String> headers = AttributionHeaders.toHeaders(ctx);

    assertThat(headers.keySet()).containsExactlyElementsOf(AttributionHeaders.NAMES);
    assertThat(headers.values())
        .allSatisfy(v -> assertThat(v).matches("[\\x21-\\x7E]+").doesNotContain(" "));
    AttributionHeaders.Parsed parsed = parse(headers);
    assertThat(parsed.present()).isTrue();
    assertThat(parsed.rejected()).isEmpty();
    assertThat(parsed.context()).isEqualTo(ctx);
  }

  @Test
  void emptyContextHasNoHeadersAndParsesAsAbsent() {
    assertThat(AttributionHeaders.toHeaders(AttributionContext.empty())).isEmpty();
    AttributionHeaders.Parsed parsed = parse(Map.of("content-type", "application/json"));
    assertThat(parsed.present()).isFalse();
    assertThat(parsed.context()).isEqualTo(AttributionContext.empty());
    assertThat(parsed.rejected()).isEmpty();
  }

  @Test
  void forOpenAiWrapsEachValueInAOneElementList() {
    AttributionContext ctx = AttributionContext.builder().tenantId("acme").feature("f").build();
    assertThat(AttributionHeaders.forOpenAi(ctx))
        .containsExactly(
            Map.entry(AttributionHeaders.TENANT, List.of("acme")),
            Map.entry(AttributionHeaders.FEATURE, List.of("f")));
  }

  @Test
  void attributionHeadersCurrentTurnsTheScopeIntoHeaders() {
    AttributionContext ctx = AttributionContext.builder().tenantId("acme").build();
    try (AttributionScope scope = Attribution.open(ctx)) {
      assertThat(Attribution.headers()).isEqualTo(AttributionHeaders.toHeaders(scope.context()));
      assertThat(Attribution.headers()).containsEntry("x-attribution-tenant", "acme");
    }
  }

  @Test
  void parseReportsInvalidHeadersInRejectedWithoutThrowing() {
    Map<String, String> headers = new HashMap<>();
    headers.put(AttributionHeaders.TENANT, "acme");
    headers.put(AttributionHeaders.USER, "bad%0Avalue"); // decodes to a control character
    headers.put(AttributionHeaders.ASSISTANT, "%zz"); // malformed escape
    headers.put(AttributionHeaders.THREAD, "x".repeat(129)); // too long
    headers.put(AttributionHeaders.FEATURE, "   "); // blank
    headers.put(AttributionHeaders.TAGS, "plan=pro,Not A Key=1");

    AttributionHeaders.Parsed parsed = parse(headers);

    assertThat(parsed.present()).isTrue();
    assertThat(parsed.context().tenantId()).isEqualTo("acme");
    assertThat(parsed.context().userId()).isNull();
    assertThat(parsed.context().assistantId()).isNull();
    assertThat(parsed.context().threadId()).isNull();
    assertThat(parsed.context().feature()).isNull();
    assertThat(parsed.rejected().split(","))
        .containsExactly(
            AttributionHeaders.USER,
            AttributionHeaders.ASSISTANT,
            AttributionHeaders.THREAD,
            AttributionHeaders.FEATURE,
            AttributionHeaders.TAGS);
  }

  @Test
  void rejectedTagsHeaderContributesNoTagsAtAll() {
    AttributionHeaders.Parsed parsed =
        parse(Map.of(AttributionHeaders.TAGS, "plan=pro,region=eu,novalue"));
    assertThat(parsed.rejected()).isEqualTo(AttributionHeaders.TAGS);
    assertThat(parsed.context().tags()).isEmpty();
  }

  @Test
  void tooManyTagsInAHeaderAreRejected() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < AttributionContext.MAX_TAGS + 1; i++) {
      sb.append(i == 0 ? "" : ",").append("k").append(i).append("=v");
    }
    AttributionHeaders.Parsed parsed = parse(Map.of(AttributionHeaders.TAGS, sb.toString()));
    assertThat(parsed.rejected()).isEqualTo(AttributionHeaders.TAGS);
    assertThat(parsed.context().tags()).isEmpty();
  }

  @Test
  void parseAcceptsAnyCaseThroughACaseInsensitiveLookup() {
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.put("X-Attribution-Tenant", "acme");
    headers.put("X-ATTRIBUTION-TAGS", " plan=pro , region=eu ");
    AttributionHeaders.Parsed parsed = parse(headers);
    assertThat(parsed.context())
        .isEqualTo(
            AttributionContext.builder()
                .tenantId("acme")
                .tag("plan", "pro")
                .tag("region", "eu")
                .build());
  }

  @Test
  void isAttributionHeaderIsCaseInsensitive() {
    assertThat(AttributionHeaders.isAttributionHeader("x-attribution-tenant")).isTrue();
    assertThat(AttributionHeaders.isAttributionHeader("X-Attribution-Tenant")).isTrue();
    assertThat(AttributionHeaders.isAttributionHeader("X-ATTRIBUTION-TAGS")).isTrue();
    assertThat(
            AttributionHeaders.isAttributionHeader(
                AttributionHeaders.TRAFFIC_CLASS.toUpperCase(Locale.ROOT)))
        .isTrue();
    assertThat(AttributionHeaders.isAttributionHeader("x-attribution")).isFalse();
    assertThat(AttributionHeaders.isAttributionHeader("authorization")).isFalse();
    assertThat(AttributionHeaders.isAttributionHeader("")).isFalse();
  }
}
