package dev.attribution.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What survives of a provider's error text: its meaning, not the request it echoes. */
class ErrorTextTest {

  @Test
  void plainProviderMessagesSurviveWithTheirApostrophesAndParameterPaths() {
    assertThat(
            ErrorText.message(
                "You didn't provide an API key. You need to provide your API key in an"
                    + " Authorization header."))
        .isEqualTo(
            "You didn't provide an API key. You need to provide your API key in an"
                + " Authorization header.");
    assertThat(ErrorText.message("messages.0.content: Input should be a valid list"))
        .isEqualTo("messages.0.content: Input should be a valid list");
    assertThat(ErrorText.message("Invalid 'messages[2].role': expected one of 'user'"))
        .isEqualTo("Invalid 'messages[2].role': expected one of '…'");
  }

  @Test
  void echoedValuesKeysAndTokensAreRemoved() {
    assertThat(ErrorText.message("Unknown name \"my secret plan\" at 'contents[0]'"))
        .isEqualTo("Unknown name \"…\" at 'contents[0]'");
    assertThat(ErrorText.message("Bad header: Bearer abc.def.ghi was rejected"))
        .isEqualTo("Bad header: [redacted] was rejected");
    assertThat(ErrorText.message("GET https://host/v1?alt=sse&key=AIzaSyXYZ123 failed"))
        .doesNotContain("AIzaSyXYZ123")
        .contains("alt=sse");
    assertThat(
            ErrorText.message(
                "token ZXlKaGJHY2lPaUpJVXpJMU5pSjkuZXlKemRXSWlPaUl4TWpNME5UWTNPRGt3SW4w"))
        .isEqualTo("token [redacted]");
    assertThat(ErrorText.message("unterminated 'quote with the whole prompt after it"))
        .isEqualTo("unterminated '…'");
    assertThat(ErrorText.message("bidi \u202Eevil\u202C text")).isEqualTo("bidi evil text");
    assertThat(ErrorText.message("\n\n")).isNull();
  }

  @Test
  void errorTypesAreShortIdentifiers() {
    assertThat(ErrorText.type("invalid_request_error")).isEqualTo("invalid_request_error");
    assertThat(ErrorText.type("RESOURCE_EXHAUSTED")).isEqualTo("RESOURCE_EXHAUSTED");
    assertThat(ErrorText.type("a b\nc")).isEqualTo("a_b_c");
    assertThat(ErrorText.type("x".repeat(500))).hasSize(ErrorText.MAX_TYPE);
    assertThat(ErrorText.type("")).isNull();
  }
}
