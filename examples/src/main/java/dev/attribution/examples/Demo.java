package dev.attribution.examples;

/** The one-command demo: {@code ./mvnw -q -Pdemo -pl examples -am verify}. */
public final class Demo {

  private Demo() {}

  /**
   * Runs the demo.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    System.out.println(
        """
        LLM cost attribution demo (preview)

        When the examples issue lands, this command will:
          1. start a fake OpenAI/Anthropic provider on loopback (WireMock), or use OPENAI_API_KEY;
          2. run a small SaaS whose servlet filter sets tenant/user/feature per request;
          3. send traffic through openai-java (sync, async, streaming) and plain OkHttp with the
             attribution interceptor installed;
          4. walk one tenant through its 50/80/100 % budget ladder and stop a looping agent;
          5. write every usage record to SQLite at examples/target/demo/usage.db;
          6. print the weekly cost review and the path of its HTML report.
        """);
  }
}
