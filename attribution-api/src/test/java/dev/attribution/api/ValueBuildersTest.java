package dev.attribution.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ValueBuildersTest {

  private static final Instant T0 = Instant.parse("2026-01-15T10:00:00Z");

  @Test
  void tokenUsageRejectsNegativeCountsNamingTheField() {
    assertThatThrownBy(() -> TokenUsage.builder().inputTokens(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("inputTokens");
    assertThatThrownBy(() -> TokenUsage.builder().reasoningTokens(-5))
        .hasMessageContaining("reasoningTokens")
        .hasMessageContaining("-5");
    assertThatThrownBy(() -> TokenUsage.builder().cacheWrite1hTokens(-1))
        .hasMessageContaining("cacheWrite1hTokens");
    assertThatThrownBy(() -> TokenUsage.of(1, -1)).hasMessageContaining("outputTokens");
  }

  @Test
  void tokenUsageDerivedCountsFollowTheInclusiveConvention() {
    TokenUsage u =
        TokenUsage.builder()
            .inputTokens(1000)
            .cachedInputTokens(600)
            .cacheWrite5mTokens(100)
            .cacheWrite1hTokens(50)
            .audioInputTokens(20)
            .outputTokens(300)
            .reasoningTokens(200)
            .imageOutputTokens(10)
            .build();
    assertThat(u.uncachedTextInputTokens()).isEqualTo(230);
    assertThat(u.cacheWriteTokens()).isEqualTo(150);
    assertThat(u.textOutputTokens()).isEqualTo(90);
    assertThat(u.totalTokens()).isEqualTo(1300);
    assertThat(u.toBuilder().build()).isEqualTo(u).hasSameHashCodeAs(u);
    assertThat(TokenUsage.of(0, 0).isZero()).isTrue();
  }

  @Test
  void costBreakdownRejectsBadCurrencyAndNegativeAmounts() {
    assertThatThrownBy(() -> CostBreakdown.builder().currency("usd"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("currency");
    assertThatThrownBy(() -> CostBreakdown.builder().currency("EURO"))
        .hasMessageContaining("currency");
    assertThatThrownBy(() -> CostBreakdown.builder().output(new BigDecimal("-0.01")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("output");
    assertThat(CostBreakdown.zero("EUR").currency()).isEqualTo("EUR");
  }

  @Test
  void costBreakdownTotalIsTheExactSumOfRoundedComponents() {
    CostBreakdown c =
        CostBreakdown.builder()
            .input(new BigDecimal("0.0000000015")) // rounds half-even to 0.000000002
            .cachedInput(new BigDecimal("0.0000000025")) // rounds half-even to 0.000000002
            .cacheWrite(new BigDecimal("0.1234567894"))
            .output(new BigDecimal("1.0000000006"))
            .reasoning(new BigDecimal("3"))
            .other(new BigDecimal("0.000000000499"))
            .build();
    assertThat(c.input()).isEqualByComparingTo("0.000000002");
    assertThat(c.cachedInput()).isEqualByComparingTo("0.000000002");
    assertThat(c.other()).isEqualByComparingTo("0");
    BigDecimal sum =
        c.input()
            .add(c.cachedInput())
            .add(c.cacheWrite())
            .add(c.output())
            .add(c.reasoning())
            .add(c.other());
    assertThat(c.total()).isEqualTo(sum).isEqualTo(new BigDecimal("4.123456794"));
    assertThat(c.total().scale()).isEqualTo(CostBreakdown.SCALE);
    assertThat(c.plus(c).total()).isEqualTo(sum.add(sum));
    assertThatThrownBy(() -> c.plus(CostBreakdown.zero("EUR")))
        .hasMessageContaining("currencies differ");
  }

  @Test
  void usageRecordValidatesItsFields() {
    assertThatThrownBy(() -> UsageRecord.builder().httpStatus(99))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("httpStatus");
    assertThatThrownBy(() -> UsageRecord.builder().httpStatus(600))
        .hasMessageContaining("httpStatus");
    assertThatThrownBy(() -> UsageRecord.builder().httpStatus(0))
        .as("no response is null, never 0")
        .hasMessageContaining("null");
    UsageRecord bare = UsageRecord.builder().startedAt(T0).build();
    assertThat(bare.httpStatus()).isNull();
    assertThat(bare.provider()).isNull();
    assertThat(bare.operation()).as("unknown is null, not \"unknown\"").isNull();
    assertThat(bare.dryRunAction()).isNull();
    assertThat(bare.deployment()).isNull();
    assertThat(bare.toBuilder().httpStatus(null).provider(null).operation(null).build())
        .isEqualTo(bare);
    assertThatThrownBy(() -> UsageRecord.builder().dryRunAction(BudgetAction.NONE))
        .hasMessageContaining("dryRunAction");
    UsageRecord full =
        UsageRecord.builder()
            .startedAt(T0)
            .dryRunAction(BudgetAction.BLOCK)
            .deployment("prod-gpt4o")
            .build();
    assertThat(full.toBuilder().build()).isEqualTo(full);
    assertThat(full.toBuilder().dryRunAction(null).build()).isNotEqualTo(full);
    assertThat(full.toBuilder().deployment("other").build()).isNotEqualTo(full);
    assertThat(UsageRecord.builder().startedAt(T0).httpStatus(599).build().httpStatus())
        .isEqualTo(599);
    assertThatThrownBy(() -> UsageRecord.builder().attempt(0)).hasMessageContaining("attempt");
    assertThatThrownBy(() -> UsageRecord.builder().latency(Duration.ofMillis(-1)))
        .hasMessageContaining("latency");
    assertThatThrownBy(() -> UsageRecord.builder().provider(" ")).hasMessageContaining("provider");
    assertThatThrownBy(() -> UsageRecord.builder().operation("")).hasMessageContaining("operation");
    assertThatThrownBy(() -> UsageRecord.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("startedAt");
    assertThatThrownBy(() -> UsageRecord.builder().startedAt(T0).endedAt(T0.minusMillis(1)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("endedAt");
  }

  @Test
  void endedAtDefaultsToStartedAt() {
    UsageRecord r = UsageRecord.builder().startedAt(T0).build();
    assertThat(r.endedAt()).isEqualTo(T0);
  }

  @Test
  void longErrorMessagesAreTruncatedWithAnEllipsis() {
    String longMessage = "e".repeat(2000);
    UsageRecord r = UsageRecord.builder().startedAt(T0).errorMessage(longMessage).build();
    assertThat(r.errorMessage())
        .hasSize(UsageRecord.MAX_ERROR_MESSAGE_LENGTH)
        .endsWith("\u2026")
        .startsWith("eeee");
    String exact = "e".repeat(UsageRecord.MAX_ERROR_MESSAGE_LENGTH);
    assertThat(UsageRecord.builder().startedAt(T0).errorMessage(exact).build().errorMessage())
        .isEqualTo(exact);
  }

  @Test
  void truncationNeverSplitsASurrogatePair() {
    // 510 ASCII chars, then rockets: the cut falls inside a surrogate pair.
    String message = "a".repeat(510) + "\uD83D\uDE80".repeat(10);
    String kept = UsageRecord.builder().startedAt(T0).errorMessage(message).build().errorMessage();
    assertThat(kept).isNotNull().endsWith("\u2026");
    String body = kept.substring(0, kept.length() - 1);
    assertThat(Character.isHighSurrogate(body.charAt(body.length() - 1))).isFalse();
    assertThat(kept.length()).isLessThanOrEqualTo(UsageRecord.MAX_ERROR_MESSAGE_LENGTH);
  }

  @Test
  void newIdIsVersion7AndTimeOrdered() {
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      UUID id = UsageRecord.newId(T0.plusMillis(i));
      assertThat(id.version()).isEqualTo(7);
      assertThat(id.variant()).isEqualTo(2);
      assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(T0.toEpochMilli() + i);
      ids.add(id);
    }
    assertThat(ids).isSorted().doesNotHaveDuplicates();
    assertThat(UsageRecord.newId(T0)).isNotEqualTo(UsageRecord.newId(T0));
  }

  @Test
  void buildGivesAGeneratedIdTakenFromStartedAt() {
    UsageRecord r = UsageRecord.builder().startedAt(T0).build();
    assertThat(r.id().version()).isEqualTo(7);
    assertThat(r.id().getMostSignificantBits() >>> 16).isEqualTo(T0.toEpochMilli());
    assertThat(r.toBuilder().build().id()).isEqualTo(r.id());
  }

  @Test
  void reusingABuilderGivesEachRecordItsOwnIdAndEndTime() {
    UsageRecord.Builder b = UsageRecord.builder().provider("openai").startedAt(T0);
    UsageRecord first = b.build();
    UsageRecord second = b.startedAt(T0.plusSeconds(5)).build();
    assertThat(second.id()).isNotEqualTo(first.id());
    assertThat(second.endedAt()).isEqualTo(T0.plusSeconds(5));
    assertThat(second.id().getMostSignificantBits() >>> 16)
        .isEqualTo(T0.plusSeconds(5).toEpochMilli());
  }
}
