package dev.attribution.core.internal.provider;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.attribution.api.TokenUsage;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * AWS Bedrock Runtime, {@code /model/<modelId>/converse}, {@code /converse-stream}, {@code /invoke}
 * and {@code /invoke-with-response-stream}: the model named (URL-encoded, with its region prefix
 * and version suffix, e.g. {@code us.anthropic.claude-sonnet-4-5-20250929-v1:0}) in the path; the
 * output cap in Converse's {@code inferenceConfig.maxTokens} or the model family's own body ({@code
 * max_tokens} for Anthropic, {@code inferenceConfig.max_new_tokens} for Amazon Nova); usage in
 * {@code usage} as Converse and Nova report it ({@code inputTokens}, {@code outputTokens}, {@code
 * cacheReadInputTokens}/{@code cacheReadInputTokenCount}, {@code cacheWriteInputTokens}/ {@code
 * cacheWriteInputTokenCount}, cache reads and writes beside the input tokens) or as the Anthropic
 * body reports it, or as Meta Llama reports it ({@code prompt_token_count}, {@code
 * generation_token_count}); streams framed as AWS event streams ({@code
 * application/vnd.amazon.eventstream}, binary, not server-sent events), read by {@link
 * EventStreamReader}: ConverseStream's {@code metadata} event carries the usage, {@code
 * messageStop} ends it, and InvokeModelWithResponseStream's {@code chunk} events carry the model's
 * own events base64-encoded. Requests are signed with SigV4; the engine never rewrites a signed
 * request, so a downgrade must be applied before signing (the AWS SDK adapter does it in {@code
 * modifyHttpRequest}).
 */
public final class BedrockDialect implements ProviderDialect {

  /** The operation recorded for Converse and ConverseStream. */
  public static final String CONVERSE = "converse";

  /** The operation recorded for InvokeModel and InvokeModelWithResponseStream. */
  public static final String INVOKE = "invoke";

  /** What the last chunk of every InvokeModelWithResponseStream carries, whatever the model. */
  private static final String INVOCATION_METRICS = "amazon-bedrock-invocationMetrics";

  /** The dialect; it has no settings. */
  public BedrockDialect() {}

  @Override
  public String name() {
    return "bedrock";
  }

  /** {@code bedrock-runtime.<region>.amazonaws.com} and its FIPS twin. */
  @Override
  public @Nullable String providerOf(String host) {
    return (host.startsWith("bedrock-runtime.") || host.startsWith("bedrock-runtime-fips."))
            && (host.endsWith(".amazonaws.com") || host.endsWith(".amazonaws.com.cn"))
        ? Providers.BEDROCK
        : null;
  }

  @Override
  public @Nullable Endpoint recognize(String provider, String path) {
    int m = path.indexOf("/model/");
    if (m < 0) {
      return null;
    }
    int slash = path.indexOf('/', m + 7);
    if (slash <= m + 7) {
      return null;
    }
    String verb = path.substring(slash + 1);
    String model = URLDecoder.decode(path.substring(m + 7, slash), StandardCharsets.UTF_8);
    switch (verb) {
      case "converse":
        return new Endpoint(provider, this, CONVERSE, model, false);
      case "converse-stream":
        return new Endpoint(provider, this, CONVERSE, model, true);
      case "invoke":
        return new Endpoint(provider, this, INVOKE, model, false);
      case "invoke-with-response-stream":
        return new Endpoint(provider, this, INVOKE, model, true);
      default:
        return null;
    }
  }

  /** The model is named in the path: {@code /model/<modelId>/<operation>}. */
  @Override
  public @Nullable ModelEdit withModel(
      Endpoint endpoint, String path, byte @Nullable [] body, RequestFacts facts, String model) {
    int m = path.indexOf("/model/");
    int slash = m < 0 ? -1 : path.indexOf('/', m + 7);
    if (slash < 0) {
      return null;
    }
    String encoded = URLEncoder.encode(model, StandardCharsets.UTF_8);
    return new ModelEdit(null, path.substring(0, m + 7) + encoded + path.substring(slash));
  }

