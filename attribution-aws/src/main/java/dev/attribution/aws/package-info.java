/**
 * Attribution for the AWS SDK for Java v2's Bedrock Runtime client: {@link
 * dev.attribution.aws.AwsAttribution#interceptor} is an {@code ExecutionInterceptor} that asks the
 * engine before the request is signed and tees the response as the SDK reads it.
 */
@NullMarked
package dev.attribution.aws;

import org.jspecify.annotations.NullMarked;
