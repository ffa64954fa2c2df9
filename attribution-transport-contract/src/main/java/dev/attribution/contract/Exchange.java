package dev.attribution.contract;

import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.core.AttributionEngine;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetPeriod;
import dev.attribution.core.budget.Threshold;
import dev.attribution.testing.EventStreams;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import okio.Buffer;

/**
 * The shared exchanges of the transport contract: a request the application makes, the answers the
 * loopback provider gives, and the budgets in force. Built on the provider fixtures of {@code
 * attribution-test-support}.
 *
 * <p>Bedrock exchanges name the model in the path ({@code /model/<id>/converse}, the id URL-encoded
 * as the AWS SDK sends it). A hand-rolled client authenticates with a Bedrock API key ({@code
 * Authorization: Bearer}, unsigned); an SDK signs with SigV4 using {@link #API_KEY} as its access
 * key id, so both give the key fingerprint of the same string. Streams are AWS event streams
 * ({@code application/vnd.amazon.eventstream}) framed from the {@code .events} fixtures by {@link
 * EventStreams#fixture}.
 */
public enum Exchange {
  /** OpenAI Chat Completions, one JSON answer. */
  OPENAI_CHAT(Kind.PLAIN, "openai", "/v1/chat/completions", Bodies.CHAT, "openai-chat.json"),
  /** OpenAI Chat Completions streamed (the engine adds {@code include_usage}). */
  OPENAI_CHAT_STREAM(
      Kind.PLAIN,
      "openai",
      "/v1/chat/completions",
      Bodies.CHAT.replace("\"gpt-4o\"", "\"gpt-4o-mini\",\"stream\":true"),
      "openai-chat-stream.sse"),
  /** OpenAI Responses. */
  OPENAI_RESPONSES(
      Kind.PLAIN,
      "openai",
      "/v1/responses",
      "{\"model\":\"gpt-4.1\",\"input\":\"hi\"}",
      "openai-responses.json"),
  /** OpenAI answering 429 with its error body. */
  OPENAI_ERROR_429(
      Kind.ERROR, "openai", "/v1/chat/completions", Bodies.CHAT, "openai-error-429.json"),
  /** An OpenAI call over its budget: answered locally, never sent. */
  OPENAI_BLOCKED(Kind.BLOCK, "openai", "/v1/chat/completions", Bodies.CHAT, "openai-chat.json"),
  /** An OpenAI call past its budget's downgrade threshold: sent as gpt-4o-mini. */
  OPENAI_DOWNGRADE(
      Kind.DOWNGRADE, "openai", "/v1/chat/completions", Bodies.CHAT, "openai-chat.json"),
  /** Anthropic Messages, one JSON answer. */
  ANTHROPIC_MESSAGES(
      Kind.PLAIN, "anthropic", "/v1/messages", Bodies.ANTHROPIC, "anthropic-messages.json"),
  /** Anthropic Messages streamed. */
  ANTHROPIC_STREAM(
      Kind.PLAIN,
      "anthropic",
      "/v1/messages",
      Bodies.ANTHROPIC.replace("\"max_tokens\"", "\"stream\":true,\"max_tokens\""),
      "anthropic-messages-stream.sse"),
  /** Anthropic overloaded (529) once, then answering: two attempts, two records. */
  ANTHROPIC_RETRY(
      Kind.RETRY, "anthropic", "/v1/messages", Bodies.ANTHROPIC, "anthropic-messages.json"),
  /** An Anthropic call over its budget. */
  ANTHROPIC_BLOCKED(
      Kind.BLOCK, "anthropic", "/v1/messages", Bodies.ANTHROPIC, "anthropic-messages.json"),
  /** An Anthropic call past its downgrade threshold: sent as claude-haiku-4-5. */
  ANTHROPIC_DOWNGRADE(
      Kind.DOWNGRADE, "anthropic", "/v1/messages", Bodies.ANTHROPIC, "anthropic-messages.json"),
  /** Gemini generateContent. */
  GEMINI_GENERATE(
      Kind.PLAIN,
      "gcp.gemini",
      "/v1beta/models/gemini-2.5-flash:generateContent",
      Bodies.GEMINI,
      "gemini-generate.json"),
  /** Gemini streamGenerateContent over server-sent events. */
  GEMINI_STREAM(
      Kind.PLAIN,
      "gcp.gemini",
      "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
      Bodies.GEMINI,
      "gemini-generate-stream.sse"),
  /** A Gemini call over its budget. */
  GEMINI_BLOCKED(
      Kind.BLOCK,
      "gcp.gemini",
      "/v1beta/models/gemini-2.5-flash:generateContent",
      Bodies.GEMINI,
      "gemini-generate.json"),
  /** Bedrock Converse, one JSON answer (cache reads and writes beside the input). */
  BEDROCK_CONVERSE(
      Kind.PLAIN,
      Bodies.BEDROCK,
      Bodies.bedrockPath(Bodies.SONNET, "converse"),
      Bodies.CONVERSE,
      "bedrock-converse.json"),
  /** Bedrock ConverseStream: an event stream whose {@code metadata} event carries the usage. */
  BEDROCK_CONVERSE_STREAM(
      Kind.PLAIN,
      Bodies.BEDROCK,
      Bodies.bedrockPath(Bodies.SONNET, "converse-stream"),
      Bodies.CONVERSE,
      "bedrock-converse-stream.events"),
  /** Bedrock InvokeModel with an Anthropic Messages body. */
  BEDROCK_INVOKE_ANTHROPIC(
      Kind.PLAIN,
      Bodies.BEDROCK,
      Bodies.bedrockPath(Bodies.SONNET, "invoke"),
      Bodies.BEDROCK_ANTHROPIC,
      "bedrock-invoke-anthropic.json"),
  /** Bedrock InvokeModel with a Meta Llama body: the counts stand beside the generation. */
  BEDROCK_INVOKE_LLAMA(
      Kind.PLAIN,
      Bodies.BEDROCK,
      Bodies.bedrockPath(Bodies.LLAMA, "invoke"),
      Bodies.BEDROCK_LLAMA,
      "bedrock-invoke-llama.json"),
  /** Bedrock InvokeModelWithResponseStream: Anthropic's events inside the {@code chunk} events. */
  BEDROCK_INVOKE_ANTHROPIC_STREAM(
      Kind.PLAIN,
      Bodies.BEDROCK,
      Bodies.bedrockPath(Bodies.SONNET, "invoke-with-response-stream"),
      Bodies.BEDROCK_ANTHROPIC,
      "bedrock-invoke-anthropic-stream.events"),
  /** Bedrock throttling: 429 with {@code x-amzn-ErrorType: ThrottlingException}. */
  BEDROCK_THROTTLED(
      Kind.ERROR,
      Bodies.BEDROCK,
      Bodies.bedrockPath(Bodies.SONNET, "converse"),
      Bodies.CONVERSE,
      "bedrock-error-throttling.json"),
  /** A Bedrock call over its budget: answered locally, never sent (nor signed). */
  BEDROCK_BLOCKED(
      Kind.BLOCK,
      Bodies.BEDROCK,
      Bodies.bedrockPath(Bodies.SONNET, "converse"),
      Bodies.CONVERSE,
      "bedrock-converse.json"),
  /** A Bedrock call past its downgrade threshold: sent to Claude Haiku's path instead. */
  BEDROCK_DOWNGRADE(
      Kind.DOWNGRADE,
      Bodies.BEDROCK,
      Bodies.bedrockPath(Bodies.SONNET, "converse"),
      Bodies.CONVERSE,
      "bedrock-converse.json");

