package dev.attribution.spring.autoconfigure;

import dev.attribution.api.AttributionContext;
import java.security.Principal;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.server.resource.authentication.AbstractOAuth2TokenAuthenticationToken;
import org.springframework.util.ClassUtils;

/**
 * The default resolver, from {@code attribution.web.*}:
 *
 * <ul>
 *   <li>tenant: the JWT claim {@code tenant-claim} ({@code tenant_id}) of a Spring Security
 *       resource-server token, else the header {@code tenant-header} ({@code X-Tenant-Id});
 *   <li>user: the authenticated principal's name, else the header {@code user-header} ({@code
 *       X-User-Id});
 *   <li>feature: the header {@code feature-header} ({@code X-Feature}).
 * </ul>
 *
 * Headers are trusted as they come: behind a gateway that sets them, that is right; a service that
 * end users call directly should authenticate them and clear the header names (set them to empty).
 * A value longer than {@link AttributionContext#MAX_VALUE_LENGTH} or otherwise invalid is dropped
 * alone.
 */
public final class DefaultAttributionContextResolver implements AttributionContextResolver {

  private static final boolean OAUTH2_PRESENT =
      ClassUtils.isPresent(
          "org.springframework.security.oauth2.server.resource.authentication."
              + "AbstractOAuth2TokenAuthenticationToken",
          DefaultAttributionContextResolver.class.getClassLoader());

  private final AttributionProperties.Web web;

  /** A resolver reading the headers and claim that {@code web} names. */
  public DefaultAttributionContextResolver(AttributionProperties.Web web) {
    this.web = web;
  }

  @Override
  public AttributionContext resolve(AttributionRequest request) {
    Principal principal = request.principal();
    String claimed = claim(principal, web.tenantClaim());
    String tenant = claimed != null ? claimed : header(request, web.tenantHeader());
    String named = principal == null ? null : blankToNull(principal.getName());
    String user = named != null ? named : header(request, web.userHeader());
    String feature = header(request, web.featureHeader());
    AttributionContext.Builder b = AttributionContext.builder();
    set(() -> b.tenantId(tenant));
    set(() -> b.userId(user));
    set(() -> b.feature(feature));
    return b.build();
  }

  /** Applies one field; a value the context refuses is dropped alone. */
  private static void set(Runnable setter) {
    try {
      setter.run();
    } catch (IllegalArgumentException e) {
      // Invalid (too long, control characters): that field stays unset.
    }
  }

  private static @Nullable String header(AttributionRequest request, String name) {
    return name.isEmpty() ? null : blankToNull(request.header(name));
  }

  private static @Nullable String claim(@Nullable Principal principal, String claim) {
    if (!OAUTH2_PRESENT || claim.isEmpty() || principal == null) {
      return null;
    }
    return OAuth2.claim(principal, claim);
  }

  private static @Nullable String blankToNull(@Nullable String v) {
    return v == null || v.isBlank() ? null : v.trim();
  }

  /** Touches Spring Security's types only when they are present. */
  private static final class OAuth2 {
    static @Nullable String claim(Principal principal, String claim) {
      if (principal instanceof AbstractOAuth2TokenAuthenticationToken<?> token) {
        Map<String, Object> attributes = token.getTokenAttributes();
        Object v = attributes.get(claim);
        return v == null ? null : blankToNull(v.toString());
      }
      return null;
    }
  }
}
