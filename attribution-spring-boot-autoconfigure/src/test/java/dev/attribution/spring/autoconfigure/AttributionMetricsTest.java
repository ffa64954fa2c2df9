package dev.attribution.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.CallStatus;
import dev.attribution.api.CostSource;
import dev.attribution.api.UsageRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The meters' tags for values a record leaves unknown. */
class AttributionMetricsTest {

  @Test
  void aCallToAnUnrecognisedEndpointIsCountedUnderUnknownTags() {
    AttributionMetrics metrics =
        new AttributionMetrics(
            new AttributionProperties.Metrics(true, List.of("tenant"), 10), () -> null);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    metrics.bindTo(registry);
    UsageRecord unrecognised =
        UsageRecord.builder()
            .startedAt(Instant.parse("2026-03-02T10:00:00Z"))
            .status(CallStatus.OK)
            .cost(null)
            .costSource(CostSource.UNPRICED)
            .build();
    assertThat(unrecognised.provider()).isNull();
    assertThat(unrecognised.operation()).isNull();

    metrics.export(List.of(unrecognised));

    assertThat(
            registry
                .get("attribution.requests")
                .tags("provider", "unknown", "operation", "unknown", "model", "unknown")
                .functionCounter()
                .count())
        .isEqualTo(1.0);
  }
}
