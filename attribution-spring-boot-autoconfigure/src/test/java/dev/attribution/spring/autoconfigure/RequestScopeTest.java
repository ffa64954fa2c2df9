package dev.attribution.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.Attribution;
import dev.attribution.api.AttributionContext;
import dev.attribution.api.AttributionScope;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.core.task.TaskDecorator;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;

/** The request filter, the default resolver and propagation across threads and Reactor. */
class RequestScopeTest {

  private final WebApplicationContextRunner runner =
      new WebApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  AttributionAutoConfiguration.class, AttributionWebAutoConfiguration.class));

  @Test
  void theFilterOpensTheRequestScopeFromHeadersAndPrincipalAndHidesInboundAttributionHeaders() {
    runner.run(
        context -> {
          AttributionServletFilter filter = context.getBean(AttributionServletFilter.class);
          MockHttpServletRequest request = new MockHttpServletRequest("POST", "/chat");
          request.addHeader("X-Tenant-Id", "acme");
          request.addHeader("X-User-Id", "spoofed-user");
          request.addHeader("X-Feature", "support-chat");
          request.addHeader("x-attribution-tenant", "someone-else");
          request.setUserPrincipal(() -> "alice");
          AtomicReference<AttributionContext> seen = new AtomicReference<>();
          AtomicReference<List<String>> headers = new AtomicReference<>();
          MockFilterChain chain =
              new MockFilterChain() {
                @Override
                public void doFilter(
                    jakarta.servlet.ServletRequest req, jakarta.servlet.ServletResponse res) {
                  seen.set(Attribution.current());
                  HttpServletRequest http = (HttpServletRequest) req;
                  headers.set(Collections.list(http.getHeaderNames()));
                  assertThat(http.getHeader("x-attribution-tenant")).isNull();
                }
              };
          filter.doFilter(request, new MockHttpServletResponse(), chain);

          assertThat(seen.get().tenantId()).isEqualTo("acme");
          assertThat(seen.get().userId()).isEqualTo("alice");
          assertThat(seen.get().feature()).isEqualTo("support-chat");
          assertThat(headers.get()).doesNotContain("x-attribution-tenant").contains("X-Tenant-Id");
          assertThat(Attribution.current().isEmpty()).isTrue();
        });
  }

  @Test
  void spring_sTaskDecoratorCarriesTheScopeToPooledThreads() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      runner.run(
          context -> {
            TaskDecorator decorator = context.getBean(TaskDecorator.class);
            AttributionContext acme = AttributionContext.builder().tenantId("acme").build();
            CompletableFuture<String> seen = new CompletableFuture<>();
            try (AttributionScope s = Attribution.openIsolated(acme)) {
              pool.execute(
                  decorator.decorate(() -> seen.complete(Attribution.current().tenantId())));
            }
            assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo("acme");
            // The pooled thread is left as it was found.
            assertThat(pool.submit(() -> Attribution.current().isEmpty()).get()).isTrue();
          });
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void reactorCarriesTheRequestContextWithAutomaticPropagation() {
    Hooks.enableAutomaticContextPropagation();
    try {
      AttributionContext acme = AttributionContext.builder().tenantId("acme").build();
      String tenant =
          Mono.fromCallable(() -> String.valueOf(Attribution.current().tenantId()))
              .subscribeOn(Schedulers.boundedElastic())
              .contextWrite(Context.of(AttributionThreadLocalAccessor.KEY, acme))
              .block();
      assertThat(tenant).isEqualTo("acme");
      assertThat(Attribution.current().isEmpty()).isTrue();
    } finally {
      Hooks.disableAutomaticContextPropagation();
    }
  }

  @Test
  void headersCanBeSwitchedOffAndTheFilterToo() {
    runner
        .withPropertyValues(
            "attribution.web.tenant-header=", "attribution.web.strip-inbound-headers=false")
        .run(
            context -> {
              AttributionContextResolver resolver =
                  context.getBean(AttributionContextResolver.class);
              MockHttpServletRequest request = new MockHttpServletRequest("GET", "/");
              request.addHeader("X-Tenant-Id", "acme");
              AtomicReference<AttributionContext> seen = new AtomicReference<>();
              context
                  .getBean(AttributionServletFilter.class)
                  .doFilter(
                      request,
                      new MockHttpServletResponse(),
                      (req, res) -> seen.set(Attribution.current()));
              assertThat(seen.get().tenantId()).isNull();
              assertThat(resolver).isInstanceOf(DefaultAttributionContextResolver.class);
            });
    runner
        .withPropertyValues("attribution.web.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(AttributionServletFilter.class));
  }
}