  /** The API key every exchange authenticates with, in its provider's credential header. */
  public static final String API_KEY = "sk-contract-0123456789abcdef";

  /** What an exchange exercises. */
  public enum Kind {
    /** A call answered normally. */
    PLAIN,
    /** A call the provider answers with an error. */
    ERROR,
    /** A call the budget blocks before it leaves. */
    BLOCK,
    /** A call the budget downgrades to a cheaper model. */
    DOWNGRADE,
    /** A call answered with a retryable error once, then normally on the client's retry. */
    RETRY
  }

  /** One HTTP request of an exchange, as a hand-rolled client sends it. */
  public record Request(String path, String body, Map<String, String> headers) {}

  private final Kind kind;
  private final String provider;
  private final String path;
  private final String body;
  private final String fixture;

  Exchange(Kind kind, String provider, String path, String body, String fixture) {
    this.kind = kind;
    this.provider = provider;
    this.path = path;
    this.body = body;
    this.fixture = fixture;
  }

  /** What it exercises. */
  public Kind kind() {
    return kind;
  }

  /** The provider id the loopback answers as. */
  public String provider() {
    return provider;
  }

  /** The model the application asks for. */
  public String model() {
    switch (provider) {
      case "anthropic":
        return "claude-sonnet-4-5";
      case "gcp.gemini":
        return "gemini-2.5-flash";
      case Bodies.BEDROCK:
        return Bodies.bedrockModel(path);
      default:
        return body.contains("gpt-4o-mini")
            ? "gpt-4o-mini"
            : body.contains("gpt-4.1") ? "gpt-4.1" : "gpt-4o";
    }
  }

