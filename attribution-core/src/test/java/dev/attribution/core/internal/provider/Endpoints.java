package dev.attribution.core.internal.provider;

import java.util.List;

/** The built-in endpoints, one per operation, as the default registry recognises them. */
final class Endpoints {

  private static final ProviderRegistry REGISTRY = ProviderRegistry.defaults();

  static final Endpoint OPENAI_CHAT = at("api.openai.com", "/v1/chat/completions");
  static final Endpoint OPENAI_RESPONSES = at("api.openai.com", "/v1/responses");
  static final Endpoint OPENAI_EMBEDDINGS = at("api.openai.com", "/v1/embeddings");
  static final Endpoint OPENAI_COMPLETIONS = at("api.openai.com", "/v1/completions");
  static final Endpoint ANTHROPIC_MESSAGES = at("api.anthropic.com", "/v1/messages");
  static final Endpoint GEMINI_GENERATE =
      at("generativelanguage.googleapis.com", "/v1beta/models/gemini-2.5-flash:generateContent");

  /** Every built-in operation. */
  static final List<Endpoint> ALL =
      List.of(
          OPENAI_CHAT,
          OPENAI_RESPONSES,
          OPENAI_EMBEDDINGS,
          OPENAI_COMPLETIONS,
          ANTHROPIC_MESSAGES,
          GEMINI_GENERATE);

  private Endpoints() {}

  private static Endpoint at(String host, String path) {
    Endpoint e = REGISTRY.recognize(host, 443, path);
    if (e == null) {
      throw new IllegalStateException("not recognised: " + host + path);
    }
    return e;
  }

  /** The server-sent-event tracker the endpoint's dialect reads streams with. */
  static StreamUsageTracker tracker(Endpoint e) {
    return (StreamUsageTracker) e.dialect().newStream(e);
  }
}
