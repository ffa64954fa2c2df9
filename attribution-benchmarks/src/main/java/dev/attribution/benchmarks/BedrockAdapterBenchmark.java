package dev.attribution.benchmarks;

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionScope;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import dev.attribution.aws.AwsAttribution;
import dev.attribution.core.AttributionEngine;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseRequest;
import software.amazon.awssdk.services.bedrockruntime.model.Message;

/**
 * The added time per call of the AWS SDK v2 adapter ({@link AwsAttribution#interceptor}): a sync
 * Bedrock Runtime Converse call (about 1 KB of request text, a 1 KB answer with usage) through the
 * real {@link BedrockRuntimeClient} on its default HTTP client, with SigV4 signing by static
 * credentials, against the raw loopback server of {@link InterceptorBenchmark}; the same client
 * without the interceptor in the same run. Both rows include the SDK's own marshalling, signing and
 * unmarshalling. The interceptor's engine prices with the bundled catalog and records into a sink
 * that keeps the last record (the set-up checks that a call is recorded with usage and a price);
 * the context comes from a thread scope.
 *
 * <p>Measured figures are in the module's README.
 *
 * <pre>
 * java -jar attribution-benchmarks/target/benchmarks.jar \
 *     'BedrockAdapterBenchmark|InterceptorBenchmark.(bare|intercepted)$' -p server=raw \
 *     -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BedrockAdapterBenchmark {

  private static final AttributionContext CONTEXT =
      AttributionContext.builder().tenantId("acme").feature("support-chat").build();

  private static final String MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";

  private final LastRecordSink sink = new LastRecordSink();
  private LoopbackHttpServer bedrock;
  private AttributionEngine engine;
  private BedrockRuntimeClient bare;
  private BedrockRuntimeClient intercepted;
  private ConverseRequest request;

  /** Starts the server, the engine and both clients. */
  @Setup(Level.Trial)
  public void setUp() {
    bedrock = LoopbackHttpServer.fixed("application/json", converseResponse());
    engine =
        AttributionEngine.builder()
            .mapHost(bedrock.hostPort(), "aws.bedrock")
            .addSink(sink)
            .shutdownHook(false)
            .build();
    bare = client(null);
    intercepted = client(engine);
    request =
        ConverseRequest.builder()
            .modelId(MODEL)
            .messages(
                Message.builder()
                    .role(ConversationRole.USER)
                    .content(
                        ContentBlock.fromText(
                            "Summarise this ticket in two lines please. ".repeat(22)))
                    .build())
            .inferenceConfig(c -> c.maxTokens(256))
            .build();
    // Measure the real path only: one call must be recorded with its usage and a price.
    bedrockIntercepted();
    engine.flush(Duration.ofSeconds(5));
    UsageRecord r = sink.last;
    if (r == null || r.usageEstimated() || r.cost() == null || r.cost().isZero()) {
      throw new IllegalStateException("the intercepted client did not record a priced call: " + r);
    }
  }

  /** Keeps the last record, to check the set-up. */
  private static final class LastRecordSink implements UsageSink {
    volatile @Nullable UsageRecord last;

    @Override
    public void export(List<UsageRecord> batch) {
      last = batch.get(batch.size() - 1);
    }
  }

  private BedrockRuntimeClient client(@Nullable AttributionEngine withAttribution) {
    return BedrockRuntimeClient.builder()
        .endpointOverride(URI.create(bedrock.url("")))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(
                    "AKIDEXAMPLE1234567890", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")))
        .overrideConfiguration(
            c -> {
              if (withAttribution != null) {
                c.addExecutionInterceptor(AwsAttribution.interceptor(withAttribution));
              }
            })
        .build();
  }

  /** Stops everything. */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    bare.close();
    intercepted.close();
    engine.close();
    bedrock.close();
  }

  /** The Bedrock Runtime client alone. */
  @Benchmark
  public Integer bedrockBare() {
    return bare.converse(request).usage().outputTokens();
  }

  /** The Bedrock Runtime client with {@link AwsAttribution#interceptor}. */
  @Benchmark
  @SuppressWarnings("try") // the scope is opened for its effect
  public Integer bedrockIntercepted() {
    try (AttributionScope s = Attribution.open(CONTEXT)) {
      return intercepted.converse(request).usage().outputTokens();
    }
  }

  /** A ~1 KB Converse answer with usage, as Bedrock returns it. */
  private static byte[] converseResponse() {
    String text = "The customer cannot log in after the update. ".repeat(19);
    return ("{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[{\"text\":\""
            + text
            + "\"}]}},\"stopReason\":\"end_turn\",\"usage\":{\"inputTokens\":231,"
            + "\"outputTokens\":154,\"totalTokens\":385,\"cacheReadInputTokens\":0,"
            + "\"cacheWriteInputTokens\":0},\"metrics\":{\"latencyMs\":412}}")
        .getBytes(StandardCharsets.UTF_8);
  }
}
