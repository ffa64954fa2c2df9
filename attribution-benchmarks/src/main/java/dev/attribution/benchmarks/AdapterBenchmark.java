package dev.attribution.benchmarks;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.MessageCreateParams;
import dev.attribution.anthropic.AnthropicAttribution;
import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionScope;
import dev.attribution.core.AttributionEngine;
import dev.attribution.jdkhttp.AttributionHttpClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
 * The added time per call of the non-OkHttp adapters, each beside its bare client, over the raw
 * loopback server of {@link InterceptorBenchmark} (compare with its {@code bare}/{@code
 * intercepted} rows): the JDK HttpClient wrapper on the 1 KB OpenAI chat call, and the
 * anthropic-java interceptor on a Messages call through the real SDK (which adds its own JSON
 * serialisation and parsing to both rows). The context comes from a thread scope.
 *
 * <p>The figures, beside the OkHttp interceptor's and the AWS adapter's from the same run, are in
 * this module's README ("Every adapter beside its own direct client").
 *
 * <pre>
 * java -jar attribution-benchmarks/target/benchmarks.jar AdapterBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AdapterBenchmark {

  private static final AttributionContext CONTEXT =
      AttributionContext.builder().tenantId("acme").feature("support-chat").build();

  private LoopbackHttpServer openAi;
  private LoopbackHttpServer anthropic;
  private AttributionEngine jdkEngine;
  private AttributionEngine anthropicEngine;
  private HttpClient jdkBare;
  private HttpClient jdkWrapped;
  private HttpRequest jdkRequest;
  private AnthropicClient anthropicBare;
  private AnthropicClient anthropicIntercepted;
  private MessageCreateParams params;

  /** Starts the servers, the engine and the clients. */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    openAi = LoopbackHttpServer.fixed("application/json", Loopback.chatResponse());
    anthropic = LoopbackHttpServer.fixed("application/json", anthropicResponse());
    jdkEngine = Loopback.engine(openAi.hostPort(), new Loopback.CountingSink(), false);
    anthropicEngine =
        AttributionEngine.builder()
            .mapHost(anthropic.hostPort(), "anthropic")
            .addSink(new Loopback.CountingSink())
            .shutdownHook(false)
            .build();

    jdkBare = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    jdkWrapped = AttributionHttpClient.wrap(jdkBare, jdkEngine);
    jdkRequest =
        HttpRequest.newBuilder(URI.create(openAi.url("/v1/chat/completions")))
            .header("content-type", "application/json")
            .header("authorization", "Bearer sk-proj-abcdefghijklmnopqrstuvwxyz0123")
            .POST(HttpRequest.BodyPublishers.ofByteArray(Loopback.chatRequest()))
            .build();

    String base = anthropic.url("/");
    base = base.substring(0, base.length() - 1);
    anthropicBare =
        AnthropicOkHttpClient.builder().baseUrl(base).apiKey("sk-ant-bench-0123456789").build();
    anthropicIntercepted =
        AnthropicOkHttpClient.builder()
            .baseUrl(base)
            .apiKey("sk-ant-bench-0123456789")
            .addInterceptor(AnthropicAttribution.interceptor(anthropicEngine))
            .build();
    params =
        MessageCreateParams.builder()
            .model("claude-sonnet-4-5")
            .maxTokens(256)
            .addUserMessage("Summarise this ticket in two lines please. ".repeat(22))
            .build();
  }

  /** Stops everything. */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    anthropicBare.close();
    anthropicIntercepted.close();
    jdkEngine.close();
    anthropicEngine.close();
    openAi.close();
    anthropic.close();
  }

  /** JDK HttpClient alone. */
  @Benchmark
  public int jdkBare() throws IOException, InterruptedException {
    return jdkBare.send(jdkRequest, HttpResponse.BodyHandlers.ofByteArray()).body().length;
  }

  /** JDK HttpClient through {@link AttributionHttpClient#wrap}. */
  @Benchmark
  @SuppressWarnings("try") // the scope is opened for its effect
  public int jdkWrapped() throws IOException, InterruptedException {
    try (AttributionScope s = Attribution.open(CONTEXT)) {
      return jdkWrapped.send(jdkRequest, HttpResponse.BodyHandlers.ofByteArray()).body().length;
    }
  }

  /** anthropic-java alone. */
  @Benchmark
  public String anthropicBare() {
    return anthropicBare.messages().create(params).id();
  }

  /** anthropic-java with {@link AnthropicAttribution}. */
  @Benchmark
  @SuppressWarnings("try") // the scope is opened for its effect
  public String anthropicIntercepted() {
    try (AttributionScope s = Attribution.open(CONTEXT)) {
      return anthropicIntercepted.messages().create(params).id();
    }
  }

  /** A ~1 KB Anthropic message with usage, as the API returns it. */
  private static byte[] anthropicResponse() {
    String text = "The customer cannot log in after the update. ".repeat(18);
    return ("{\"id\":\"msg_013Zva2CMHLNnXjNJJKqJ2EF\",\"type\":\"message\",\"role\":\"assistant\","
            + "\"model\":\"claude-sonnet-4-5-20250929\",\"content\":[{\"type\":\"text\",\"text\":\""
            + text
            + "\"}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{"
            + "\"input_tokens\":231,\"cache_creation_input_tokens\":0,"
            + "\"cache_read_input_tokens\":0,\"output_tokens\":154,\"service_tier\":\"standard\"}}")
        .getBytes(StandardCharsets.UTF_8);
  }
}
