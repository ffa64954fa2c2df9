package dev.attribution.spring.autoconfigure;

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionHeaders;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.ai.anthropic.AnthropicChatOptions;
import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisor;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisorChain;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.core.Ordered;
import org.springframework.util.ClassUtils;
import reactor.core.publisher.Flux;

/**
 * Carries the attribution context of a {@code ChatClient.stream()} call to the HTTP request as
 * {@code x-attribution-*} headers, which the interceptor reads and removes before the request
 * leaves the process.
 *
 * <p>Why headers and not context propagation: the OpenAI and Anthropic SDKs' async clients, which
 * Spring AI streams through, hand the HTTP call to {@code ForkJoinPool.commonPool()} ({@code
 * thenComposeAsync} without an executor) before Spring AI's OkHttp client sees it, so neither a
 * thread local nor Micrometer's context snapshot (which Spring AI's OkHttp dispatcher does take)
 * reaches the interceptor. The request's options are the one thing that crosses that hop.
 *
 * <p>The context is, in this order: the Reactor context's {@link
 * AttributionThreadLocalAccessor#KEY} (the WebFlux filter writes it), the subscribing thread's
 * scope, the scope of the thread that built the stream. Headers the application set itself on the
 * options are kept.
 */
final class AttributionStreamAdvisor implements StreamAdvisor {

  /** Adds headers to one provider's options; {@code null} when the options are not its own. */
  interface HeaderWriter {
    @Nullable ChatOptions withHeaders(ChatOptions options, Map<String, String> headers);
  }

  private final List<HeaderWriter> writers;

  AttributionStreamAdvisor(List<HeaderWriter> writers) {
    this.writers = List.copyOf(writers);
  }

  /** An advisor for the Spring AI providers on the class path. */
  static AttributionStreamAdvisor forClassPath(ClassLoader loader) {
    List<HeaderWriter> writers = new ArrayList<>();
    if (ClassUtils.isPresent("org.springframework.ai.openai.OpenAiChatOptions", loader)) {
      writers.add(new OpenAi());
    }
    if (ClassUtils.isPresent("org.springframework.ai.anthropic.AnthropicChatOptions", loader)) {
      writers.add(new Anthropic());
    }
    return new AttributionStreamAdvisor(writers);
  }

  @Override
  public String getName() {
    return "attribution";
  }

  /** Late in the chain, so advisors that replace the options run before it. */
  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE - 1000;
  }

  @Override
  public Flux<ChatClientResponse> adviseStream(
      ChatClientRequest request, StreamAdvisorChain chain) {
    AttributionContext assembled = Attribution.current();
    return Flux.deferContextual(
        view -> {
          AttributionContext context =
              view.getOrDefault(AttributionThreadLocalAccessor.KEY, null)
                      instanceof AttributionContext c
                  ? c
                  : Attribution.current();
          if (context.isEmpty()) {
            context = assembled;
          }
          return chain.nextStream(context.isEmpty() ? request : withHeaders(request, context));
        });
  }

  private ChatClientRequest withHeaders(ChatClientRequest request, AttributionContext context) {
    Prompt prompt = request.prompt();
    ChatOptions options = prompt.getOptions();
    if (options == null) {
      return request;
    }
    Map<String, String> headers = AttributionHeaders.toHeaders(context);
    for (HeaderWriter w : writers) {
      ChatOptions with = w.withHeaders(options, headers);
      if (with != null) {
        return request.mutate().prompt(prompt.mutate().chatOptions(with).build()).build();
      }
    }
    return request;
  }

  /** {@code ours} under {@code existing}: what the application set itself wins. */
  static Map<String, String> merged(
      Map<String, String> ours, @Nullable Map<String, String> existing) {
    Map<String, String> all = new LinkedHashMap<>(ours);
    if (existing != null) {
      all.putAll(existing);
    }
    return all;
  }

  /** Spring AI's OpenAI options: {@code customHeaders} become the request's headers. */
  static final class OpenAi implements HeaderWriter {
    @Override
    public @Nullable ChatOptions withHeaders(ChatOptions options, Map<String, String> headers) {
      if (!(options instanceof OpenAiChatOptions o)) {
        return null;
      }
      return o.mutate().customHeaders(merged(headers, o.getCustomHeaders())).build();
    }
  }

  /** Spring AI's Anthropic options: {@code httpHeaders} become the request's headers. */
  static final class Anthropic implements HeaderWriter {
    @Override
    public @Nullable ChatOptions withHeaders(ChatOptions options, Map<String, String> headers) {
      if (!(options instanceof AnthropicChatOptions o)) {
        return null;
      }
      return o.mutate().httpHeaders(merged(headers, o.getHttpHeaders())).build();
    }
  }
}