  /** The model a downgrade sends instead of {@link #model()}. */
  public String downgradedModel() {
    switch (provider) {
      case "anthropic":
        return "claude-haiku-4-5";
      case Bodies.BEDROCK:
        return Bodies.HAIKU;
      default:
        return "gpt-4o-mini";
    }
  }

  /**
   * What of {@code sent} names the model: the path for Bedrock (the model id URL-encoded in it),
   * the body for the others.
   */
  public String modelCarrier(RecordedRequest sent) {
    return provider.equals(Bodies.BEDROCK)
        ? String.valueOf(sent.getPath())
        : sent.getBody().clone().readString(StandardCharsets.UTF_8);
  }

  /** How {@code model} appears in {@link #modelCarrier}. */
  public String modelOnTheWire(String model) {
    return provider.equals(Bodies.BEDROCK)
        ? "/model/" + URLEncoder.encode(model, StandardCharsets.UTF_8) + "/"
        : '"' + model + '"';
  }

  /** Whether the application asks for a streamed answer. */
  public boolean streaming() {
    return fixture.endsWith(".sse") || fixture.endsWith(".events");
  }

  /** The path (and query) of the request. */
  public String path() {
    return path;
  }

  /**
   * The requests a hand-rolled client sends: one, or two for {@link Kind#RETRY}, the second
   * numbered as a retry ({@code x-stainless-retry-count: 1}) the way the provider SDKs number
   * theirs.
   */
  public List<Request> requests() {
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.put("content-type", "application/json");
    switch (provider) {
      case "anthropic":
        headers.put("x-api-key", API_KEY);
        headers.put("anthropic-version", "2023-06-01");
        break;
      case "gcp.gemini":
        headers.put("x-goog-api-key", API_KEY);
        break;
      case Bodies.BEDROCK:
        // A Bedrock API key: unsigned, so a hand-rolled client may be downgraded like any other.
        headers.put("authorization", "Bearer " + API_KEY);
        break;
      default:
        headers.put("authorization", "Bearer " + API_KEY);
    }
    List<Request> out = new ArrayList<>();
    out.add(new Request(path, body, Map.copyOf(headers)));
    if (kind == Kind.RETRY) {
      headers.put("x-stainless-retry-count", "1");
      out.add(new Request(path, body, Map.copyOf(headers)));
    }
    return out;
  }

