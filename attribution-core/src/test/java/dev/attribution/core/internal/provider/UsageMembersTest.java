package dev.attribution.core.internal.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link UsageMembers} behaves as the {@link LinkedHashMap} an {@code ObjectNode} would otherwise
 * hold: insertion order, a repeated name replacing its value in place, removal by name or through
 * the iterator, growth past its first capacity.
 */
class UsageMembersTest {

  @Test
  void randomOperationsMatchALinkedHashMap() {
    Random random = new Random(18);
    for (int run = 0; run < 500; run++) {
      UsageMembers m = new UsageMembers();
      Map<String, JsonNode> expected = new LinkedHashMap<>();
      for (int op = 0; op < 60; op++) {
        String name = "k" + random.nextInt(20);
        switch (random.nextInt(6)) {
          case 0, 1, 2 -> {
            JsonNode v = IntNode.valueOf(random.nextInt(1000));
            assertThat(m.put(name, v)).isEqualTo(expected.put(name, v));
          }
          case 3 -> assertThat(m.remove(name)).isEqualTo(expected.remove(name));
          case 4 -> {
            Iterator<Map.Entry<String, JsonNode>> a = m.entrySet().iterator();
            Iterator<Map.Entry<String, JsonNode>> b = expected.entrySet().iterator();
            int drop = random.nextInt(25);
            for (int i = 0; a.hasNext(); i++) {
              assertThat(b.hasNext()).isTrue();
              assertThat(a.next()).isEqualTo(b.next());
              if (i == drop) {
                a.remove();
                b.remove();
              }
            }
            assertThat(b.hasNext()).isFalse();
          }
          default -> {
            assertThat(m.get(name)).isEqualTo(expected.get(name));
            assertThat(m.containsKey(name)).isEqualTo(expected.containsKey(name));
          }
        }
        assertThat(m.size()).isEqualTo(expected.size());
        assertThat(new ArrayList<>(m.keySet())).isEqualTo(new ArrayList<>(expected.keySet()));
        assertThat(m).isEqualTo(expected);
      }
      m.clear();
      assertThat(m).isEmpty();
      assertThat(m.get("k1")).isNull();
      m.put("a", IntNode.valueOf(1));
      assertThat(List.copyOf(m.keySet())).containsExactly("a");
    }
  }
}
