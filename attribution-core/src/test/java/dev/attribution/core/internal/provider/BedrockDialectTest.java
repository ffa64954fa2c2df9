package dev.attribution.core.internal.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.TokenUsage;
import dev.attribution.testing.EventStreams;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bedrock Runtime as the default registry reads it: paths, model ids, usage, event streams. */
class BedrockDialectTest {

  private static final ProviderRegistry REGISTRY = ProviderRegistry.defaults();
  private static final String HOST = "bedrock-runtime.us-east-1.amazonaws.com";
  private static final String MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
  private static final String PATH = "/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0";

  private static Endpoint at(String path) {
    Endpoint e = REGISTRY.recognize(HOST, 443, path);
    assertThat(e).as(path).isNotNull();
    return e;
  }

  @Test
  void everyRuntimeOperationIsRecognisedWithTheDecodedModelIdFromThePath() {
    Endpoint converse = at(PATH + "/converse");
    assertThat(converse.provider()).isEqualTo(Providers.BEDROCK);
    assertThat(converse.operation()).isEqualTo(BedrockDialect.CONVERSE);
    assertThat(converse.modelInPath()).isEqualTo(MODEL);
    assertThat(converse.streamingByPath()).isFalse();
    assertThat(at(PATH + "/converse-stream").streamingByPath()).isTrue();
    assertThat(at(PATH + "/invoke").operation()).isEqualTo(BedrockDialect.INVOKE);
    assertThat(at(PATH + "/invoke-with-response-stream").streamingByPath()).isTrue();
    assertThat(REGISTRY.recognize(HOST, 443, PATH + "/unknown")).isNull();
    assertThat(REGISTRY.recognize("bedrock.us-east-1.amazonaws.com", 443, PATH + "/converse"))
        .as("the control plane is not the runtime")
        .isNull();
  }

  @Test
  void aDowngradeRewritesTheModelInThePathEncoded() throws Exception {
    Endpoint e = at(PATH + "/converse");
    ModelEdit edit =
        e.dialect()
            .withModel(
                e,
                PATH + "/converse",
                null,
                RequestParser.parse(e, "{}".getBytes(StandardCharsets.UTF_8)),
                "us.anthropic.claude-haiku-4-5-20251001-v1:0");
    assertThat(edit.path())
        .isEqualTo("/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/converse");
    assertThat(edit.body()).isNull();
  }

  @Test
  void converseUsageCountsCacheReadsAndWritesBesideTheInput() throws Exception {
    byte[] body = Fixtures.bytes("bedrock-converse.json");
    ParsedResponse r = ResponseParser.parse(at(PATH + "/converse"), body, body.length);
    assertThat(r.usage())
        .isEqualTo(
            TokenUsage.builder()
                .inputTokens(12 + 1024 + 1024)
                .cachedInputTokens(1024)
                .cacheWrite5mTokens(1024)
                .outputTokens(9)
                .build());
    assertThat(r.completed()).isTrue();
  }

  @Test
  void invokeModelReadsTheAnthropicAndTheNovaBodies() throws Exception {
    byte[] anthropic = Fixtures.bytes("bedrock-invoke-anthropic.json");
    ParsedResponse a = ResponseParser.parse(at(PATH + "/invoke"), anthropic, anthropic.length);
    assertThat(a.usage()).isEqualTo(TokenUsage.of(2095, 503));
    assertThat(a.responseModel()).isEqualTo("claude-sonnet-4-5-20250929");
    byte[] nova = Fixtures.bytes("bedrock-invoke-nova.json");
    ParsedResponse n =
        ResponseParser.parse(at("/model/amazon.nova-lite-v1%3A0/invoke"), nova, nova.length);
    assertThat(n.usage()).isEqualTo(TokenUsage.of(5, 8));
  }

