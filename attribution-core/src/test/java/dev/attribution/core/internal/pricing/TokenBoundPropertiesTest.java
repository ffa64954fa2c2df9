package dev.attribution.core.internal.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The cheap bound budgets reserve on: no jtokkit encoding produces more tokens than the text has
 * UTF-8 bytes, and the heuristic for other providers never exceeds it either. Text mixes every
 * script, emoji (with modifiers, ZWJ sequences and flags), combining marks, whitespace runs and
 * random code points from the whole Unicode range.
 */
class TokenBoundPropertiesTest {

  static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();

  /** Code point ranges, one per script or kind of text. */
  static final int[][] RANGES = {
    {0x20, 0x7E}, // ASCII printable
    {0x30, 0x39}, // digits (long numbers split into many tokens)
    {0xA0, 0x24F}, // Latin-1 supplement, Latin extended
    {0x370, 0x3FF}, // Greek
    {0x400, 0x4FF}, // Cyrillic
    {0x530, 0x58F}, // Armenian
    {0x590, 0x5FF}, // Hebrew
    {0x600, 0x6FF}, // Arabic
    {0x900, 0x97F}, // Devanagari
    {0x980, 0x9FF}, // Bengali
    {0xB80, 0xBFF}, // Tamil
    {0xE00, 0xE7F}, // Thai
    {0x10A0, 0x10FF}, // Georgian
    {0x1100, 0x11FF}, // Hangul Jamo
    {0x1200, 0x137F}, // Ethiopic
    {0x0300, 0x036F}, // combining marks
    {0x2000, 0x206F}, // general punctuation, zero-width joiners and spaces
    {0x3040, 0x30FF}, // Hiragana, Katakana
    {0x4E00, 0x9FFF}, // CJK unified ideographs
    {0xAC00, 0xD7A3}, // Hangul syllables
    {0xE000, 0xF8FF}, // private use
    {0xFE00, 0xFE0F}, // variation selectors
    {0x1F300, 0x1FAFF}, // emoji and pictographs
    {0x1F1E6, 0x1F1FF}, // regional indicators (flags)
    {0x1F3FB, 0x1F3FF}, // skin-tone modifiers
    {0x20000, 0x2A6DF}, // CJK extension B
    {0xE0000, 0xE007F}, // tags
  };

  static final List<String> SPECIAL =
      List.of(
          " ",
          "  ",
          "\t",
          "\n",
          "\r\n",
          "\u00A0",
          "\u3000",
          "\u200D",
          "\uFEFF",
          "👩‍👩‍👧‍👦",
          "🏳️‍🌈",
          "🇺🇳",
          "👍🏽",
          "<|endoftext|>",
          "{\"role\":\"user\",\"content\":\"",
          "\\u00e9",
          "'s",
          "'ll");

  @Provide
  Arbitrary<String> text() {
    Arbitrary<String> fromRange =
        Arbitraries.of(RANGES)
            .flatMap(r -> Arbitraries.integers().between(r[0], r[1]))
            .filter(cp -> !Character.isSurrogate((char) cp.intValue()) || cp > 0xFFFF)
            .map(Character::toString);
    Arbitrary<String> anyCodePoint =
        Arbitraries.integers()
            .between(0, Character.MAX_CODE_POINT)
            .filter(cp -> cp > 0xFFFF || !Character.isSurrogate((char) cp.intValue()))
            .map(Character::toString);
    Arbitrary<String> whitespaceRun =
        Arbitraries.of(" ", "\t", "\n", "\r", "\u00A0", "\u3000", "\u2003")
            .list()
            .ofMinSize(1)
            .ofMaxSize(200)
            .map(l -> String.join("", l));
    Arbitrary<String> sameScriptWord =
        Arbitraries.of(RANGES)
            .flatMap(
                r ->
                    Arbitraries.integers()
                        .between(r[0], r[1])
                        .filter(cp -> cp > 0xFFFF || !Character.isSurrogate((char) cp.intValue()))
                        .map(Character::toString)
                        .list()
                        .ofMinSize(1)
                        .ofMaxSize(40)
                        .map(l -> String.join("", l)));
    Arbitrary<String> piece =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(4, fromRange),
            net.jqwik.api.Tuple.of(4, sameScriptWord),
            net.jqwik.api.Tuple.of(2, whitespaceRun),
            net.jqwik.api.Tuple.of(2, Arbitraries.of(SPECIAL)),
            net.jqwik.api.Tuple.of(1, anyCodePoint));
    return piece.list().ofMaxSize(120).map(l -> String.join("", l));
  }

  @Property(tries = 1000)
  void noEncodingHasMoreTokensThanTheTextHasUtf8Bytes(@ForAll("text") String text) {
    long bound = TokenEstimator.upperBound(text.getBytes(StandardCharsets.UTF_8).length);
    for (EncodingType type : EncodingType.values()) {
      assertThat((long) REGISTRY.getEncoding(type).countTokensOrdinary(text))
          .as("%s on %s", type, text)
          .isLessThanOrEqualTo(bound);
    }
    assertThat(TokenEstimator.heuristic(text)).isLessThanOrEqualTo(bound);
  }

  @Property(tries = 300)
  void theEstimatorNeverExceedsTheBoundForAnyProvider(@ForAll("text") String text) {
    long bound = TokenEstimator.upperBound(text.getBytes(StandardCharsets.UTF_8).length);
    for (String[] pm :
        new String[][] {
          {"openai", "gpt-4o"},
          {"openai", "gpt-4"},
          {"anthropic", "claude-sonnet-4-5"},
          {"gcp.gemini", "gemini-2.5-pro"},
        }) {
      assertThat(TokenEstimator.count(pm[0], pm[1], text)).isLessThanOrEqualTo(bound);
    }
  }

  @Example
  void theHeuristicCountsCjkAndEmojiAboveOneTokenPerCharacter() {
    // Three CJK characters: 9 bytes, 5 tokens (1.5 each, rounded up); chars/3 would say 1.
    assertThat(TokenEstimator.heuristic("漢字語")).isEqualTo(5);
    // One emoji (a surrogate pair, 4 bytes): 2 tokens.
    assertThat(TokenEstimator.heuristic("😀")).isEqualTo(2);
    assertThat(TokenEstimator.heuristic("0123456789")).isEqualTo(4);
    assertThat(TokenEstimator.heuristic("")).isZero();
  }
}
