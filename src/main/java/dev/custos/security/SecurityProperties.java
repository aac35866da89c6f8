package dev.custos.security;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How Custos authenticates ({@code custos.security.*}).
 *
 * @param auth              {@code required} (the default: every API request but health and signed download links
 *                          needs a user) or {@code none} (the spec's development mode: everyone acts as
 *                          {@code anonymous} with every right; set by {@code CUSTOS_AUTH=none})
 * @param adminPasswordFile where the first start writes the random password of the {@code admin} user it creates
 * @param oidc              bearer tokens from an OpenID Connect provider, beside HTTP Basic; off without an issuer
 * @param corsAllowedOrigins the web origins (scheme, host, port) whose pages may call the API from a browser; none
 *                          by default, so that no other site's page can
 */
@ConfigurationProperties("custos.security")
public record SecurityProperties(String auth, Path adminPasswordFile, Oidc oidc, List<String> corsAllowedOrigins) {

    public SecurityProperties {
        auth = auth == null || auth.isBlank() ? "required" : auth.trim().toLowerCase(Locale.ROOT);
        if (!auth.equals("required") && !auth.equals("none")) {
            throw new IllegalArgumentException("custos.security.auth (CUSTOS_AUTH) must be required or none (got '"
                    + auth + "')");
        }
        oidc = oidc == null ? Oidc.off() : oidc;
        corsAllowedOrigins = corsAllowedOrigins == null ? List.of() : corsAllowedOrigins.stream().map(String::trim)
                .filter(o -> !o.isEmpty()).map(o -> o.endsWith("/") ? o.substring(0, o.length() - 1) : o)
                .map(o -> o.toLowerCase(Locale.ROOT)).toList();
        for (String origin : corsAllowedOrigins) {
            if (!origin.matches("https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")) {
                throw new IllegalArgumentException("custos.security.cors-allowed-origins (CUSTOS_CORS_ALLOWED_ORIGINS)"
                        + " takes origins such as https://ops.example.com, without paths or wildcards (got '" + origin
                        + "')");
            }
        }
    }

    public boolean required() {
        return auth.equals("required");
    }

    /**
     * Which OIDC provider's tokens are trusted ({@code custos.security.oidc.*}), and what role their claims give.
     *
     * @param issuerUri     the provider's issuer, exactly as its discovery document states it; blank: OIDC off
     * @param audience      the {@code aud} values meant for Custos; a token must carry one of them. Required with an
     *                      issuer: a provider signs tokens for every application it serves, not only for this one
     * @param usernameClaim the claim that names the user ({@code preferred_username} unless set); {@code email}, then
     *                      {@code sub} when the token lacks it
     * @param rolesClaim    the claim whose values the role mapping reads ({@code groups} unless set); a dotted path
     *                      reaches into objects ({@code realm_access.roles})
     * @param roleMapping   the claim values that give each role; the highest role matched wins, none matched: no role
     */
    public record Oidc(String issuerUri, List<String> audience, String usernameClaim, String rolesClaim,
            RoleMapping roleMapping) {

        public Oidc {
            issuerUri = issuerUri == null ? "" : issuerUri.trim();
            audience = values(audience);
            usernameClaim = usernameClaim == null || usernameClaim.isBlank() ? "preferred_username"
                    : usernameClaim.trim();
            rolesClaim = rolesClaim == null || rolesClaim.isBlank() ? "groups" : rolesClaim.trim();
            roleMapping = roleMapping == null ? new RoleMapping(null, null, null) : roleMapping;
            if (!issuerUri.isEmpty() && audience.isEmpty()) {
                throw new IllegalArgumentException("custos.security.oidc.audience (CUSTOS_OIDC_AUDIENCE) is required"
                        + " with an issuer: name the audience the provider puts in tokens for Custos (its client id,"
                        + " or the API's application id URI)");
            }
        }

        public boolean enabled() {
            return !issuerUri.isEmpty();
        }

        /** No OIDC: bearer tokens from providers are refused. */
        public static Oidc off() {
            return new Oidc(null, null, null, null, null);
        }
    }

    /** The claim values that give each role, e.g. {@code admin=custos-admins,ops-leads}. */
    public record RoleMapping(List<String> admin, List<String> operator, List<String> viewer) {

        public RoleMapping {
            admin = values(admin);
            operator = values(operator);
            viewer = values(viewer);
        }
    }

    /** A list property without its blank entries: an unset environment variable binds as one empty value. */
    private static List<String> values(List<String> given) {
        return given == null ? List.of() : given.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
