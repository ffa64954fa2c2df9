package dev.attribution.core.internal.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * Response bodies in memory are read by {@link JsonScanner} and, when it declines, by Jackson: the
 * result must be exactly Jackson's for every body, valid or not (both fail, or both give equal
 * {@link ParsedResponse}s), and the providers' ordinary answers must not be declined (else the
 * scanner saves nothing).
 */
class ResponseScannerTest {

  private static final ProviderRegistry REGISTRY = ProviderRegistry.defaults();

  private static Endpoint at(String host, String path) {
    Endpoint e = REGISTRY.recognize(host, 443, path);
    assertThat(e).as(host + path).isNotNull();
    return e;
  }

  private static final Endpoint BEDROCK_CONVERSE =
      at(
          "bedrock-runtime.us-east-1.amazonaws.com",
          "/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse");
  private static final Endpoint BEDROCK_INVOKE =
      at(
          "bedrock-runtime.us-east-1.amazonaws.com",
          "/model/meta.llama3-1-70b-instruct-v1%3A0/invoke");

  /** Each fixture with the endpoint that answers it. */
  private static final Map<String, Endpoint> FIXTURES =
      Map.ofEntries(
          Map.entry("openai-chat.json", Endpoints.OPENAI_CHAT),
          Map.entry("openai-chat-reasoning.json", Endpoints.OPENAI_CHAT),
          Map.entry("openai-responses.json", Endpoints.OPENAI_RESPONSES),
          Map.entry("openai-embeddings.json", Endpoints.OPENAI_EMBEDDINGS),
          Map.entry("openai-error-429.json", Endpoints.OPENAI_CHAT),
          Map.entry("deepseek-chat.json", Endpoints.OPENAI_CHAT),
          Map.entry("openrouter-chat.json", Endpoints.OPENAI_CHAT),
          Map.entry("anthropic-messages.json", Endpoints.ANTHROPIC_MESSAGES),
          Map.entry("anthropic-error-529.json", Endpoints.ANTHROPIC_MESSAGES),
          Map.entry("gemini-generate.json", Endpoints.GEMINI_GENERATE),
          Map.entry("bedrock-converse.json", BEDROCK_CONVERSE),
          Map.entry("bedrock-invoke-anthropic.json", BEDROCK_INVOKE),
          Map.entry("bedrock-invoke-nova.json", BEDROCK_INVOKE),
          Map.entry("bedrock-invoke-llama.json", BEDROCK_INVOKE),
          Map.entry("bedrock-invoke-mistral.json", BEDROCK_INVOKE),
          Map.entry("bedrock-error-throttling.json", BEDROCK_CONVERSE));

  /** The answers that carry usage are read without Jackson, and read exactly as Jackson does. */
  private static final List<String> READ_WITHOUT_JACKSON =
      List.of(
          "openai-chat.json",
          "openai-chat-reasoning.json",
          "openai-responses.json",
          "openai-embeddings.json",
          "deepseek-chat.json",
          "openrouter-chat.json",
          "anthropic-messages.json",
          "gemini-generate.json",
          "bedrock-converse.json",
          "bedrock-invoke-anthropic.json",
          "bedrock-invoke-llama.json");

  @Test
  void theProvidersAnswersAreReadWithoutJacksonAndAsJacksonReadsThem() throws Exception {
    for (String name : READ_WITHOUT_JACKSON) {
      byte[] body = Fixtures.bytes(name);
      Endpoint e = FIXTURES.get(name);
      ParsedResponse scanned = ResponseParser.parseWithScanner(e, body, 0, body.length);
      assertThat(scanned).as(name).isEqualTo(jackson(e, body));
      assertThat(scanned.usage()).as(name + " has usage").isNotNull();
    }
  }

