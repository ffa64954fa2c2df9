/**
 * The transport SPI: what an adapter for an HTTP client implements to attribute the calls that
 * client makes. The OkHttp interceptor is one such adapter.
 *
 * <p>Per call an adapter builds a {@link dev.attribution.core.transport.CallRequest} from the
 * outgoing request and passes it to {@code AttributionEngine.begin}; the returned {@link
 * dev.attribution.core.transport.LlmCall} says whether to answer locally ({@link
 * dev.attribution.core.transport.LlmCall#blocked()}) or send a rewritten request ({@link
 * dev.attribution.core.transport.LlmCall#rewrite()}), and is then told what happened: the
 * response's status and headers, its body or stream bytes as the application reads them, the end of
 * the stream or the failure. Each call ends in exactly one usage record.
 */
@NullMarked
package dev.attribution.core.transport;

import org.jspecify.annotations.NullMarked;
