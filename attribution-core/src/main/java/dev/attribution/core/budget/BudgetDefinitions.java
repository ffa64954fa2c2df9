package dev.attribution.core.budget;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.attribution.api.BudgetAction;
import dev.attribution.api.budget.ScopeDimension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads budget definitions from JSON or YAML. Example (YAML):
 *
 * <pre>{@code
 * budgets:
 *   - name: tenant-monthly
 *     scope: { tenant: "*", feature: chat, tag.team: "*" }   # omitted or {} = global
 *     limit: 250.00                                         # required
 *     currency: USD
 *     tokenLimit: 5000000                                   # optional
 *     requestLimit: 20000                                   # optional
 *     period: { kind: month, zone: Europe/Berlin }           # day | week (firstDay) | month
 *                                                           # | rolling (window: PT1H) | lifetime
 *     thresholds:                                           # default 50 notify, 80 downgrade, 100 block
 *       - { percent: 50, action: notify }
 *       - { percent: 80, action: downgrade }
 *       - { percent: 100, action: reroute, route: local-llama }
 *     downgrade: { gpt-4o: gpt-4o-mini }
 *     downgradeExemptTrafficClasses: [ critical ]
 *     soft: false
 *     dryRun: false
 * }</pre>
 *
 * <p>The top level may also be the list itself. Scope values are a fixed value or {@code "*"} for
 * each distinct value; scope names are the {@link ScopeDimension#wireName() wire names} plus {@code
 * tag.<key>}. Unknown fields are errors. Every problem throws {@link IllegalArgumentException}
 * whose message names the source, the budget and the field, e.g. {@code budgets.yaml: budget
 * 'tenant-monthly' (budgets[0]): period.zone: unknown time zone 'Mars/Base'}.
 */
public final class BudgetDefinitions {

  private static final Set<String> FIELDS =
      Set.of(
          "name",
          "scope",
          "limit",
          "currency",
          "tokenLimit",
          "requestLimit",
          "period",
          "thresholds",
          "downgrade",
          "downgradeExemptTrafficClasses",
          "soft",
          "dryRun");

  private static final Set<String> PERIOD_KINDS =
      Set.of("day", "week", "month", "rolling", "lifetime");

  private BudgetDefinitions() {}