  @Test
  void theConverseStreamsMetadataEventCarriesTheUsageHoweverTheBytesAreSplit() {
    byte[] stream =
        EventStreams.concat(
            EventStreams.event("messageStart", "{\"role\":\"assistant\"}"),
            EventStreams.event(
                "contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hello\"}}"),
            EventStreams.event("messageStop", "{\"stopReason\":\"end_turn\"}"),
            EventStreams.event(
                "metadata",
                "{\"usage\":{\"inputTokens\":10,\"outputTokens\":20,\"totalTokens\":1054,"
                    + "\"cacheReadInputTokens\":1024},\"metrics\":{\"latencyMs\":100}}"));
    for (int chunk : new int[] {1, 7, 64, stream.length}) {
      Endpoint e = at(PATH + "/converse-stream");
      StreamReader reader = e.dialect().newStream(e);
      for (int i = 0; i < stream.length; i += chunk) {
        reader.feed(stream, i, Math.min(chunk, stream.length - i));
      }
      ParsedResponse r = reader.finish();
      assertThat(r.usage())
          .as("chunks of %d bytes", chunk)
          .isEqualTo(
              TokenUsage.builder()
                  .inputTokens(1034)
                  .cachedInputTokens(1024)
                  .outputTokens(20)
                  .build());
      assertThat(r.completed()).isTrue();
      assertThat(r.usageInvalid()).isNull();
    }
  }

  @Test
  void invokeWithResponseStreamReadsTheModelsOwnEventsInsideTheChunks() {
    Base64.Encoder b64 = Base64.getEncoder();
    String start =
        "{\"type\":\"message_start\",\"message\":{\"model\":\"claude-sonnet-4-5-20250929\","
            + "\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}";
    String delta = "{\"type\":\"message_delta\",\"usage\":{\"output_tokens\":15}}";
    String stop = "{\"type\":\"message_stop\"}";
    byte[] stream = EventStreams.concat(chunk(b64, start), chunk(b64, delta), chunk(b64, stop));
    Endpoint e = at(PATH + "/invoke-with-response-stream");
    StreamReader reader = e.dialect().newStream(e);
    reader.feed(stream, 0, stream.length);
    ParsedResponse r = reader.finish();
    assertThat(r.usage()).isEqualTo(TokenUsage.of(25, 15));
    assertThat(r.completed()).isTrue();
  }

  private static byte[] chunk(Base64.Encoder b64, String event) {
    return EventStreams.event(
        "chunk",
        "{\"bytes\":\"" + b64.encodeToString(event.getBytes(StandardCharsets.UTF_8)) + "\"}");
  }

  @Test
  void anExceptionFrameIsTheCallsError() {
    byte[] stream = EventStreams.exception("throttlingException", "{\"message\":\"slow down\"}");
    Endpoint e = at(PATH + "/converse-stream");
    StreamReader reader = e.dialect().newStream(e);
    reader.feed(stream, 0, stream.length);
    assertThat(reader.finish().errorType()).isEqualTo("throttlingException");
  }

  @Test
  void theKeyOfASignedRequestIsItsAccessKeyIdNotTheSignature() {
    ProviderDialect d = new BedrockDialect();
    Map<String, String> signed =
        Map.of(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261205/us-east-1/bedrock/aws4_request,"
                + " SignedHeaders=host;x-amz-date, Signature=abc123");
    assertThat(d.keyOf(signed::get)).isEqualTo("AKIDEXAMPLE");
    assertThat(d.keyOf(Map.of("authorization", "Bearer ABSK-key")::get)).isEqualTo("ABSK-key");
  }

  @Test
  void theOutputCapIsReadFromConverseAndFromTheModelFamiliesBodies() throws Exception {
    Endpoint converse = at(PATH + "/converse");
    byte[] c =
        "{\"messages\":[],\"inferenceConfig\":{\"maxTokens\":512,\"temperature\":0.5}}"
            .getBytes(StandardCharsets.UTF_8);
    assertThat(RequestParser.parse(converse, c).maxOutputTokens()).isEqualTo(512);
    byte[] a =
        "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":300,\"messages\":[]}"
            .getBytes(StandardCharsets.UTF_8);
    RequestFacts facts = RequestParser.parse(at(PATH + "/invoke"), a);
    assertThat(facts.maxOutputTokens()).isEqualTo(300);
    assertThat(facts.model()).isEqualTo(MODEL);
  }

  private static ParsedResponse streamed(String path, byte[] stream) {
    Endpoint e = at(path);
    StreamReader reader = e.dialect().newStream(e);
    for (int i = 0; i < stream.length; i += 61) {
      reader.feed(stream, i, Math.min(61, stream.length - i));
    }
    return reader.finish();
  }

