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

  private String[] names = new String[4];
  private JsonNode[] values = new JsonNode[4];
  private int size;

  private int indexOf(@Nullable Object name) {
    for (int i = 0; i < size; i++) {
      if (names[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public @Nullable JsonNode get(@Nullable Object name) {
    int i = indexOf(name);
    return i < 0 ? null : values[i];
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
      JsonNode old = values[i];
      values[i] = value;
      return old;
    }
    if (size == names.length) {
      names = Arrays.copyOf(names, size * 2);
      values = Arrays.copyOf(values, size * 2);
    }
    names[size] = name;
    values[size] = value;
    size++;
    return null;
  }

  @Override
  public @Nullable JsonNode remove(@Nullable Object name) {
    int i = indexOf(name);
    if (i < 0) {
      return null;
    }
    JsonNode old = values[i];
    System.arraycopy(names, i + 1, names, i, size - i - 1);
    System.arraycopy(values, i + 1, values, i, size - i - 1);
    size--;
    names[size] = null;
    values[size] = null;
    return old;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public void clear() {
    Arrays.fill(names, 0, size, null);
    Arrays.fill(values, 0, size, null);
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
            return new SimpleImmutableEntry<>(names[last], values[last]);
          }

          @Override
          public void remove() {
            if (last < 0) {
              throw new IllegalStateException();
            }
            UsageMembers.this.remove(names[last]);
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
