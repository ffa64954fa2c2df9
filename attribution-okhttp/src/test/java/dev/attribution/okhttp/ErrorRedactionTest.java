package dev.attribution.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.CallStatus;
import dev.attribution.api.UsageRecord;
import dev.attribution.core.internal.provider.Providers;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.mockwebserver.MockResponse;
import org.junit.jupiter.api.Test;

/**
 * Provider error bodies echo the request. The record (and so the spool, the database and the
 * OpenTelemetry event built from it) keeps the error type and a bounded message without the echo.
 */
class ErrorRedactionTest {

  private static final String PROMPT = "my diagnosis is hypertension";
  private static final String KEY = "sk-proj-abcdEFGH1234ijklMNOP5678";
  private static final String GOOGLE_KEY = "AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStU";

  private static UsageRecord recordOf(String provider, String path, String errorBody)
      throws Exception {
    try (Harness h = new Harness(provider)) {
      OkHttpClient client =
          Harness.client().addInterceptor(AttributionOkHttp.interceptor(h.engine)).build();
      h.server.enqueue(
          new MockResponse()
              .setResponseCode(400)
              .setHeader("content-type", "application/json")
              .setBody(errorBody));
      Request req =
          new Request.Builder()
              .url(h.server.url(path))
              .post(
                  RequestBody.create(
                      "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\""
                          + PROMPT
                          + "\"}]}",
                      MediaType.get("application/json")))
              .build();
      try (Response r = client.newCall(req).execute()) {
        // The application still sees the provider's full answer.
        assertThat(r.body().string()).isEqualTo(errorBody);
      }
      UsageRecord r = h.onlyRecord();
      assertThat(r.status()).isEqualTo(CallStatus.UPSTREAM_ERROR);
      assertThat(r.toString()).doesNotContain(PROMPT).doesNotContain("hypertension");
      return r;
    }
  }

  @Test
  void anOpenAiValidationErrorKeepsItsTypeAndParameterButNotTheEchoedPromptOrKey()
      throws Exception {
    UsageRecord r =
        recordOf(
            Providers.OPENAI,
            "/v1/chat/completions",
            "{\"error\":{\"message\":\"Invalid value for 'messages[0].content': '"
                + PROMPT
                + "' is not valid. Incorrect API key provided: "
                + KEY
                + ".\",\"type\":\"invalid_request_error\",\"param\":\"messages\","
                + "\"code\":\"invalid_value\"}}");
    assertThat(r.errorType()).isEqualTo("invalid_request_error");
    assertThat(r.errorMessage())
        .startsWith("Invalid value for 'messages[0].content': '…' is not valid.")
        .doesNotContain(KEY)
        .doesNotContain("abcdEFGH")
        .contains("[redacted]");
  }

  @Test
  void aGeminiParseErrorDoesNotKeepTheRequestLineItRepeats() throws Exception {
    UsageRecord r =
        recordOf(
            Providers.GEMINI,
            "/v1beta/models/gemini-2.0-flash:generateContent",
            "{\"error\":{\"code\":400,\"message\":\"Invalid JSON payload received. Unexpected"
                + " token.\\n"
                + PROMPT
                + " key="
                + GOOGLE_KEY
                + "\\n^\",\"status\":\"INVALID_ARGUMENT\"}}");
    assertThat(r.errorType()).isEqualTo("INVALID_ARGUMENT");
    assertThat(r.errorMessage()).isEqualTo("Invalid JSON payload received. Unexpected token.");
  }

  @Test
  void anAnthropicErrorLosesQuotedContentAndAKeyTheAppSentInTheBody() throws Exception {
    UsageRecord r =
        recordOf(
            Providers.ANTHROPIC,
            "/v1/messages",
            "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":"
                + "\"messages.0.content: \\\""
                + PROMPT
                + "\\\" is too long; api_key="
                + GOOGLE_KEY
                + " and "
                + GOOGLE_KEY
                + " were ignored\"}}");
    assertThat(r.errorType()).isEqualTo("invalid_request_error");
    assertThat(r.errorMessage())
        .startsWith("messages.0.content: \"…\" is too long")
        .doesNotContain(GOOGLE_KEY)
        .doesNotContain("AIza");
  }

  @Test
  void aHugeOrHostileErrorIsBoundedAndItsTypeIsAnIdentifier() throws Exception {
    String longText = "x ".repeat(5000);
    UsageRecord r =
        recordOf(
            Providers.OPENAI,
            "/v1/chat/completions",
            "{\"error\":{\"message\":\"Bad request "
                + longText
                + "\",\"type\":\"bad\\u001b[31m\\r\\nFAKE LOG LINE"
                + "y".repeat(500)
                + "\"}}");
    assertThat(r.errorMessage()).startsWith("Bad request x x").hasSizeLessThanOrEqualTo(200);
    assertThat(r.errorType())
        .hasSizeLessThanOrEqualTo(64)
        .startsWith("bad_")
        .doesNotContain("\u001b")
        .doesNotContain("\n")
        .doesNotContain(" ");
  }
}
