package dev.attribution.core.internal.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestParsingTest {

  private static final Endpoint CHAT = Endpoints.OPENAI_CHAT;

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void readsModelStreamAndOutputCap() throws Exception {
    RequestFacts f =
        RequestParser.parse(
            CHAT,
            utf8(
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi {\\\"model\\\":1}\"}],"
                    + "\"model\":\"gpt-4o\",\"stream\":true,\"max_completion_tokens\":300}"));
    assertThat(f.model()).isEqualTo("gpt-4o");
    assertThat(f.streaming()).isTrue();
    assertThat(f.includeUsageRequested()).isFalse();
    assertThat(f.maxOutputTokens()).isEqualTo(300);
  }

  @Test
  void readsHowManyGenerationsAreBilled() throws Exception {
    assertThat(RequestParser.parse(CHAT, utf8("{\"model\":\"m\",\"n\":128}")).outputCount())
        .isEqualTo(128);
    assertThat(
            RequestParser.parse(CHAT, utf8("{\"model\":\"m\",\"n\":2,\"best_of\":5}"))
                .outputCount())
        .isEqualTo(5);
    assertThat(RequestParser.parse(CHAT, utf8("{\"n\":\"3\"}")).outputCount()).isEqualTo(3);
    assertThat(RequestParser.parse(CHAT, utf8("{\"n\":2.5}")).outputCount()).isEqualTo(3);
    assertThat(RequestParser.parse(CHAT, utf8("{\"n\":0}")).outputCount()).isEqualTo(1);
    assertThat(RequestParser.parse(CHAT, utf8("{\"n\":[7]}")).outputCount()).isEqualTo(1);
    assertThat(RequestParser.parse(CHAT, utf8("{\"model\":\"m\"}")).outputCount()).isEqualTo(1);
    Endpoint gemini = Endpoints.GEMINI_GENERATE;
    RequestFacts g =
        RequestParser.parse(
            gemini, utf8("{\"generationConfig\":{\"candidateCount\":4,\"maxOutputTokens\":200}}"));
    assertThat(g.outputCount()).isEqualTo(4);
    assertThat(g.maxOutputTokens()).isEqualTo(200);
  }

  @Test
  void rewritesOnlyTheModelBytes() throws Exception {
    String body =
        "{ \"model\" : \"gpt-4o\",\n  \"messages\": [{\"role\":\"user\",\"content\":\"é\"}] }";
    RequestFacts f = RequestParser.parse(CHAT, utf8(body));
    byte[] out = RequestParser.withModel(utf8(body), f, "gpt-4o-mini");
    assertThat(new String(out, StandardCharsets.UTF_8))
        .isEqualTo(body.replace("\"gpt-4o\"", "\"gpt-4o-mini\""));
  }

  @Test
  void addsIncludeUsageWithoutTouchingTheRest() throws Exception {
    String body = "{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[]}";
    RequestFacts f = RequestParser.parse(CHAT, utf8(body));
    byte[] out = CHAT.dialect().withStreamUsage(CHAT, utf8(body), f);
    String s = new String(out, StandardCharsets.UTF_8);
    assertThat(s)
        .isEqualTo(
            "{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[],"
                + "\"stream_options\":{\"include_usage\":true}}");
    assertThat(RequestParser.parse(CHAT, out).includeUsageRequested()).isTrue();
  }

  @Test
  void leavesExistingStreamOptionsAlone() throws Exception {
    String body = "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
    RequestFacts f = RequestParser.parse(CHAT, utf8(body));
    assertThat(f.includeUsageRequested()).isTrue();
    assertThat(CHAT.dialect().withStreamUsage(CHAT, utf8(body), f)).isNull();
  }

  @Test
  void geminiTakesModelFromPathAndCapFromGenerationConfig() throws Exception {
    Endpoint e =
        ProviderRegistry.defaults()
            .recognize(
                "generativelanguage.googleapis.com",
                443,
                "/v1beta/models/gemini-2.5-flash:streamGenerateContent");
    assertThat(e).isNotNull();
    RequestFacts f =
        RequestParser.parse(
            e, utf8("{\"contents\":[],\"generationConfig\":{\"maxOutputTokens\":512}}"));
    assertThat(f.model()).isEqualTo("gemini-2.5-flash");
    assertThat(f.streaming()).isTrue();
    assertThat(f.maxOutputTokens()).isEqualTo(512);
  }

  @Test
  void recognisesProvidersByHostAndPath() {
    ProviderRegistry r = ProviderRegistry.builder().mapHost("localhost:8000", "vllm").build();
    Endpoint chat = r.recognize("api.openai.com", 443, "/v1/chat/completions");
    assertThat(chat.provider()).isEqualTo("openai");
    assertThat(chat.dialect()).isInstanceOf(OpenAiDialect.class);
    assertThat(chat.operation()).isEqualTo("chat");
    assertThat(chat.modelInPath()).isNull();
    assertThat(r.recognize("api.anthropic.com", 443, "/v1/messages").dialect())
        .isInstanceOf(AnthropicDialect.class);
    Endpoint azure =
        r.recognize("myres.openai.azure.com", 443, "/openai/deployments/prod-4o/chat/completions");
    assertThat(azure.provider()).isEqualTo("azure.ai.openai");
    assertThat(azure.operation()).isEqualTo("chat");
    assertThat(azure.modelInPath()).isEqualTo("prod-4o");
    assertThat(r.recognize("openrouter.ai", 443, "/api/v1/chat/completions").provider())
        .isEqualTo("openrouter");
    assertThat(r.recognize("api.groq.com", 443, "/openai/v1/chat/completions").provider())
        .isEqualTo("groq");
    assertThat(r.recognize("localhost", 8000, "/v1/chat/completions").provider()).isEqualTo("vllm");
    assertThat(r.recognize("localhost", 9000, "/v1/chat/completions")).isNull();
    assertThat(r.recognize("api.openai.com", 443, "/v1/threads/t1/messages")).isNull();
    assertThat(r.recognize("api.openai.com", 443, "/v1/files")).isNull();
    assertThat(
            r.recognize("generativelanguage.googleapis.com", 443, "/v1beta/openai/chat/completions")
                .dialect())
        .isInstanceOf(OpenAiDialect.class);
  }
}