  @Test
  void aBodyInsideALargerArrayIsReadFromItsOffset() throws Exception {
    byte[] body = Fixtures.bytes("openai-chat.json");
    byte[] framed = new byte[body.length + 20];
    java.util.Arrays.fill(framed, (byte) '}');
    System.arraycopy(body, 0, framed, 7, body.length);
    assertThat(ResponseParser.parseWithScanner(Endpoints.OPENAI_CHAT, framed, 7, body.length))
        .isEqualTo(jackson(Endpoints.OPENAI_CHAT, body));
  }

  @Test
  void everyFixtureAndEveryTruncationOfItAgreesWithJackson() {
    FIXTURES.forEach(
        (name, e) -> {
          byte[] body = Fixtures.bytes(name);
          for (int len = 0; len <= body.length; len++) {
            assertAgrees(e, java.util.Arrays.copyOf(body, len), name + " cut at " + len);
          }
        });
  }

  /** Usage and error members the dialects read, with the values a hostile server could send. */
  @Test
  void hostileValuesAgreeWithJackson() {
    String[] values = {
      "0",
      "-0",
      "7",
      "-7",
      "2147483647",
      "2147483648",
      "-2147483649",
      "9223372036854775807",
      "9223372036854775808",
      "99999999999999999999999",
      "1.5",
      "1e3",
      "1E+3",
      "-0.0",
      "1.0",
      "12.50",
      "1e400",
      "\"12\"",
      "\"\\u0031\"",
      "null",
      "true",
      "[]",
      "{}",
      "[1,2]",
      "{\"cached_tokens\":5}",
      "{\"cached_tokens\":{\"x\":1}}",
      "01",
      "1.",
      ".5",
      "+1",
      "NaN"
    };
    for (String v : values) {
      String[] bodies = {
        "{\"usage\":{\"prompt_tokens\":" + v + ",\"completion_tokens\":3}}",
        "{\"usage\":{\"prompt_tokens\":4,\"prompt_tokens_details\":" + v + "}}",
        "{\"usage\":" + v + "}",
        "{\"model\":" + v + ",\"usage\":{\"prompt_tokens\":1}}",
        "{\"usage\":{\"prompt_tokens\":1,\"cost\":" + v + "}}",
        "{\"error\":{\"type\":" + v + ",\"code\":" + v + ",\"message\":\"m\"}}",
      };
      for (String b : bodies) {
        for (Endpoint e : Endpoints.ALL) {
          assertAgrees(e, b.getBytes(StandardCharsets.UTF_8), b);
        }
        assertAgrees(BEDROCK_CONVERSE, b.getBytes(StandardCharsets.UTF_8), b);
      }
    }
    String[] texts = {
      "{\"model\":\"gpt-4o\\u002dmini\",\"usage\":{\"prompt_tokens\":1}}",
      "{\"model\":\"modèle\",\"usage\":{\"prompt_tokens\":1}}",
      "{\"id\":\"a\\\"b\",\"usage\":{\"prompt_tokens\":1}}",
      "{\"error\":{\"message\":\"line\\nbreak \\u00e9 😀\",\"type\":\"x\"}}",
      "\uFEFF{\"usage\":{\"prompt_tokens\":1}}",
      "{\"usage\":{\"prompt_tokens\":1}} trailing",
      "{\"usage\":{\"prompt_tokens\":1},}",
      "{\"usage\":{\"prompt_tokens\":1}\"x\":2}",
      "[{\"usage\":{\"prompt_tokens\":1}}]",
      "{\"usage\":{\"prompt_tokens\":1,\"prompt_tokens\":2}}",
      " \n\t{ \"usage\" : { \"prompt_tokens\" : 1 } } ",
    };
    for (String b : texts) {
      for (Endpoint e : Endpoints.ALL) {
        assertAgrees(e, b.getBytes(StandardCharsets.UTF_8), b);
      }
    }
  }

  private static final String USAGE =
      "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":7,\"total_tokens\":12}";