  @Override
  public String operationPath(Endpoint endpoint, String path) {
    int m = path.indexOf("/model/");
    return m >= 0 ? path.substring(m) : ProviderDialect.super.operationPath(endpoint, path);
  }

  @Override
  public boolean readRequestMember(
      String name, JsonToken v, RequestReader p, RequestParser.Facts facts) throws IOException {
    switch (name) {
      case "max_tokens": // Anthropic body
      case "max_gen_len": // Meta Llama body
        if (v == JsonToken.VALUE_NUMBER_INT) {
          facts.maxOutputTokens(p.getLongValue());
        }
        return false;
      case "inferenceConfig": // Converse, Amazon Nova
        if (v != JsonToken.START_OBJECT) {
          return false;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String n = p.currentName();
          JsonToken t = p.nextToken();
          if ((n.equals("maxTokens") || n.equals("max_new_tokens"))
              && t == JsonToken.VALUE_NUMBER_INT) {
            facts.maxOutputTokens(p.getLongValue());
          } else {
            p.skipChildren();
          }
        }
        return true;
      default:
        return false;
    }
  }

  @Override
  public ResponseMember responseMember(String name) {
    switch (name) {
      case "usage":
        return ResponseMember.USAGE;
      case INVOCATION_METRICS:
        // The last chunk of an InvokeModelWithResponseStream, whatever the model family.
        return ResponseMember.USAGE;
      case "prompt_token_count": // Meta Llama, beside the generation (and in its stream chunks)
      case "generation_token_count":
        return ResponseMember.USAGE_COUNT;
      case "message":
      case "Message":
        // Anthropic's message_start wraps the message; an error body's message is a string.
        return ResponseMember.MESSAGE;
      case "metadata": // Amazon Nova's stream chunk {"metadata":{"usage":...}}
      case "messageStop": // and {"messageStop":{"stopReason":...}}
        return ResponseMember.WRAPPER;
      case "model":
        return ResponseMember.MODEL;
      case "id":
        return ResponseMember.ID;
      case "type":
        return ResponseMember.TYPE;
      case "stopReason":
      case "stop_reason":
        return ResponseMember.TYPE;
      case "error":
        return ResponseMember.ERROR;
      default:
        return ResponseMember.SKIP;
    }
  }

  @Override
  public UsageTally newTally(Endpoint endpoint) {
    return new Tally();
  }

  @Override
  public StreamReader newStream(Endpoint endpoint) {
    return new EventStreamReader(endpoint);
  }

  /**
   * The error type of a failed call, from {@code x-amzn-ErrorType}: its value ({@code
   * ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/}) cut as the AWS SDKs
   * cut it, before the first {@code :} and after a {@code namespace#}.
   */
  @Override
  public @Nullable String errorType(java.util.function.Function<String, @Nullable String> headers) {
    String v = headers.apply("x-amzn-errortype");
    if (v == null) {
      return null;
    }
    int colon = v.indexOf(':');
    if (colon >= 0) {
      v = v.substring(0, colon);
    }
    int hash = v.indexOf('#');
    if (hash >= 0) {
      v = v.substring(hash + 1);
    }
    v = v.strip();
    return v.isEmpty() ? null : v;
  }

