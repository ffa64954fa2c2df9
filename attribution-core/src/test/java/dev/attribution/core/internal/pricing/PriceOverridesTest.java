package dev.attribution.core.internal.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attribution.api.TokenUsage;
import dev.attribution.core.pricing.MeterPrice;
import dev.attribution.core.pricing.PriceDataException;
import dev.attribution.core.pricing.PriceOverrides;
import dev.attribution.core.pricing.TokenRates;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PriceOverridesTest {

  static final Instant AT = CostCalculationTest.AT;

  @Test
  void yamlFileConfiguresEveryKindOfOverride(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("prices.yaml");
    Files.writeString(
        file,
        String.join(
            "\n",
            "discounts:",
            "  - {provider: openai, percent: 10}",
            "models:",
            "  - {provider: self-hosted, model: llama-ft, inputPerMillion: 0, outputPerMillion: 0}",
            "  - {provider: openai, model: gpt-4o, inputPerMillion: 2, outputPerMillion: 8,"
                + " effectiveFrom: 2026-03-01}",
            "aliases:",
            "  - {provider: azure.ai.openai, alias: prod-4o, model: gpt-4o}",
            "plans:",
            "  - {name: pro, markupPercent: 25}",
            "meters:",
            "  - {name: vector.read, unitPrice: 0.0004, per: 1000}",
            ""));
    PricingEngine e =
        PricingEngine.builder()
            .baseCatalog(CostCalculationTest.handCatalog())
            .overrides(PriceOverrides.load(file))
            .build();
    TokenUsage u = TokenUsage.of(1_000_000, 1_000_000);

    // before the user's dated price: catalog 2.50 + 10, less 10% = 11.25
    assertThat(e.price("openai", "gpt-4o", u, Instant.parse("2026-02-01T00:00:00Z")).cost().total())
        .isEqualByComparingTo("11.25");
    // from 2026-03-01: the user's own price, not discounted: 2 + 8
    assertThat(e.price("openai", "gpt-4o", u, Instant.parse("2026-03-01T00:00:00Z")).cost().total())
        .isEqualByComparingTo("10");
    assertThat(e.price("self-hosted", "llama-ft", u, AT).isPriced()).isTrue();
    assertThat(e.price("self-hosted", "llama-ft", u, AT).cost().isZero()).isTrue();
    assertThat(e.isPriced("azure.ai.openai", "prod-4o")).isTrue();
    assertThat(
            e.price(
                    "openai",
                    "o3",
                    TokenUsage.of(1000, 0),
                    AT,
                    PriceOptions.of(null, null, null, "pro"))
                .charge())
        .isEqualByComparingTo("0.00225"); // 1000 x 2 x 0.9 = 0.0018, x 1.25
    assertThat(e.priceMeter("vector.read", new BigDecimal("1000"), AT, null).cost().other())
        .isEqualByComparingTo("0.0004");
  }

  @Test
  void jsonWorksToo() {
    PriceOverrides o =
        PriceOverrides.parse(
            "{\"plans\": [{\"name\": \"team\", \"markupPercent\": \"12.5\"}]}", "inline.json");
    assertThat(o.planMarkups()).containsEntry("team", new BigDecimal("12.5"));
  }

  @Test
  void invalidEntriesFailWithTheFileSectionIndexAndField() {
    assertThatThrownBy(
            () ->
                PriceOverrides.parse(
                    "models:\n  - {provider: x, model: y, inputPerMillion: 1}\n", "my.yaml"))
        .isInstanceOf(PriceDataException.class)
        .hasMessageContaining("my.yaml")
        .hasMessageContaining("models[0]")
        .hasMessageContaining("output rate is required");
    assertThatThrownBy(
            () -> PriceOverrides.parse("discounts:\n  - {provider: x, percent: 120}\n", "d.yaml"))
        .isInstanceOf(PriceDataException.class)
        .hasMessageContaining("discounts[0]")
        .hasMessageContaining("between 0 and 100");
    assertThatThrownBy(() -> PriceOverrides.parse("surcharges: []\n", "s.yaml"))
        .isInstanceOf(PriceDataException.class)
        .hasMessageContaining("unknown section 'surcharges'");
    assertThatThrownBy(
            () ->
                PriceOverrides.parse(
                    "models:\n  - {provider: x, model: y, input: 1, inputPerMillion: 1, output: 1}\n",
                    "b.yaml"))
        .hasMessageContaining("not both");
  }

  @Test
  void builderRejectsBadValuesNamingTheField() {
    assertThatThrownBy(() -> PriceOverrides.builder().plan("pro", new BigDecimal("-1")))
        .hasMessageContaining("markupPercent");
    assertThatThrownBy(
            () -> PriceOverrides.builder().regionalUplift("openai", "eu", BigDecimal.ZERO))
        .hasMessageContaining("multiplier");
    assertThatThrownBy(() -> TokenRates.builder().input(new BigDecimal("-0.1")))
        .hasMessageContaining("input rate must not be negative");
    assertThatThrownBy(() -> MeterPrice.of("m", BigDecimal.ONE, 0))
        .hasMessageContaining("per of meter 'm'");
  }
}
