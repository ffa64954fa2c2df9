package dev.attribution.aws;

import dev.attribution.contract.Exchange;
import dev.attribution.contract.Loopback;
import dev.attribution.contract.TransportContractTest;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.Message;

/**
 * The transport contract for the AWS SDK v2 Bedrock Runtime clients: the real {@code
 * BedrockRuntimeClient} (Apache HTTP) for Converse and InvokeModel, and the real {@code
 * BedrockRuntimeAsyncClient} (Netty) for ConverseStream and InvokeModelWithResponseStream, which
 * the sync client cannot make. Both sign with SigV4 (static credentials whose access key id is
 * {@link Exchange#API_KEY}), have their retries off (the contract's error exchange is one attempt)
 * and reach the loopback by {@code endpointOverride}. Only the Bedrock exchanges are spoken.
 */
class AwsTransportContractTest extends TransportContractTest {

  private static final SdkEventLoopGroup LOOP =
      SdkEventLoopGroup.builder().numberOfThreads(1).build();

  @AfterAll
  static void stopLoop() {
    LOOP.eventLoopGroup().shutdownGracefully();
  }

  @Override
  protected boolean speaks(Exchange e) {
    return e.provider().equals("aws.bedrock");
  }

  /** The loopback endpoint, SigV4 with static credentials, no retries, the interceptor. */
  private static <B extends AwsClientBuilder<B, ?>> B toLoopback(B builder, Loopback h) {
    return builder
        .endpointOverride(URI.create(h.baseUrl()))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(Exchange.API_KEY, BedrockSdkTest.SECRET)))
        .overrideConfiguration(
            c ->
                c.retryStrategy(AwsRetryStrategy.doNotRetry())
                    .addExecutionInterceptor(AwsAttribution.interceptor(h.engine)));
  }

  @Override
  protected void perform(Loopback h, Exchange e) throws Exception {
    String path = e.path();
    String operation = path.substring(path.lastIndexOf('/') + 1);
    String body = e.requests().get(0).body();
    switch (operation) {
      case "converse":
      case "invoke":
        try (BedrockRuntimeClient client = toLoopback(BedrockRuntimeClient.builder(), h).build()) {
          if (operation.equals("converse")) {
            client.converse(
                b -> b.modelId(e.model()).messages(hello()).inferenceConfig(c -> c.maxTokens(512)));
          } else {
            client.invokeModel(
                b ->
                    b.modelId(e.model())
                        .contentType("application/json")
                        .body(SdkBytes.fromUtf8String(body)));
          }
        }
        break;
      default:
        try (BedrockRuntimeAsyncClient async =
            toLoopback(BedrockRuntimeAsyncClient.builder(), h)
                .httpClientBuilder(
                    NettyNioAsyncHttpClient.builder()
                        .protocol(Protocol.HTTP1_1)
                        .eventLoopGroup(LOOP))
                .build()) {
          CompletableFuture<Void> done;
          if (operation.equals("converse-stream")) {
            done =
                async.converseStream(
                    b ->
                        b.modelId(e.model())
                            .messages(hello())
                            .inferenceConfig(c -> c.maxTokens(512)),
                    ConverseStreamResponseHandler.builder()
                        .subscriber(ConverseStreamResponseHandler.Visitor.builder().build())
                        .build());
          } else {
            done =
                async.invokeModelWithResponseStream(
                    b ->
                        b.modelId(e.model())
                            .contentType("application/json")
                            .body(SdkBytes.fromUtf8String(body)),
                    InvokeModelWithResponseStreamResponseHandler.builder()
                        .subscriber(
                            InvokeModelWithResponseStreamResponseHandler.Visitor.builder().build())
                        .build());
          }
          try {
            done.get(10, TimeUnit.SECONDS);
          } catch (ExecutionException x) {
            // The SDK's exception, as a sync call would throw it.
            throw x.getCause() instanceof RuntimeException ? (RuntimeException) x.getCause() : x;
          }
        }
    }
  }

  private static Message hello() {
    return Message.builder()
        .role(ConversationRole.USER)
        .content(ContentBlock.fromText("Hello"))
        .build();
  }
}