  /**
   * The counts Bedrock puts in an InvokeModel response's headers for every model family ({@code
   * x-amzn-bedrock-input-token-count}, {@code -output-token-count}, {@code
   * -cache-read-input-token-count}, {@code -cache-write-input-token-count}): the only usage of a
   * family whose body has none (Mistral, Cohere, AI21, Titan embeddings). A value that is not a
   * count (not a non-negative integer within the token bound) is ignored; without both a valid
   * input and a valid output count there is no usage (a cache count missing counts as none).
   */
  @Override
  public @Nullable TokenUsage usageFromHeaders(
      java.util.function.Function<String, @Nullable String> headers) {
    long in = headerCount(headers.apply("x-amzn-bedrock-input-token-count"));
    long out = headerCount(headers.apply("x-amzn-bedrock-output-token-count"));
    if (in < 0 || out < 0) {
      // Half a report is no report: a missing count priced as zero would under-charge silently.
      return null;
    }
    long read = headerCount(headers.apply("x-amzn-bedrock-cache-read-input-token-count"));
    long write = headerCount(headers.apply("x-amzn-bedrock-cache-write-input-token-count"));
    return TokenUsage.builder()
        // Each at most MAX_TOKENS: no overflow. Cache reads and writes beside the input, as in
        // Converse's usage.
        .inputTokens(in + Math.max(0, read) + Math.max(0, write))
        .cachedInputTokens(Math.max(0, read))
        .cacheWrite5mTokens(Math.max(0, write))
        .outputTokens(out)
        .build();
  }

  /** A header's token count, or -1 when absent or not a count. */
  private static long headerCount(@Nullable String v) {
    if (v == null) {
      return -1;
    }
    String t = v.strip();
    if (t.isEmpty() || t.length() > 12) {
      return -1;
    }
    long n = 0;
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n <= UsageAccumulator.MAX_TOKENS ? n : -1;
  }

  /**
   * Bedrock's error shape: {@code {"message": ...}} (the type travels in {@code x-amzn-ErrorType}).
   */
  @Override
  public String errorBody(String type, String message) {
    return "{\"message\":" + JsonTrees.quote(message) + ",\"__type\":\"" + type + "\"}";
  }

  /** SigV4 or a Bedrock API key, both in {@code Authorization}. */
  @Override
  public List<String> credentialHeaders() {
    return List.of("authorization");
  }

  /**
   * The access key id of a SigV4 signature (the signature itself changes with every request), or a
   * Bedrock API key sent as a bearer token.
   */
  @Override
  public @Nullable String keyOf(java.util.function.Function<String, @Nullable String> headers) {
    String auth = headers.apply("authorization");
    if (auth == null || auth.isBlank()) {
      return null;
    }
    auth = auth.trim();
    int c = auth.indexOf("Credential=");
    if (auth.startsWith("AWS4-") && c >= 0) {
      int end = auth.indexOf('/', c);
      return end > c + 11 ? auth.substring(c + 11, end) : null;
    }
    return auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim() : auth;
  }

  @Override
  public Map.Entry<String, String> credential(String provider, String key) {
    return Map.entry("Authorization", "Bearer " + key);
  }

  /**
   * Bedrock usage: the model's own report, from Converse and Nova ({@code inputTokens}, cache reads
   * and writes beside it), from Anthropic bodies ({@code input_tokens}, ...) and from Meta Llama's
   * {@code prompt_token_count}/{@code generation_token_count} (cumulative in a stream, the prompt
   * count on its first chunk only); else the invocation metrics of a stream's last chunk ({@code
   * inputTokenCount}, ...), which every family's stream ends with. When both are there the model's
   * own report is used whole and the metrics not at all: they count the same tokens once more, and
   * mixing the two per field could mix two ways of counting.
   */
  private static final class Tally extends UsageTally {
    private long input = -1;
    private long output = -1;
    private long cacheRead = -1;
    private long cacheWrite = -1;
    private long metricsInput = -1;
    private long metricsOutput = -1;
    private long metricsCacheRead = -1;
    private long metricsCacheWrite = -1;

