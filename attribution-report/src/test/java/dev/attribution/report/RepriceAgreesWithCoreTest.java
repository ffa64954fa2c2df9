package dev.attribution.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.CostSource;
import dev.attribution.api.TokenUsage;
import dev.attribution.core.internal.pricing.CostPreference;
import dev.attribution.core.internal.pricing.PriceCatalog;
import dev.attribution.core.internal.pricing.PriceOptions;
import dev.attribution.core.internal.pricing.PriceResult;
import dev.attribution.core.internal.pricing.PricingEngine;
import dev.attribution.core.pricing.ModelPrice;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The report re-prices a call exactly as the library prices it: for every model of the shared
 * LiteLLM fixtures, calls with random token mixes (long contexts, cache reads and writes,
 * reasoning, audio, images, none at all) cost the same to the last unit.
 */
class RepriceAgreesWithCoreTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "../attribution-core/src/test/resources/litellm/model_prices_and_context_window.json",
        "../attribution-core/src/main/resources/dev/attribution/core/pricing/litellm-bundled.json"
      })
  void everyModelOfTheFixtureCostsTheSameInTheReportAndInTheLibrary(String fixture)
      throws Exception {
    Path file = Path.of(fixture);
    assertThat(file).exists();
    PricingEngine core =
        PricingEngine.builder()
            .baseCatalog(PriceCatalog.fromLiteLlm(file))
            .costPreference(CostPreference.COMPUTED)
            .build();
    PriceFile report = PriceFile.read(file);
    Random random = new Random(19);
    Instant at = Instant.parse("2026-11-20T12:00:00Z");
    List<String> disagreements = new ArrayList<>();
    int compared = 0;
    int roundedPerCall = 0;
    for (ModelPrice mp : PriceCatalog.fromLiteLlm(file).prices()) {
      PriceFile.Price p = report.find(mp.provider(), mp.model());
      if (p == null) {
        disagreements.add(mp.provider() + " " + mp.model() + ": not found by the report");
        continue;
      }
      roundedPerCall += Reprice.exactOnSums(p) ? 0 : 1;
      for (int i = 0; i < 8; i++) {
        TokenUsage u = usage(random, i);
        PriceResult r = core.price(mp.provider(), mp.model(), u, at, PriceOptions.none());
        assertThat(r.costSource()).isEqualTo(CostSource.COMPUTED);
        long[] t = {
          u.uncachedTextInputTokens(),
          u.cachedInputTokens(),
          u.cacheWrite5mTokens(),
          u.cacheWrite1hTokens(),
          u.textOutputTokens(),
          u.reasoningTokens(),
          u.audioInputTokens(),
          u.audioOutputTokens(),
          u.imageInputTokens(),
          u.imageOutputTokens()
        };
        BigDecimal mine = Reprice.cost(p, p.ratesFor(u.inputTokens()), t, u.isZero() ? 0 : 1);
        compared++;
        if (mine.compareTo(r.cost().total()) != 0) {
          disagreements.add(
              mp.provider()
                  + " "
                  + mp.model()
                  + " "
                  + u
                  + ": core "
                  + r.cost().total()
                  + ", report "
                  + mine);
        }
      }
    }
    assertThat(disagreements).isEmpty();
    assertThat(compared).isGreaterThan(1000);
    // the fixture has models whose rates need rounding per call: the per-call path is exercised
    assertThat(roundedPerCall).isPositive();
  }

  private static TokenUsage usage(Random random, int i) {
    if (i == 0) {
      return TokenUsage.zero();
    }
    long input = i == 1 ? 150_000 + random.nextInt(400_000) : random.nextInt(60_000);
    long cached = random.nextInt((int) input / 3 + 1);
    long w5 = random.nextInt((int) input / 5 + 1);
    long w1 = i % 3 == 0 ? random.nextInt((int) input / 7 + 1) : 0;
    long audioIn = i == 4 ? random.nextInt((int) input / 9 + 1) : 0;
    long imageIn = i == 5 ? random.nextInt((int) input / 9 + 1) : 0;
    long output = random.nextInt(9_000);
    long reasoning = i % 2 == 0 ? random.nextInt((int) output + 1) : 0;
    long audioOut = i == 6 ? random.nextInt((int) (output - reasoning) + 1) : 0;
    long imageOut = i == 7 ? random.nextInt((int) (output - reasoning) + 1) : 0;
    return TokenUsage.builder()
        .inputTokens(input)
        .cachedInputTokens(cached)
        .cacheWrite5mTokens(w5)
        .cacheWrite1hTokens(w1)
        .audioInputTokens(audioIn)
        .imageInputTokens(imageIn)
        .outputTokens(output)
        .reasoningTokens(reasoning)
        .audioOutputTokens(audioOut)
        .imageOutputTokens(imageOut)
        .build();
  }
}
