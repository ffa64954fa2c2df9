package dev.attribution.benchmarks;

import dev.attribution.api.BudgetListener;
import dev.attribution.api.UsageRecord;
import dev.attribution.api.UsageSink;
import dev.attribution.api.budget.ScopeDimension;
import dev.attribution.core.AttributionEngine;
import dev.attribution.core.budget.BudgetDefinition;
import dev.attribution.core.budget.BudgetPeriod;
import dev.attribution.core.budget.LoopGuard;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.SocketFactory;
import okhttp3.OkHttpClient;

/**
 * What the interceptor benchmarks share: a TCP_NODELAY client (on loopback, Nagle's algorithm plus
 * delayed ACKs would add ~40 ms stalls when OkHttp writes headers and body separately), a realistic
 * engine, and OpenAI-shaped payloads.
 */
final class Loopback {

  private Loopback() {}

  /** Counts exported records; does nothing else. */
  static final class CountingSink implements UsageSink {
    final AtomicLong records = new AtomicLong();

    @Override
    public void export(List<UsageRecord> batch) {
      records.addAndGet(batch.size());
    }
  }

  /** A client whose sockets have TCP_NODELAY, with no interceptor. */
  static OkHttpClient bareClient() {
    return new OkHttpClient.Builder().socketFactory(new NoDelaySocketFactory()).build();
  }

  /**
   * An engine as an application would configure it: bundled prices, default record settings with
   * {@code sink}, the server at {@code hostPort} mapped to OpenAI and, if {@code tenantBudget}, one
   * daily budget per tenant with a limit no call reaches.
   */
  /**
   * An engine on bundled prices recording into {@code sink}; with {@code tenantBudget}, one daily
   * budget per tenant and the loop guard.
   */
  static AttributionEngine engine(String hostPort, UsageSink sink, boolean tenantBudget) {
    AttributionEngine.Builder b =
        AttributionEngine.builder().mapHost(hostPort, "openai").addSink(sink).shutdownHook(false);
    if (tenantBudget) {
      b.listener(BudgetListener.noop())
          .budget(
              BudgetDefinition.builder("tenant-day")
                  .each(ScopeDimension.TENANT)
                  .limit("1000000000")
                  .period(BudgetPeriod.calendarDay(ZoneOffset.UTC))
                  .build())
          // Per conversation thread: 100 calls or 10 USD a second; the benchmarks spread calls
          // over THREAD_IDS thread ids so it watches every call without stopping any.
          .loopGuard(LoopGuard.of(100, new BigDecimal("10"), Duration.ofSeconds(1)));
    }
    return b.build();
  }

  /** Conversation thread ids the benchmarks' calls are spread over, for the loop guard. */
  static final int THREAD_IDS = 1024;

  /** A ~1 KB chat completions request (not streamed). */
  static byte[] chatRequest() {
    return chatRequest(false);
  }

  /**
   * A ~1 KB chat completions request; streamed ones ask for {@code include_usage} themselves, so
   * the interceptor does not rewrite the body.
   */
  static byte[] chatRequest(boolean stream) {
    String head =
        "{\"model\":\"gpt-4o-mini\","
            + (stream ? "\"stream\":true,\"stream_options\":{\"include_usage\":true}," : "")
            + "\"max_tokens\":256,\"temperature\":0.2,\"messages\":["
            + "{\"role\":\"system\",\"content\":\"You are a concise support assistant.\"},"
            + "{\"role\":\"user\",\"content\":\"";
    String tail = "\"}]}";
    return pad(head, tail, "Summarise this ticket in two lines please. ", 1024);
  }

  /** A ~1 KB OpenAI chat completion with usage, as the API returns it. */
  static byte[] chatResponse() {
    String head =
        "{\"id\":\"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG\",\"object\":\"chat.completion\","
            + "\"created\":1741570283,\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,"
            + "\"message\":{\"role\":\"assistant\",\"content\":\"";
    String tail =
        "\",\"refusal\":null,\"annotations\":[]},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":231,\"completion_tokens\":154,\"total_tokens\":385,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
            + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
            + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}},"
            + "\"service_tier\":\"default\",\"system_fingerprint\":\"fp_44709d6fcb\"}";
    return pad(head, tail, "The customer cannot log in after the update. ", 1024);
  }

  private static byte[] pad(String head, String tail, String filler, int size) {
    StringBuilder sb = new StringBuilder(size).append(head);
    int room = size - head.length() - tail.length();
    while (room > 0) {
      String piece = filler.length() <= room ? filler : filler.substring(0, room);
      sb.append(piece);
      room -= piece.length();
    }
    return sb.append(tail).toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * An OpenAI chat completion stream of {@code events} data events (a role chunk, content chunks, a
   * finish chunk and the final usage chunk) then {@code [DONE]}, one SSE event per element, as the
   * API flushes them.
   */
  static List<byte[]> chatStream(int events) {
    if (events < 3) {
      throw new IllegalArgumentException("events must be at least 3, was " + events);
    }
    String prefix =
        "data: {\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,"
            + "\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_44709d6fcb\","
            + "\"choices\":[";
    List<byte[]> out = new ArrayList<>(events + 1);
    out.add(
        utf8(
            prefix
                + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
                + "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"));
    for (int i = 0; i < events - 3; i++) {
      out.add(
          utf8(
              prefix
                  + "{\"index\":0,\"delta\":{\"content\":\" token"
                  + (i % 10)
                  + "\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"));
    }
    out.add(
        utf8(
            prefix
                + "{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                + "\"usage\":null}\n\n"));
    out.add(
        utf8(
            prefix
                + "],\"usage\":{\"prompt_tokens\":19,\"completion_tokens\":"
                + (events - 3)
                + ",\"total_tokens\":"
                + (events - 3 + 19)
                + ",\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
                + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}}\n\n"));
    out.add(utf8("data: [DONE]\n\n"));
    return out;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Plain sockets with TCP_NODELAY on. */
  private static final class NoDelaySocketFactory extends SocketFactory {
    private final SocketFactory plain = SocketFactory.getDefault();

    private static Socket noDelay(Socket s) throws IOException {
      s.setTcpNoDelay(true);
      return s;
    }

    @Override
    public Socket createSocket() throws IOException {
      return noDelay(plain.createSocket());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return noDelay(plain.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress local, int localPort)
        throws IOException {
      return noDelay(plain.createSocket(host, port, local, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return noDelay(plain.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort)
        throws IOException {
      return noDelay(plain.createSocket(host, port, local, localPort));
    }
  }
}
