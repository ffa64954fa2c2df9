package dev.attribution.core.internal.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attribution.api.CostSource;
import dev.attribution.api.TokenUsage;
import dev.attribution.core.pricing.TokenRates;
import dev.attribution.core.pricing.UnpricedPolicy;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class UnpricedModelTest {

  static final Instant AT = CostCalculationTest.AT;
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-29T00:00:00Z"), ZoneOffset.UTC);

  @Test
  void unknownModelIsMarkedUnpricedCountedAndReportedOncePerModel() {
    List<String> events = new CopyOnWriteArrayList<>();
    PricingEngine e =
        PricingEngine.builder()
            .baseCatalog(CostCalculationTest.handCatalog())
            .clock(CLOCK)
            .unpricedListener((p, m, at) -> events.add(p + "|" + m + "|" + at))
            .build();

    PriceResult first = e.price("openai", "gpt-9-turbo", TokenUsage.of(100, 50), AT);
    e.price("openai", " GPT-9-TURBO ", TokenUsage.of(100, 50), AT);
    e.price("anthropic", "claude-next", TokenUsage.of(1, 1), AT);

    assertThat(first.costSource()).isEqualTo(CostSource.UNPRICED);
    assertThat(first.isPriced()).isFalse();
    assertThat(first.priceVersion()).isNull();
    assertThat(first.charge()).isNull();
    assertThat(e.unpricedCalls()).isEqualTo(3);
    assertThat(events)
        .containsExactly(
            "openai|gpt-9-turbo|2026-11-29T00:00:00Z",
            "anthropic|claude-next|2026-11-29T00:00:00Z");
    assertThat(e.unpricedModels()).containsExactly("anthropic/claude-next", "openai/gpt-9-turbo");
    assertThat(e.isPriced("openai", "gpt-9-turbo")).isFalse();
  }

  @Test
  void throwingListenerIsCountedAndNeverReachesTheCaller() {
    PricingEngine e =
        PricingEngine.builder()
            .baseCatalog(CostCalculationTest.handCatalog())
            .unpricedListener(
                (p, m, at) -> {
                  throw new IllegalStateException("listener bug");
                })
            .build();

    PriceResult r = e.price("openai", "mystery", TokenUsage.of(1, 1), AT);

    assertThat(r.costSource()).isEqualTo(CostSource.UNPRICED);
    assertThat(e.listenerFailures()).isEqualTo(1);
  }

  @Test
  void fallbackPolicyPricesUnknownModelsAtTheFallbackRateAndSaysSo() {
    PricingEngine e =
        PricingEngine.builder()
            .baseCatalog(CostCalculationTest.handCatalog())
            .unpricedPolicy(UnpricedPolicy.FALLBACK_RATE)
            .fallbackRates(TokenRates.perMillion("10", "30"))
            .build();

    PriceResult r = e.price("openai", "mystery", TokenUsage.of(1000, 1000), AT);

    // 1000 x 10 = 0.01; 1000 x 30 = 0.03
    assertThat(r.costSource()).isEqualTo(CostSource.COMPUTED);
    assertThat(r.fallbackRate()).isTrue();
    assertThat(r.cost().total()).isEqualByComparingTo("0.04");
    assertThat(r.priceVersion()).isEqualTo("hand+fallback");
    assertThat(e.unpricedCalls()).isEqualTo(1);
    assertThat(e.unpricedPolicy()).isEqualTo(UnpricedPolicy.FALLBACK_RATE);
  }

  @Test
  void policyDefaultsToAllowAndRejectsConflictingOptions() {
    assertThat(
            PricingEngine.builder()
                .baseCatalog(CostCalculationTest.handCatalog())
                .build()
                .unpricedPolicy())
        .isEqualTo(UnpricedPolicy.ALLOW);
    assertThatThrownBy(
            () -> PricingEngine.builder().unpricedPolicy(UnpricedPolicy.FALLBACK_RATE).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fallbackRates");
    assertThatThrownBy(
            () -> PricingEngine.builder().fallbackRates(TokenRates.perMillion("1", "1")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("FALLBACK_RATE");
  }
}
