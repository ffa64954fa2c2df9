package dev.attribution.core.internal.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonToken;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Member names and repeated values are the same strings from one body to the next, also for names
 * whose hashes meet in the shared table ({@code total_tokens} and {@code finish_reason}, {@code
 * model} and {@code stream}), and always equal to the text.
 */
class JsonScannerSharingTest {

  private static final String BODY =
      "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"finish_reason\":\"stop\","
          + "\"total_tokens\":3,\"a_name_longer_than_forty_eight_characters_is_not_kept\":1}";

  @Test
  void collidingNamesAreBothSharedAcrossBodies() throws Exception {
    List<String> first = names(BODY);
    List<String> second = names(BODY);
    assertThat(first)
        .containsExactly(
            "model",
            "gpt-4o-mini",
            "stream",
            "finish_reason",
            "stop",
            "total_tokens",
            "a_name_longer_than_forty_eight_characters_is_not_kept");
    assertThat(second).isEqualTo(first);
    for (int i = 0; i < first.size() - 1; i++) {
      assertThat(second.get(i)).as(first.get(i)).isSameAs(first.get(i));
    }
  }

  /** Names, and the repeated text of string values, in order. */
  private static List<String> names(String json) throws Exception {
    JsonScanner p = new JsonScanner(json.getBytes(StandardCharsets.UTF_8));
    List<String> out = new ArrayList<>();
    int depth = 0;
    do {
      JsonToken t = p.nextToken();
      if (t == JsonToken.START_OBJECT) {
        depth++;
      } else if (t == JsonToken.END_OBJECT) {
        depth--;
      } else if (t == JsonToken.FIELD_NAME) {
        out.add(p.currentName());
      } else if (t == JsonToken.VALUE_STRING) {
        out.add(p.getRepeatedText());
      }
    } while (depth > 0);
    return out;
  }
}
