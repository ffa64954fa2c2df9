package dev.attribution.core;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.attribution.api.TokenUsage;
import dev.attribution.core.internal.provider.Endpoint;
import dev.attribution.core.internal.provider.JsonTrees;
import dev.attribution.core.internal.provider.ModelEdit;
import dev.attribution.core.internal.provider.ProviderDialect;
import dev.attribution.core.internal.provider.RequestFacts;
import dev.attribution.core.internal.provider.RequestParser;
import dev.attribution.core.internal.provider.RequestReader;
import dev.attribution.core.internal.provider.ResponseMember;
import dev.attribution.core.internal.provider.SseShape;
import dev.attribution.core.internal.provider.StreamReader;
import dev.attribution.core.internal.provider.StreamUsageTracker;
import dev.attribution.core.internal.provider.UsageAccumulator;
import dev.attribution.core.internal.provider.UsageTally;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A made-up provider, "acme", with a wire shape of its own, added as one dialect: {@code POST
 * /v2/generate} with the model in {@code engine} and the output cap in {@code
 * limits.max_new_tokens}; usage in {@code tokens: {in, out}}; the answering model in {@code
 * engine}, the id in {@code request_id}; errors as {@code error: {type, message}}; the key in
 * {@code X-Acme-Key}. Everything the library needs to know about acme is in this file.
 */
final class AcmeDialect implements ProviderDialect {

  static final String PROVIDER = "acme";

  private static final SseShape STREAM =
      new SseShape(
          SseShape.keys("\"piece\":\""),
          null,
          SseShape.key("\"tokens\""),
          SseShape.key("\"tokens\":null"),
          SseShape.keys("\"error\""),
          null,
          e -> e.equals("done"),
          Set.of("done"));

  @Override
  public String name() {
    return PROVIDER;
  }

  @Override
  public @Nullable String providerOf(String host) {
    return host.equals("api.acme.test") ? PROVIDER : null;
  }

  @Override
  public @Nullable Endpoint recognize(String provider, String path) {
    return provider.equals(PROVIDER) && path.equals("/v2/generate")
        ? new Endpoint(provider, this, "generate", null, false)
        : null;
  }

  @Override
  public @Nullable ModelEdit withModel(
      Endpoint endpoint, String path, byte @Nullable [] body, RequestFacts facts, String model) {
    return ModelEdit.inBody(body, facts, model);
  }

  @Override
  public boolean readRequestMember(
      String name, JsonToken v, RequestReader p, RequestParser.Facts facts) throws IOException {
    switch (name) {
      case "engine":
        facts.model(p, v);
        return true;
      case "stream":
        if (v == JsonToken.VALUE_TRUE) {
          facts.streaming();
        }
        return false;
      case "limits":
        if (v != JsonToken.START_OBJECT) {
          return false;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String n = p.currentName();
          if (p.nextToken() == JsonToken.VALUE_NUMBER_INT && n.equals("max_new_tokens")) {
            facts.maxOutputTokens(p.getLongValue());
          } else {
            p.skipChildren();
          }
        }
        return true;
      default:
        return false;
    }
  }

  @Override
  public ResponseMember responseMember(String name) {
    switch (name) {
      case "tokens":
        return ResponseMember.USAGE;
      case "engine":
        return ResponseMember.MODEL;
      case "request_id":
        return ResponseMember.ID;
      case "error":
        return ResponseMember.ERROR;
      default:
        return ResponseMember.SKIP;
    }
  }

  @Override
  public UsageTally newTally(Endpoint endpoint) {
    return new UsageTally() {
      private long in = -1;
      private long out = -1;

      @Override
      protected void onUsage(String member, JsonNode usage, UsageAccumulator acc) {
        in = pick(acc.count(usage, "in"), in);
        out = pick(acc.count(usage, "out"), out);
      }

      @Override
      protected TokenUsage usage() {
        return TokenUsage.of(z(in), z(out));
      }
    };
  }

  @Override
  public StreamReader newStream(Endpoint endpoint) {
    return new StreamUsageTracker(endpoint, STREAM);
  }

  @Override
  public String errorBody(String type, String message) {
    return "{\"error\":{\"type\":\"" + type + "\",\"message\":" + JsonTrees.quote(message) + "}}";
  }

  @Override
  public List<String> credentialHeaders() {
    return List.of("X-Acme-Key");
  }

  @Override
  public Map.Entry<String, String> credential(String provider, String key) {
    return Map.entry("X-Acme-Key", key);
  }
}
