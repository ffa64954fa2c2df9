package dev.attribution.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AttributionContextTest {

  private static void rejects(Consumer<AttributionContext.Builder> setter, String... messageParts) {
    AttributionContext.Builder b = AttributionContext.builder();
    assertThatThrownBy(() -> setter.accept(b))
        .isInstanceOf(IllegalArgumentException.class)
        .message()
        .contains(messageParts);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"tenantId", "userId", "assistantId", "threadId", "feature", "trafficClass"})
  void rejectsBadIdentifiersNamingTheField(String field) {
    rejects(b -> set(b, field, "x".repeat(129)), field, "129", "128");
    rejects(b -> set(b, field, "   "), field, "blank");
    rejects(b -> set(b, field, ""), field, "blank");
    rejects(b -> set(b, field, "line\nbreak"), field, "control character", "U+000A");
    rejects(b -> set(b, field, "nul\u0000"), field, "control character");
    rejects(b -> set(b, field, "del\u007F"), field, "control character");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"tenantId", "userId", "assistantId", "threadId", "feature", "trafficClass"})
  void acceptsIdentifiersAtTheLimitAndAnyPrintableUnicode(String field) {
    AttributionContext.Builder b = AttributionContext.builder();
    assertThatCode(() -> set(b, field, "x".repeat(128))).doesNotThrowAnyException();
    assertThatCode(() -> set(b, field, "Grüße, 世界 = ok")).doesNotThrowAnyException();
    assertThat(b.build().isEmpty()).isFalse();
  }

  private static void set(AttributionContext.Builder b, String field, String value) {
    switch (field) {
      case "tenantId":
        b.tenantId(value);
        break;
      case "userId":
        b.userId(value);
        break;
      case "assistantId":
        b.assistantId(value);
        break;
      case "threadId":
        b.threadId(value);
        break;
      case "feature":
        b.feature(value);
        break;
      case "trafficClass":
        b.trafficClass(value);
        break;
      default:
        throw new AssertionError(field);
    }
  }

  @Test
  void rejectsBadTagKeysNamingTheKey() {
    rejects(b -> b.tag("", "v"), "tag key");
    rejects(b -> b.tag("Plan", "v"), "tag key 'Plan'", "lower-case");
    rejects(b -> b.tag("9lives", "v"), "tag key '9lives'");
    rejects(b -> b.tag("has space", "v"), "tag key 'has space'", "a-z");
    rejects(b -> b.tag("k".repeat(65), "v"), "tag key", "64");
    assertThatCode(() -> AttributionContext.builder().tag("a.b_c-9", "v"))
        .doesNotThrowAnyException();
  }

  @Test
  void rejectsBadTagValuesNamingTheTag() {
    rejects(b -> b.tag("plan", " "), "tag 'plan'", "blank");
    rejects(b -> b.tag("plan", "x".repeat(129)), "tag 'plan'");
    rejects(b -> b.tag("plan", "a\tb"), "tag 'plan'", "control character");
  }

  @Test
  void rejectsTheSeventeenthTagButAllowsReplacingOne() {
    AttributionContext.Builder b = AttributionContext.builder();
    for (int i = 0; i < AttributionContext.MAX_TAGS; i++) {
      b.tag("k" + i, "v");
    }
    assertThatThrownBy(() -> b.tag("k16", "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tags")
        .hasMessageContaining("16");
    assertThatCode(() -> b.tag("k3", "replaced")).doesNotThrowAnyException();
    assertThat(b.build().tags()).hasSize(16).containsEntry("k3", "replaced");
  }

  @Test
  void nullClearsAField() {
    AttributionContext ctx =
        AttributionContext.builder().tenantId("a").build().toBuilder().tenantId(null).build();
    assertThat(ctx.isEmpty()).isTrue();
    assertThat(ctx).isEqualTo(AttributionContext.empty());
  }

  @Test
  void contextIsImmutable() {
    AttributionContext.Builder b = AttributionContext.builder().tag("plan", "pro");
    AttributionContext ctx = b.build();
    b.tag("plan", "free").tag("extra", "x");
    assertThat(ctx.tags()).containsOnlyKeys("plan").containsEntry("plan", "pro");
    assertThatThrownBy(() -> ctx.tags().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void mergeKeepsInnerTagsWhenTheUnionWouldExceedTheLimit() {
    AttributionContext.Builder outer = AttributionContext.builder();
    AttributionContext.Builder inner = AttributionContext.builder();
    for (int i = 0; i < AttributionContext.MAX_TAGS; i++) {
      outer.tag("o" + i, "outer");
      inner.tag("i" + i, "inner");
    }
    AttributionContext merged = inner.build().mergedOnto(outer.build());
    assertThat(merged.tags()).hasSize(16).allSatisfy((k, v) -> assertThat(v).isEqualTo("inner"));
  }
}
