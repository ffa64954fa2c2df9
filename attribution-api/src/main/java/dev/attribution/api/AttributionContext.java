package dev.attribution.api;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Who an LLM call is for: tenant, user, assistant, thread, feature, traffic class and custom tags.
 *
 * <p>Immutable and thread-safe. Every field is optional; a field that is not set is {@code null}
 * (or absent from {@link #tags()}). Build one with {@link #builder()}; combine two with {@link
 * #mergedOnto(AttributionContext)}, where the receiver's set fields win.
 *
 * <p>Validation happens in the builder: identifiers are at most {@value #MAX_VALUE_LENGTH}
 * characters, not blank and free of control characters; tag keys are at most {@value
 * #MAX_TAG_KEY_LENGTH} characters of {@code [a-z0-9_.-]} starting with a letter; at most {@value
 * #MAX_TAGS} tags. A bad value throws {@link IllegalArgumentException} whose message names the
 * field.
 */
public final class AttributionContext {

  /** Maximum length of any identifier or tag value, in characters. */
  public static final int MAX_VALUE_LENGTH = 128;

  /** Maximum length of a tag key, in characters. */
  public static final int MAX_TAG_KEY_LENGTH = 64;

  /** Maximum number of custom tags on one context. */
  public static final int MAX_TAGS = 16;

  /** Traffic class for calls whose users wait and which budgets should not degrade. */
  public static final String TRAFFIC_CRITICAL = "critical";

  /** Traffic class for ordinary interactive calls. */
  public static final String TRAFFIC_STANDARD = "standard";

  /** Traffic class for batch and background jobs, the first to be downgraded or rerouted. */
  public static final String TRAFFIC_BACKGROUND = "background";

  private static final AttributionContext EMPTY = new Builder().build();

  private final @Nullable String tenantId;
  private final @Nullable String userId;
  private final @Nullable String assistantId;
  private final @Nullable String threadId;
  private final @Nullable String feature;
  private final @Nullable String trafficClass;
  private final Map<String, String> tags;

  private AttributionContext(Builder b) {
    this.tenantId = b.tenantId;
    this.userId = b.userId;
    this.assistantId = b.assistantId;
    this.threadId = b.threadId;
    this.feature = b.feature;
    this.trafficClass = b.trafficClass;
    this.tags = Collections.unmodifiableSortedMap(new TreeMap<>(b.tags));
  }

  /** The context with no field set. */
  public static AttributionContext empty() {
    return EMPTY;
  }

  /** A new, empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder that starts with this context's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.tenantId = tenantId;
    b.userId = userId;
    b.assistantId = assistantId;
    b.threadId = threadId;
    b.feature = feature;
    b.trafficClass = trafficClass;
    b.tags.putAll(tags);
    return b;
  }

  /** The tenant (customer account) the call is for, or {@code null}. */
  public @Nullable String tenantId() {
    return tenantId;
  }

  /** The end user inside the tenant, or {@code null}. */
  public @Nullable String userId() {
    return userId;
  }

  /** The assistant, agent or workflow making the call, or {@code null}. */
  public @Nullable String assistantId() {
    return assistantId;
  }

  /** The conversation, session or agent run the call belongs to, or {@code null}. */
  public @Nullable String threadId() {
    return threadId;
  }

  /** The product surface or route that caused the call, or {@code null}. */
  public @Nullable String feature() {
    return feature;
  }

  /**
   * The traffic class, e.g. {@value #TRAFFIC_CRITICAL}, {@value #TRAFFIC_STANDARD} or {@value
   * #TRAFFIC_BACKGROUND}; budget rules use it to decide which calls may be degraded. {@code null}
   * when not set.
   */
  public @Nullable String trafficClass() {
    return trafficClass;
  }

  /** Custom tags, sorted by key; never {@code null}, unmodifiable. */
  public Map<String, String> tags() {
    return tags;
  }

  /** Whether no field and no tag is set. */
  public boolean isEmpty() {
    return tenantId == null
        && userId == null
        && assistantId == null
        && threadId == null
        && feature == null
        && trafficClass == null
        && tags.isEmpty();
  }

  /**
   * This context laid over {@code outer}: each field this context sets wins, each field it leaves
   * unset is taken from {@code outer}. Tags merge per key, this context's values winning. If the
   * merged tags would exceed {@value #MAX_TAGS}, the outer context's extra tags are dropped (this
   * context's own tags are always kept), so merging never throws.
   */
  public AttributionContext mergedOnto(AttributionContext outer) {
    if (outer.isEmpty()) {
      return this;
    }
    if (isEmpty()) {
      return outer;
    }
    Builder b = outer.toBuilder();
    b.tenantId = pick(tenantId, outer.tenantId);
    b.userId = pick(userId, outer.userId);
    b.assistantId = pick(assistantId, outer.assistantId);
    b.threadId = pick(threadId, outer.threadId);
    b.feature = pick(feature, outer.feature);
    b.trafficClass = pick(trafficClass, outer.trafficClass);
    TreeMap<String, String> merged = new TreeMap<>(tags);
    for (Map.Entry<String, String> e : outer.tags.entrySet()) {
      if (merged.size() >= MAX_TAGS) {
        break;
      }
      merged.putIfAbsent(e.getKey(), e.getValue());
    }
    b.tags.clear();
    b.tags.putAll(merged);
    return b.build();
  }

  private static @Nullable String pick(@Nullable String inner, @Nullable String outer) {
    return inner != null ? inner : outer;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof AttributionContext)) {
      return false;
    }
    AttributionContext that = (AttributionContext) o;
    return Objects.equals(tenantId, that.tenantId)
        && Objects.equals(userId, that.userId)
        && Objects.equals(assistantId, that.assistantId)
        && Objects.equals(threadId, that.threadId)
        && Objects.equals(feature, that.feature)
        && Objects.equals(trafficClass, that.trafficClass)
        && tags.equals(that.tags);
  }

  @Override
  public int hashCode() {
    return Objects.hash(tenantId, userId, assistantId, threadId, feature, trafficClass, tags);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("AttributionContext{");
    append(sb, "tenant", tenantId);
    append(sb, "user", userId);
    append(sb, "assistant", assistantId);
    append(sb, "thread", threadId);
    append(sb, "feature", feature);
    append(sb, "trafficClass", trafficClass);
    if (!tags.isEmpty()) {
      append(sb, "tags", tags.toString());
    }
    if (sb.charAt(sb.length() - 1) == ' ') {
      sb.setLength(sb.length() - 1);
    }
    return sb.append('}').toString();
  }

  private static void append(StringBuilder sb, String name, @Nullable String value) {
    if (value != null) {
      sb.append(name).append('=').append(value).append(' ');
    }
  }

  /** Checks an identifier value; returns it or throws naming {@code field}. */
  static String checkValue(String field, @Nullable String value) {
    if (value == null) {
      throw new IllegalArgumentException(field + " must not be null");
    }
    if (value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank");
    }
    if (value.length() > MAX_VALUE_LENGTH) {
      throw new IllegalArgumentException(
          field + " is " + value.length() + " characters long; the maximum is " + MAX_VALUE_LENGTH);
    }
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        throw new IllegalArgumentException(
            field + " contains a control character at index " + i + " (U+" + hex(value, i) + ")");
      }
    }
    return value;
  }

  private static String hex(String value, int i) {
    return String.format("%04X", (int) value.charAt(i));
  }

  static String checkTagKey(@Nullable String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("tag key must not be empty");
    }
    if (key.length() > MAX_TAG_KEY_LENGTH) {
      throw new IllegalArgumentException(
          "tag key '" + key + "' is longer than " + MAX_TAG_KEY_LENGTH + " characters");
    }
    char first = key.charAt(0);
    if (first < 'a' || first > 'z') {
      throw new IllegalArgumentException(
          "tag key '" + key + "' must start with a lower-case letter a-z");
    }
    for (int i = 1; i < key.length(); i++) {
      char c = key.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
      if (!ok) {
        throw new IllegalArgumentException(
            "tag key '" + key + "' may contain only a-z, 0-9, '_', '.' and '-'");
      }
    }
    return key;
  }

  /** Builds an {@link AttributionContext}; each setter validates its argument at once. */
  public static final class Builder {
    private @Nullable String tenantId;
    private @Nullable String userId;
    private @Nullable String assistantId;
    private @Nullable String threadId;
    private @Nullable String feature;
    private @Nullable String trafficClass;
    private final TreeMap<String, String> tags = new TreeMap<>();

    private Builder() {}

    /** Sets the tenant id; {@code null} clears it. */
    public Builder tenantId(@Nullable String value) {
      this.tenantId = value == null ? null : checkValue("tenantId", value);
      return this;
    }

    /** Sets the user id; {@code null} clears it. */
    public Builder userId(@Nullable String value) {
      this.userId = value == null ? null : checkValue("userId", value);
      return this;
    }

    /** Sets the assistant (agent or workflow) id; {@code null} clears it. */
    public Builder assistantId(@Nullable String value) {
      this.assistantId = value == null ? null : checkValue("assistantId", value);
      return this;
    }

    /** Sets the thread (conversation or session) id; {@code null} clears it. */
    public Builder threadId(@Nullable String value) {
      this.threadId = value == null ? null : checkValue("threadId", value);
      return this;
    }

    /** Sets the feature (product surface or route); {@code null} clears it. */
    public Builder feature(@Nullable String value) {
      this.feature = value == null ? null : checkValue("feature", value);
      return this;
    }

    /**
     * Sets the traffic class; {@code null} clears it. Any identifier is accepted; the constants on
     * {@link AttributionContext} name the conventional ones.
     */
    public Builder trafficClass(@Nullable String value) {
      this.trafficClass = value == null ? null : checkValue("trafficClass", value);
      return this;
    }

    /**
     * Adds or replaces a custom tag.
     *
     * @throws IllegalArgumentException if the key or value is invalid, or a {@value #MAX_TAGS}+1th
     *     distinct key is added
     */
    public Builder tag(String key, String value) {
      checkTagKey(key);
      checkValue("tag '" + key + "'", value);
      if (!tags.containsKey(key) && tags.size() >= MAX_TAGS) {
        throw new IllegalArgumentException(
            "tags: at most " + MAX_TAGS + " tags are allowed; cannot add '" + key + "'");
      }
      tags.put(key, value);
      return this;
    }

    /** Adds every tag of {@code values}, as {@link #tag(String, String)} would. */
    public Builder tags(Map<String, String> values) {
      values.forEach(this::tag);
      return this;
    }

    /** Removes a tag if present. */
    public Builder removeTag(String key) {
      tags.remove(key);
      return this;
    }

    /** The immutable context. */
    public AttributionContext build() {
      return new AttributionContext(this);
    }
  }
}
