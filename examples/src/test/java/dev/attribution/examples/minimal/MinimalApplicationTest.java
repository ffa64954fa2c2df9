package dev.attribution.examples.minimal;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the README's setup ({@link MinimalApplication}) against a loopback server that answers like
 * OpenAI, and reads the one record back from SQLite as a user would.
 */
class MinimalApplicationTest {

  private static final String COMPLETION =
      "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1733300000,"
          + "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"message\":"
          + "{\"role\":\"assistant\",\"content\":\"Hello!\"},\"finish_reason\":\"stop\"}],"
          + "\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":100,\"total_tokens\":1100}}";

  @TempDir Path dir;
  private WireMockServer server;

  @BeforeEach
  void startServer() {
    server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    server.start();
    server.stubFor(
        post(urlPathEqualTo("/v1/chat/completions"))
            .willReturn(
                aResponse().withHeader("Content-Type", "application/json").withBody(COMPLETION)));
  }

  @AfterEach
  void stopServer() {
    server.stop();
  }

  @Test
  void theReadmeSetupSectionIsExactlyThisApplicationsCode() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    int link = readme.indexOf("examples/src/main/java/dev/attribution/examples/minimal/");
    assertThat(link).as("README links MinimalApplication").isNotNegative();
    int start = readme.indexOf("```java\n", link) + "```java\n".length();
    String snippet = readme.substring(start, readme.indexOf("```", start));

    String source =
        Files.readString(
            Path.of("src/main/java/dev/attribution/examples/minimal/MinimalApplication.java"),
            StandardCharsets.UTF_8);
    // The README shows the file from its imports on, without Javadoc.
    String code =
        source.substring(source.indexOf("import ")).replaceAll("(?s)[ \\t]*/\\*\\*.*?\\*/\\n", "");
    assertThat(snippet).isEqualTo(code);
  }

  @Test
  void theReadmeSetupRecordsOnePricedAttributedCallOnAMappedLocalServer() throws Exception {
    Path database = dir.resolve("usage.db");
    String baseUrl = "http://127.0.0.1:" + server.port() + "/v1";

    MinimalApplication.main(new String[] {baseUrl, database.toString()});

    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + database);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT provider, tenant_id, feature, input_tokens, output_tokens, cost_total,"
                    + " cost_source, budget_name, status FROM llm_usage")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString("provider")).isEqualTo("openai");
      assertThat(rs.getString("tenant_id")).isEqualTo("acme");
      assertThat(rs.getString("feature")).isEqualTo("greeting");
      assertThat(rs.getLong("input_tokens")).isEqualTo(1000);
      assertThat(rs.getLong("output_tokens")).isEqualTo(100);
      // gpt-4o-mini: 1000 x $0.15/M + 100 x $0.60/M = $0.00021, kept by SQLite as integer
      // billionths of a dollar.
      assertThat(rs.getLong("cost_total")).isEqualTo(210_000L);
      assertThat(rs.getString("cost_source")).isNotEqualTo("unpriced");
      assertThat(rs.next()).isFalse();
    }
  }
}
