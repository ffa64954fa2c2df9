package dev.attribution.benchmarks;

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionScope;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import dev.attribution.core.internal.pipeline.RecordPipeline;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the request thread pays for attribution outside the HTTP call: handing a record to the
 * pipeline, and opening and closing a scope.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PipelineBenchmark {

  private RecordPipeline pipeline;
  private UsageRecord record;
  private AttributionContext outer;
  private AttributionContext inner;

  /** Starts a pipeline with a discarding sink. */
  @Setup(Level.Trial)
  public void setUp() {
    pipeline = RecordPipeline.builder().addSink(UsageSink.noop()).build();
    record = UsageRecord.builder().startedAt(Instant.now()).provider("openai").build();
    outer =
        AttributionContext.builder()
            .tenantId("acme")
            .userId("u-42")
            .feature("support-chat")
            .tag("plan", "pro")
            .build();
    inner = AttributionContext.builder().threadId("t-7").tag("step", "summarize").build();
  }

  /** Stops the pipeline. */
  @TearDown(Level.Trial)
  public void tearDown() {
    pipeline.close();
  }

  /** One {@link RecordPipeline#submit} from a request thread (offer to a bounded queue). */
  @Benchmark
  public void submit() {
    pipeline.submit(record);
  }

  /** Opening a scope, reading the current context, closing it. */
  @Benchmark
  public AttributionContext openAndCloseScope() {
    try (AttributionScope scope = Attribution.open(outer)) {
      return scope.context();
    }
  }

  /** A nested scope whose context is merged onto the outer one. */
  @Benchmark
  public AttributionContext nestedMergedScope() {
    try (AttributionScope a = Attribution.open(outer);
        AttributionScope b = Attribution.open(inner)) {
      return b.context() == a.context() ? outer : Attribution.current();
    }
  }

  /** The current context as request headers, for calls that leave the thread. */
  @Benchmark
  public Object headers() {
    try (AttributionScope scope = Attribution.open(outer)) {
      return scope.context() == null ? null : Attribution.headers();
    }
  }
}
