package dev.custos.security;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.AbstractOAuth2TokenAuthenticationToken;

/**
 * Who a checked OIDC token names, and what role its claims give: the principal of a request signed in with it.
 * The actor is the token's subject ({@code sub}: stable, unlike a name or an email); the username is the configured
 * claim, else {@code email}, else {@code sub}; the role is the highest one the role mapping finds among the values of
 * the roles claim, or the one an admin granted the subject by approving its access request, whichever is higher; or
 * none (signed in, may only call what any signed-in identity may, such as asking for access).
 */
final class OidcIdentity implements Converter<Jwt, AbstractAuthenticationToken> {

    /** OAuth's claims that hold several values in one string, separated by spaces (RFC 8693, RFC 9068). */
    private static final Set<String> SPACE_SEPARATED = Set.of("scope", "scp");

    private final SecurityProperties.Oidc oidc;
    private final Function<String, Optional<Role>> granted;

    OidcIdentity(SecurityProperties.Oidc oidc) {
        this(oidc, subject -> Optional.empty());
    }

    /** {@code granted}: the role an admin granted a subject by approving its access request, if any. */
    OidcIdentity(SecurityProperties.Oidc oidc, Function<String, Optional<Role>> granted) {
        this.oidc = oidc;
        this.granted = granted;
    }

    @Override
    public AbstractAuthenticationToken convert(Jwt jwt) {
        return new Token(jwt, signedIn(jwt));
    }

    SignedIn signedIn(Jwt jwt) {
        String sub = jwt.getSubject();
        String email = text(claim(jwt.getClaims(), "email"));
        String username = text(claim(jwt.getClaims(), oidc.usernameClaim()));
        if (username == null) {
            username = email != null ? email : sub;
        }
        Role claimed = role(values(jwt.getClaims(), oidc.rolesClaim()));
        Role grant = granted.apply(sub).orElse(null);
        return new SignedIn("oidc", sub, username, email, higher(claimed, grant), null, null);
    }

    /** The higher of two roles (either may be null). */
    private static Role higher(Role a, Role b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        return a.ordinal() <= b.ordinal() ? a : b;
    }

    /** The highest role whose mapped values the token carries, or null. */
    private Role role(Set<String> values) {
        SecurityProperties.RoleMapping m = oidc.roleMapping();
        if (m.admin().stream().anyMatch(values::contains)) {
            return Role.ADMIN;
        }
        if (m.operator().stream().anyMatch(values::contains)) {
            return Role.OPERATOR;
        }
        return m.viewer().stream().anyMatch(values::contains) ? Role.VIEWER : null;
    }

    /** The values of the claim at {@code path}: a list's items, or one string (split on spaces for scopes). */
    static Set<String> values(Map<String, Object> claims, String path) {
        Object value = claim(claims, path);
        if (value instanceof Collection<?> list) {
            return list.stream().filter(v -> v instanceof String).map(v -> (String) v).collect(Collectors.toSet());
        }
        if (value instanceof String s) {
            String last = path.substring(path.lastIndexOf('.') + 1);
            return SPACE_SEPARATED.contains(last) ? Set.copyOf(List.of(s.trim().split("\\s+"))) : Set.of(s);
        }
        return Set.of();
    }

    /**
     * The claim named {@code path}, or, when there is none by that name, the one its dots lead to through nested
     * objects ({@code realm_access.roles}). The whole name comes first, since claim names may hold dots
     * ({@code https://example.com/roles}).
     */
    static Object claim(Map<String, Object> claims, String path) {
        if (claims.containsKey(path)) {
            return claims.get(path);
        }
        Object current = claims;
        for (String part : path.split("\\.")) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(part);
        }
        return current;
    }

    private static String text(Object value) {
        return value instanceof String s && !s.isBlank() ? s.trim() : null;
    }

    /** A request signed in with a checked token: its principal is the {@link SignedIn}, the token its credentials. */
    static final class Token extends AbstractOAuth2TokenAuthenticationToken<Jwt> {

        private static final long serialVersionUID = 1L;

        Token(Jwt jwt, SignedIn signedIn) {
            super(jwt, signedIn, jwt, List.of());
            setAuthenticated(true);
        }

        @Override
        public Map<String, Object> getTokenAttributes() {
            return getToken().getClaims();
        }

        @Override
        public String getName() {
            return ((SignedIn) getPrincipal()).username();
        }
    }
}