    @Override
    protected void onUsage(String member, JsonNode u, UsageAccumulator acc) {
      switch (member) {
        case "prompt_token_count":
          input = pick(acc.count(u, member), input);
          return;
        case "generation_token_count":
          output = pick(acc.count(u, member), output);
          return;
        case INVOCATION_METRICS:
          metricsInput = pick(first(acc, u, "inputTokenCount"), metricsInput);
          metricsOutput = pick(first(acc, u, "outputTokenCount"), metricsOutput);
          metricsCacheRead = pick(first(acc, u, "cacheReadInputTokenCount"), metricsCacheRead);
          metricsCacheWrite = pick(first(acc, u, "cacheWriteInputTokenCount"), metricsCacheWrite);
          // Only the last chunk of a stream carries them: the stream reached its end.
          acc.complete();
          return;
        default:
          break;
      }
      input = pick(first(acc, u, "inputTokens", "input_tokens", "inputTokenCount"), input);
      output = pick(first(acc, u, "outputTokens", "output_tokens", "outputTokenCount"), output);
      cacheRead =
          pick(
              first(
                  acc,
                  u,
                  "cacheReadInputTokens",
                  "cacheReadInputTokenCount",
                  "cache_read_input_tokens"),
              cacheRead);
      cacheWrite =
          pick(
              first(
                  acc,
                  u,
                  "cacheWriteInputTokens",
                  "cacheWriteInputTokenCount",
                  "cache_creation_input_tokens"),
              cacheWrite);
    }

    private static long first(UsageAccumulator acc, JsonNode u, String... names) {
      for (String n : names) {
        if (u.has(n)) {
          return acc.count(u, n);
        }
      }
      return -1;
    }

    /**
     * A stop reason ends the answer: Converse's and Nova's {@code stopReason}, Anthropic's {@code
     * stop_reason} and {@code message_stop} event, Meta Llama's {@code stop}/{@code length}.
     */
    @Override
    protected void onType(String type, UsageAccumulator acc) {
      switch (type) {
        case "message_stop":
        case "end_turn":
        case "max_tokens":
        case "stop_sequence":
        case "tool_use":
        case "guardrail_intervened":
        case "content_filtered":
        case "model_context_window_exceeded":
        case "stop": // Meta Llama: finished
        case "length": // Meta Llama: cut at max_gen_len
          acc.complete();
          break;
        case "error":
          acc.failed();
          break;
        default:
          break;
      }
    }

    @Override
    protected TokenUsage usage() {
      boolean own = input >= 0 || output >= 0;
      long in = own ? input : metricsInput;
      long out = own ? output : metricsOutput;
      long read = own ? cacheRead : metricsCacheRead;
      long write = own ? cacheWrite : metricsCacheWrite;
      return TokenUsage.builder()
          .inputTokens(sum(in, read, write))
          .cachedInputTokens(z(read))
          .cacheWrite5mTokens(z(write))
          .outputTokens(z(out))
          .build();
    }
  }

  /**
   * Reads an AWS event stream ({@code application/vnd.amazon.eventstream}): frames of a 12-byte
   * prelude (total length, headers length, CRC), headers ({@code :event-type}, {@code
   * :message-type}), a JSON payload and a CRC. Frames are collected up to {@value #MAX_FRAME}
   * bytes; a larger or malformed frame is skipped. ConverseStream's {@code metadata} event carries
   * the usage and {@code messageStop} ends the stream; InvokeModelWithResponseStream's {@code
   * chunk} events carry the model's own event as base64 {@code bytes}.
   */
  static final class EventStreamReader implements StreamReader {
    static final int MAX_FRAME = 1 << 20;

    private final ProviderDialect dialect;
    private final UsageAccumulator acc;
    private byte[] frame = new byte[1024];
    private int have;
    private int skip;

    EventStreamReader(Endpoint endpoint) {
      this.dialect = endpoint.dialect();
      this.acc = new UsageAccumulator(endpoint);
    }

