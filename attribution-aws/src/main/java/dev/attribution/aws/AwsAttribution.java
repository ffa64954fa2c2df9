package dev.attribution.aws;

import dev.attribution.core.AttributionEngine;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Installs attribution on an AWS SDK for Java v2 client (Bedrock Runtime):
 *
 * <pre>{@code
 * BedrockRuntimeClient bedrock = BedrockRuntimeClient.builder()
 *     .overrideConfiguration(c -> c.addExecutionInterceptor(AwsAttribution.interceptor(engine)))
 *     .build();
 * }</pre>
 */
public final class AwsAttribution {

  private AwsAttribution() {}

  /**
   * The interceptor: per call it asks the engine in {@code modifyHttpRequest}, before the request
   * is signed (a block fails the call there, before any attempt; a downgrade rewrites the model in
   * the path, which is then signed), and reads the response as the SDK reads it (a JSON body
   * copied, bounded; an event stream fed to the engine). Each attempt of the SDK's retries is one
   * record.
   */
  public static ExecutionInterceptor interceptor(AttributionEngine engine) {
    return new AttributionExecutionInterceptor(engine);
  }
}
