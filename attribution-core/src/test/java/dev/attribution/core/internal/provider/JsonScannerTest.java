package dev.attribution.core.internal.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.jspecify.annotations.Nullable;

/**
 * The request scanner reads exactly what Jackson reads, or declines and leaves the body to Jackson:
 * for every body (realistic, hostile, random, mutated, truncated) and every dialect, {@link
 * RequestParser#parse} gives what the Jackson-only parse gives, and the scanner alone either gives
 * the same or declines. Realistic bodies must not be declined, or the scanner saves nothing.
 */
class JsonScannerTest {

  private static final Endpoint BEDROCK =
      ProviderRegistry.defaults()
          .recognize(
              "bedrock-runtime.us-east-1.amazonaws.com",
              443,
              "/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse");

  private static final List<Endpoint> ENDPOINTS = endpoints();

  private static List<Endpoint> endpoints() {
    List<Endpoint> all = new ArrayList<>(Endpoints.ALL);
    all.add(BEDROCK);
    return all;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The outcome of one parse: the facts, or the fact that it threw. */
  private record Outcome(@Nullable RequestFacts facts, boolean threw) {
    static Outcome of(Parse p) {
      try {
        return new Outcome(p.run(), false);
      } catch (Exception e) {
        return new Outcome(null, true);
      }
    }
  }

  private interface Parse {
    RequestFacts run() throws Exception;
  }

  /** Checks the agreement for one body on every endpoint; returns how many the scanner read. */
  private static int assertAgrees(byte[] body) {
    int read = 0;
    for (Endpoint e : ENDPOINTS) {
      Outcome jackson = Outcome.of(() -> RequestParser.parseWithJackson(e, body));
      Outcome parsed = Outcome.of(() -> RequestParser.parse(e, body));
      Outcome scanned = Outcome.of(() -> RequestParser.parseWithScanner(e, body));
      String what = e.provider() + e.operation() + " " + printable(body);
      assertThat(parsed).as(what).isEqualTo(jackson);
      if (!scanned.threw()) {
        assertThat(scanned).as(what).isEqualTo(jackson);
        read++;
      }
    }
    return read;
  }

  private static String printable(byte[] body) {
    return new String(body, StandardCharsets.ISO_8859_1).replace("\n", "\\n");
  }

  private static RequestFacts scanned(Endpoint e, String body) throws Exception {
    byte[] b = utf8(body);
    RequestFacts f = RequestParser.parseWithScanner(e, b);
    assertThat(f).isEqualTo(RequestParser.parseWithJackson(e, b));
    return f;
  }

  @Example
  void readsARealisticChatBodyWithoutJackson() throws Exception {
    String body =
        "{\n  \"model\": \"gpt-4o-mini\",\n  \"messages\": [\n"
            + "    {\"role\": \"system\", \"content\": \"You answer in JSON: {\\\"model\\\": \\\"x\\\"}\\n\\t\\u00e9\"},\n"
            + "    {\"role\": \"user\", \"content\": \"Grüße, 日本語, emoji 👩‍👩‍👧 and \\ud83d\\ude00\","
            + " \"model\": \"not-this-one\", \"max_tokens\": 99999999999999999999999}\n  ],\n"
            + "  \"temperature\": 0.2, \"top_p\": 1e-3, \"seed\": -12, \"user\": null,\n"
            + "  \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\", \"parameters\":"
            + " {\"type\": \"object\", \"properties\": {\"stream\": {\"type\": \"boolean\"}}}}}],\n"
            + "  \"stream\": true, \"stream_options\": {\"include_usage\": true, \"x\": [1, 2]},\n"
            + "  \"max_completion_tokens\": 300, \"n\": 2, \"logit_bias\": {\"123\": -100}\n}";
    RequestFacts f = scanned(Endpoints.OPENAI_CHAT, body);
    assertThat(f.model()).isEqualTo("gpt-4o-mini");
    assertThat(f.streaming()).isTrue();
    assertThat(f.includeUsageRequested()).isTrue();
    assertThat(f.hasStreamOptions()).isTrue();
    assertThat(f.maxOutputTokens()).isEqualTo(300);
    assertThat(f.outputCount()).isEqualTo(2);
    assertThat(body.substring(f.modelStart(), f.modelEnd())).isEqualTo("\"gpt-4o-mini\"");
    assertThat(body.charAt(body.length() - 1)).isEqualTo('}');
    assertThat(f.objectEnd()).isEqualTo(utf8(body).length - 1);
  }

  @Example
  void readsEachDialectsMembersWithoutJackson() throws Exception {
    RequestFacts a =
        scanned(
            Endpoints.ANTHROPIC_MESSAGES,
            "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1024,\"stream\":false,"
                + "\"system\":[{\"type\":\"text\",\"text\":\"x\",\"cache_control\":{\"type\":\"ephemeral\"}}],"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(a.model()).isEqualTo("claude-sonnet-4-5");
    assertThat(a.maxOutputTokens()).isEqualTo(1024);
    assertThat(a.streaming()).isFalse();
    RequestFacts g =
        scanned(
            Endpoints.GEMINI_GENERATE,
            "{\"contents\":[{\"parts\":[{\"text\":\"hi\"}]}],"
                + "\"generationConfig\":{\"temperature\":0.5,\"maxOutputTokens\":512,"
                + "\"candidateCount\":3.5,\"stopSequences\":[\"x\"]}}");
    assertThat(g.maxOutputTokens()).isEqualTo(512);
    assertThat(g.outputCount()).isEqualTo(4);
    RequestFacts b =
        scanned(
            BEDROCK, "{\"messages\":[],\"inferenceConfig\":{\"maxTokens\":700,\"temperature\":0}}");
    assertThat(b.maxOutputTokens()).isEqualTo(700);
    RequestFacts o = scanned(Endpoints.OPENAI_CHAT, "{\"model\":\"m\",\"n\":\"3\",\"best_of\":-1}");
    assertThat(o.outputCount()).isEqualTo(3);
    assertThat(scanned(Endpoints.OPENAI_CHAT, "{}").objectEnd()).isEqualTo(1);
    assertThat(scanned(Endpoints.OPENAI_CHAT, " \t\r\n{ } trailing").objectEnd()).isEqualTo(6);
  }

  @Example
  void readsTheLimitsOfALong() throws Exception {
    assertThat(
            scanned(Endpoints.OPENAI_CHAT, "{\"max_tokens\":9223372036854775807}")
                .maxOutputTokens())
        .isEqualTo(Long.MAX_VALUE);
    assertThat(
            scanned(Endpoints.OPENAI_CHAT, "{\"max_tokens\":-9223372036854775808}")
                .maxOutputTokens())
        .isEqualTo(-1);
    assertThat(scanned(Endpoints.OPENAI_CHAT, "{\"max_tokens\":-0}").maxOutputTokens())
        .isEqualTo(0);
    // Beyond a long, Jackson fails the whole body; so does the scanner, by declining.
    byte[] huge = utf8("{\"model\":\"m\",\"max_tokens\":9223372036854775808}");
    assertThatThrownBy(() -> RequestParser.parseWithScanner(Endpoints.OPENAI_CHAT, huge))
        .isInstanceOf(JsonScanner.Declined.class);
    assertThatThrownBy(() -> RequestParser.parse(Endpoints.OPENAI_CHAT, huge))
        .isNotInstanceOf(JsonScanner.Declined.class);
  }

  @Example
  void leavesEscapedNamesAndModelsToJackson() throws Exception {
    byte[] escapedName = utf8("{\"mod\\u0065l\":\"gpt-4o\"}");
    assertThatThrownBy(() -> RequestParser.parseWithScanner(Endpoints.OPENAI_CHAT, escapedName))
        .isInstanceOf(JsonScanner.Declined.class);
    assertThat(RequestParser.parse(Endpoints.OPENAI_CHAT, escapedName).model()).isEqualTo("gpt-4o");
    byte[] unicodeModel = utf8("{\"model\":\"gpt-4o-é\\\"\"}");
    assertThatThrownBy(() -> RequestParser.parseWithScanner(Endpoints.OPENAI_CHAT, unicodeModel))
        .isInstanceOf(JsonScanner.Declined.class);
    assertThat(RequestParser.parse(Endpoints.OPENAI_CHAT, unicodeModel).model())
        .isEqualTo("gpt-4o-é\"");
    byte[] bom = new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'};
    assertThatThrownBy(() -> RequestParser.parseWithScanner(Endpoints.OPENAI_CHAT, bom))
        .isInstanceOf(JsonScanner.Declined.class);
    assertAgrees(bom);
  }

  @Example
  void hostileBodiesAgreeWithJackson() {
    String[] bodies = {
      "",
      " ",
      "null",
      "[]",
      "\"model\"",
      "{",
      "{\"model\"",
      "{\"model\":",
      "{\"model\":\"gpt",
      "{\"model\":\"gpt\"",
      "{\"model\":\"gpt\",",
      "{\"model\":\"gpt\",}",
      "{\"model\":\"gpt\" \"stream\":true}",
      "{\"model\" \"gpt\"}",
      "{model:\"gpt\"}",
      "{'model':'gpt'}",
      "{\"model\":\"gpt\"}}",
      "{\"model\":\"gpt\"}{\"model\":\"other\"}",
      "{\"model\":\"a\",\"model\":\"b\"}",
      "{\"model\":1}",
      "{\"model\":{\"model\":\"inner\"}}",
      "{\"model\":[\"x\"],\"stream\":true}",
      "{\"stream\":\"true\",\"max_tokens\":\"5\"}",
      "{\"max_tokens\":01}",
      "{\"max_tokens\":1.}",
      "{\"max_tokens\":.5}",
      "{\"max_tokens\":+1}",
      "{\"max_tokens\":-}",
      "{\"max_tokens\":1e}",
      "{\"max_tokens\":1e+}",
      "{\"max_tokens\":1E5}",
      "{\"max_tokens\":-0.0e-0}",
      "{\"max_tokens\":12abc}",
      "{\"max_tokens\":NaN}",
      "{\"max_tokens\":Infinity}",
      "{\"max_tokens\":1}x",
      "{\"n\":1e308,\"best_of\":1e999}",
      "{\"n\":\"  4.2 \"}",
      "{\"n\":\"1e3\"}",
      "{\"n\":\"x\"}",
      "{\"stream\":tru}",
      "{\"stream\":truex}",
      "{\"stream\":nul}",
      "{\"stream\":true,\"stream_options\":{\"include_usage\":true,\"include_usage\":false}}",
      "{\"stream_options\":[],\"stream\":true}",
      "{\"stream_options\":null}",
      "{\"a\":\"\\x\"}",
      "{\"a\":\"\\u12\"}",
      "{\"a\":\"\\u12G4\"}",
      "{\"a\":\"\\\"}",
      "{\"a\":\"tab\there\"}",
      "{\"a\":\"\\/\\b\\f\\n\\r\\t\\\\\\\"\"}",
      "{\"a\":\"\\ud800\"}",
      "{\"a\":[1,]}",
      "{\"a\":[,1]}",
      "{\"a\":[1 2]}",
      "{\"a\":{\"b\":1,}}",
      "{\"a\":{\"b\"}}",
      "{\"a\":]",
      "{\"a\":[}",
      "{\"a\":/* c */1}",
      "{\"a\":1}\u0000",
      "{\u0000\"a\":1}",
      "{\"a\"\u000b:1}",
      "{\"\":\"\",\"model\":\"m\"}",
      "{\"generationConfig\":{\"maxOutputTokens\":5,\"maxOutputTokens\":9,\"candidateCount\":[2]}}",
      "{\"generationConfig\":[{\"maxOutputTokens\":5}]}",
      "{\"inferenceConfig\":{\"maxTokens\":5,\"max_new_tokens\":7}}",
      "{\"max_tokens\":" + "9".repeat(101) + "}",
      "{\"a\":" + "9".repeat(1200) + ",\"model\":\"m\"}",
      "{\"a\":" + "[".repeat(61) + "]".repeat(61) + ",\"model\":\"m\"}",
      "{\"a\":" + "[".repeat(62) + "]".repeat(62) + ",\"model\":\"m\"}",
      "{\"a\":" + "[".repeat(2000) + "]".repeat(2000) + ",\"model\":\"m\"}",
      "{\"a\":" + "{\"a\":".repeat(700) + "1" + "}".repeat(700) + ",\"model\":\"m\"}",
      "{\"" + "k".repeat(100) + "\":1,\"model\":\"m\"}",
    };
    for (String body : bodies) {
      assertAgrees(utf8(body));
    }
  }

  @Example
  void malformedUtf8AgreesWithJackson() {
    int[][] sequences = {
      {0x80},
      {0xBF},
      {0xC0, 0x80},
      {0xC1, 0xBF},
      {0xC3},
      {0xC3, 0x28},
      {0xE0, 0x80, 0x80},
      {0xED, 0xA0, 0x80},
      {0xEF, 0xBF, 0xBF},
      {0xF0, 0x9F, 0x98},
      {0xF0, 0x9F, 0x98, 0x80},
      {0xF4, 0x90, 0x80, 0x80},
      {0xF5, 0x80, 0x80, 0x80},
      {0xF8, 0x88, 0x80, 0x80, 0x80},
      {0xFE},
      {0xFF},
    };
    for (int[] seq : sequences) {
      for (String[] around :
          new String[][] {{"{\"a\":\"", "\",\"model\":\"m\"}"}, {"{\"", "\":1}"}}) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(utf8(around[0]));
        for (int x : seq) {
          out.write(x);
        }
        out.writeBytes(utf8(around[1]));
        assertAgrees(out.toByteArray());
      }
    }
  }

  @Example
  void everyTruncationAgreesWithJacksonAndIsDeclined() throws Exception {
    byte[] body =
        utf8(
            "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"é \\\"q\\\" 😀\"}],"
                + "\"stream\":true,\"stream_options\":{\"include_usage\":false},\"max_tokens\":-1.5e3,"
                + "\"n\":null}");
    assertThat(RequestParser.parseWithScanner(Endpoints.OPENAI_CHAT, body).model())
        .isEqualTo("gpt-4o");
    for (int len = 0; len < body.length; len++) {
      byte[] prefix = java.util.Arrays.copyOf(body, len);
      assertAgrees(prefix);
      assertThatThrownBy(() -> RequestParser.parseWithScanner(Endpoints.OPENAI_CHAT, prefix))
          .isInstanceOf(JsonScanner.Declined.class);
    }
  }

  /** Random bodies made of the members the dialects read, nested, escaped and mutated. */
  @Property(tries = 400)
  void randomAndMutatedBodiesAgreeWithJackson(@ForAll long seed) {
    Random r = new Random(seed);
    StringBuilder sb = new StringBuilder();
    object(r, sb, 0);
    byte[] body = utf8(sb.toString());
    assertAgrees(body);
    for (int m = 0; m < 8; m++) {
      assertAgrees(mutate(r, body));
    }
  }

  /** Generated bodies whose top-level names and models are plain are read without Jackson. */
  @Property(tries = 200)
  void plainRandomBodiesAreNotDeclined(@ForAll long seed) {
    Random r = new Random(seed);
    StringBuilder sb = new StringBuilder("{");
    int n = 1 + r.nextInt(6);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(',');
      }
      String name = PLAIN_NAMES[r.nextInt(PLAIN_NAMES.length)];
      sb.append('"').append(name).append("\":");
      if (name.equals("model")) {
        sb.append("\"gpt-").append(r.nextInt(100)).append('"');
      } else {
        value(r, sb, 1);
      }
    }
    sb.append('}');
    byte[] body = utf8(sb.toString());
    assertThat(assertAgrees(body)).as(sb.toString()).isEqualTo(ENDPOINTS.size());
  }

  private static final String[] PLAIN_NAMES = {
    "model", "messages", "temperature", "tools", "metadata", "contents", "system", "user"
  };

  private static final String[] NAMES = {
    "model",
    "stream",
    "stream_options",
    "include_usage",
    "max_tokens",
    "max_completion_tokens",
    "max_output_tokens",
    "n",
    "best_of",
    "generationConfig",
    "maxOutputTokens",
    "candidateCount",
    "inferenceConfig",
    "maxTokens",
    "max_new_tokens",
    "max_gen_len",
    "messages",
    "content",
    "mod\\u0065l",
    "",
    "é",
  };

  private static final String[] STRINGS = {
    "gpt-4o", "", "é", "日本", "😀", "\\\"", "\\\\", "\\n", "\\u00e9", "\\ud83d\\ude00", "12", " 3.5 "
  };

  private static void object(Random r, StringBuilder sb, int depth) {
    sb.append('{');
    int n = r.nextInt(depth == 0 ? 8 : 4);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(',');
      }
      space(r, sb);
      sb.append('"').append(NAMES[r.nextInt(NAMES.length)]).append('"');
      space(r, sb);
      sb.append(':');
      space(r, sb);
      value(r, sb, depth + 1);
      space(r, sb);
    }
    sb.append('}');
  }

  private static void value(Random r, StringBuilder sb, int depth) {
    switch (r.nextInt(depth > 4 ? 7 : 9)) {
      case 0:
        sb.append('"')
            .append(STRINGS[r.nextInt(STRINGS.length)])
            .append(STRINGS[r.nextInt(STRINGS.length)])
            .append('"');
        break;
      case 1:
        sb.append(r.nextInt(3) == 0 ? -r.nextInt(1000) : r.nextInt(5000));
        break;
      case 2:
        sb.append(r.nextInt(2) == 0 ? "1.5" : r.nextInt(2) == 0 ? "2e3" : "-0.25E-2");
        break;
      case 3:
        sb.append(r.nextInt(2) == 0 ? "99999999999999999999" : "9223372036854775807");
        break;
      case 4:
        sb.append(r.nextBoolean());
        break;
      case 5:
        sb.append("null");
        break;
      case 6:
        sb.append('"').append("x".repeat(r.nextInt(40))).append('"');
        break;
      case 7:
        object(r, sb, depth);
        break;
      default:
        sb.append('[');
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
          if (i > 0) {
            sb.append(',');
          }
          value(r, sb, depth + 1);
        }
        sb.append(']');
        break;
    }
  }

  private static void space(Random r, StringBuilder sb) {
    if (r.nextInt(4) == 0) {
      sb.append(" \n\t\r".charAt(r.nextInt(4)));
    }
  }

  private static final byte[] SPECIAL = {
    '"',
    '\\',
    '{',
    '}',
    '[',
    ']',
    ',',
    ':',
    '0',
    '-',
    '+',
    'e',
    '.',
    'u',
    't',
    'n',
    ' ',
    0,
    0x0b,
    (byte) 0x80,
    (byte) 0xC3,
    (byte) 0xE2,
    (byte) 0xF0,
    (byte) 0xFF
  };

  /**
   * {@code body} cut, with one byte replaced, deleted or inserted; shared with the response test.
   */
  static byte[] mutate(Random r, byte[] body) {
    if (body.length == 0) {
      return body;
    }
    int at = r.nextInt(body.length);
    switch (r.nextInt(4)) {
      case 0:
        return java.util.Arrays.copyOf(body, at);
      case 1:
        {
          byte[] b = body.clone();
          b[at] = SPECIAL[r.nextInt(SPECIAL.length)];
          return b;
        }
      case 2:
        {
          byte[] b = new byte[body.length - 1];
          System.arraycopy(body, 0, b, 0, at);
          System.arraycopy(body, at + 1, b, at, body.length - at - 1);
          return b;
        }
      default:
        {
          byte[] b = new byte[body.length + 1];
          System.arraycopy(body, 0, b, 0, at);
          b[at] = SPECIAL[r.nextInt(SPECIAL.length)];
          System.arraycopy(body, at, b, at + 1, body.length - at);
          return b;
        }
    }
  }
}