  /**
   * Reads the file; YAML unless its name ends in {@code .json} (YAML also reads JSON).
   *
   * @throws IllegalArgumentException for a bad definition, naming the file, budget and field
   * @throws UncheckedIOException if the file cannot be read
   */
  public static List<BudgetDefinition> load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read budget file " + file, e);
    }
    return parse(text, String.valueOf(file.getFileName()));
  }

  /**
   * Parses JSON or YAML text.
   *
   * @param source a name for messages, e.g. the file name
   * @throws IllegalArgumentException for a bad definition, naming the source, budget and field
   */
  public static List<BudgetDefinition> parse(String text, String source) {
    ObjectMapper mapper =
        new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    JsonNode root;
    try {
      root = mapper.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          source + ": not valid YAML or JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new IllegalArgumentException(source + ": is empty; expected 'budgets:'");
    }
    JsonNode list = root;
    if (root.isObject()) {
      Iterator<String> names = root.fieldNames();
      while (names.hasNext()) {
        String f = names.next();
        if (!f.equals("budgets")) {
          throw new IllegalArgumentException(
              source + ": unknown top-level field '" + f + "'; expected 'budgets'");
        }
      }
      list = root.path("budgets");
    }
    if (!list.isArray()) {
      throw new IllegalArgumentException(source + ": 'budgets' must be a list");
    }
    List<BudgetDefinition> out = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (int i = 0; i < list.size(); i++) {
      JsonNode n = list.get(i);
      String name = n.path("name").isTextual() ? n.path("name").asText() : "?";
      String where = source + ": budget '" + name + "' (budgets[" + i + "]): ";
      BudgetDefinition d;
      try {
        d = one(n);
      } catch (IllegalArgumentException e) {
        String msg = e.getMessage();
        String prefix = "budget '" + name + "': ";
        if (msg != null && msg.startsWith(prefix)) {
          msg = msg.substring(prefix.length());
        }
        throw new IllegalArgumentException(where + msg, e);
      }
      if (!seen.add(d.name())) {
        throw new IllegalArgumentException(where + "name: defined twice");
      }
      out.add(d);
    }
    return List.copyOf(out);
  }

  private static BudgetDefinition one(JsonNode n) {
    if (!n.isObject()) {
      throw new IllegalArgumentException("must be a map of fields");
    }
    Iterator<String> fields = n.fieldNames();
    while (fields.hasNext()) {
      String f = fields.next();
      if (!FIELDS.contains(f)) {
        throw new IllegalArgumentException(
            f + ": unknown field; expected one of " + new java.util.TreeSet<>(FIELDS));
      }
    }
    if (!n.path("name").isTextual()) {
      throw new IllegalArgumentException("name: is required and must be text");
    }
    BudgetDefinition.Builder b = BudgetDefinition.builder(n.get("name").asText());
    JsonNode scope = n.path("scope");
    if (!scope.isMissingNode() && !scope.isNull()) {
      if (!scope.isObject()) {
        throw new IllegalArgumentException("scope: must be a map of dimension to value or \"*\"");
      }
      Iterator<Map.Entry<String, JsonNode>> it = scope.properties().iterator();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        String dim = e.getKey();
        JsonNode v = e.getValue();
        if (!v.isValueNode() || v.isNull()) {
          throw new IllegalArgumentException("scope." + dim + ": must be a value or \"*\"");
        }
        String value = v.asText();
        boolean each = BudgetDefinition.EACH.equals(value);
        if (dim.startsWith("tag.")) {
          String key = dim.substring(4);
          if (each) {
            b.eachTag(key);
          } else {
            b.fixedTag(key, value);
          }
          continue;
        }
        ScopeDimension d;
        try {
          d = ScopeDimension.fromWireName(dim);
        } catch (IllegalArgumentException ex) {
          throw new IllegalArgumentException(
              "scope." + dim + ": " + ex.getMessage() + " or tag.<key>");
        }
        if (d == ScopeDimension.TAG) {
          throw new IllegalArgumentException("scope." + dim + ": write tags as tag.<key>");
        }
        if (each) {
          b.each(d);
        } else {
          b.fixed(d, value);
        }
      }
    }
    JsonNode limit = n.path("limit");
    if (limit.isMissingNode() || limit.isNull()) {
      throw new IllegalArgumentException("limit: is required");
    }
    b.limit(decimal("limit", limit));
    if (n.has("currency")) {
      b.currency(text("currency", n.get("currency")));
    }
    if (n.has("tokenLimit")) {
      b.tokenLimit(integer("tokenLimit", n.get("tokenLimit")));
    }
    if (n.has("requestLimit")) {
      b.requestLimit(integer("requestLimit", n.get("requestLimit")));
    }
    if (n.has("period")) {
      b.period(period(n.get("period")));
    }
    if (n.has("thresholds")) {
      JsonNode ts = n.get("thresholds");
      if (!ts.isArray()) {
        throw new IllegalArgumentException("thresholds: must be a list");
      }
      List<Threshold> list = new ArrayList<>();
      for (int i = 0; i < ts.size(); i++) {
        list.add(threshold("thresholds[" + i + "]", ts.get(i)));
      }
      b.thresholds(list);
    }
    if (n.has("downgrade")) {
      JsonNode m = n.get("downgrade");
      if (!m.isObject()) {
        throw new IllegalArgumentException("downgrade: must be a map of model to cheaper model");
      }
      Iterator<Map.Entry<String, JsonNode>> it = m.properties().iterator();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        b.downgrade(e.getKey(), text("downgrade." + e.getKey(), e.getValue()));
      }
    }
    if (n.has("downgradeExemptTrafficClasses")) {
      JsonNode a = n.get("downgradeExemptTrafficClasses");
      if (!a.isArray()) {
        throw new IllegalArgumentException("downgradeExemptTrafficClasses: must be a list");
      }
      Set<String> classes = new LinkedHashSet<>();
      for (int i = 0; i < a.size(); i++) {
        classes.add(text("downgradeExemptTrafficClasses[" + i + "]", a.get(i)));
      }
      b.downgradeExemptTrafficClasses(classes);
    }
    if (n.has("soft")) {
      b.soft(bool("soft", n.get("soft")));
    }
    if (n.has("dryRun")) {
      b.dryRun(bool("dryRun", n.get("dryRun")));
    }
    return b.build();
  }

  private static BudgetPeriod period(JsonNode p) {
    if (p.isTextual()) {
      return periodOf(p.asText(), null, null, null);
    }
    if (!p.isObject()) {
      throw new IllegalArgumentException("period: must be a kind or a map with 'kind'");
    }
    Iterator<String> names = p.fieldNames();
    while (names.hasNext()) {
      String f = names.next();
      if (!Set.of("kind", "zone", "firstDay", "window").contains(f)) {
        throw new IllegalArgumentException(
            "period." + f + ": unknown field; expected kind, zone, firstDay or window");
      }
    }
    if (!p.path("kind").isTextual()) {
      throw new IllegalArgumentException(
          "period.kind: is required: day, week, month, rolling or lifetime");
    }
    return periodOf(
        p.get("kind").asText(),
        p.has("zone") ? text("period.zone", p.get("zone")) : null,
        p.has("firstDay") ? text("period.firstDay", p.get("firstDay")) : null,
        p.has("window") ? text("period.window", p.get("window")) : null);
  }

  private static BudgetPeriod periodOf(
      String kind, String zoneText, String firstDay, String windowText) {
    String k = kind.toLowerCase(Locale.ROOT);
    // The kind decides which other fields are allowed, so a misspelt kind is the first mistake to
    // name, not the zone it makes look misplaced.
    if (!PERIOD_KINDS.contains(k)) {
      throw new IllegalArgumentException(
          "period.kind: unknown '" + kind + "'; expected day, week, month, rolling or lifetime");
    }
    boolean calendar = k.equals("day") || k.equals("week") || k.equals("month");
    if (!calendar && zoneText != null) {
      throw new IllegalArgumentException("period.zone: only calendar periods have a zone");
    }
    if (!k.equals("week") && firstDay != null) {
      throw new IllegalArgumentException("period.firstDay: only week periods have a first day");
    }
    if (!k.equals("rolling") && windowText != null) {
      throw new IllegalArgumentException("period.window: only rolling periods have a window");
    }
    ZoneId zone = java.time.ZoneOffset.UTC;
    if (zoneText != null) {
      try {
        zone = ZoneId.of(zoneText);
      } catch (DateTimeException e) {
        throw new IllegalArgumentException("period.zone: unknown time zone '" + zoneText + "'");
      }
    }
    switch (k) {
      case "day":
        return BudgetPeriod.calendarDay(zone);
      case "week":
        if (firstDay == null) {
          return BudgetPeriod.calendarWeek(zone);
        }
        try {
          return BudgetPeriod.calendarWeek(
              zone, DayOfWeek.valueOf(firstDay.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "period.firstDay: '"
                  + firstDay
                  + "' is not a day of the week; expected monday, tuesday, .. or sunday");
        }
      case "month":
        return BudgetPeriod.calendarMonth(zone);
      case "rolling":
        if (windowText == null) {
          throw new IllegalArgumentException(
              "period.window: is required for rolling periods, e.g. PT1H");
        }
        Duration w;
        try {
          w = Duration.parse(windowText);
        } catch (DateTimeParseException e) {
          throw new IllegalArgumentException(
              "period.window: '" + windowText + "' is not an ISO-8601 duration such as PT1H");
        }
        try {
          return BudgetPeriod.rolling(w);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("period.window: " + e.getMessage());
        }
      case "lifetime":
        return BudgetPeriod.lifetime();
      default:
        throw new IllegalArgumentException(
            "period.kind: unknown '" + kind + "'; expected day, week, month, rolling or lifetime");
    }
  }

  private static Threshold threshold(String field, JsonNode t) {
    if (!t.isObject()) {
      throw new IllegalArgumentException(field + ": must be a map with percent and action");
    }
    Iterator<String> names = t.fieldNames();
    while (names.hasNext()) {
      String f = names.next();
      if (!Set.of("percent", "action", "route").contains(f)) {
        throw new IllegalArgumentException(
            field + "." + f + ": unknown field; expected percent, action or route");
      }
    }
    if (!t.has("percent")) {
      throw new IllegalArgumentException(field + ".percent: is required");
    }
    if (!t.has("action")) {
      throw new IllegalArgumentException(field + ".action: is required");
    }
    BigDecimal pct = decimal(field + ".percent", t.get("percent"));
    String actionText = text(field + ".action", t.get("action"));
    BudgetAction action;
    try {
      action = BudgetAction.fromWireName(actionText);
    } catch (IllegalArgumentException e) {
      action = BudgetAction.NONE;
    }
    if (action == BudgetAction.NONE) {
      throw new IllegalArgumentException(
          field
              + ".action: unknown '"
              + actionText
              + "'; expected notify, downgrade, reroute or block");
    }
    try {
      if (action == BudgetAction.REROUTE) {
        if (!t.has("route")) {
          throw new IllegalArgumentException("route: is required for a reroute threshold");
        }
        return Threshold.rerouteAt(pct, text(field + ".route", t.get("route")));
      }
      if (t.has("route")) {
        throw new IllegalArgumentException("route: only reroute thresholds have a route");
      }
      return Threshold.of(pct, action);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + "." + e.getMessage());
    }
  }

  private static BigDecimal decimal(String field, JsonNode v) {
    try {
      if (v.isNumber()) {
        return v.decimalValue();
      }
      if (v.isTextual()) {
        return new BigDecimal(v.asText().trim());
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IllegalArgumentException(field + ": '" + v.asText() + "' is not a decimal number");
  }

  private static long integer(String field, JsonNode v) {
    if (v.canConvertToExactIntegral() && v.canConvertToLong()) {
      return v.longValue();
    }
    throw new IllegalArgumentException(field + ": '" + v.asText() + "' is not a whole number");
  }

  private static String text(String field, JsonNode v) {
    if (v == null || !v.isValueNode() || v.isNull()) {
      throw new IllegalArgumentException(field + ": must be text");
    }
    return v.asText();
  }

  private static boolean bool(String field, JsonNode v) {
    if (!v.isBoolean()) {
      throw new IllegalArgumentException(field + ": must be true or false");
    }
    return v.booleanValue();
  }
}
