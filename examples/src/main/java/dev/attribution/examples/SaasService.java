package dev.attribution.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionHeaders;
import dev.attribution.api.AttributionScope;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * The small SaaS the demo runs: a help-desk product whose HTTP API calls LLMs for its features. It
 * sets attribution the way a real service does, in one request filter that reads who is calling
 * from request headers and opens an isolated scope for the request, and it hands background work to
 * an executor wrapped by {@link Attribution#wrap(ExecutorService)}.
 *
 * <table>
 *   <caption>Endpoints</caption>
 *   <tr><th>path</th><th>feature</th><th>how it calls the LLM</th></tr>
 *   <tr><td>/api/chat</td><td>support-chat</td><td>openai-java, sync, gpt-4o</td></tr>
 *   <tr><td>/api/summarize</td><td>summarize</td><td>openai-java, streaming, gpt-4o-mini</td></tr>
 *   <tr><td>/api/digest</td><td>weekly-digest</td><td>background job, openai-java async</td></tr>
 *   <tr><td>/api/draft</td><td>beta-writer</td><td>openai-java, an in-house model</td></tr>
 *   <tr><td>/api/triage</td><td>ticket-triage</td><td>plain OkHttp, Anthropic, haiku</td></tr>
 *   <tr><td>/api/agent</td><td>research-agent</td><td>plain OkHttp, Anthropic stream, loop</td></tr>
 * </table>
 */
final class SaasService implements AutoCloseable {

  /** Request headers the filter reads; a gateway or the web front end sets them. */
  static final String TENANT = "X-Tenant-Id";

  static final String USER = "X-User-Id";
  static final String FEATURE = "X-Feature";
  static final String TRAFFIC_CLASS = "X-Traffic-Class";

  /** The model of the beta-writer feature: an in-house fine-tune with no public price. */
  static final String IN_HOUSE_MODEL = "acme-writer-v2-preview";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MediaType JSON_TYPE = MediaType.get("application/json");

  private final HttpServer server;
  private final ExecutorService requestThreads = Executors.newFixedThreadPool(16);
  private final ExecutorService jobs = Attribution.wrap(Executors.newFixedThreadPool(4));
  private final Queue<Future<?>> pendingJobs = new ConcurrentLinkedQueue<>();
  private final OpenAIClient openAi;
  private final OkHttpClient http;
  private final String anthropicBaseUrl;
  private final ModelPolicy models;
  private final AtomicLong agentRuns = new AtomicLong();

  /**
   * Which models the features use: as each feature asks, or (against the real API) one cheap model
   * with a small output cap.
   *
   * @param onlyModel the model every OpenAI call uses instead of its own, or {@code null}
   * @param maxTokensCap the largest output any call may ask for
   */
  record ModelPolicy(@Nullable String onlyModel, long maxTokensCap) {
    /** Every feature gets the model and output size it asks for. */
    static final ModelPolicy AS_REQUESTED = new ModelPolicy(null, Long.MAX_VALUE);

    /** The model to request in place of {@code model}. */
    String openAi(String model) {
      return onlyModel != null ? onlyModel : model;
    }

    /** The largest output to ask for, given what the feature wants. */
    long maxTokens(long wanted) {
      return Math.min(wanted, maxTokensCap);
    }
  }

  SaasService(OpenAIClient openAi, OkHttpClient http, String anthropicBaseUrl, ModelPolicy models)
      throws IOException {
    this.openAi = openAi;
    this.http = http;
    this.anthropicBaseUrl = anthropicBaseUrl;
    this.models = models;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setExecutor(requestThreads);
    Filter attribution = new AttributionFilter();
    route("/api/chat", attribution, this::chat);
    route("/api/summarize", attribution, this::summarize);
    route("/api/digest", attribution, this::digest);
    route("/api/draft", attribution, this::draft);
    route("/api/triage", attribution, this::triage);
    route("/api/agent", attribution, this::agent);
    server.start();
  }

  /** The service's base URL, e.g. {@code http://127.0.0.1:40123}. */
  URI baseUri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Waits for every background job submitted so far. */
  void awaitJobs() throws InterruptedException {
    for (Iterator<Future<?>> it = pendingJobs.iterator(); it.hasNext(); ) {
      Future<?> f = it.next();
      try {
        f.get(30, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        // A failed job is the job's business; its call is recorded either way.
      }
      it.remove();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    requestThreads.shutdownNow();
    jobs.shutdownNow();
  }

  private void route(String path, Filter filter, Endpoint endpoint) {
    HttpContext ctx = server.createContext(path, ex -> handle(ex, endpoint));
    ctx.getFilters().add(filter);
  }

  /**
   * The request filter, the equivalent of a servlet filter: who is calling comes from headers, and
   * the scope is isolated so nothing from an earlier request on this pooled thread leaks in.
   */
  static final class AttributionFilter extends Filter {
    @Override
    @SuppressWarnings("try") // the scope is opened for its effect on the chain below
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
      Headers h = exchange.getRequestHeaders();
      AttributionContext context;
      try {
        context =
            AttributionContext.builder()
                .tenantId(h.getFirst(TENANT))
                .userId(h.getFirst(USER))
                .feature(h.getFirst(FEATURE))
                .trafficClass(h.getFirst(TRAFFIC_CLASS))
                .build();
      } catch (IllegalArgumentException e) {
        reply(exchange, 400, "bad attribution header: " + e.getMessage());
        return;
      }
      try (AttributionScope scope = Attribution.openIsolated(context)) {
        chain.doFilter(exchange);
      }
    }

    @Override
    public String description() {
      return "opens an attribution scope per request from X-Tenant-Id, X-User-Id, X-Feature";
    }
  }

  @FunctionalInterface
  private interface Endpoint {
    Reply serve(String body, String query) throws Exception;
  }

  private record Reply(int status, String body) {}

  private static void handle(HttpExchange ex, Endpoint endpoint) throws IOException {
    try (ex) {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String query = ex.getRequestURI().getRawQuery();
      Reply r;
      try {
        r = endpoint.serve(body, query == null ? "" : query);
      } catch (RateLimitException e) {
        r = new Reply(429, "budget: " + e.getMessage());
      } catch (OpenAIServiceException e) {
        r = new Reply(502, "upstream " + e.statusCode());
      } catch (Exception e) {
        r = new Reply(500, e.getClass().getSimpleName());
      }
      reply(ex, r.status(), r.body());
    }
  }

  private static void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("content-type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  // ---------------------------------------------------------------- features

  /** support-chat: a synchronous openai-java call, attributed from the thread's scope. */
  private Reply chat(String question, String query) {
    String system = Prompts.knowledgeBase(Attribution.current().tenantId());
    return complete(params("gpt-4o", 700, system, question));
  }

  /** A chat request of the demo's shape: a system prompt and one user message. */
  private ChatCompletionCreateParams params(
      String model, long maxTokens, String system, String user) {
    return ChatCompletionCreateParams.builder()
        .model(models.openAi(model))
        .maxCompletionTokens(models.maxTokens(maxTokens))
        .addSystemMessage(system)
        .addUserMessage(user)
        .build();
  }

  /** A synchronous completion: the interceptor runs on this thread and sees its scope. */
  private Reply complete(ChatCompletionCreateParams params) {
    ChatCompletion c = openAi.chat().completions().create(params);
    return new Reply(200, c.choices().get(0).message().content().orElse(""));
  }

  /**
   * summarize: an openai-java stream. With {@code abandon=true} the user closes the tab after the
   * first words, so the application closes the stream early.
   */
  private Reply summarize(String document, String query) {
    boolean abandon = query.contains("abandon=true");
    ChatCompletionCreateParams params =
        params(
            "gpt-4o-mini",
            abandon ? 1500 : 400,
            "Summarize the document for a support agent in five bullet points.",
            document);
    StringBuilder text = new StringBuilder();
    try (StreamResponse<ChatCompletionChunk> stream =
            openAi.chat().completions().createStreaming(params);
        Stream<ChatCompletionChunk> chunks = stream.stream()) {
      Iterator<ChatCompletionChunk> it = chunks.iterator();
      while (it.hasNext()) {
        it.next().choices().forEach(ch -> ch.delta().content().ifPresent(text::append));
        if (abandon && text.length() > 0) {
          return new Reply(200, "client closed the page after: " + text);
        }
      }
    }
    return new Reply(200, text.toString());
  }

  /**
   * weekly-digest: accepted at once, written by a background job. The wrapped executor carries the
   * request's context to the job; the async client leaves the job's thread, so the job turns that
   * context into request headers, which the interceptor reads and strips.
   */
  private Reply digest(String activity, String query) {
    Future<?> job =
        jobs.submit(
            () -> {
              ChatCompletionCreateParams params =
                  params(
                          "gpt-4o-mini",
                          900,
                          "Write the weekly digest e-mail for this account.",
                          activity)
                      .toBuilder()
                      .putAllAdditionalHeaders(AttributionHeaders.forOpenAi(Attribution.current()))
                      .build();
              CompletableFuture<ChatCompletion> f =
                  openAi.async().chat().completions().create(params);
              return f.join();
            });
    pendingJobs.add(job);
    return new Reply(202, "digest scheduled");
  }

  /** beta-writer: an in-house fine-tuned model that no price list knows. */
  private Reply draft(String brief, String query) {
    return complete(params(IN_HOUSE_MODEL, 500, "Draft a reply e-mail.", brief));
  }

  /** ticket-triage: a plain OkHttp call to an Anthropic-style endpoint; a short label. */
  private Reply triage(String ticket, String query) throws IOException {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", "claude-haiku-4-5");
    body.put("max_tokens", 40);
    body.put("system", "Classify the ticket as billing, bug, how-to or account. One word.");
    body.putArray("messages").addObject().put("role", "user").put("content", ticket);
    try (Response r = http.newCall(anthropic(body)).execute()) {
      String text = r.body() == null ? "" : r.body().string();
      return new Reply(r.code() == 200 ? 200 : r.code() == 429 ? 429 : 502, text);
    }
  }

  /**
   * research-agent: an agent thread that keeps calling the model, one streamed step after another,
   * until its plan is done or the loop guard stops it (a 429 with {@code loop_detected}).
   */
  @SuppressWarnings("try") // the run's scope is opened for its effect on the calls below
  private Reply agent(String goal, String query) throws IOException {
    int steps = Integer.parseInt(query.replaceAll(".*steps=(\\d+).*", "$1"));
    String runId = "run-" + agentRuns.incrementAndGet();
    StringBuilder transcript = new StringBuilder(goal);
    try (AttributionScope run =
        Attribution.open(AttributionContext.builder().threadId(runId).build())) {
      for (int step = 1; step <= steps; step++) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", "claude-sonnet-4-5");
        body.put("max_tokens", 300);
        body.put("stream", true);
        body.put("system", "You are a research agent. Plan, call tools, then answer.");
        body.putArray("messages")
            .addObject()
            .put("role", "user")
            .put("content", transcript.toString());
        try (Response r = http.newCall(anthropic(body)).execute()) {
          String events = r.body() == null ? "" : r.body().string();
          if (r.code() == 429) {
            String why = events.contains("loop_detected") ? "loop guard" : "budget";
            return new Reply(200, runId + " stopped by the " + why + " at step " + step);
          }
          if (r.code() != 200) {
            return new Reply(502, runId + " failed at step " + step);
          }
        }
        if (transcript.length() < 6000) {
          transcript.append(" Step ").append(step).append(": tool result about the account.");
        }
      }
    }
    return new Reply(200, runId + " finished in " + steps + " steps");
  }

  private Request anthropic(ObjectNode body) {
    return new Request.Builder()
        .url(anthropicBaseUrl + "/v1/messages")
        .header("x-api-key", "sk-ant-demo-0000000000000000")
        .header("anthropic-version", "2023-06-01")
        .post(RequestBody.create(body.toString(), JSON_TYPE))
        .build();
  }
}
