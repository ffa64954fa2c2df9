package dev.attribution.core.internal.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.attribution.api.TokenUsage;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class ProviderRegistryTest {

  /** A dialect that claims one host and one path, and carries its key in its own header. */
  private static final class Local implements ProviderDialect {
    @Override
    public String name() {
      return "local";
    }

    @Override
    public @Nullable String providerOf(String host) {
      return host.equals("llm.internal") ? "local" : null;
    }

    @Override
    public @Nullable Endpoint recognize(String provider, String path) {
      return path.endsWith("/chat/completions") && provider.equals("local")
          ? new Endpoint(provider, this, "local_chat", null, false)
          : null;
    }

    @Override
    public @Nullable ModelEdit withModel(
        Endpoint endpoint, String path, byte @Nullable [] body, RequestFacts facts, String model) {
      return null;
    }

    @Override
    public boolean readRequestMember(
        String name, JsonToken value, RequestReader p, RequestParser.Facts facts) {
      return false;
    }

    @Override
    public ResponseMember responseMember(String name) {
      return ResponseMember.SKIP;
    }

    @Override
    public UsageTally newTally(Endpoint endpoint) {
      return new UsageTally() {
        @Override
        protected void onUsage(String member, JsonNode usage, UsageAccumulator acc) {}

        @Override
        protected TokenUsage usage() {
          return TokenUsage.zero();
        }
      };
    }

    @Override
    public StreamReader newStream(Endpoint endpoint) {
      throw new UnsupportedOperationException();
    }

    @Override
    public String errorBody(String type, String message) {
      return "{}";
    }

    @Override
    public List<String> credentialHeaders() {
      return List.of("X-Local-Token");
    }

    @Override
    public Map.Entry<String, String> credential(String provider, String key) {
      return Map.entry("X-Local-Token", key);
    }
  }

  @Test
  void anAddedDialectIsAskedFirstAndOnlyWhereItAnswers() {
    ProviderRegistry r = ProviderRegistry.builder().dialect(new Local()).build();
    Endpoint local = r.recognize("LLM.internal", 443, "/v1/chat/completions");
    assertThat(local.provider()).isEqualTo("local");
    assertThat(local.operation()).isEqualTo("local_chat");
    assertThat(local.dialect()).isInstanceOf(Local.class);
    // Everywhere else the built-in dialects answer as before.
    Endpoint openai = r.recognize("api.openai.com", 443, "/v1/chat/completions");
    assertThat(openai.dialect()).isInstanceOf(OpenAiDialect.class);
    assertThat(r.dialects()).first().isInstanceOf(Local.class);
    // Bedrock's OpenAI-compatible path is still recognised, its host now known to BedrockDialect.
    assertThat(
            r.recognize(
                    "bedrock-runtime.us-east-1.amazonaws.com", 443, "/openai/v1/chat/completions")
                .provider())
        .isEqualTo(Providers.BEDROCK);
  }

  @Test
  void credentialsAreTheUnionOfTheDialects() {
    ProviderRegistry r = ProviderRegistry.builder().dialect(new Local()).build();
    assertThat(r.credentialHeaders())
        .startsWith("x-local-token")
        .contains("authorization", "api-key", "x-api-key", "x-goog-api-key");
    assertThat(r.keyParameters()).containsExactly("key");
    Map<String, String> headers = Map.of("X-Local-Token", " tok-1 ");
    assertThat(r.keyOf(headers::get, null)).isEqualTo("tok-1");
    assertThat(r.keyOf(Map.of("Authorization", "Bearer sk-abc")::get, null)).isEqualTo("sk-abc");
    assertThat(r.keyOf(Map.<String, String>of()::get, "alt=sse&key=AIza123")).isEqualTo("AIza123");
    assertThat(r.keyOf(Map.<String, String>of()::get, "keyring=x")).isNull();
  }

  @Test
  void eachBuiltInDialectShapesItsOwnBlockedBody() {
    List<ProviderDialect> d = ProviderRegistry.builtInDialects();
    assertThat(d.get(0).errorBody("budget_exceeded", "no \"money\""))
        .isEqualTo(
            "{\"error\":{\"message\":\"no \\\"money\\\"\",\"type\":\"budget_exceeded\","
                + "\"param\":null,\"code\":\"budget_exceeded\"}}");
    assertThat(d.get(1).errorBody("budget_exceeded", "m"))
        .isEqualTo(
            "{\"type\":\"error\",\"error\":{\"type\":\"budget_exceeded\",\"message\":\"m\"}}");
    assertThat(d.get(2).errorBody("budget_exceeded", "m")).contains("RESOURCE_EXHAUSTED");
  }

  @Test
  void hostAndPortMappingsMatchExactlyTheHostColonPortString() {
    // The registry looks a host:port mapping up without building "host:port": it must match
    // exactly the keys that string would equal, and no others.
    ProviderRegistry r =
        ProviderRegistry.builder()
            .mapHost("proxy.internal:8080", "local-a")
            .mapHost("proxy.internal", "local-b")
            .mapHost("odd:name:9000", "local-c")
            .mapHost("zeros:080", "local-d")
            .mapHost("plus:+81", "local-e")
            .mapHost("neg:-1", "local-f")
            .mapHost("[::1]:11434", "local-g")
            .build();
    String[][] cases = {
      {"proxy.internal", "8080", "local-a"},
      {"PROXY.internal", "8080", "local-a"},
      {"proxy.internal", "8081", "local-b"},
      {"odd:name", "9000", "local-c"},
      {"odd", "9000", null},
      {"zeros", "80", null},
      {"zeros", "8", null},
      {"plus", "81", null},
      {"neg", "-1", "local-f"},
      {"[::1]", "11434", "local-g"},
      {"[::1]", "1143", null},
    };
    for (String[] c : cases) {
      Endpoint e = r.recognize(c[0], Integer.parseInt(c[1]), "/v1/chat/completions");
      assertThat(e == null ? null : e.provider()).as(c[0] + ":" + c[1]).isEqualTo(c[2]);
    }
  }
}