  @Test
  void novaInvokeStreamReadsTheUsageUnderMetadataOnceNotAgainFromTheMetrics() {
    ParsedResponse r =
        streamed(
            "/model/us.amazon.nova-lite-v1%3A0/invoke-with-response-stream",
            EventStreams.fixture("bedrock-invoke-nova-stream.events"));
    assertThat(r.usage())
        .isEqualTo(
            TokenUsage.builder().inputTokens(1020).cachedInputTokens(1000).outputTokens(8).build());
    assertThat(r.completed()).isTrue();
    assertThat(r.usageInvalid()).isNull();
  }

  @Test
  void novaMessageStopChunkEndsTheStream() {
    ParsedResponse r =
        streamed(
            "/model/amazon.nova-lite-v1%3A0/invoke-with-response-stream",
            EventStreams.chunk("{\"messageStop\":{\"stopReason\":\"max_tokens\"}}"));
    assertThat(r.completed()).isTrue();
  }

  @Test
  void llamaInvokeModelReadsTheTopLevelTokenCounts() throws Exception {
    byte[] body = Fixtures.bytes("bedrock-invoke-llama.json");
    ParsedResponse r =
        ResponseParser.parse(at("/model/meta.llama3-8b-instruct-v1%3A0/invoke"), body, body.length);
    assertThat(r.usage()).isEqualTo(TokenUsage.of(18, 9));
    assertThat(r.usageInvalid()).isNull();
  }

  @Test
  void llamaStreamCountsTheCumulativeGenerationOnceAndEndsOnItsStopReason() {
    ParsedResponse r =
        streamed(
            "/model/us.meta.llama3-3-70b-instruct-v1%3A0/invoke-with-response-stream",
            EventStreams.fixture("bedrock-invoke-llama-stream.events"));
    assertThat(r.usage()).isEqualTo(TokenUsage.of(18, 9));
    assertThat(r.completed()).isTrue();
    // Without the metrics chunk: the counts still, and "length" ends the stream.
    ParsedResponse cut =
        streamed(
            "/model/meta.llama3-8b-instruct-v1%3A0/invoke-with-response-stream",
            EventStreams.concat(
                EventStreams.chunk(
                    "{\"generation\":\"a\",\"prompt_token_count\":7,"
                        + "\"generation_token_count\":1,\"stop_reason\":null}"),
                EventStreams.chunk(
                    "{\"generation\":\"b\",\"prompt_token_count\":null,"
                        + "\"generation_token_count\":2,\"stop_reason\":\"length\"}")));
    assertThat(cut.usage()).isEqualTo(TokenUsage.of(7, 2));
    assertThat(cut.completed()).isTrue();
  }

  @Test
  void everyFamilysStreamEndingWithInvocationMetricsYieldsItsUsage() {
    String metrics =
        "\"amazon-bedrock-invocationMetrics\":{\"inputTokenCount\":13,\"outputTokenCount\":8,"
            + "\"invocationLatency\":500,\"firstByteLatency\":100}";
    Map<String, String> lastChunks =
        Map.of(
            "mistral.mistral-large-2402-v1%3A0",
            "{\"outputs\":[{\"text\":\".\",\"stop_reason\":\"stop\"}]," + metrics + "}",
            "cohere.command-r-v1%3A0",
            "{\"is_finished\":true,\"event_type\":\"stream-end\",\"finish_reason\":\"COMPLETE\","
                + metrics
                + "}",
            "amazon.titan-text-express-v1",
            "{\"outputText\":\"\",\"index\":0,\"totalOutputTextTokenCount\":8,"
                + "\"completionReason\":\"FINISH\",\"inputTextTokenCount\":13,"
                + metrics
                + "}");
    lastChunks.forEach(
        (model, last) -> {
          ParsedResponse r =
              streamed(
                  "/model/" + model + "/invoke-with-response-stream",
                  EventStreams.concat(
                      EventStreams.chunk("{\"outputs\":[{\"text\":\"Bon\"}]}"),
                      EventStreams.chunk(last)));
          assertThat(r.usage()).as(model).isEqualTo(TokenUsage.of(13, 8));
          assertThat(r.completed()).as(model).isTrue();
        });
  }

