package dev.attribution.aws;

import static dev.attribution.aws.BedrockSdkTest.ACCESS_KEY;
import static dev.attribution.aws.BedrockSdkTest.ACME;
import static dev.attribution.aws.BedrockSdkTest.SECRET;
import static dev.attribution.aws.BedrockSdkTest.SONNET;
import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionScope;
import dev.attribution.api.CallStatus;
import dev.attribution.api.CostBreakdown;
import dev.attribution.api.TokenUsage;
import dev.attribution.api.UsageRecord;
import dev.attribution.contract.Loopback;
import dev.attribution.testing.EventStreams;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okio.Buffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockDeltaEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamOutput;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.Message;

/**
 * The real AWS SDK v2 Bedrock Runtime async client (on Netty, HTTP/1.1) against a loopback endpoint
 * with the interceptor installed: Converse, and the two event-stream operations whose bodies arrive
 * as a publisher ({@code application/vnd.amazon.eventstream} frames, CRCs included). Costs are
 * checked to the nano-dollar against the bundled catalog's {@code
 * us.anthropic.claude-sonnet-4-5-20250929-v1:0} row (per million: input 3.3, cache read 0.33, cache
 * write 4.125, output 16.5).
 */
class BedrockAsyncSdkTest {

  /** One event loop for every test's client, so closing a client does not wait for its own. */
  private static final SdkEventLoopGroup LOOP =
      SdkEventLoopGroup.builder().numberOfThreads(1).build();

  @AfterAll
  static void stopLoop() {
    LOOP.eventLoopGroup().shutdownGracefully();
  }

