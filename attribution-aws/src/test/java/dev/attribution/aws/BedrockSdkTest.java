package dev.attribution.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionScope;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.CallStatus;
import dev.attribution.api.TokenUsage;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.contract.Loopback;
import dev.attribution.core.AttributionEngine;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetPeriod;
import dev.attribution.core.budget.Threshold;
import java.net.URI;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Consumer;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.Message;

/**
 * The real AWS SDK v2 Bedrock Runtime sync client (on Apache HTTP) against a loopback endpoint
 * ({@code endpointOverride}, static credentials), with the interceptor installed. The async client
 * and the streams are in {@link BedrockAsyncSdkTest}.
 */
class BedrockSdkTest {

  static final AttributionContext ACME =
      AttributionContext.builder().tenantId("acme").userId("u-1").feature("support-chat").build();

  static final String SONNET = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
  static final String HAIKU = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
  static final String NOVA = "amazon.nova-lite-v1:0";

  /** What {@code bedrock-converse.json} reports: cache reads and writes beside the input. */
  static final TokenUsage CONVERSE_USAGE =
      TokenUsage.builder()
          .inputTokens(12 + 1024 + 1024)
          .cachedInputTokens(1024)
          .cacheWrite5mTokens(1024)
          .outputTokens(9)
          .build();

  static final String ACCESS_KEY = "AKIDEXAMPLE1234567890";
  static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

  private Loopback h = new Loopback("aws.bedrock", b -> {});
  private BedrockRuntimeClient client = client(h);

