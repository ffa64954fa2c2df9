package dev.attribution.examples;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.common.Slf4jNotifier;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The demo's built-in LLM provider: two WireMock servers on loopback, one answering like OpenAI's
 * Chat Completions API and one like Anthropic's Messages API, JSON and server-sent-event streams
 * alike, in the documented response shapes.
 *
 * <p>Token counts are computed from each request, as a provider would: input from the prompt's
 * length, output a deterministic draw below the request's {@code max_tokens}. A long leading system
 * prompt is cached the second time it is seen (OpenAI reports {@code cached_tokens} in multiples of
 * 128; Anthropic reports a cache write the first time and a cache read afterwards), so the records
 * show cache hits where an application would get them. Streams are dribbled out over a few tens of
 * milliseconds, so an application that stops reading really leaves the stream unfinished.
 *
 * <p>{@link #failNext(String, int)} makes the next request for a model fail with a provider-shaped
 * error (500 {@code server_error} on OpenAI, 529 {@code overloaded_error} on Anthropic).
 */
final class FakeProvider implements AutoCloseable {

  private static final String TRANSFORMER = "fake-llm";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CACHEABLE_CHARS = 4400;
  private static final String[] WORDS = {
    "the",
    "customer",
    "account",
    "invoice",
    "refund",
    "order",
    "shipping",
    "policy",
    "we",
    "can",
    "help",
    "with",
    "your",
    "request",
    "please",
    "confirm",
    "details",
    "team",
    "update",
    "ticket",
    "resolved",
    "priority",
    "summary",
    "next",
    "steps",
    "include",
    "review",
    "and",
    "plan",
    "billing",
    "issue",
    "thanks",
    "for",
    "waiting",
    "it",
    "is",
    "scheduled",
    "today"
  };

  private final FakeLlm llm = new FakeLlm();
  private final WireMockServer openAi;
  private final WireMockServer anthropic;

  private FakeProvider() {
    openAi = server();
    anthropic = server();
    openAi.stubFor(
        post(urlPathEqualTo("/v1/chat/completions"))
            .willReturn(aResponse().withTransformers(TRANSFORMER)));
    anthropic.stubFor(
        post(urlPathEqualTo("/v1/messages")).willReturn(aResponse().withTransformers(TRANSFORMER)));
  }

  private WireMockServer server() {
    WireMockServer s =
        new WireMockServer(
            options()
                .bindAddress("127.0.0.1")
                .dynamicPort()
                .http2PlainDisabled(true)
                .disableRequestJournal()
                .stubRequestLoggingDisabled(true)
                .notifier(new Slf4jNotifier(false))
                .containerThreads(24)
                .extensions(llm));
    s.start();
    return s;
  }

  /** Starts both servers on free loopback ports. */
  static FakeProvider start() {
    return new FakeProvider();
  }

  /** Base URL for openai-java, e.g. {@code http://127.0.0.1:41234/v1}. */
  String openAiBaseUrl() {
    return "http://127.0.0.1:" + openAi.port() + "/v1";
  }

  /** {@code host:port} of the OpenAI-style server, for the engine's provider registry. */
  String openAiHostPort() {
    return "127.0.0.1:" + openAi.port();
  }

  /** Base URL of the Anthropic-style server (requests go to {@code /v1/messages}). */
  String anthropicBaseUrl() {
    return "http://127.0.0.1:" + anthropic.port();
  }

  /** {@code host:port} of the Anthropic-style server. */
  String anthropicHostPort() {
    return "127.0.0.1:" + anthropic.port();
  }

  /** The next request for {@code model} is answered with an error of {@code status}. */
  void failNext(String model, int status) {
    llm.failures.add(Map.entry(model, status));
  }

  /** Requests answered so far. */
  long requests() {
    return llm.served.get();
  }

  @Override
  public void close() {
    openAi.stop();
    anthropic.stop();
  }

  /** Turns each request into a provider-shaped response with request-dependent usage. */
  private static final class FakeLlm implements ResponseDefinitionTransformerV2 {
    final ConcurrentLinkedQueue<Map.Entry<String, Integer>> failures =
        new ConcurrentLinkedQueue<>();
    final Set<Integer> seenPrefixes = ConcurrentHashMap.newKeySet();
    final AtomicLong served = new AtomicLong();
    final AtomicLong ids = new AtomicLong(1000);

    @Override
    public String getName() {
      return TRANSFORMER;
    }

    @Override
    public boolean applyGlobally() {
      return false;
    }

    @Override
    public ResponseDefinition transform(ServeEvent event) {
      served.incrementAndGet();
      String path = event.getRequest().getUrl();
      boolean anthropic = path.startsWith("/v1/messages");
      byte[] bytes = event.getRequest().getBody();
      try {
        JsonNode req = JSON.readTree(bytes);
        String model = req.path("model").asText("unknown");
        Integer failure = takeFailure(model);
        if (failure != null) {
          return error(anthropic, failure);
        }
        Usage u = usage(req, anthropic, bytes);
        String text = text(u.random, u.output);
        boolean stream = req.path("stream").asBoolean(false);
        if (anthropic) {
          return stream ? anthropicStream(model, u, text) : anthropicJson(model, u, text);
        }
        boolean includeUsage = req.path("stream_options").path("include_usage").asBoolean(false);
        return stream ? openAiStream(model, u, text, includeUsage) : openAiJson(model, u, text);
      } catch (java.io.IOException | RuntimeException e) {
        return ResponseDefinitionBuilder.responseDefinition()
            .withStatus(400)
            .withHeader("content-type", "application/json")
            .withBody(
                "{\"error\":{\"message\":\"could not parse the request body\","
                    + "\"type\":\"invalid_request_error\"}}")
            .build();
      }
    }

    private @Nullable Integer takeFailure(String model) {
      for (Map.Entry<String, Integer> f : failures) {
        if (f.getKey().equals(model) && failures.remove(f)) {
          return f.getValue();
        }
      }
      return null;
    }

    /** Input from the prompt's length, output a draw below max_tokens, cache by prefix. */
    private Usage usage(JsonNode req, boolean anthropic, byte[] body) {
      SplittableRandom random = new SplittableRandom(java.util.Arrays.hashCode(body));
      StringBuilder prompt = new StringBuilder();
      String prefix = "";
      if (anthropic) {
        prefix = contentText(req.path("system"));
        prompt.append(prefix);
      }
      int messages = 0;
      for (JsonNode m : req.path("messages")) {
        String c = contentText(m.path("content"));
        if (messages == 0 && !anthropic && "system".equals(m.path("role").asText())) {
          prefix = c;
        }
        prompt.append(c);
        messages++;
      }
      long input = Math.max(8, Math.round(prompt.length() / 4.2)) + 4L * messages + 3;
      long prefixTokens = Math.round(prefix.length() / 4.2);
      boolean cacheable = prefix.length() >= CACHEABLE_CHARS;
      boolean hit = cacheable && !seenPrefixes.add(prefix.hashCode());
      long max = req.path("max_tokens").asLong(req.path("max_completion_tokens").asLong(512));
      long low = Math.max(1, max / 6);
      long high = Math.max(low + 1, max * 9 / 10);
      long output = random.nextLong(low, high);
      long cacheRead = 0;
      long cacheWrite = 0;
      if (hit) {
        cacheRead = anthropic ? prefixTokens : Math.min(input, prefixTokens / 128 * 128);
      } else if (cacheable && anthropic) {
        cacheWrite = prefixTokens;
      }
      return new Usage(input, cacheRead, cacheWrite, output, random);
    }

    private static String contentText(JsonNode content) {
      if (content.isTextual()) {
        return content.asText();
      }
      StringBuilder sb = new StringBuilder();
      for (JsonNode part : content) {
        sb.append(part.path("text").asText(""));
      }
      return sb.toString();
    }

    private static String text(SplittableRandom random, long tokens) {
      StringBuilder sb = new StringBuilder();
      long words = Math.max(1, tokens * 3 / 4);
      for (long i = 0; i < words; i++) {
        sb.append(i == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
      }
      return sb.append('.').toString();
    }

    private ResponseDefinition error(boolean anthropic, int status) {
      String body =
          anthropic
              ? "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                  + "\"message\":\"Overloaded\"}}"
              : "{\"error\":{\"message\":\"The server had an error while processing your request."
                  + " Sorry about that!\",\"type\":\"server_error\",\"param\":null,\"code\":null}}";
      return ResponseDefinitionBuilder.responseDefinition()
          .withStatus(status)
          .withHeader("content-type", "application/json")
          .withHeader("x-request-id", "req_" + ids.incrementAndGet())
          .withBody(body)
          .build();
    }

    private ResponseDefinition openAiJson(String model, Usage u, String text) {
      ObjectNode root = JSON.createObjectNode();
      root.put("id", "chatcmpl-demo" + ids.incrementAndGet());
      root.put("object", "chat.completion");
      root.put("created", 1741570283L);
      root.put("model", snapshot(model));
      ObjectNode choice = root.putArray("choices").addObject();
      choice.put("index", 0);
      ObjectNode msg = choice.putObject("message");
      msg.put("role", "assistant");
      msg.put("content", text);
      msg.putNull("refusal");
      msg.putArray("annotations");
      choice.putNull("logprobs");
      choice.put("finish_reason", "stop");
      root.set("usage", openAiUsage(u));
      root.put("service_tier", "default");
      root.put("system_fingerprint", "fp_demo");
      return json(root);
    }

    private static ObjectNode openAiUsage(Usage u) {
      ObjectNode usage = JSON.createObjectNode();
      usage.put("prompt_tokens", u.input);
      usage.put("completion_tokens", u.output);
      usage.put("total_tokens", u.input + u.output);
      usage
          .putObject("prompt_tokens_details")
          .put("cached_tokens", u.cacheRead)
          .put("audio_tokens", 0);
      usage
          .putObject("completion_tokens_details")
          .put("reasoning_tokens", 0)
          .put("audio_tokens", 0)
          .put("accepted_prediction_tokens", 0)
          .put("rejected_prediction_tokens", 0);
      return usage;
    }

    private ResponseDefinition openAiStream(
        String model, Usage u, String text, boolean includeUsage) {
      String id = "chatcmpl-demo" + ids.incrementAndGet();
      List<String> events = new ArrayList<>();
      events.add(chunk(id, model, delta("role", "assistant", "content", ""), null));
      for (String piece : pieces(text)) {
        events.add(chunk(id, model, delta("content", piece), null));
      }
      events.add(chunk(id, model, JSON.createObjectNode(), "stop"));
      if (includeUsage) {
        ObjectNode last = base(id, model);
        last.putArray("choices");
        last.set("usage", openAiUsage(u));
        events.add(last.toString());
      }
      events.add("[DONE]");
      StringBuilder sb = new StringBuilder();
      for (String e : events) {
        sb.append("data: ").append(e).append("\n\n");
      }
      return sse(sb.toString(), events.size());
    }

    private static ObjectNode base(String id, String model) {
      ObjectNode c = JSON.createObjectNode();
      c.put("id", id);
      c.put("object", "chat.completion.chunk");
      c.put("created", 1694268190L);
      c.put("model", snapshot(model));
      c.put("system_fingerprint", "fp_demo");
      return c;
    }

    private static String chunk(
        String id, String model, ObjectNode delta, @Nullable String finish) {
      ObjectNode c = base(id, model);
      ObjectNode choice = c.putArray("choices").addObject();
      choice.put("index", 0);
      choice.set("delta", delta);
      choice.putNull("logprobs");
      if (finish == null) {
        choice.putNull("finish_reason");
      } else {
        choice.put("finish_reason", finish);
      }
      c.putNull("usage");
      return c.toString();
    }

    private static ObjectNode delta(String... kv) {
      ObjectNode d = JSON.createObjectNode();
      for (int i = 0; i < kv.length; i += 2) {
        d.put(kv[i], kv[i + 1]);
      }
      return d;
    }

    private ResponseDefinition anthropicJson(String model, Usage u, String text) {
      ObjectNode root = JSON.createObjectNode();
      root.put("id", "msg_demo" + ids.incrementAndGet());
      root.put("type", "message");
      root.put("role", "assistant");
      root.put("model", snapshot(model));
      ArrayNode content = root.putArray("content");
      content.addObject().put("type", "text").put("text", text);
      root.put("stop_reason", "end_turn");
      root.putNull("stop_sequence");
      ObjectNode usage = anthropicUsage(u, u.output);
      usage.put("service_tier", "standard");
      root.set("usage", usage);
      return json(root);
    }

    private static ObjectNode anthropicUsage(Usage u, long output) {
      ObjectNode usage = JSON.createObjectNode();
      usage.put("input_tokens", u.input - u.cacheRead - u.cacheWrite);
      usage.put("cache_creation_input_tokens", u.cacheWrite);
      usage.put("cache_read_input_tokens", u.cacheRead);
      usage
          .putObject("cache_creation")
          .put("ephemeral_5m_input_tokens", u.cacheWrite)
          .put("ephemeral_1h_input_tokens", 0);
      usage.put("output_tokens", output);
      return usage;
    }

    private ResponseDefinition anthropicStream(String model, Usage u, String text) {
      String id = "msg_demo" + ids.incrementAndGet();
      StringBuilder sb = new StringBuilder();
      ObjectNode start = JSON.createObjectNode();
      start.put("type", "message_start");
      ObjectNode msg = start.putObject("message");
      msg.put("id", id);
      msg.put("type", "message");
      msg.put("role", "assistant");
      msg.putArray("content");
      msg.put("model", snapshot(model));
      msg.putNull("stop_reason");
      msg.putNull("stop_sequence");
      msg.set("usage", anthropicUsage(u, 1));
      event(sb, "message_start", start.toString());
      event(
          sb,
          "content_block_start",
          "{\"type\":\"content_block_start\",\"index\":0,"
              + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
      int n = 0;
      for (String piece : pieces(text)) {
        ObjectNode d = JSON.createObjectNode();
        d.put("type", "content_block_delta");
        d.put("index", 0);
        d.putObject("delta").put("type", "text_delta").put("text", piece);
        event(sb, "content_block_delta", d.toString());
        n++;
      }
      event(sb, "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
      ObjectNode end = JSON.createObjectNode();
      end.put("type", "message_delta");
      end.putObject("delta").put("stop_reason", "end_turn").putNull("stop_sequence");
      end.putObject("usage").put("output_tokens", u.output);
      event(sb, "message_delta", end.toString());
      event(sb, "message_stop", "{\"type\":\"message_stop\"}");
      return sse(sb.toString(), n + 5);
    }

    private static void event(StringBuilder sb, String name, String data) {
      sb.append("event: ").append(name).append('\n').append("data: ").append(data).append("\n\n");
    }

    private static List<String> pieces(String text) {
      List<String> out = new ArrayList<>();
      int step = Math.max(8, text.length() / 12);
      for (int i = 0; i < text.length(); i += step) {
        out.add(text.substring(i, Math.min(text.length(), i + step)));
      }
      return out;
    }

    private static ResponseDefinition json(ObjectNode root) {
      return ResponseDefinitionBuilder.responseDefinition()
          .withStatus(200)
          .withHeader("content-type", "application/json")
          .withBody(root.toString().getBytes(StandardCharsets.UTF_8))
          .build();
    }

    /** A stream sent in pieces over about 60 ms, as a provider sends tokens as they come. */
    private static ResponseDefinition sse(String body, int events) {
      return ResponseDefinitionBuilder.responseDefinition()
          .withStatus(200)
          .withHeader("content-type", "text/event-stream")
          .withHeader("cache-control", "no-cache")
          .withBody(body.getBytes(StandardCharsets.UTF_8))
          .withChunkedDribbleDelay(Math.min(events, 16), 60)
          .build();
    }

    /** The dated snapshot a provider answers with for an alias, as the real APIs do. */
    private static String snapshot(String model) {
      switch (model) {
        case "gpt-4o":
          return "gpt-4o-2024-08-06";
        case "gpt-4o-mini":
          return "gpt-4o-mini-2024-07-18";
        case "claude-sonnet-4-5":
          return "claude-sonnet-4-5-20250929";
        case "claude-haiku-4-5":
          return "claude-haiku-4-5-20251001";
        default:
          return model;
      }
    }
  }

  /** Usage of one fake call; {@code input} counts every input token, cached or not. */
  private record Usage(
      long input, long cacheRead, long cacheWrite, long output, SplittableRandom random) {}
}
