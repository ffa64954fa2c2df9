package dev.attribution.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.transport.LlmCall;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Key fingerprints tell keys apart without letting anyone recover a key from one. */
class KeyFingerprintTest {

  private static final String SECRET = "deployment-secret-0123456789";
  private static final String SHORT_KEY = "sk-12345";

  private static String recordedFingerprint(AttributionEngine engine, String key) {
    LlmCall call =
        engine.begin(
            TestCalls.openAiChat(
                "{\"model\":\"gpt-4o\"}", Map.of("Authorization", "Bearer " + key)));
    return ((EngineCall) call).decision.keyFingerprint();
  }

  @Test
  void aShortKeyCannotBeFoundByHashingCandidateKeys() throws Exception {
    try (AttributionEngine engine =
        AttributionEngine.builder().keyFingerprintSecret(SECRET).build()) {
      String fp = recordedFingerprint(engine, SHORT_KEY);
      String hash = fp.substring(fp.indexOf('#') + 1);
      // Anyone can hash "sk-00000" .. "sk-99999"; without the secret that must not find the key.
      String plainHash =
          HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-256")
                      .digest(SHORT_KEY.getBytes(StandardCharsets.UTF_8)))
              .substring(0, 8);
      assertThat(hash).hasSize(8).isNotEqualTo(plainHash);
      assertThat(fp).doesNotContain(SHORT_KEY);
    }
  }

  @Test
  void theSameSecretGivesTheSameFingerprintAfterARestartAndAnotherSecretDoesNot() throws Exception {
    String first;
    try (AttributionEngine engine =
        AttributionEngine.builder().keyFingerprintSecret(SECRET).build()) {
      first = recordedFingerprint(engine, "sk-live-abcdefghijklmnop");
      assertThat(engine.keyFingerprint("sk-live-abcdefghijklmnop")).isEqualTo(first);
    }
    try (AttributionEngine restarted =
        AttributionEngine.builder().keyFingerprintSecret(SECRET).build()) {
      assertThat(recordedFingerprint(restarted, "sk-live-abcdefghijklmnop")).isEqualTo(first);
    }
    assertThat(AttributionEngine.keyFingerprint(SECRET, "sk-live-abcdefghijklmnop"))
        .isEqualTo(first)
        .startsWith("...mnop#");
    try (AttributionEngine other =
        AttributionEngine.builder().keyFingerprintSecret(SECRET + "-other").build()) {
      assertThat(recordedFingerprint(other, "sk-live-abcdefghijklmnop")).isNotEqualTo(first);
    }
  }

  @Test
  void aShortSecretAndAKeyScopedBudgetWithoutASecretFailAtBuild() {
    assertThatThrownBy(() -> AttributionEngine.builder().keyFingerprintSecret("short"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 16 bytes");
    BudgetDefinition byKey =
        BudgetDefinition.builder("per-key").each(ScopeDimension.KEY).limit("10").build();
    assertThatThrownBy(() -> AttributionEngine.builder().budget(byKey).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("per-key")
        .hasMessageContaining("keyFingerprintSecret");
    AttributionEngine.builder().budget(byKey).keyFingerprintSecret(SECRET).build().close();
  }
}
