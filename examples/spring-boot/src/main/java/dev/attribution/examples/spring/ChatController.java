package dev.attribution.examples.spring;

import com.openai.client.OpenAIClient;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.attribution.api.Attribution;
import dev.attribution.spring.autoconfigure.AttributionBudgets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** The help desk's endpoints; none of them knows about attribution except {@code /budget}. */
@RestController
public class ChatController {

  private final OpenAIClient openAi;
  private final Summaries summaries;
  private final AttributionBudgets budgets;

  /** Creates the controller; Spring calls it. */
  public ChatController(OpenAIClient openAi, Summaries summaries, AttributionBudgets budgets) {
    this.openAi = openAi;
    this.summaries = summaries;
    this.budgets = budgets;
  }

  /** Answers a question with gpt-4o-mini. */
  @PostMapping("/chat")
  public Map<String, String> chat(@RequestBody String question) {
    ChatCompletionCreateParams params =
        ChatCompletionCreateParams.builder()
            .model("gpt-4o-mini")
            .maxCompletionTokens(64)
            .addUserMessage(question)
            .build();
    String answer =
        openAi.chat().completions().create(params).choices().get(0).message().content().orElse("");
    return Map.of("answer", answer);
  }

  /** Summarises a ticket on a background thread ({@code @Async}), in the request's context. */
  @PostMapping("/summaries")
  public CompletableFuture<Map<String, String>> summarise(@RequestBody String ticket) {
    return summaries.summarise(ticket).thenApply(s -> Map.of("summary", s));
  }

  /** What is left of the caller's budgets, for the application's own pages. */
  @GetMapping("/budget")
  public List<AttributionBudgets.Remaining> budget() {
    return budgets.forContext(Attribution.current());
  }

  /**
   * A call a budget blocked comes back from the interceptor as the provider's own 429 (with a
   * {@code retry-after} when the budget's period end is known), which openai-java raises; the
   * caller is told when to try again.
   */
  @ExceptionHandler(RateLimitException.class)
  public ResponseEntity<Map<String, String>> overBudget(RateLimitException e) {
    ResponseEntity.BodyBuilder r = ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS);
    e.headers().values("retry-after").stream()
        .findFirst()
        .ifPresent(s -> r.header(HttpHeaders.RETRY_AFTER, s));
    return r.body(Map.of("error", "over budget"));
  }
}