  private final Loopback h = new Loopback("aws.bedrock", b -> {});
  private final BedrockRuntimeAsyncClient async =
      BedrockRuntimeAsyncClient.builder()
          // The loopback speaks HTTP/1.1; Bedrock's own endpoint would negotiate HTTP/2.
          .httpClientBuilder(
              NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP1_1).eventLoopGroup(LOOP))
          .endpointOverride(URI.create(h.baseUrl()))
          .region(Region.US_EAST_1)
          .credentialsProvider(
              StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET)))
          .overrideConfiguration(
              c -> c.addExecutionInterceptor(AwsAttribution.interceptor(h.engine)))
          .build();

  @AfterEach
  void close() throws Exception {
    async.close();
    h.close();
  }

  private static Message hello() {
    return Message.builder()
        .role(ConversationRole.USER)
        .content(ContentBlock.fromText("Hello"))
        .build();
  }

  private static MockResponse eventStream(byte[] frames) {
    return new MockResponse()
        .setHeader("content-type", "application/vnd.amazon.eventstream")
        .setHeader("x-amzn-RequestId", "5d6a1e2c-0000-4000-8000-bedrock00002")
        .setBody(new Buffer().write(frames));
  }

  private static CostBreakdown cost(String input, String cached, String write, String output) {
    return CostBreakdown.builder()
        .input(new java.math.BigDecimal(input))
        .cachedInput(new java.math.BigDecimal(cached))
        .cacheWrite(new java.math.BigDecimal(write))
        .output(new java.math.BigDecimal(output))
        .build();
  }

  private static void assertCost(UsageRecord r, CostBreakdown expected) {
    assertThat(r.cost()).isNotNull();
    assertThat(r.cost().input()).isEqualByComparingTo(expected.input());
    assertThat(r.cost().cachedInput()).isEqualByComparingTo(expected.cachedInput());
    assertThat(r.cost().cacheWrite()).isEqualByComparingTo(expected.cacheWrite());
    assertThat(r.cost().output()).isEqualByComparingTo(expected.output());
    assertThat(r.cost().total()).isEqualByComparingTo(expected.total());
  }

  @Test
  void asyncConverseReadsTheUsageFromTheResponsePublisher() throws Exception {
    h.server.enqueue(BedrockSdkTest.json("bedrock-converse.json"));
    CompletableFuture<ConverseResponse> f;
    try (AttributionScope s = Attribution.open(ACME)) {
      f =
          async.converse(
              b -> b.modelId(SONNET).messages(hello()).inferenceConfig(c -> c.maxTokens(512)));
    }
    assertThat(f.get(10, TimeUnit.SECONDS).usage().outputTokens()).isEqualTo(9);
    UsageRecord r = h.onlyRecord();
    assertThat(r.context()).isEqualTo(ACME);
    assertThat(r.streaming()).isFalse();
    assertThat(r.usageEstimated()).isFalse();
    assertThat(r.usage()).isEqualTo(BedrockSdkTest.CONVERSE_USAGE);
    assertThat(r.status()).isEqualTo(CallStatus.OK);
    // 12 x 3.3 + 1024 x 0.33 + 1024 x 4.125 + 9 x 16.5 per million.
    assertCost(r, cost("0.0000396", "0.00033792", "0.004224", "0.0001485"));
  }

  @Test
  void converseStreamIsReadFromTheEventStreamsMetadataEvent() throws Exception {
    h.server.enqueue(
        eventStream(
            EventStreams.concat(
                EventStreams.event("messageStart", "{\"role\":\"assistant\"}"),
                EventStreams.event(
                    "contentBlockDelta",
                    "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hello\"}}"),
                EventStreams.event("contentBlockStop", "{\"contentBlockIndex\":0}"),
                EventStreams.event("messageStop", "{\"stopReason\":\"end_turn\"}"),
                EventStreams.event(
                    "metadata",
                    "{\"usage\":{\"inputTokens\":10,\"outputTokens\":20,\"totalTokens\":1054,"
                        + "\"cacheReadInputTokens\":1024},\"metrics\":{\"latencyMs\":100}}"))));
    StringBuilder text = new StringBuilder();
    ConverseStreamRequest req =
        ConverseStreamRequest.builder().modelId(SONNET).messages(hello()).build();
    ConverseStreamResponseHandler handler =
        ConverseStreamResponseHandler.builder()
            .subscriber(
                ConverseStreamResponseHandler.Visitor.builder()
                    .onContentBlockDelta(d -> text.append(d.delta().text()))
                    .build())
            .build();
    try (AttributionScope s = Attribution.open(ACME)) {
      async.converseStream(req, handler).get(10, TimeUnit.SECONDS);
    }
    assertThat(text.toString()).isEqualTo("Hello");
    UsageRecord r = h.onlyRecord();
    assertThat(r.streaming()).isTrue();
    assertThat(r.context()).isEqualTo(ACME);
    assertThat(r.operation()).isEqualTo("converse");
    assertThat(r.usageEstimated()).isFalse();
    assertThat(r.usage())
        .isEqualTo(
            TokenUsage.builder()
                .inputTokens(1034)
                .cachedInputTokens(1024)
                .outputTokens(20)
                .build());
    assertThat(r.status()).isEqualTo(CallStatus.OK);
    assertThat(r.providerRequestId()).isEqualTo("5d6a1e2c-0000-4000-8000-bedrock00002");
    // 10 x 3.3 + 1024 x 0.33 + 20 x 16.5 per million.
    assertCost(r, cost("0.000033", "0.00033792", "0", "0.00033"));
  }

  @Test
  void invokeModelWithResponseStreamReadsTheAnthropicEventsInsideTheChunks() throws Exception {
    // Anthropic's events in chunks; the last carries Bedrock's invocation metrics.
    StringBuilder events = new StringBuilder();
    UsageRecord r =
        invokeStream(
            SONNET,
            "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":1024,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}",
            EventStreams.fixture("bedrock-invoke-anthropic-stream.events"),
            events);
    assertThat(events.toString()).contains("\"text\":\"Hi there\"").contains("message_stop");
    assertThat(r.streaming()).isTrue();
    assertThat(r.operation()).isEqualTo("invoke");
    assertThat(r.context()).isEqualTo(ACME);
    assertThat(r.requestedModel()).isEqualTo(SONNET);
    assertThat(r.responseModel()).isEqualTo("claude-sonnet-4-5-20250929");
    assertThat(r.usageEstimated()).isFalse();
    assertThat(r.usage())
        .isEqualTo(
            TokenUsage.builder()
                .inputTokens(25 + 1024 + 512)
                .cachedInputTokens(1024)
                .cacheWrite5mTokens(512)
                .outputTokens(15)
                .build());
    assertThat(r.status()).isEqualTo(CallStatus.OK);
    // 25 x 3.3 + 1024 x 0.33 + 512 x 4.125 + 15 x 16.5 per million.
    assertCost(r, cost("0.0000825", "0.00033792", "0.002112", "0.0002475"));
  }

  @Test
  void aStreamTheAppCancelsMidwayIsRecordedOnceAsCancelled() throws Exception {
    byte[] head =
        EventStreams.concat(
            EventStreams.event("messageStart", "{\"role\":\"assistant\"}"),
            EventStreams.event(
                "contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hel\"}}"));
    byte[] tail =
        EventStreams.concat(
            EventStreams.event(
                "contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"lo\"}}"),
            EventStreams.event("messageStop", "{\"stopReason\":\"end_turn\"}"),
            EventStreams.event(
                "metadata",
                "{\"usage\":{\"inputTokens\":10,\"outputTokens\":20,\"totalTokens\":30}}"));
    // The head arrives at once; the rest only after the app has gone (it never sees it).
    h.server.enqueue(
        eventStream(EventStreams.concat(head, tail))
            .throttleBody(head.length, 2, TimeUnit.SECONDS));
    CountDownLatch cancelled = new CountDownLatch(1);
    StringBuilder text = new StringBuilder();
    ConverseStreamResponseHandler handler =
        ConverseStreamResponseHandler.builder()
            .onEventStream(
                publisher ->
                    publisher.subscribe(
                        new Subscriber<ConverseStreamOutput>() {
                          private Subscription subscription;

                          @Override
                          public void onSubscribe(Subscription s) {
                            subscription = s;
                            s.request(1);
                          }

                          @Override
                          public void onNext(ConverseStreamOutput event) {
                            if (event instanceof ContentBlockDeltaEvent) {
                              text.append(((ContentBlockDeltaEvent) event).delta().text());
                              subscription.cancel();
                              cancelled.countDown();
                            } else {
                              subscription.request(1);
                            }
                          }

                          @Override
                          public void onError(Throwable t) {}

                          @Override
                          public void onComplete() {}
                        }))
            .build();
    try (AttributionScope s = Attribution.open(ACME)) {
      async.converseStream(
          ConverseStreamRequest.builder().modelId(SONNET).messages(hello()).build(), handler);
    }
    assertThat(cancelled.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(text.toString()).isEqualTo("Hel");
    UsageRecord r = h.onlyRecord();
    assertThat(r.streaming()).isTrue();
    assertThat(r.context()).isEqualTo(ACME);
    assertThat(r.status()).isEqualTo(CallStatus.CANCELLED);
    // The metadata event never arrived: the usage is the engine's estimate, and says so.
    assertThat(r.usageEstimated()).isTrue();
    assertThat(r.usage().outputTokens()).isNotEqualTo(20);
    // Once: closing the client ends the connection the rest would have come on, and nothing more
    // is recorded for it.
    async.close();
    assertThat(h.records(1)).hasSize(1);
  }

  private UsageRecord invokeStream(String model, String body, byte[] frames, StringBuilder chunks)
      throws Exception {
    h.server.enqueue(eventStream(frames));
    InvokeModelWithResponseStreamRequest req =
        InvokeModelWithResponseStreamRequest.builder()
            .modelId(model)
            .contentType("application/json")
            .body(SdkBytes.fromUtf8String(body))
            .build();
    InvokeModelWithResponseStreamResponseHandler handler =
        InvokeModelWithResponseStreamResponseHandler.builder()
            .subscriber(
                InvokeModelWithResponseStreamResponseHandler.Visitor.builder()
                    .onChunk(p -> chunks.append(p.bytes().asUtf8String()).append('\n'))
                    .build())
            .build();
    try (AttributionScope s = Attribution.open(ACME)) {
      async.invokeModelWithResponseStream(req, handler).get(10, TimeUnit.SECONDS);
    }
    return h.onlyRecord();
  }

  @Test
  void aNovaStreamIsReadFromItsMetadataChunkOnce() throws Exception {
    StringBuilder chunks = new StringBuilder();
    UsageRecord nova =
        invokeStream(
            "us.amazon.nova-lite-v1:0",
            "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hi\"}]}]}",
            EventStreams.fixture("bedrock-invoke-nova-stream.events"),
            chunks);
    assertThat(chunks.toString()).contains("capital of France");
    assertThat(nova.usageEstimated()).isFalse();
    assertThat(nova.usage())
        .isEqualTo(
            TokenUsage.builder().inputTokens(1020).cachedInputTokens(1000).outputTokens(8).build());
    assertThat(nova.status()).isEqualTo(CallStatus.OK);
    assertThat(nova.cost().total()).isPositive();
  }

  @Test
  void aLlamaStreamIsReadFromItsChunksCounts() throws Exception {
    UsageRecord llama =
        invokeStream(
            "us.meta.llama3-1-405b-instruct-v1:0",
            "{\"prompt\":\"Hi\",\"max_gen_len\":256}",
            EventStreams.fixture("bedrock-invoke-llama-stream.events"),
            new StringBuilder());
    assertThat(llama.usageEstimated()).isFalse();
    assertThat(llama.usage()).isEqualTo(TokenUsage.of(18, 9));
    assertThat(llama.status()).isEqualTo(CallStatus.OK);
    // 18 x 5.32 + 9 x 16 per million.
    assertThat(llama.cost().total()).isEqualByComparingTo("0.00023976");
  }

  @Test
  void anExceptionFrameMidStreamIsRecordedWithItsTypeAndMessage() throws Exception {
    byte[] frames =
        EventStreams.concat(
            EventStreams.chunk("{\"messageStart\":{\"role\":\"assistant\"}}"),
            EventStreams.exception(
                "modelStreamErrorException", "{\"message\":\"The model stopped unexpectedly.\"}"));
    UsageRecord r;
    try {
      r =
          invokeStream(
              "us.amazon.nova-lite-v1:0",
              "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hi\"}]}]}",
              frames,
              new StringBuilder());
    } catch (java.util.concurrent.ExecutionException expected) {
      // The SDK fails the call with the stream's exception.
      r = h.onlyRecord();
    }
    assertThat(r.status()).isEqualTo(CallStatus.UPSTREAM_ERROR);
    assertThat(r.errorType()).isEqualTo("modelStreamErrorException");
    assertThat(r.errorMessage()).isEqualTo("The model stopped unexpectedly.");
  }
}
