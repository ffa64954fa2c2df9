package dev.attribution.core.internal.provider;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The members of one usage object ({@link ResponseParser}'s bounded tree), in two small arrays in
 * the order they came: a usage object has a handful of members and is read a few times by name, so
 * a {@code LinkedHashMap} (an entry object per member and a 16-slot table) is mostly overhead on
 * every call. Same semantics as the map {@code ObjectNode} would otherwise hold: a repeated name
 * replaces the value in its first position. Not thread-safe; lives as long as one parse.
 */
final class UsageMembers extends AbstractMap<String, JsonNode> {

  /**
   * Name and value of member {@code i} at {@code 2i} and {@code 2i + 1}: one array, sized for the
   * six members of a typical usage object, rather than two arrays of four that a usage object of
   * five members outgrew.
   */
  private Object[] members = new Object[12];

  private int size;

  private String name(int i) {
    return (String) members[2 * i];
  }

  private JsonNode value(int i) {
    return (JsonNode) members[2 * i + 1];
  }

  private int indexOf(@Nullable Object name) {
    for (int i = 0; i < size; i++) {
      if (members[2 * i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public @Nullable JsonNode get(@Nullable Object name) {
    int i = indexOf(name);
    return i < 0 ? null : value(i);
  }

  @Override
  public boolean containsKey(@Nullable Object name) {
    return indexOf(name) >= 0;
  }

  @Override
  public @Nullable JsonNode put(String name, JsonNode value) {
    Objects.requireNonNull(name, "name");
    int i = indexOf(name);
    if (i >= 0) {
      JsonNode old = value(i);
      members[2 * i + 1] = value;
      return old;
    }
    if (2 * size == members.length) {
      members = Arrays.copyOf(members, members.length * 2);
    }
    members[2 * size] = name;
    members[2 * size + 1] = value;
    size++;
    return null;
  }

  @Override
  public @Nullable JsonNode remove(@Nullable Object name) {
    int i = indexOf(name);
    if (i < 0) {
      return null;
    }
    JsonNode old = value(i);
    System.arraycopy(members, 2 * (i + 1), members, 2 * i, 2 * (size - i - 1));
    size--;
    members[2 * size] = null;
    members[2 * size + 1] = null;
    return old;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public void clear() {
    Arrays.fill(members, 0, 2 * size, null);
    size = 0;
  }

  @Override
  public Set<Map.Entry<String, JsonNode>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Map.Entry<String, JsonNode>> iterator() {
        return new Iterator<>() {
          private int next;
          private int last = -1;

          @Override
          public boolean hasNext() {
            return next < size;
          }

          @Override
          public Map.Entry<String, JsonNode> next() {
            if (next >= size) {
              throw new NoSuchElementException();
            }
            last = next++;
            return new SimpleImmutableEntry<>(name(last), value(last));
          }

          @Override
          public void remove() {
            if (last < 0) {
              throw new IllegalStateException();
            }
            UsageMembers.this.remove(name(last));
            next = last;
            last = -1;
          }
        };
      }

      @Override
      public int size() {
        return size;
      }
    };
  }
}
