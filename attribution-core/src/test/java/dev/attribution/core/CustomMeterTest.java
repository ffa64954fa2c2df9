package dev.attribution.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionScope;
import dev.attribution.api.CostSource;
import dev.attribution.api.InMemoryUsageSink;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import dev.attribution.core.pricing.MeterPrice;
import dev.attribution.core.pricing.PriceOverrides;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Non-LLM AI costs land in the same records, attributed like calls. */
class CustomMeterTest {

  @Test
  void meterReadingsArePricedFromTheCatalogAndAttributedToTheCurrentScope() throws Exception {
    InMemoryUsageSink sink = UsageSink.inMemory();
    PriceOverrides overrides =
        PriceOverrides.builder()
            .meter(MeterPrice.of("vector.read", new BigDecimal("0.10"), 1000))
            .build();
    try (AttributionEngine engine =
        AttributionEngine.builder().priceOverrides(overrides).addSink(sink).build()) {
      try (AttributionScope s =
          Attribution.open(AttributionContext.builder().tenantId("acme").feature("rag").build())) {
        engine.recordMeter("vector.read", new BigDecimal("2500"));
        engine.recordMeter("memory.write", BigDecimal.ONE);
      }
      engine.flush(Duration.ofSeconds(5));
      List<UsageRecord> rs = sink.awaitCount(2, Duration.ofSeconds(5));
      UsageRecord reads = rs.get(0);
      assertThat(reads.operation()).isEqualTo("meter");
      assertThat(reads.context().tenantId()).isEqualTo("acme");
      assertThat(reads.cost().other()).isEqualByComparingTo("0.25");
      assertThat(reads.cost().total()).isEqualByComparingTo("0.25");
      assertThat(reads.attributes()).containsEntry("meter.quantity", "2500");
      assertThat(rs.get(1).costSource()).isEqualTo(CostSource.UNPRICED);
    }
  }
}
