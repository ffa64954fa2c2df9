package dev.attribution.core;

import dev.attribution.core.internal.provider.Endpoint;
import dev.attribution.core.transport.BlockedResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The local answer to a blocked call: a 429 shaped like the provider's own errors, so the
 * application's SDK raises the error it already handles, and told not to retry.
 */
final class BlockedResponses {

  private BlockedResponses() {}

  /** The error type a block by {@code budgetName} carries, in the answer and in the record. */
  static String errorType(@Nullable String budgetName) {
    return BudgetEngineGate.LOOP_GUARD.equals(budgetName) ? "loop_detected" : "budget_exceeded";
  }

  /** The answer in {@code endpoint}'s error shape to a call {@code gate} blocked at {@code now}. */
  static BlockedResponse of(Endpoint endpoint, BudgetGate.Gate gate, Instant now) {
    String reason =
        gate.reason().isEmpty()
            ? "Budget " + gate.budgetName() + " is exhausted; the call was not sent."
            : gate.reason();
    String json = endpoint.dialect().errorBody(errorType(gate.budgetName()), reason);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("x-should-retry", "false");
    headers.put("x-attribution-blocked", gate.budgetName() == null ? "budget" : gate.budgetName());
    Instant retry = gate.retryAt();
    if (retry != null) {
      long secs = Math.max(1, Duration.between(now, retry).toSeconds());
      headers.put("retry-after", Long.toString(secs));
    }
    return new BlockedResponse(
        429,
        Map.copyOf(headers),
        "application/json",
        json.getBytes(StandardCharsets.UTF_8),
        reason);
  }
}
