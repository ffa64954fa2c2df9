package dev.attribution.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AttributionScopeTest {

  private static final AttributionContext ACME =
      AttributionContext.builder()
          .tenantId("acme")
          .userId("u-1")
          .feature("support-chat")
          .tag("plan", "pro")
          .tag("region", "eu")
          .build();

  @AfterEach
  void threadIsClean() {
    assertThat(Attribution.current()).isEqualTo(AttributionContext.empty());
  }

  @Test
  void currentIsEmptyWithoutScope() {
    assertThat(Attribution.current().isEmpty()).isTrue();
    assertThat(Attribution.headers()).isEmpty();
  }

  @Test
  void nestedScopeMergesInnerFieldsOverOuterAndMergesTags() {
    AttributionContext inner =
        AttributionContext.builder()
            .feature("summarize")
            .threadId("t-9")
            .tag("region", "us")
            .tag("experiment", "b")
            .build();
    try (AttributionScope outer = Attribution.open(ACME)) {
      assertThat(Attribution.current()).isEqualTo(ACME);
      try (AttributionScope nested = Attribution.open(inner)) {
        AttributionContext c = Attribution.current();
        assertThat(c.tenantId()).isEqualTo("acme");
        assertThat(c.userId()).isEqualTo("u-1");
        assertThat(c.feature()).isEqualTo("summarize");
        assertThat(c.threadId()).isEqualTo("t-9");
        assertThat(c.tags())
            .containsExactly(entry("experiment", "b"), entry("plan", "pro"), entry("region", "us"));
        assertThat(nested.context()).isEqualTo(c);
      }
      assertThat(Attribution.current()).isEqualTo(ACME);
      assertThat(outer.context()).isEqualTo(ACME);
    }
  }

  @Test
  void installReplacesTheWholeContextAndRestoresExactlyWhatWasThere() {
    AttributionContext other = AttributionContext.builder().feature("batch").build();
    long leaksBefore = Attribution.leakedScopes();
    try (AttributionScope outer = Attribution.open(ACME)) {
      try (AttributionScope installed = Attribution.install(other)) {
        assertThat(Attribution.current()).isEqualTo(other);
        assertThat(installed.context()).isEqualTo(other);
        // A request boundary inside an installed scope is not a leak.
        try (AttributionScope isolated = Attribution.openIsolated(ACME)) {
          assertThat(Attribution.current()).isEqualTo(ACME);
        }
        // Opened inside and never closed: the installed scope's close still restores ACME.
        Attribution.open(AttributionContext.builder().userId("u-9").build());
      }
      assertThat(Attribution.current()).isEqualTo(ACME);
      try (AttributionScope cleared = Attribution.install(AttributionContext.empty())) {
        assertThat(Attribution.current().isEmpty()).isTrue();
      }
      assertThat(Attribution.current()).isEqualTo(ACME);
    }
    assertThat(Attribution.leakedScopes()).isEqualTo(leaksBefore);
  }

  @Test
  void closingRestoresThePreviousContextAtEachLevel() {
    AttributionContext a = AttributionContext.builder().tenantId("a").build();
    AttributionContext b = AttributionContext.builder().userId("b").build();
    AttributionContext c = AttributionContext.builder().feature("c").build();
    AttributionScope sa = Attribution.open(a);
    AttributionScope sb = Attribution.open(b);
    AttributionScope sc = Attribution.open(c);
    assertThat(Attribution.current())
        .isEqualTo(AttributionContext.builder().tenantId("a").userId("b").feature("c").build());
    sc.close();
    assertThat(Attribution.current())
        .isEqualTo(AttributionContext.builder().tenantId("a").userId("b").build());
    sb.close();
    assertThat(Attribution.current()).isEqualTo(a);
    sa.close();
    assertThat(Attribution.current()).isEqualTo(AttributionContext.empty());
  }

  @Test
  void outOfOrderCloseIsIgnoredAndCounted() {
    AttributionContext inner = AttributionContext.builder().feature("inner").build();
    AttributionScope outer = Attribution.open(ACME);
    AttributionScope nested = Attribution.open(inner);
    AttributionContext before = Attribution.current();
    long count = Attribution.outOfOrderCloses();

    outer.close();

    assertThat(Attribution.current()).isEqualTo(before);
    assertThat(Attribution.outOfOrderCloses()).isEqualTo(count + 1);
    nested.close();
    assertThat(Attribution.current()).isEqualTo(ACME);
    // The ignored close did not consume the outer scope: closing it in order now works.
    outer.close();
    assertThat(Attribution.current()).isEqualTo(AttributionContext.empty());
  }

  @Test
  void closingTwiceIsANoOp() {
    AttributionScope outer = Attribution.open(ACME);
    AttributionScope nested = Attribution.open(AttributionContext.builder().userId("x").build());
    long count = Attribution.outOfOrderCloses();
    nested.close();
    nested.close();
    assertThat(Attribution.current()).isEqualTo(ACME);
    assertThat(Attribution.outOfOrderCloses()).isEqualTo(count);
    outer.close();
  }

  @Test
  void closingOnAnotherThreadIsIgnored() throws Exception {
    try (AttributionScope scope = Attribution.open(ACME)) {
      assertThat(scope.context()).isEqualTo(ACME);
      long count = Attribution.outOfOrderCloses();
      CompletableFuture.runAsync(scope::close).get(10, TimeUnit.SECONDS);
      assertThat(Attribution.current()).isEqualTo(ACME);
      assertThat(Attribution.outOfOrderCloses()).isEqualTo(count + 1);
    }
  }

  @Test
  void openIsolatedIgnoresTheOuterContext() {
    AttributionContext request = AttributionContext.builder().userId("u-2").build();
    try (AttributionScope leftover = Attribution.open(ACME)) {
      assertThat(leftover.context()).isEqualTo(ACME);
      try (AttributionScope isolated = Attribution.openIsolated(request)) {
        assertThat(Attribution.current()).isEqualTo(request).isEqualTo(isolated.context());
        assertThat(Attribution.current().tenantId()).isNull();
        assertThat(Attribution.current().tags()).isEmpty();
      }
      assertThat(Attribution.current()).isEqualTo(ACME);
    }
  }

  @Test
  void emptyInnerScopeKeepsTheOuterContext() {
    try (AttributionScope outer = Attribution.open(ACME);
        AttributionScope inner = Attribution.open(AttributionContext.empty())) {
      assertThat(Attribution.current()).isEqualTo(ACME).isEqualTo(inner.context());
      assertThat(outer.context()).isEqualTo(ACME);
    }
  }
}