  @Test
  void theModelsOwnUsageIsPreferredToTheInvocationMetricsWhenTheyDiffer() {
    ParsedResponse r =
        streamed(
            PATH + "/invoke-with-response-stream",
            EventStreams.concat(
                EventStreams.chunk(
                    "{\"type\":\"message_start\",\"message\":{\"usage\":"
                        + "{\"input_tokens\":25,\"output_tokens\":1}}}"),
                EventStreams.chunk("{\"type\":\"message_delta\",\"usage\":{\"output_tokens\":15}}"),
                EventStreams.chunk(
                    "{\"type\":\"message_stop\",\"amazon-bedrock-invocationMetrics\":"
                        + "{\"inputTokenCount\":999,\"outputTokenCount\":999}}")));
    assertThat(r.usage()).isEqualTo(TokenUsage.of(25, 15));
  }

  @Test
  void anErrorBodysMessageIsReadAndTheTypeComesFromTheHeaderCutAsTheSdksCutIt() throws Exception {
    Endpoint e = at(PATH + "/converse");
    byte[] body = Fixtures.bytes("bedrock-error-throttling.json");
    ParsedResponse r = ResponseParser.parse(e, body, body.length);
    assertThat(r.errorMessage()).isEqualTo("Too many requests, please wait before trying again.");
    assertThat(r.errorType()).as("the body names no type").isNull();
    byte[] upper = "{\"Message\":\"Rate exceeded\"}".getBytes(StandardCharsets.UTF_8);
    assertThat(ResponseParser.parse(e, upper, upper.length).errorMessage())
        .isEqualTo("Rate exceeded");
    ProviderDialect d = e.dialect();
    assertThat(
            d.errorType(
                Map.of(
                        "x-amzn-errortype",
                        "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/")
                    ::get))
        .isEqualTo("ThrottlingException");
    assertThat(
            d.errorType(
                Map.of("x-amzn-errortype", "com.amazon.coral.validate#ValidationException")::get))
        .isEqualTo("ValidationException");
    assertThat(d.errorType(Map.<String, String>of()::get)).isNull();
  }

  @Test
  void anExceptionFramesMessageIsTheCallsErrorMessage() {
    ParsedResponse r =
        streamed(
            PATH + "/converse-stream",
            EventStreams.concat(
                EventStreams.event("messageStart", "{\"role\":\"assistant\"}"),
                EventStreams.exception(
                    "modelStreamErrorException", "{\"message\":\"The model failed.\"}")));
    assertThat(r.errorType()).isEqualTo("modelStreamErrorException");
    assertThat(r.errorMessage()).isEqualTo("The model failed.");
  }

  @Test
  void invokeModelHeadersGiveUsageAndOnlyValidCountsAreTaken() {
    BedrockDialect d = new BedrockDialect();
    java.util.Map<String, String> h = new java.util.HashMap<>();
    assertThat(d.usageFromHeaders(h::get)).as("no headers, no usage").isNull();
    h.put("x-amzn-bedrock-input-token-count", "120");
    h.put("x-amzn-bedrock-output-token-count", " 45 ");
    h.put("x-amzn-bedrock-cache-read-input-token-count", "30");
    h.put("x-amzn-bedrock-cache-write-input-token-count", "10");
    dev.attribution.api.TokenUsage u = d.usageFromHeaders(h::get);
    assertThat(u).isNotNull();
    // Cache reads and writes beside the input, as in Converse's usage.
    assertThat(u.inputTokens()).isEqualTo(160);
    assertThat(u.cachedInputTokens()).isEqualTo(30);
    assertThat(u.cacheWrite5mTokens()).isEqualTo(10);
    assertThat(u.outputTokens()).isEqualTo(45);
    for (String bad : new String[] {"-1", "1e3", "12.0", "", "0x10", "999999999999", "100000001"}) {
      h.put("x-amzn-bedrock-input-token-count", bad);
      h.put("x-amzn-bedrock-output-token-count", bad);
      assertThat(d.usageFromHeaders(h::get)).as(bad).isNull();
    }
    h.put("x-amzn-bedrock-output-token-count", "7");
    assertThat(d.usageFromHeaders(h::get))
        .as("an invalid input count beside a valid output count: half a report is none")
        .isNull();
    h.remove("x-amzn-bedrock-input-token-count");
    assertThat(d.usageFromHeaders(h::get)).as("a missing input count: none").isNull();
  }
}
