package dev.attribution.examples.spring;

import com.openai.client.OpenAIClient;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.util.concurrent.CompletableFuture;
import org.springframework.scheduling.annotation.Async;
import org.springframework.stereotype.Service;

/** Background summaries: runs on Spring's task executor, which the starter decorates. */
@Service
public class Summaries {

  private final OpenAIClient openAi;

  /** Creates the service; Spring calls it. */
  public Summaries(OpenAIClient openAi) {
    this.openAi = openAi;
  }

  /** Summarises {@code ticket} with gpt-4o-mini on another thread. */
  @Async
  public CompletableFuture<String> summarise(String ticket) {
    ChatCompletionCreateParams params =
        ChatCompletionCreateParams.builder()
            .model("gpt-4o-mini")
            .maxCompletionTokens(64)
            .addUserMessage("Summarise: " + ticket)
            .build();
    return CompletableFuture.completedFuture(
        openAi.chat().completions().create(params).choices().get(0).message().content().orElse(""));
  }
}
