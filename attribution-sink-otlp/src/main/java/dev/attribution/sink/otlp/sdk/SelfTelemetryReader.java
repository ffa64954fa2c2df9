package dev.attribution.sink.otlp.sdk;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;

/**
 * Reads, on demand, the SDK's own telemetry (the batch processor's and exporters' counters), which
 * the SDK reports through a meter provider; this reader backs a private one so those counts can be
 * exposed as plain numbers without exporting them.
 */
final class SelfTelemetryReader implements MetricReader {

  private volatile CollectionRegistration registration = CollectionRegistration.noop();

  @Override
  public void register(CollectionRegistration registration) {
    this.registration = registration;
  }

  @Override
  public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
    return AggregationTemporality.CUMULATIVE;
  }

  @Override
  public CompletableResultCode forceFlush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    return CompletableResultCode.ofSuccess();
  }

  /** Sum of every long-counter point whose attribute {@code key} equals {@code value}. */
  <T> long sumLongPoints(AttributeKey<T> key, T value) {
    long sum = 0;
    for (MetricData m : registration.collectAllMetrics()) {
      if (m.getType() != MetricDataType.LONG_SUM) {
        continue;
      }
      for (LongPointData p : m.getLongSumData().getPoints()) {
        if (value.equals(p.getAttributes().get(key))) {
          sum += p.getValue();
        }
      }
    }
    return sum;
  }
}
