package dev.attribution.core.internal.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.CostSource;
import dev.attribution.api.TokenUsage;
import dev.attribution.core.pricing.ModelPrice;
import dev.attribution.core.pricing.PriceOverrides;
import dev.attribution.core.pricing.TokenRates;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Records and prices speak one provider vocabulary. */
class ProviderVocabularyTest {

  private static final BigDecimal TWO = BigDecimal.valueOf(2);

  /** Every provider id a record can show. */
  static List<String> recordedIds() throws IllegalAccessException {
    List<String> ids = new ArrayList<>();
    for (Field f : dev.attribution.core.internal.provider.Providers.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
        ids.add((String) f.get(null));
      }
    }
    return ids;
  }

  @Test
  void overrideKeyedByEveryIdARecordShowsIsUsed() throws Exception {
    PriceOverrides.Builder o = PriceOverrides.builder();
    for (String id : recordedIds()) {
      o.model(ModelPrice.builder(id, "acme-ft-1").rates(TokenRates.perMillion("1", "2")).build());
    }
    PricingEngine e = PricingEngine.builder().overrides(o.build()).build();
    TokenUsage u = TokenUsage.of(1_000_000, 1_000_000);
    for (String id : recordedIds()) {
      PriceResult r = e.price(id, "acme-ft-1", u, Instant.now());
      assertThat(r.costSource()).as(id).isEqualTo(CostSource.COMPUTED);
      assertThat(r.cost().total()).as(id).isEqualByComparingTo("3");
      assertThat(r.provider()).as(id).isEqualTo(id);
    }
  }

  @Test
  void aliasesAndLiteLlmNamesMeanTheRecordedId() {
    PricingEngine e =
        PricingEngine.builder()
            .overrides(
                PriceOverrides.parse(
                    "models:\n"
                        + "  - {provider: mistral, model: m1, inputPerMillion: 1,"
                        + " outputPerMillion: 1}\n"
                        + "  - {provider: together_ai, model: m2, inputPerMillion: 1,"
                        + " outputPerMillion: 1}\n"
                        + "  - {provider: azure, model: m3, inputPerMillion: 1,"
                        + " outputPerMillion: 1}\n"
                        + "discounts:\n"
                        + "  - {provider: x_ai, percent: 50}\n",
                    "test"))
            .build();
    TokenUsage u = TokenUsage.of(1_000_000, 0);
    assertThat(e.price("mistral_ai", "m1", u, Instant.now()).isPriced()).isTrue();
    assertThat(e.price("together", "m2", u, Instant.now()).isPriced()).isTrue();
    assertThat(e.price("azure.ai.openai", "m3", u, Instant.now()).isPriced()).isTrue();
    // A discount keyed by the recorded id applies to the catalog's xai prices.
    PricingEngine plain = PricingEngine.create();
    assertThat(e.price("x_ai", "grok-4", u, Instant.now()).cost().total())
        .isEqualByComparingTo(
            plain.price("xai", "grok-4", u, Instant.now()).cost().total().divide(TWO));
  }
}