  static BedrockRuntimeClient client(Loopback h) {
    return BedrockRuntimeClient.builder()
        .endpointOverride(URI.create(h.baseUrl()))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET)))
        .overrideConfiguration(c -> c.addExecutionInterceptor(AwsAttribution.interceptor(h.engine)))
        .build();
  }

  private void restart(Consumer<AttributionEngine.Builder> customize) throws Exception {
    client.close();
    h.close();
    h = new Loopback("aws.bedrock", customize);
    client = client(h);
  }

  @AfterEach
  void close() throws Exception {
    client.close();
    h.close();
  }

  static MockResponse json(String fixture) {
    return new MockResponse()
        .setHeader("content-type", "application/json")
        .setHeader("x-amzn-RequestId", "5d6a1e2c-0000-4000-8000-bedrock00001")
        .setBody(Loopback.fixture(fixture));
  }

  private ConverseResponse converse(String model) {
    return client.converse(
        b ->
            b.modelId(model)
                .messages(
                    Message.builder()
                        .role(ConversationRole.USER)
                        .content(ContentBlock.fromText("Hello"))
                        .build())
                .inferenceConfig(c -> c.maxTokens(512)));
  }

  @Test
  void converseIsAttributedFromTheThreadScopeWithCacheReadsAndWritesPriced() throws Exception {
    h.server.enqueue(json("bedrock-converse.json"));
    ConverseResponse resp;
    try (AttributionScope s = Attribution.open(ACME)) {
      resp = converse(SONNET);
    }
    assertThat(resp.usage().cacheReadInputTokens()).isEqualTo(1024);
    RecordedRequest sent = h.server.takeRequest();
    assertThat(sent.getPath()).isEqualTo("/model/" + SONNET.replace(":", "%3A") + "/converse");
    assertThat(sent.getHeader("authorization")).startsWith("AWS4-HMAC-SHA256 Credential=");

    UsageRecord r = h.onlyRecord();
    assertThat(r.context()).isEqualTo(ACME);
    assertThat(r.provider()).isEqualTo("aws.bedrock");
    assertThat(r.operation()).isEqualTo("converse");
    assertThat(r.requestedModel()).isEqualTo(SONNET);
    assertThat(r.usage()).isEqualTo(CONVERSE_USAGE);
    assertThat(r.status()).isEqualTo(CallStatus.OK);
    assertThat(r.providerRequestId()).isEqualTo("5d6a1e2c-0000-4000-8000-bedrock00001");
    assertThat(r.cost()).isNotNull();
    // 12 x 3.3 + 1024 x 0.33 + 1024 x 4.125 + 9 x 16.5 per million (the bundled catalog's row
    // for the us. inference profile).
    assertThat(r.cost().total()).isEqualByComparingTo("0.00475002");
    assertThat(r.toString()).doesNotContain(SECRET);
  }

  @Test
  void invokeModelIsReadForTheAnthropicAndTheNovaBodies() throws Exception {
    h.server.enqueue(json("bedrock-invoke-anthropic.json"));
    h.server.enqueue(json("bedrock-invoke-nova.json"));
    try (AttributionScope s = Attribution.open(ACME)) {
      client.invokeModel(
          b ->
              b.modelId(SONNET)
                  .contentType("application/json")
                  .body(
                      SdkBytes.fromUtf8String(
                          "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":1024,"
                              + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}")));
      client.invokeModel(
          b ->
              b.modelId(NOVA)
                  .contentType("application/json")
                  .body(
                      SdkBytes.fromUtf8String(
                          "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hi\"}]}],"
                              + "\"inferenceConfig\":{\"max_new_tokens\":300}}")));
    }
    List<UsageRecord> rs = h.records(2);
    assertThat(rs).hasSize(2);
    assertThat(rs.get(0).operation()).isEqualTo("invoke");
    assertThat(rs.get(0).usage()).isEqualTo(TokenUsage.of(2095, 503));
    assertThat(rs.get(0).cost().total()).isPositive();
    assertThat(rs.get(1).requestedModel()).isEqualTo(NOVA);
    assertThat(rs.get(1).usage()).isEqualTo(TokenUsage.of(5, 8));
    assertThat(rs.get(1).cost().total()).isPositive();
  }

  @Test
  void aBlockedCallFailsBeforeSigningAndNeverReachesTheNetwork() throws Exception {
    restart(
        b ->
            b.budget(
                BudgetDefinition.builder("tenant-daily")
                    .each(ScopeDimension.TENANT)
                    .limit("0.000001")
                    .period(BudgetPeriod.calendarDay(ZoneOffset.UTC))
                    .build()));
    try (AttributionScope s = Attribution.open(ACME)) {
      assertThatThrownBy(() -> converse(SONNET))
          .isInstanceOf(SdkClientException.class)
          .hasCauseInstanceOf(BudgetBlockedException.class);
    }
    assertThat(h.server.getRequestCount()).isZero();
    UsageRecord r = h.onlyRecord();
    assertThat(r.status()).isEqualTo(CallStatus.BLOCKED);
    assertThat(r.budgetAction()).isEqualTo(BudgetAction.BLOCK);
  }

  @Test
  void aDowngradeRewritesTheModelInThePathBeforeTheRequestIsSigned() throws Exception {
    restart(
        b ->
            b.budget(
                BudgetDefinition.builder("tenant-monthly")
                    .each(ScopeDimension.TENANT)
                    .limit("0.000001")
                    .period(BudgetPeriod.calendarMonth(ZoneOffset.UTC))
                    .thresholds(Threshold.downgradeAt(1), Threshold.blockAt(1_000_000_000))
                    .downgrade(SONNET, HAIKU)
                    .build()));
    h.server.enqueue(json("bedrock-converse.json"));
    try (AttributionScope s = Attribution.open(ACME)) {
      converse(SONNET);
    }
    RecordedRequest sent = h.server.takeRequest();
    assertThat(sent.getPath()).isEqualTo("/model/" + HAIKU.replace(":", "%3A") + "/converse");
    // Signed after the rewrite: the SDK signed the path it sent.
    assertThat(sent.getHeader("authorization")).startsWith("AWS4-HMAC-SHA256");
    UsageRecord r = h.onlyRecord();
    assertThat(r.budgetAction()).isEqualTo(BudgetAction.DOWNGRADE);
    assertThat(r.requestedModel()).isEqualTo(SONNET);
    assertThat(r.effectiveModel()).isEqualTo(HAIKU);
    assertThat(r.attributes()).doesNotContainKey("rewrite_skipped");
  }

  @Test
  void eachRetryOfTheSdkIsAnAttemptOfItsOwn() throws Exception {
    h.server.enqueue(
        new MockResponse()
            .setResponseCode(503)
            .setHeader("content-type", "application/json")
            .setHeader("x-amzn-ErrorType", "ServiceUnavailableException")
            .setBody("{\"message\":\"Service unavailable\"}"));
    h.server.enqueue(json("bedrock-converse.json"));
    try (AttributionScope s = Attribution.open(ACME)) {
      converse(SONNET);
    }
    List<UsageRecord> rs = h.records(2);
    assertThat(rs).hasSize(2);
    assertThat(rs.get(0).attempt()).isEqualTo(1);
    assertThat(rs.get(0).status()).isEqualTo(CallStatus.UPSTREAM_ERROR);
    assertThat(rs.get(0).httpStatus()).isEqualTo(503);
    assertThat(rs.get(1).attempt()).isEqualTo(2);
    assertThat(rs.get(1).status()).isEqualTo(CallStatus.OK);
    assertThat(rs.get(1).cost().total()).isPositive();
  }

  static final String LLAMA = "us.meta.llama3-1-405b-instruct-v1:0";

  @Test
  void invokeModelReadsTheMetaLlamaBodysTopLevelCounts() throws Exception {
    h.server.enqueue(json("bedrock-invoke-llama.json"));
    try (AttributionScope s = Attribution.open(ACME)) {
      client.invokeModel(
          b ->
              b.modelId(LLAMA)
                  .contentType("application/json")
                  .body(SdkBytes.fromUtf8String("{\"prompt\":\"Hi\",\"max_gen_len\":256}")));
    }
    UsageRecord r = h.onlyRecord();
    assertThat(r.requestedModel()).isEqualTo(LLAMA);
    assertThat(r.usage()).isEqualTo(TokenUsage.of(18, 9));
    assertThat(r.status()).isEqualTo(CallStatus.OK);
    assertThat(r.attributes()).doesNotContainKey("usage_invalid");
    // 18 x 5.32 + 9 x 16 per million (the bundled catalog's us. row).
    assertThat(r.cost().total()).isEqualByComparingTo("0.00023976");
  }

  static final String MISTRAL = "mistral.mistral-large-2402-v1:0";

  /**
   * Mistral's InvokeModel body has no counts; Bedrock reports them in the response headers for
   * every family, and they are the usage then (not an estimate). Where the body has its own, the
   * body's is used (the Llama test's headers below disagree on purpose).
   */
  @Test
  void invokeModelWithoutCountsInTheBodyTakesBedrocksHeaderCounts() throws Exception {
    h.server.enqueue(
        json("bedrock-invoke-mistral.json")
            .setHeader("X-Amzn-Bedrock-Input-Token-Count", "14")
            .setHeader("X-Amzn-Bedrock-Output-Token-Count", "9"));
    h.server.enqueue(
        json("bedrock-invoke-llama.json")
            .setHeader("X-Amzn-Bedrock-Input-Token-Count", "1000")
            .setHeader("X-Amzn-Bedrock-Output-Token-Count", "1000"));
    try (AttributionScope s = Attribution.open(ACME)) {
      client.invokeModel(
          b ->
              b.modelId(MISTRAL)
                  .contentType("application/json")
                  .body(
                      SdkBytes.fromUtf8String(
                          "{\"prompt\":\"<s>[INST] Capital of France? [/INST]\",\"max_tokens\":64}")));
      client.invokeModel(
          b ->
              b.modelId(LLAMA)
                  .contentType("application/json")
                  .body(SdkBytes.fromUtf8String("{\"prompt\":\"Hi\",\"max_gen_len\":256}")));
    }
    List<UsageRecord> rs = h.records(2);
    UsageRecord mistral = rs.get(0);
    assertThat(mistral.requestedModel()).isEqualTo(MISTRAL);
    assertThat(mistral.usage()).isEqualTo(TokenUsage.of(14, 9));
    assertThat(mistral.usageEstimated()).isFalse();
    assertThat(mistral.status()).isEqualTo(CallStatus.OK);
    assertThat(mistral.attributes()).doesNotContainKey("usage_invalid");
    // 14 x 8 + 9 x 24 per million (the bundled catalog's row).
    assertThat(mistral.cost().total()).isEqualByComparingTo("0.000328");
    assertThat(rs.get(1).usage()).as("the body's own counts win").isEqualTo(TokenUsage.of(18, 9));
  }

  private static MockResponse error(int status, String type, String body) {
    return new MockResponse()
        .setResponseCode(status)
        .setHeader("content-type", "application/json")
        .setHeader("x-amzn-ErrorType", type)
        .setBody(body);
  }

  @Test
  void throttlingAndValidationErrorsRecordTheHeadersTypeAndTheBodysMessage() throws Exception {
    client.close();
    client =
        BedrockRuntimeClient.builder()
            .endpointOverride(URI.create(h.baseUrl()))
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET)))
            .overrideConfiguration(
                c ->
                    c.retryStrategy(
                            software.amazon.awssdk.awscore.retry.AwsRetryStrategy.doNotRetry())
                        .addExecutionInterceptor(AwsAttribution.interceptor(h.engine)))
            .build();
    h.server.enqueue(
        error(
            429,
            "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/",
            Loopback.fixture("bedrock-error-throttling.json")));
    // A validation message that quotes the request: the quoted text is not kept.
    h.server.enqueue(
        error(
            400,
            "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/",
            "{\"message\":\"Malformed input request: string \\\"my secret prompt\\\" is"
                + " not valid\"}"));
    try (AttributionScope s = Attribution.open(ACME)) {
      assertThatThrownBy(() -> converse(SONNET))
          .isInstanceOf(
              software.amazon.awssdk.services.bedrockruntime.model.ThrottlingException.class);
      assertThatThrownBy(() -> converse(SONNET))
          .isInstanceOf(
              software.amazon.awssdk.services.bedrockruntime.model.ValidationException.class);
    }
    List<UsageRecord> rs = h.records(2);
    assertThat(rs).hasSize(2);
    UsageRecord throttled = rs.get(0);
    assertThat(throttled.status()).isEqualTo(CallStatus.UPSTREAM_ERROR);
    assertThat(throttled.httpStatus()).isEqualTo(429);
    assertThat(throttled.errorType()).isEqualTo("ThrottlingException");
    assertThat(throttled.errorMessage())
        .isEqualTo("Too many requests, please wait before trying again.");
    UsageRecord invalid = rs.get(1);
    assertThat(invalid.httpStatus()).isEqualTo(400);
    assertThat(invalid.errorType()).isEqualTo("ValidationException");
    assertThat(invalid.errorMessage())
        .startsWith("Malformed input request")
        .doesNotContain("secret");
  }
}
