package dev.attribution.benchmarks;

import dev.attribution.api.AttributionContext;
import dev.attribution.api.ContextSource;
import dev.attribution.core.AttributionEngine;
import dev.attribution.core.transport.CallRequest;
import dev.attribution.core.transport.LlmCall;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
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

/**
 * The engine's share of {@link InterceptorBenchmark}, without HTTP: {@code begin} on the 1 KB chat
 * request, then the response status and the 1 KB body with usage, priced and handed to the
 * pipeline. Shows how much of the interceptor's added time is engine CPU and how much is the rest
 * (copies of the bodies, cache and scheduling effects around the network wait).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class EngineCallBenchmark {

  private AttributionEngine engine;
  private AttributionEngine budgetEngine;
  private byte[] requestBody;
  private byte[] responseBody;
  private AttributionContext context;
  private Function<String, @Nullable String> requestHeaders;
  private Function<String, @Nullable String> responseHeaders;

  /** Builds both engines over a counting sink. */
  @Setup(Level.Trial)
  public void setUp() {
    Loopback.CountingSink countingSink = new Loopback.CountingSink();
    engine = Loopback.engine("127.0.0.1:8080", countingSink, false);
    budgetEngine = Loopback.engine("127.0.0.1:8080", countingSink, true);
    requestBody = Loopback.chatRequest();
    responseBody = Loopback.chatResponse();
    context = AttributionContext.builder().tenantId("acme").feature("support-chat").build();
    requestHeaders =
        name ->
            name.equalsIgnoreCase("Authorization")
                ? "Bearer sk-proj-abcdefghijklmnopqrstuvwxyz0123"
                : null;
    responseHeaders = name -> name.equalsIgnoreCase("x-request-id") ? "req_0123" : null;
  }

  /** Closes both engines. */
  @TearDown(Level.Trial)
  public void tearDown() {
    engine.close();
    budgetEngine.close();
  }

  private LlmCall call(AttributionEngine e) {
    LlmCall c =
        e.begin(
            new CallRequest(
                "POST",
                "http",
                "127.0.0.1",
                8080,
                "/v1/chat/completions",
                null,
                requestBody,
                requestHeaders,
                context,
                ContextSource.TAG,
                1,
                ""));
    c.onResponse(200, responseHeaders);
    c.completeBody(responseBody, responseBody.length);
    return c;
  }

  /** No budgets. */
  @Benchmark
  public LlmCall beginAndComplete() {
    return call(engine);
  }

  /** One budget per tenant: the request is tokenised for the worst-case reservation. */
  @Benchmark
  public LlmCall beginAndCompleteWithTenantBudget() {
    return call(budgetEngine);
  }
}
