package dev.attribution.core.internal.provider;

import org.jspecify.annotations.Nullable;

/**
 * A recognised LLM endpoint: provider, the dialect that reads it, and what the URL itself says.
 *
 * @param provider provider id (see {@link Providers})
 * @param dialect the wire shape, which reads its requests, responses and streams
 * @param operation the operation recorded in {@code UsageRecord.operation()}, e.g. {@code chat}
 * @param modelInPath the model or deployment named in the path (Gemini, Azure deployments), or
 *     {@code null}
 * @param streamingByPath whether the path alone asks for a stream (Gemini {@code
 *     :streamGenerateContent})
 */
public record Endpoint(
    String provider,
    ProviderDialect dialect,
    String operation,
    @Nullable String modelInPath,
    boolean streamingByPath) {}
