package dev.custos.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.Jwt;

/** How a checked token's claims become an identity and a role, for the claim shapes of the common providers. */
class OidcIdentityTest {

    @Test
    void keycloakRealmRolesAreReachedByADottedPath() {
        OidcIdentity keycloak = identity("realm_access.roles", "preferred_username", "custos-admin", "", "");

        SignedIn s = keycloak.signedIn(jwt(Map.of("realm_access", Map.of("roles", List.of("offline_access",
                "custos-admin")), "preferred_username", "kc-user")));

        assertThat(s.role()).isEqualTo(Role.ADMIN);
        assertThat(s.username()).isEqualTo("kc-user");
        assertThat(s.kind()).isEqualTo("oidc");
        assertThat(s.actorId()).isEqualTo("subject-1");
        assertThat(s.user()).isNull();
        assertThat(s.scopes()).isNull();
    }

    @Test
    void azureAppRolesAreAPlainListAndTheHighestMappedRoleWins() {
        OidcIdentity azure = identity("roles", "preferred_username", "Custos.Admin", "Custos.Operator",
                "Custos.Viewer");

        SignedIn s = azure.signedIn(jwt(Map.of("roles", List.of("Custos.Viewer", "Custos.Operator"))));

        assertThat(s.role()).isEqualTo(Role.OPERATOR);
    }

    @Test
    void aClaimWhoseNameHoldsDotsIsReadWhole() {
        OidcIdentity auth0 = identity("https://custos.example/roles", null, "admin", "", "");

        SignedIn s = auth0.signedIn(jwt(Map.of("https://custos.example/roles", List.of("admin"))));

        assertThat(s.role()).isEqualTo(Role.ADMIN);
    }

    @Test
    void scopesAreSpaceSeparatedValues() {
        OidcIdentity scopes = identity("scope", null, "", "custos.backup", "custos.read");

        SignedIn s = scopes.signedIn(jwt(Map.of("scope", "openid email custos.read custos.read")));

        assertThat(s.role()).isEqualTo(Role.VIEWER);
    }

    @Test
    void aStringClaimIsOneValueAndNoMatchIsNoRole() {
        OidcIdentity groups = identity("groups", null, "admins", "", "");

        assertThat(groups.signedIn(jwt(Map.of("groups", "admins"))).role()).isEqualTo(Role.ADMIN);
        assertThat(groups.signedIn(jwt(Map.of("groups", "admins and more"))).role()).isNull();
        assertThat(groups.signedIn(jwt(Map.of("groups", List.of()))).role()).isNull();
        assertThat(groups.signedIn(jwt(Map.of())).role()).isNull();
    }

    @Test
    void theUsernameFallsBackToTheEmailThenTheSubject() {
        OidcIdentity google = identity(null, null, "", "", "");

        SignedIn withEmail = google.signedIn(jwt(Map.of("email", "ann@example.com")));
        SignedIn bare = google.signedIn(jwt(Map.of()));

        assertThat(withEmail.username()).isEqualTo("ann@example.com");
        assertThat(withEmail.email()).isEqualTo("ann@example.com");
        assertThat(bare.username()).isEqualTo("subject-1");
        assertThat(bare.email()).isNull();
    }

    private static OidcIdentity identity(String rolesClaim, String usernameClaim, String admin, String operator,
            String viewer) {
        return new OidcIdentity(new SecurityProperties.Oidc("https://issuer.example", List.of("custos"),
                usernameClaim, rolesClaim, new SecurityProperties.RoleMapping(List.of(admin.split(",")),
                List.of(operator.split(",")), List.of(viewer.split(",")))));
    }

    /** A checked token's claims: only what the identity reads, and {@code claims} on top. */
    private static Jwt jwt(Map<String, Object> claims) {
        return Jwt.withTokenValue("t").header("alg", "RS256").subject("subject-1")
                .issuedAt(Instant.now()).expiresAt(Instant.now().plusSeconds(60))
                .claims(c -> c.putAll(claims)).build();
    }
}