  /**
   * Jackson refuses to decode a string beyond JsonTrees' bound (65,536) or a name beyond its
   * default name bound (50,000): the scanner declines them too, so the body is as unparseable as it
   * was.
   */
  @Test
  void stringsAndNamesBeyondJacksonsBoundsAreJacksonsToRefuse() {
    String[] bodies = {
      "{\"id\":\"" + "a".repeat(70_000) + "\",\"model\":\"gpt-4o\"," + USAGE + "}",
      "{\"model\":\"" + "m".repeat(70_000) + "\"," + USAGE + "}",
      "{\"" + "n".repeat(60_000) + "\":1,\"model\":\"gpt-4o\"," + USAGE + "}",
      "{\"model\":\"" + "m".repeat(65_535) + "\"," + USAGE + "}",
    };
    for (String b : bodies) {
      byte[] bytes = b.getBytes(StandardCharsets.UTF_8);
      assertAgrees(Endpoints.OPENAI_CHAT, bytes, "a body of " + bytes.length + " bytes");
    }
    byte[] longId = bodies[0].getBytes(StandardCharsets.UTF_8);
    assertThat(jackson(Endpoints.OPENAI_CHAT, longId)).isEqualTo("fails");
  }

  /**
   * An error whose type, code or status is a number is read without Jackson, as Jackson reads it.
   */
  @Test
  void numericErrorFieldsAreReadWithoutJackson() throws Exception {
    for (String v : new String[] {"429", "-1", "0", "1.5", "1e2", "-0.0", "9223372036854775807"}) {
      byte[] body =
          ("{\"error\":{\"code\":" + v + ",\"status\":" + v + ",\"message\":\"slow down\"}}")
              .getBytes(StandardCharsets.UTF_8);
      for (Endpoint e : Endpoints.ALL) {
        assertThat(ResponseParser.parseWithScanner(e, body, 0, body.length))
            .as(v)
            .isEqualTo(jackson(e, body));
      }
    }
  }

  /** A body that ends inside a larger array: nothing past its end is read, every cut declined. */
  @Test
  void nothingPastTheBodysEndIsRead() {
    byte[] inner = ("{\"model\":\"gpt-4o\"," + USAGE + "}").getBytes(StandardCharsets.UTF_8);
    for (int cut = 1; cut < inner.length; cut++) {
      byte[] arr = new byte[3 + inner.length + 10];
      java.util.Arrays.fill(arr, (byte) '7');
      System.arraycopy(inner, 0, arr, 3, cut);
      int c = cut;
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> ResponseParser.parseWithScanner(Endpoints.OPENAI_CHAT, arr, 3, c))
          .as("cut at " + cut)
          .isInstanceOf(java.io.IOException.class);
    }
  }

  /** Every fixture cut, with bytes replaced, deleted and inserted at random places. */
  @Property(tries = 300)
  void mutatedAnswersAgreeWithJackson(@ForAll long seed) {
    Random r = new Random(seed);
    List<String> names = List.copyOf(FIXTURES.keySet());
    String name = names.get(Math.floorMod(r.nextInt(), names.size()));
    byte[] body = Fixtures.bytes(name);
    for (int m = 0; m < 6; m++) {
      byte[] mutated = body;
      for (int edits = 1 + r.nextInt(3); edits > 0; edits--) {
        mutated = JsonScannerTest.mutate(r, mutated);
      }
      assertAgrees(FIXTURES.get(name), mutated, name + " mutated, seed " + seed);
    }
  }

  private static Object jackson(Endpoint e, byte[] body) {
    try {
      return ResponseParser.parseWithJackson(e, body, 0, body.length);
    } catch (Exception ex) {
      return "fails";
    }
  }

  private static void assertAgrees(Endpoint e, byte[] body, String what) {
    Object expected = jackson(e, body);
    Object actual;
    try {
      actual = ResponseParser.parse(e, body, 0, body.length);
    } catch (Exception ex) {
      actual = "fails";
    }
    assertThat(actual).as(what).isEqualTo(expected);
  }
}
