package dev.attribution.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class AttributionHeadersPropertiesTest {

  @Property(tries = 500)
  void anyValidContextRoundTripsThroughHeaders(@ForAll("contexts") AttributionContext ctx) {
    Map<String, String> headers = AttributionHeaders.toHeaders(ctx);

    AttributionHeaders.Parsed parsed = AttributionHeaders.parse(headers::get);

    assertThat(parsed.rejected()).isEmpty();
    assertThat(parsed.present()).isEqualTo(!ctx.isEmpty());
    assertThat(parsed.context()).isEqualTo(ctx);
    assertThat(headers.keySet()).allMatch(AttributionHeaders::isAttributionHeader);
  }

  @Property(tries = 300)
  void parseNeverThrowsOnArbitraryHeaderValues(
      @ForAll("rawValues") String tenant, @ForAll("rawValues") String tags) {
    AttributionHeaders.Parsed parsed =
        AttributionHeaders.parse(
            Map.of(AttributionHeaders.TENANT, tenant, AttributionHeaders.TAGS, tags)::get);
    assertThat(parsed.present()).isTrue();
  }

  @Provide
  Arbitrary<String> rawValues() {
    return Arbitraries.strings().all().ofMaxLength(200);
  }

  @Provide
  Arbitrary<AttributionContext> contexts() {
    Arbitrary<String> id = validValues().injectNull(0.3);
    Arbitrary<Map<String, String>> tags =
        Arbitraries.maps(tagKeys(), validValues()).ofMaxSize(AttributionContext.MAX_TAGS);
    return Combinators.combine(id, id, id, id, id, id, tags)
        .as(
            (tenant, user, assistant, thread, feature, traffic, t) ->
                AttributionContext.builder()
                    .tenantId(tenant)
                    .userId(user)
                    .assistantId(assistant)
                    .threadId(thread)
                    .feature(feature)
                    .trafficClass(traffic)
                    .tags(t)
                    .build());
  }

  /** Printable text: ASCII incl. space , = % + &, Latin, CJK, and astral characters. */
  private static Arbitrary<String> validValues() {
    Arbitrary<String> bmp =
        Arbitraries.strings()
            .withCharRange(' ', '~')
            .withCharRange('\u00A0', '\u024F')
            .withCharRange('\u3000', '\u30FF')
            .withCharRange('\u4E00', '\u4E80')
            .ofMinLength(1)
            .ofMaxLength(AttributionContext.MAX_VALUE_LENGTH - 2);
    Arbitrary<String> astral = Arbitraries.of("", "", "\uD83D\uDE80", "\uD834\uDD1E");
    return Combinators.combine(bmp, astral)
        .as((text, extra) -> text + extra)
        .filter(v -> !v.isBlank())
        .edgeCases(c -> c.add(" ,= x+%2C"));
  }

  private static Arbitrary<String> tagKeys() {
    Arbitrary<String> rest =
        Arbitraries.strings()
            .withCharRange('a', 'z')
            .withCharRange('0', '9')
            .withChars('_', '.', '-')
            .ofMaxLength(AttributionContext.MAX_TAG_KEY_LENGTH - 1);
    return Combinators.combine(Arbitraries.chars().range('a', 'z'), rest).as((f, r) -> f + r);
  }
}