    @Override
    public void feed(byte[] buf, int off, int len) {
      try {
        int i = off;
        int end = off + len;
        while (i < end) {
          if (skip > 0) {
            int n = Math.min(skip, end - i);
            skip -= n;
            i += n;
            continue;
          }
          int want = have < 4 ? 4 - have : total() - have;
          int n = Math.min(want, end - i);
          ensure(have + n);
          System.arraycopy(buf, i, frame, have, n);
          have += n;
          i += n;
          if (have == 4) {
            int total = total();
            if (total < 16 || total > MAX_FRAME) {
              // Not a frame we can hold: skip what it says it is (or give up on garbage).
              skip = total < 16 ? Integer.MAX_VALUE : total - 4;
              have = 0;
              acc.invalid("eventstream_frame");
            }
          } else if (have >= 4 && have == total()) {
            frame(have);
            have = 0;
          }
        }
      } catch (RuntimeException e) {
        acc.invalid("eventstream");
        skip = Integer.MAX_VALUE;
      }
    }

    private int total() {
      return ((frame[0] & 0xff) << 24)
          | ((frame[1] & 0xff) << 16)
          | ((frame[2] & 0xff) << 8)
          | (frame[3] & 0xff);
    }

    private void ensure(int size) {
      if (frame.length < size) {
        frame = java.util.Arrays.copyOf(frame, Math.max(size, frame.length * 2));
      }
    }

    /** One complete frame in {@code frame[0..total)}. */
    private void frame(int total) {
      int headersLength =
          ((frame[4] & 0xff) << 24)
              | ((frame[5] & 0xff) << 16)
              | ((frame[6] & 0xff) << 8)
              | (frame[7] & 0xff);
      int h = 12;
      int headersEnd = h + headersLength;
      int payloadEnd = total - 4;
      if (headersLength < 0 || headersEnd > payloadEnd) {
        acc.invalid("eventstream_frame");
        return;
      }
      String eventType = null;
      String messageType = null;
      String errorMessage = null;
      while (h < headersEnd) {
        int nameLength = frame[h++] & 0xff;
        String name = new String(frame, h, nameLength, StandardCharsets.UTF_8);
        h += nameLength;
        int type = frame[h++];
        if (type != 7) {
          return; // only string headers appear in Bedrock's streams
        }
        int valueLength = ((frame[h] & 0xff) << 8) | (frame[h + 1] & 0xff);
        h += 2;
        String value = new String(frame, h, valueLength, StandardCharsets.UTF_8);
        h += valueLength;
        if (name.equals(":event-type")) {
          eventType = value;
        } else if (name.equals(":message-type")) {
          messageType = value;
        } else if ((name.equals(":exception-type") || name.equals(":error-code"))
            && eventType == null) {
          eventType = value;
        } else if (name.equals(":error-message")) {
          errorMessage = value;
        }
      }
      if ("exception".equals(messageType) || "error".equals(messageType)) {
        // An exception's message is in its payload ({"message": ...}); an error's in a header.
        acc.onError(eventType, null, errorMessage);
        try {
          ResponseParser.readEvent(frame, headersEnd, payloadEnd - headersEnd, dialect, acc);
        } catch (IOException | RuntimeException e) {
          // The type is recorded; the message is not to be had.
        }
        return;
      }
      try {
        if ("chunk".equals(eventType)) {
          chunk(headersEnd, payloadEnd - headersEnd);
        } else if ("metadata".equals(eventType)) {
          ResponseParser.readEvent(frame, headersEnd, payloadEnd - headersEnd, dialect, acc);
        } else if ("messageStop".equals(eventType)) {
          acc.complete();
        }
      } catch (IOException | RuntimeException e) {
        acc.invalid("eventstream_payload");
      }
    }

    /** {@code {"bytes":"<base64 of the model's own event>"}}. */
    private void chunk(int off, int len) throws IOException {
      try (JsonParser p = JsonTrees.JSON.createParser(frame, off, len)) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
          return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonToken t = p.nextToken();
          if (name.equals("bytes") && t == JsonToken.VALUE_STRING) {
            byte[] event = Base64.getDecoder().decode(p.getText());
            ResponseParser.readEvent(event, 0, event.length, dialect, acc);
            return;
          }
          p.skipChildren();
        }
      }
    }

    @Override
    public ParsedResponse finish() {
      return acc.result();
    }
  }
}
