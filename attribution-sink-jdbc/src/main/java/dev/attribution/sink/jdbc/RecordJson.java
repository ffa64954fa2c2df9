package dev.attribution.sink.jdbc;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.CallStatus;
import dev.attribution.api.ContextSource;
import dev.attribution.api.CostBreakdown;
import dev.attribution.api.CostSource;
import dev.attribution.api.TokenUsage;
import dev.attribution.api.UsageRecord;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The spool's line format: one {@link UsageRecord} as one line of JSON, every field kept. Field
 * names are short and stable; unknown fields are skipped when reading, so an older reader survives
 * a newer writer.
 */
final class RecordJson {

  static final JsonFactory FACTORY = new JsonFactory();

  private RecordJson() {}

  /**
   * {@code r} as one JSON object (no newline) in UTF-8. Jackson's byte generator writes every
   * surrogate as a hexadecimal escape, so text with a lone surrogate (which UTF-8 cannot carry)
   * comes back exactly; a character writer would have turned it into '?'.
   */
  static byte[] toUtf8(UsageRecord r) {
    ByteArrayBuilder out = new ByteArrayBuilder(1024);
    try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
      write(r, g);
    } catch (IOException e) {
      throw new IllegalStateException("cannot happen on an in-memory buffer", e);
    }
    return out.toByteArray();
  }

  private static void write(UsageRecord r, JsonGenerator g) throws IOException {
    g.writeStartObject();
    g.writeStringField("id", r.id().toString());
    instant(g, "startedAt", r.startedAt());
    instant(g, "endedAt", r.endedAt());
    AttributionContext c = r.context();
    str(g, "tenant", c.tenantId());
    str(g, "user", c.userId());
    str(g, "assistant", c.assistantId());
    str(g, "thread", c.threadId());
    str(g, "feature", c.feature());
    str(g, "trafficClass", c.trafficClass());
    map(g, "tags", c.tags());
    g.writeStringField("contextSource", r.contextSource().wireName());
    str(g, "provider", r.provider());
    str(g, "operation", r.operation());
    str(g, "serverHost", r.serverHost());
    str(g, "requestedModel", r.requestedModel());
    str(g, "effectiveModel", r.effectiveModel());
    str(g, "responseModel", r.responseModel());
    str(g, "route", r.route());
    str(g, "routeRule", r.routeRule());
    g.writeBooleanField("streaming", r.streaming());
    g.writeNumberField("attempt", r.attempt());
    TokenUsage u = r.usage();
    g.writeNumberField("in", u.inputTokens());
    g.writeNumberField("cachedIn", u.cachedInputTokens());
    g.writeNumberField("cw5m", u.cacheWrite5mTokens());
    g.writeNumberField("cw1h", u.cacheWrite1hTokens());
    g.writeNumberField("out", u.outputTokens());
    g.writeNumberField("reasoning", u.reasoningTokens());
    g.writeNumberField("audioIn", u.audioInputTokens());
    g.writeNumberField("audioOut", u.audioOutputTokens());
    g.writeNumberField("imageIn", u.imageInputTokens());
    g.writeNumberField("imageOut", u.imageOutputTokens());
    g.writeBooleanField("usageEstimated", r.usageEstimated());
    CostBreakdown k = r.cost();
    if (k != null) {
      g.writeStringField("currency", k.currency());
      money(g, "costInput", k.input());
      money(g, "costCachedInput", k.cachedInput());
      money(g, "costCacheWrite", k.cacheWrite());
      money(g, "costOutput", k.output());
      money(g, "costReasoning", k.reasoning());
      money(g, "costTools", k.tools());
      money(g, "costOther", k.other());
    } else {
      g.writeBooleanField("costUnknown", true);
    }
    money(g, "computedCost", r.computedCost());
    money(g, "providerCost", r.providerReportedCost());
    money(g, "charge", r.charge());
    g.writeStringField("costSource", r.costSource().wireName());
    str(g, "priceVersion", r.priceVersion());
    g.writeNumberField("latencyNanos", r.latency().toNanos());
    if (r.timeToFirstByte() != null) {
      g.writeNumberField("ttfbNanos", r.timeToFirstByte().toNanos());
    }
    g.writeStringField("status", r.status().wireName());
    Integer http = r.httpStatus();
    if (http != null) {
      g.writeNumberField("httpStatus", http);
    }
    str(g, "errorType", r.errorType());
    str(g, "errorMessage", r.errorMessage());
    str(g, "providerRequestId", r.providerRequestId());
    g.writeStringField("budgetAction", r.budgetAction().wireName());
    str(g, "budgetName", r.budgetName());
    money(g, "budgetPercent", r.budgetPercent());
    BudgetAction dryRun = r.dryRunAction();
    if (dryRun != null) {
      g.writeStringField("dryRunAction", dryRun.wireName());
    }
    str(g, "deployment", r.deployment());
    str(g, "keyFingerprint", r.keyFingerprint());
    str(g, "traceId", r.traceId());
    str(g, "spanId", r.spanId());
    map(g, "attributes", r.attributes());
    g.writeEndObject();
  }

  /** {@code r} as a one-line JSON string (see {@link #toUtf8(UsageRecord)}). */
  static String toJson(UsageRecord r) {
    return new String(toUtf8(r), StandardCharsets.UTF_8);
  }

  /**
   * A string map as a JSON object string, for the {@code tags} and {@code attributes} columns.
   * Strings are escaped by Jackson's {@link JsonStringEncoder} rather than a generator per call (it
   * runs per record on the write path); the values reach it {@link Columns#storable(String)
   * storable}, without NUL or a lone surrogate, which JSON columns reject.
   */
  static String mapJson(Map<String, String> m) {
    JsonStringEncoder enc = JsonStringEncoder.getInstance();
    StringBuilder sb = new StringBuilder(16 + 32 * m.size()).append('{');
    for (Map.Entry<String, String> e : m.entrySet()) {
      if (sb.length() > 1) {
        sb.append(',');
      }
      sb.append('"');
      enc.quoteAsString(e.getKey(), sb);
      sb.append("\":\"");
      enc.quoteAsString(e.getValue(), sb);
      sb.append('"');
    }
    return sb.append('}').toString();
  }

  /** Parses a JSON object of strings, as written by {@link #mapJson(Map)}. */
  static Map<String, String> parseMap(@Nullable String json) throws IOException {
    TreeMap<String, String> m = new TreeMap<>();
    if (json == null || json.isBlank()) {
      return m;
    }
    try (JsonParser p = FACTORY.createParser(json)) {
      expect(p.nextToken(), JsonToken.START_OBJECT);
      readMapBody(p, m);
    }
    return m;
  }

  /**
   * Parses one line written by {@link #toUtf8(UsageRecord)}.
   *
   * @throws IOException if the line is not such a record (e.g. torn by a crash mid-write)
   */
  static UsageRecord parse(String line) throws IOException {
    UsageRecord.Builder b = UsageRecord.builder();
    AttributionContext.Builder c = AttributionContext.builder();
    TokenUsage.Builder u = TokenUsage.builder();
    CostBreakdown.Builder k = CostBreakdown.builder();
    boolean costUnknown = false;
    try (JsonParser p = FACTORY.createParser(line)) {
      expect(p.nextToken(), JsonToken.START_OBJECT);
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (v == JsonToken.VALUE_NULL) {
          continue;
        }
        try {
          switch (name) {
            case "id" -> b.id(UUID.fromString(p.getText()));
            case "startedAt" -> b.startedAt(Instant.parse(p.getText()));
            case "endedAt" -> b.endedAt(Instant.parse(p.getText()));
            case "tenant" -> c.tenantId(p.getText());
            case "user" -> c.userId(p.getText());
            case "assistant" -> c.assistantId(p.getText());
            case "thread" -> c.threadId(p.getText());
            case "feature" -> c.feature(p.getText());
            case "trafficClass" -> c.trafficClass(p.getText());
            case "tags" -> {
              TreeMap<String, String> tags = new TreeMap<>();
              readMapBody(p, tags);
              c.tags(tags);
            }
            case "contextSource" -> b.contextSource(ContextSource.fromWireName(p.getText()));
            // Lines spooled before 0.1 said "unknown" for an unrecognised endpoint.
            case "provider" -> b.provider(p.getText().equals("unknown") ? null : p.getText());
            // Lines spooled before operation became nullable said "unknown" when it was unknown.
            case "operation" -> b.operation(p.getText().equals("unknown") ? null : p.getText());
            case "serverHost" -> b.serverHost(p.getText());
            case "requestedModel" -> b.requestedModel(p.getText());
            case "effectiveModel" -> b.effectiveModel(p.getText());
            case "responseModel" -> b.responseModel(p.getText());
            case "route" -> b.route(p.getText());
            case "routeRule" -> b.routeRule(p.getText());
            case "streaming" -> b.streaming(p.getBooleanValue());
            case "attempt" -> b.attempt(p.getIntValue());
            case "in" -> u.inputTokens(p.getLongValue());
            case "cachedIn" -> u.cachedInputTokens(p.getLongValue());
            case "cw5m" -> u.cacheWrite5mTokens(p.getLongValue());
            case "cw1h" -> u.cacheWrite1hTokens(p.getLongValue());
            case "out" -> u.outputTokens(p.getLongValue());
            case "reasoning" -> u.reasoningTokens(p.getLongValue());
            case "audioIn" -> u.audioInputTokens(p.getLongValue());
            case "audioOut" -> u.audioOutputTokens(p.getLongValue());
            case "imageIn" -> u.imageInputTokens(p.getLongValue());
            case "imageOut" -> u.imageOutputTokens(p.getLongValue());
            case "usageEstimated" -> b.usageEstimated(p.getBooleanValue());
            case "currency" -> k.currency(p.getText());
            case "costInput" -> k.input(new BigDecimal(p.getText()));
            case "costCachedInput" -> k.cachedInput(new BigDecimal(p.getText()));
            case "costCacheWrite" -> k.cacheWrite(new BigDecimal(p.getText()));
            case "costOutput" -> k.output(new BigDecimal(p.getText()));
            case "costReasoning" -> k.reasoning(new BigDecimal(p.getText()));
            case "costTools" -> k.tools(new BigDecimal(p.getText()));
            case "costOther" -> k.other(new BigDecimal(p.getText()));
            case "costUnknown" -> costUnknown = p.getBooleanValue();
            case "computedCost" -> b.computedCost(new BigDecimal(p.getText()));
            case "providerCost" -> b.providerReportedCost(new BigDecimal(p.getText()));
            case "charge" -> b.charge(new BigDecimal(p.getText()));
            case "costSource" -> b.costSource(CostSource.fromWireName(p.getText()));
            case "priceVersion" -> b.priceVersion(p.getText());
            case "latencyNanos" -> b.latency(Duration.ofNanos(p.getLongValue()));
            case "ttfbNanos" -> b.timeToFirstByte(Duration.ofNanos(p.getLongValue()));
            case "status" -> b.status(CallStatus.fromWireName(p.getText()));
            // Lines spooled before 0.1 said 0 for no response.
            case "httpStatus" -> b.httpStatus(p.getIntValue() == 0 ? null : p.getIntValue());
            case "errorType" -> b.errorType(p.getText());
            case "errorMessage" -> b.errorMessage(p.getText());
            case "providerRequestId" -> b.providerRequestId(p.getText());
            case "budgetAction" -> b.budgetAction(BudgetAction.fromWireName(p.getText()));
            case "budgetName" -> b.budgetName(p.getText());
            case "budgetPercent" -> b.budgetPercent(new BigDecimal(p.getText()));
            case "dryRunAction" -> b.dryRunAction(BudgetAction.fromWireName(p.getText()));
            case "deployment" -> b.deployment(p.getText());
            case "keyFingerprint" -> b.keyFingerprint(p.getText());
            case "traceId" -> b.traceId(p.getText());
            case "spanId" -> b.spanId(p.getText());
            case "attributes" -> {
              TreeMap<String, String> attrs = new TreeMap<>();
              readMapBody(p, attrs);
              // Lines spooled before 0.1 kept a dry-run outcome as an attribute.
              String dryRun = attrs.remove("budget_dry_run");
              if (dryRun != null) {
                b.dryRunAction(BudgetAction.fromWireName(dryRun));
              }
              b.attributes(attrs);
            }
            default -> p.skipChildren();
          }
        } catch (IllegalArgumentException | IllegalStateException e) {
          throw new IOException("bad value for field '" + name + "': " + e.getMessage(), e);
        }
      }
      expect(t, JsonToken.END_OBJECT);
      if (p.nextToken() != null) {
        throw new IOException("content after the record");
      }
    }
    try {
      return b.context(c.build()).usage(u.build()).cost(costUnknown ? null : k.build()).build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new IOException("incomplete record: " + e.getMessage(), e);
    }
  }

  private static void readMapBody(JsonParser p, Map<String, String> into) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw new IOException("expected an object, found " + p.currentToken());
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      p.nextToken();
      into.put(key, p.getText());
    }
  }

  private static void expect(@Nullable JsonToken actual, JsonToken expected) throws IOException {
    if (actual != expected) {
      throw new IOException("expected " + expected + ", found " + actual);
    }
  }

  private static void str(JsonGenerator g, String name, @Nullable String v) throws IOException {
    if (v != null) {
      g.writeStringField(name, v);
    }
  }

  private static void instant(JsonGenerator g, String name, Instant v) throws IOException {
    g.writeStringField(name, v.toString());
  }

  private static void money(JsonGenerator g, String name, @Nullable BigDecimal v)
      throws IOException {
    if (v != null) {
      g.writeStringField(name, v.toPlainString());
    }
  }

  private static void map(JsonGenerator g, String name, Map<String, String> m) throws IOException {
    if (m.isEmpty()) {
      return;
    }
    g.writeObjectFieldStart(name);
    for (Map.Entry<String, String> e : m.entrySet()) {
      g.writeStringField(e.getKey(), e.getValue());
    }
    g.writeEndObject();
  }
}
