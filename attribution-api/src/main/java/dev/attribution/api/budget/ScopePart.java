package dev.attribution.api.budget;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One part of a budget's scope: a {@link ScopeDimension} at a fixed value, or at each distinct
 * value (one counter per value). A budget scoped by tenant has one part, {@code tenant=*}; a budget
 * for one feature of each tenant has two, {@code tenant=*} and {@code feature=search}.
 */
public final class ScopePart {

  private final ScopeDimension dimension;
  private final @Nullable String tagKey;
  private final @Nullable String fixedValue;
  private final String label;

  private ScopePart(
      ScopeDimension dimension, @Nullable String tagKey, @Nullable String fixedValue) {
    this.dimension = dimension;
    this.tagKey = tagKey;
    this.fixedValue = fixedValue;
    this.label = dimension == ScopeDimension.TAG ? "tag." + tagKey : dimension.wireName();
  }

  /**
   * A scope part.
   *
   * @param dimension the dimension
   * @param tagKey the tag key, required for {@link ScopeDimension#TAG} and forbidden otherwise
   * @param fixedValue the one value the part covers, or {@code null} for each distinct value
   * @throws IllegalArgumentException when the tag key is missing or not allowed, or a value is
   *     blank
   */
  public static ScopePart of(
      ScopeDimension dimension, @Nullable String tagKey, @Nullable String fixedValue) {
    Objects.requireNonNull(dimension, "dimension");
    if ((dimension == ScopeDimension.TAG) != (tagKey != null)) {
      throw new IllegalArgumentException(
          dimension == ScopeDimension.TAG
              ? "a tag scope part needs a tag key"
              : "only a tag scope part has a tag key, not " + dimension.wireName());
    }
    if (tagKey != null && tagKey.isBlank()) {
      throw new IllegalArgumentException("tag key must not be blank");
    }
    if (fixedValue != null && fixedValue.isEmpty()) {
      throw new IllegalArgumentException("fixed value of " + dimension.wireName() + " is empty");
    }
    return new ScopePart(dimension, tagKey, fixedValue);
  }

  /** The dimension. */
  public ScopeDimension dimension() {
    return dimension;
  }

  /** The tag key of a {@link ScopeDimension#TAG} part, else {@code null}. */
  public @Nullable String tagKey() {
    return tagKey;
  }

  /** The fixed value, or {@code null} when the part selects each distinct value. */
  public @Nullable String fixedValue() {
    return fixedValue;
  }

  /** The name this part has in scope keys, e.g. {@code tenant} or {@code tag.team}. */
  public String label() {
    return label;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof ScopePart
        && ((ScopePart) o).dimension == dimension
        && Objects.equals(((ScopePart) o).tagKey, tagKey)
        && Objects.equals(((ScopePart) o).fixedValue, fixedValue);
  }

  @Override
  public int hashCode() {
    return Objects.hash(dimension, tagKey, fixedValue);
  }

  /** {@code label=value}, or {@code label=*} for each distinct value. */
  @Override
  public String toString() {
    return label + "=" + (fixedValue == null ? "*" : fixedValue);
  }
}
