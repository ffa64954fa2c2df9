package dev.attribution.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionScope;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.CallStatus;
import dev.attribution.api.UsageRecord;
import dev.attribution.okhttp.AttributionOkHttp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The transport contract every adapter's test extends: for each shared {@link Exchange} (OpenAI,
 * Anthropic, Gemini and Bedrock; JSON, server-sent events and AWS event streams; a provider error,
 * a retry, a budget block, a downgrade) the adapter's client makes the exchange against a loopback
 * provider, the OkHttp interceptor makes the same exchange as the reference, and the records must
 * agree field by field ({@link RecordContract#comparable}: context, provider, models, every token
 * category, cost, status, budget action, key fingerprint). The records are also checked for what
 * the exchange means: an answered call has tokens and a cost, a block never reaches the network, a
 * downgrade reaches it with the cheaper model, a retry is two numbered attempts.
 *
 * <p>A subclass implements {@link #perform} with its client and says which exchanges its client can
 * make ({@link #speaks}); the others are skipped.
 */
public abstract class TransportContractTest {

  /** The context every exchange is made in (the caller's thread scope). */
  public static final AttributionContext CONTEXT =
      AttributionContext.builder()
          .tenantId("acme")
          .userId("u-1")
          .feature("support-chat")
          .threadId("th-9")
          .tag("plan", "pro")
          .build();

  /**
   * Makes {@code exchange} with this adapter's client against {@code loopback}, in the thread scope
   * of {@link #CONTEXT} (already open), reading every answer to its end. Hand-rolled clients send
   * {@link Exchange#requests()}; an SDK makes the equivalent call (same model, same streaming, the
   * {@link Exchange#API_KEY}, and for {@link Exchange.Kind#RETRY} at least one retry). An exception
   * the client throws for an error answer or a block is expected and ignored.
   *
   * @param loopback the loopback provider and its engine
   * @param exchange what to do
   * @throws Exception whatever the client throws
   */
  protected abstract void perform(Loopback loopback, Exchange exchange) throws Exception;

  /** Whether this adapter's client can make {@code exchange}; default every exchange. */
  protected boolean speaks(Exchange exchange) {
    return true;
  }

  /** The same exchange, the same record, whichever client made it. */
  @SuppressWarnings("try") // the scope is opened for its side effect
  @ParameterizedTest(name = "{0}")
  @EnumSource(Exchange.class)
  void theRecordIsTheOneTheOkHttpInterceptorMakesOfTheSameExchange(Exchange e) throws Exception {
    Assumptions.assumeTrue(speaks(e), "this client does not make " + e);
    try (Loopback h = new Loopback(e.provider(), e::configure)) {
      e.answers().forEach(h.server::enqueue);
      try (AttributionScope s = Attribution.open(CONTEXT)) {
        perform(h, e);
      } catch (RuntimeException thrown) {
        if (e.kind() == Exchange.Kind.PLAIN || e.kind() == Exchange.Kind.DOWNGRADE) {
          throw thrown;
        }
      }
      List<RecordedRequest> sent = taken(h, e.kind() == Exchange.Kind.BLOCK ? 0 : e.records());
      List<UsageRecord> viaAdapter = h.records(e.records());
      assertThat(viaAdapter).as("records of the adapter").hasSize(e.records());

      e.answers().forEach(h.server::enqueue);
      reference(h, e);
      taken(h, e.kind() == Exchange.Kind.BLOCK ? 0 : e.records());
      List<UsageRecord> all = h.records(2 * e.records());
      assertThat(all).hasSize(2 * e.records());
      List<UsageRecord> viaOkHttp = all.subList(e.records(), all.size());

      for (int i = 0; i < e.records(); i++) {
        assertThat(RecordContract.comparable(viaAdapter.get(i)))
            .as("record %d of %s", i + 1, e)
            .isEqualTo(RecordContract.comparable(viaOkHttp.get(i)));
      }
      meaning(e, viaAdapter, sent);
    }
  }

  /** What each kind of exchange must say, so the records are not equal by being empty. */
  private static void meaning(Exchange e, List<UsageRecord> records, List<RecordedRequest> sent) {
    UsageRecord last = records.get(records.size() - 1);
    for (UsageRecord r : records) {
      assertThat(r.context()).isEqualTo(CONTEXT);
      assertThat(r.provider()).isEqualTo(e.provider());
      assertThat(r.requestedModel()).isEqualTo(e.model());
      assertThat(r.streaming()).isEqualTo(e.streaming());
      assertThat(String.valueOf(r)).doesNotContain(Exchange.API_KEY);
    }
    switch (e.kind()) {
      case BLOCK:
        assertThat(sent).isEmpty();
        assertThat(last.status()).isEqualTo(CallStatus.BLOCKED);
        assertThat(last.budgetAction()).isEqualTo(BudgetAction.BLOCK);
        return;
      case ERROR:
        assertThat(last.status()).isEqualTo(CallStatus.UPSTREAM_ERROR);
        assertThat(last.httpStatus()).isEqualTo(429);
        assertThat(last.usage().isZero()).isTrue();
        if (e.provider().equals("aws.bedrock")) {
          // The type from x-amzn-ErrorType (cut before its ':'), the message from the body.
          assertThat(last.errorType()).isEqualTo("ThrottlingException");
          assertThat(last.errorMessage()).startsWith("Too many requests");
        }
        return;
      case RETRY:
        assertThat(records.get(0).attempt()).isEqualTo(1);
        assertThat(records.get(0).httpStatus()).isEqualTo(529);
        assertThat(records.get(0).status()).isEqualTo(CallStatus.UPSTREAM_ERROR);
        assertThat(last.attempt()).isEqualTo(2);
        break;
      case DOWNGRADE:
        assertThat(last.budgetAction()).isEqualTo(BudgetAction.DOWNGRADE);
        assertThat(last.effectiveModel()).isEqualTo(e.downgradedModel());
        assertThat(e.modelCarrier(sent.get(0)))
            .contains(e.modelOnTheWire(e.downgradedModel()))
            .doesNotContain(e.modelOnTheWire(e.model()));
        break;
      default:
        break;
    }
    assertThat(last.status()).isEqualTo(CallStatus.OK);
    assertThat(last.usage().isZero()).isFalse();
    assertThat(last.cost()).isNotNull();
    assertThat(last.cost().total()).isPositive();
    assertThat(last.keyFingerprint()).isNotNull();
  }

  /** The {@code n} requests the loopback received; fails when it received another number. */
  private static List<RecordedRequest> taken(Loopback h, int n) throws InterruptedException {
    List<RecordedRequest> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      RecordedRequest r = h.server.takeRequest(5, TimeUnit.SECONDS);
      assertThat(r).as("request %d reached the loopback", i + 1).isNotNull();
      out.add(r);
    }
    assertThat(h.server.takeRequest(0, TimeUnit.MILLISECONDS))
        .as("no further request reached the loopback")
        .isNull();
    return out;
  }

  /** The reference: the same exchange through OkHttp with the OkHttp interceptor. */
  @SuppressWarnings("try")
  private static void reference(Loopback h, Exchange e) throws Exception {
    try (AttributionScope s = Attribution.open(CONTEXT)) {
      sendAll(
          new OkHttpClient.Builder()
              .addInterceptor(AttributionOkHttp.interceptor(h.engine))
              .build(),
          h,
          e);
    }
  }

  /**
   * Sends {@link Exchange#requests()} through {@code ok}, reading each answer to its end, then
   * releases the client's threads and connections.
   */
  protected static void sendAll(OkHttpClient ok, Loopback h, Exchange e) throws Exception {
    try {
      for (Exchange.Request r : e.requests()) {
        try (Response resp = ok.newCall(okRequest(h, r)).execute()) {
          resp.body().bytes();
        }
      }
    } finally {
      ok.dispatcher().executorService().shutdown();
      ok.connectionPool().evictAll();
    }
  }

  /** {@code r} as an OkHttp request to the loopback. */
  protected static Request okRequest(Loopback h, Exchange.Request r) {
    Request.Builder b = new Request.Builder().url(h.baseUrl() + r.path());
    for (Map.Entry<String, String> header : r.headers().entrySet()) {
      b.header(header.getKey(), header.getValue());
    }
    return b.post(RequestBody.create(r.body(), MediaType.get("application/json"))).build();
  }
}
