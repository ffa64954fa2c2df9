package dev.attribution.benchmarks;

import dev.attribution.api.AttributionContext;
import dev.attribution.core.AttributionEngine;
import dev.attribution.okhttp.AttributionOkHttp;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import javax.net.ServerSocketFactory;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okio.Buffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One non-streamed OpenAI chat completion (1 KB JSON request, 1 KB response with usage) over
 * loopback, bare OkHttp versus OkHttp with the interceptor, on one keep-alive connection. The
 * interceptor's engine is realistic: bundled prices, a record pipeline with default settings and a
 * counting sink, a context on the request tag; {@code interceptedWithTenantBudget} adds one daily
 * budget per tenant and the loop guard (a reservation is taken and settled; the input is bounded by
 * the body's bytes, not tokenised). Calls are spread over {@link Loopback#THREAD_IDS} conversation
 * thread ids.
 *
 * <p>Targets: added time at most 10 µs median and 50 µs at p99 (compare the {@code p0.50} and
 * {@code p0.99} rows of {@code bare} and {@code intercepted}); allocation per call with {@code
 * -prof gc} ({@code gc.alloc.rate.norm}, which counts every thread: the client, the server and the
 * record pipeline's worker).
 *
 * <p>{@code server=raw} is {@link LoopbackHttpServer}, which does almost nothing per request;
 * {@code server=mockwebserver} is OkHttp's MockWebServer (request body not retained), noisier.
 *
 * <p>Measured figures and the profiling conclusions are in the module's README.
 *
 * <pre>
 * java -jar attribution-benchmarks/target/benchmarks.jar InterceptorBenchmark \
 *     -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class InterceptorBenchmark {

  private static final MediaType JSON = MediaType.get("application/json");

  /** Which loopback server answers. */
  @Param({"raw", "mockwebserver"})
  public String server;

  private LoopbackHttpServer raw;
  private MockWebServer mock;
  private Loopback.CountingSink sink;
  private AttributionEngine engine;
  private AttributionEngine budgetEngine;
  private OkHttpClient bare;
  private OkHttpClient intercepted;
  private OkHttpClient instrumented;
  private OkHttpClient interceptedWithBudget;
  private Request[] requests;

  /** Which of the requests (one per conversation thread id) this benchmark thread sends next. */
  @State(Scope.Thread)
  public static class Turn {
    int next;

    Request pick(Request[] requests) {
      next = (next + 1) & (requests.length - 1);
      return requests[next];
    }
  }

  /** Starts the server, the engines and the clients. */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    byte[] responseBody = Loopback.chatResponse();
    String hostPort;
    String url;
    if (server.equals("raw")) {
      raw = LoopbackHttpServer.fixed("application/json", responseBody);
      hostPort = raw.hostPort();
      url = raw.url("/v1/chat/completions");
    } else {
      mock = new MockWebServer();
      mock.setServerSocketFactory(new NoDelayServerSocketFactory());
      mock.setBodyLimit(0);
      MockResponse answer =
          new MockResponse()
              .setHeader("Content-Type", "application/json")
              .setHeader("x-request-id", "req_0123456789abcdef")
              .setBody(new Buffer().write(responseBody));
      mock.setDispatcher(
          new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest r) {
              return answer;
            }
          });
      mock.start(InetAddress.getLoopbackAddress(), 0);
      hostPort = mock.getHostName() + ":" + mock.getPort();
      url = mock.url("/v1/chat/completions").toString();
    }
    sink = new Loopback.CountingSink();
    engine = Loopback.engine(hostPort, sink, false);
    budgetEngine = Loopback.engine(hostPort, sink, true);
    bare = Loopback.bareClient();
    intercepted = bare.newBuilder().addInterceptor(AttributionOkHttp.interceptor(engine)).build();
    instrumented = AttributionOkHttp.instrument(bare, engine);
    interceptedWithBudget =
        bare.newBuilder().addInterceptor(AttributionOkHttp.interceptor(budgetEngine)).build();
    requests = new Request[Loopback.THREAD_IDS];
    RequestBody body = RequestBody.create(Loopback.chatRequest(), JSON);
    for (int i = 0; i < requests.length; i++) {
      requests[i] =
          new Request.Builder()
              .url(url)
              .header("Authorization", "Bearer sk-proj-abcdefghijklmnopqrstuvwxyz0123")
              .tag(
                  AttributionContext.class,
                  AttributionContext.builder()
                      .tenantId("acme")
                      .feature("support-chat")
                      .threadId("conversation-" + i)
                      .build())
              .post(body)
              .build();
    }
  }

  /** MockWebServer keeps every request it saw; drop them so the heap does not grow. */
  @Setup(Level.Iteration)
  public void drainRecordedRequests() throws InterruptedException {
    if (mock != null) {
      while (mock.takeRequest(0, TimeUnit.MILLISECONDS) != null) {
        // discard
      }
    }
  }

  /** Stops everything and prints what the pipeline saw. */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    System.out.println(
        "\n[InterceptorBenchmark] records exported="
            + sink.records.get()
            + " engine="
            + engine.stats()
            + " budgetEngine="
            + budgetEngine.stats());
    engine.close();
    budgetEngine.close();
    if (raw != null) {
      raw.close();
    }
    if (mock != null) {
      mock.shutdown();
    }
  }

  private static int call(OkHttpClient client, Request request) throws IOException {
    try (Response r = client.newCall(request).execute()) {
      return r.body().bytes().length;
    }
  }

  /** OkHttp alone. */
  @Benchmark
  public int bare(Turn t) throws IOException {
    return call(bare, t.pick(requests));
  }

  /** OkHttp with {@link AttributionOkHttp#interceptor} (how openai-java is instrumented). */
  @Benchmark
  public int intercepted(Turn t) throws IOException {
    return call(intercepted, t.pick(requests));
  }

  /** OkHttp through {@link AttributionOkHttp#instrument} (interceptor plus context capture). */
  @Benchmark
  public int instrumented(Turn t) throws IOException {
    return call(instrumented, t.pick(requests));
  }

  /** The interceptor over an engine with one budget per tenant and the loop guard. */
  @Benchmark
  public int interceptedWithTenantBudget(Turn t) throws IOException {
    return call(interceptedWithBudget, t.pick(requests));
  }

  /** Server sockets whose accepted sockets have TCP_NODELAY on, for MockWebServer. */
  static final class NoDelayServerSocketFactory extends ServerSocketFactory {
    @Override
    public ServerSocket createServerSocket() throws IOException {
      return new NoDelayServerSocket();
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
      NoDelayServerSocket s = new NoDelayServerSocket();
      s.bind(new java.net.InetSocketAddress(port));
      return s;
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
      NoDelayServerSocket s = new NoDelayServerSocket();
      s.bind(new java.net.InetSocketAddress(port), backlog);
      return s;
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress address)
        throws IOException {
      NoDelayServerSocket s = new NoDelayServerSocket();
      s.bind(new java.net.InetSocketAddress(address, port), backlog);
      return s;
    }
  }

  private static final class NoDelayServerSocket extends ServerSocket {
    NoDelayServerSocket() throws IOException {
      super();
    }

    @Override
    public Socket accept() throws IOException {
      Socket s = super.accept();
      s.setTcpNoDelay(true);
      return s;
    }
  }
}
