package dev.attribution.core.internal.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attribution.testing.UsageRecords;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** JSON text the library writes into HTTP bodies carries hostile text exactly, in valid UTF-8. */
class JsonQuotingTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** {@code text} as bytes, decoded strictly: a raw lone surrogate would not survive this. */
  private static JsonNode strictly(String text) throws Exception {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes));
    return MAPPER.readTree(bytes);
  }

  @Test
  void aQuotedStringRoundTripsHostileTextExactly() throws Exception {
    StringBuilder controls = new StringBuilder();
    for (char c = 0; c < 0x20; c++) {
      controls.append(c);
    }
    for (String s : List.of(UsageRecords.HOSTILE_TEXT, controls.toString(), "", "plain")) {
      String literal = JsonTrees.quote(s);
      assertThat(literal.chars().filter(c -> c < 0x20)).as("raw control characters").isEmpty();
      assertThat(literal.chars().filter(c -> Character.isSurrogate((char) c))).isEmpty();
      assertThat(strictly(literal).textValue()).isEqualTo(s);
    }
  }

  @Test
  void everyDialectsBlockedBodyCarriesTheReasonExactly() throws Exception {
    String reason = "Budget 'x' is exhausted: " + UsageRecords.HOSTILE_TEXT;
    for (ProviderDialect d :
        List.of(
            new OpenAiDialect(java.util.Map.of()), new AnthropicDialect(), new GeminiDialect())) {
      JsonNode body = strictly(d.errorBody("budget_exceeded", reason));
      assertThat(body.findValuesAsText("message"))
          .as(d.getClass().getSimpleName())
          .contains(reason);
    }
  }
}
