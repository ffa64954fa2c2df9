package dev.attribution.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The public boundary of attribution-core: the types a user or an adapter may name. Everything else
 * is package-private or in an {@code internal} package. Adding a public type here is a decision (it
 * is frozen once released), so this list must be changed on purpose.
 */
class PublicBoundaryTest {

  private static final List<String> PUBLIC_TYPES =
      List.of(
          "dev.attribution.core.AttributionEngine",
          "dev.attribution.core.EngineStats",
          "dev.attribution.core.budget.BudgetDefinition",
          "dev.attribution.core.budget.BudgetDefinitions",
          "dev.attribution.core.budget.BudgetPeriod",
          "dev.attribution.core.budget.LoopGuard",
          "dev.attribution.core.budget.Threshold",
          "dev.attribution.core.pricing.MeterPrice",
          "dev.attribution.core.pricing.ModelPrice",
          "dev.attribution.core.pricing.PriceDataException",
          "dev.attribution.core.pricing.PriceOverrides",
          "dev.attribution.core.pricing.TokenRates",
          "dev.attribution.core.pricing.UnpricedPolicy",
          "dev.attribution.core.routing.Route",
          "dev.attribution.core.routing.RoutingRule",
          "dev.attribution.core.transport.BlockedResponse",
          "dev.attribution.core.transport.CallRequest",
          "dev.attribution.core.transport.LlmCall",
          "dev.attribution.core.transport.UpstreamRewrite");

  @Test
  void publicTopLevelTypesOutsideInternalPackagesAreExactlyTheListedOnes() throws Exception {
    assertThat(publicTopLevelTypes()).containsExactlyInAnyOrderElementsOf(PUBLIC_TYPES);
    assertThat(PUBLIC_TYPES).hasSizeLessThanOrEqualTo(20);
  }

  @Test
  void internalPackagesSayThatNoCompatibilityIsPromised() throws Exception {
    Path root = classesRoot();
    try (Stream<Path> dirs = Files.walk(root.resolve("dev/attribution/core/internal"))) {
      for (Path dir : dirs.filter(Files::isDirectory).collect(Collectors.toList())) {
        if (dir.getFileName().toString().equals("internal")) {
          continue;
        }
        String pkg = root.relativize(dir).toString().replace('/', '.');
        Package p = Class.forName(pkg + ".package-info").getPackage();
        assertThat(p).as(pkg).isNotNull();
      }
    }
  }

  private static TreeSet<String> publicTopLevelTypes() throws Exception {
    Path root = classesRoot();
    TreeSet<String> out = new TreeSet<>();
    try (Stream<Path> files = Files.walk(root.resolve("dev/attribution/core"))) {
      for (Path f :
          files.filter(p -> p.toString().endsWith(".class")).collect(Collectors.toList())) {
        String name = root.relativize(f).toString().replace('/', '.');
        name = name.substring(0, name.length() - ".class".length());
        if (name.contains("$") || name.endsWith("package-info") || name.contains(".internal.")) {
          continue;
        }
        Class<?> c = Class.forName(name, false, PublicBoundaryTest.class.getClassLoader());
        if (Modifier.isPublic(c.getModifiers())) {
          out.add(name);
        }
      }
    }
    return out;
  }

  private static Path classesRoot() throws URISyntaxException, IOException {
    Path p =
        Path.of(
            AttributionEngine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    if (!Files.isDirectory(p)) {
      throw new IOException("expected a classes directory, was " + p);
    }
    return p;
  }
}