  /** The answers the loopback gives, in order (none for a blocked call). */
  public List<MockResponse> answers() {
    List<MockResponse> out = new ArrayList<>();
    if (kind == Kind.BLOCK) {
      return out;
    }
    if (kind == Kind.RETRY) {
      out.add(
          new MockResponse()
              .setResponseCode(529)
              .setHeader("content-type", "application/json")
              .setHeader("retry-after-ms", "1")
              .setBody(Loopback.fixture("anthropic-error-529.json")));
    }
    MockResponse m = new MockResponse();
    if (fixture.endsWith(".events")) {
      m.setHeader("content-type", "application/vnd.amazon.eventstream")
          .setChunkedBody(new Buffer().write(EventStreams.fixture(fixture)), 97);
    } else if (streaming()) {
      m.setHeader("content-type", "text/event-stream; charset=utf-8")
          .setChunkedBody(Loopback.fixture(fixture), 97);
    } else {
      m.setHeader("content-type", "application/json").setBody(Loopback.fixture(fixture));
    }
    if (provider.equals("anthropic")) {
      m.setHeader("request-id", "req_011CSHoEeqs5C35K2UUqR7Fy");
    }
    if (provider.equals(Bodies.BEDROCK)) {
      m.setHeader("x-amzn-RequestId", "5d6a1e2c-7a3b-4f0e-9c1d-2b8e4f6a0c13");
      if (kind == Kind.ERROR) {
        m.setHeader(
            "x-amzn-ErrorType",
            "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/");
      }
    }
    if (kind == Kind.ERROR) {
      m.setResponseCode(429);
    }
    out.add(m);
    return out;
  }

  /** How many records the exchange gives. */
  public int records() {
    return kind == Kind.RETRY ? 2 : 1;
  }

  /** Adds the exchange's budgets to the engine. */
  public void configure(AttributionEngine.Builder b) {
    if (kind == Kind.BLOCK) {
      b.budget(
          BudgetDefinition.builder("tenant-daily")
              .each(ScopeDimension.TENANT)
              .limit("0.000001")
              .period(BudgetPeriod.calendarDay(ZoneOffset.UTC))
              .build());
    } else if (kind == Kind.DOWNGRADE) {
      b.budget(
          BudgetDefinition.builder("tenant-monthly")
              .each(ScopeDimension.TENANT)
              .limit("0.000001")
              .period(BudgetPeriod.calendarMonth(ZoneOffset.UTC))
              .thresholds(Threshold.downgradeAt(1), Threshold.blockAt(1_000_000_000))
              .downgrade(model(), downgradedModel())
              .build());
    }
  }

  private static final class Bodies {
    static final String CHAT =
        "{\"model\":\"gpt-4o\",\"max_tokens\":1024,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    static final String ANTHROPIC =
        "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1024,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello, Claude\"}]}";
    static final String GEMINI =
        "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}";

    static final String BEDROCK = "aws.bedrock";
    static final String SONNET = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
    static final String HAIKU = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
    static final String LLAMA = "us.meta.llama3-1-405b-instruct-v1:0";

    /** A Meta Llama body for InvokeModel. */
    static final String BEDROCK_LLAMA = "{\"prompt\":\"Hello\",\"max_gen_len\":256}";

    /** A Converse request as the AWS SDK marshals one. */
    static final String CONVERSE =
        "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hello\"}]}],"
            + "\"inferenceConfig\":{\"maxTokens\":512}}";

    /** An Anthropic Messages body for InvokeModel. */
    static final String BEDROCK_ANTHROPIC =
        "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":1024,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}";

    /** {@code /model/<id>/<operation>}, the id URL-encoded ({@code :} as {@code %3A}). */
    static String bedrockPath(String model, String operation) {
      return "/model/" + URLEncoder.encode(model, StandardCharsets.UTF_8) + "/" + operation;
    }

    static String bedrockModel(String path) {
      int start = path.indexOf("/model/") + 7;
      return URLDecoder.decode(
          path.substring(start, path.indexOf('/', start)), StandardCharsets.UTF_8);
    }
  }
}
