package dev.custos.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import dev.custos.support.Api;
import dev.custos.support.ApiTest;
import dev.custos.support.SecuredService;
import dev.custos.support.TestOidcIssuer;

/**
 * Signing in with a bearer token from an OIDC provider, beside HTTP Basic: the provider is {@link TestOidcIssuer},
 * started in this process before the service, which finds its keys through its discovery document. Its groups claim
 * maps {@code admins}, {@code operators} and {@code readers} to the three roles. A service of its own (catalog,
 * storage, password file), like {@link AuthenticationApiIT}'s.
 */
class OidcApiIT extends ApiTest {

    private static final SecuredService SERVICE = SecuredService.create("oidc");
    private static final Path DIR = SERVICE.dir();
    private static final TestOidcIssuer OIDC = TestOidcIssuer.start();

    @LocalServerPort
    private int port;

    private Api anonymous;

    @DynamicPropertySource
    static void oidcOn(DynamicPropertyRegistry registry) {
        SERVICE.register(registry);
        registry.add("custos.security.oidc.issuer-uri", OIDC::issuer);
        registry.add("custos.security.oidc.audience", () -> "other-app," + TestOidcIssuer.AUDIENCE);
        registry.add("custos.security.oidc.role-mapping.admin", () -> "admins");
        registry.add("custos.security.oidc.role-mapping.operator", () -> "operators");
        registry.add("custos.security.oidc.role-mapping.viewer", () -> "readers,auditors");
    }

    @AfterAll
    static void stopIssuer() {
        OIDC.close();
    }

    @BeforeEach
    void anonymous() {
        anonymous = new Api(port);
    }

    @Test
    void aTokenWithTheAdminsGroupReadsTheAuditTrailAndActsUnderItsSubject() {
        String sub = unique("alice");
        Api alice = anonymous.bearer(OIDC.token(sub, c -> c.claim("groups", List.of("staff", "admins"))
                .claim("preferred_username", "alice").claim("email", "alice@example.com")));

        Api.Response audit = alice.get("/api/audit?limit=1");
        Api.Response policy = alice.post("/api/backup-policies", Api.json("name", unique("oidc-policy")));

        assertThat(audit.status()).as(audit.text()).isEqualTo(200);
        assertThat(policy.status()).as(policy.text()).isEqualTo(201);
        JsonNode event = alice.get("/api/audit?action=policy_created&user_id=" + Api.encode(sub)).json()
                .path("logs").get(0);
        assertThat(event.path("actor_type").asString()).isEqualTo("oidc");
        assertThat(event.path("user_id").asString()).isEqualTo(sub);
        assertThat(event.path("user_email").asString()).isEqualTo("alice@example.com");
        // The request log names the token's subject too (it is written moments after the response).
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                alice.get("/api/audit/requests?method=POST&user_id=" + Api.encode(sub)).json().path("requests")
                        .size()).isPositive());
    }

    @Test
    void meShowsTheTokensIdentity() {
        String sub = unique("bob");
        JsonNode me = anonymous.bearer(OIDC.token(sub, c -> c.claim("groups", List.of("readers", "admins"))
                .claim("preferred_username", "bob").claim("email", "bob@example.com"))).get("/api/users/me").json();

        assertThat(me.path("signed_in_with").asString()).isEqualTo("oidc");
        assertThat(me.path("user_id").asString()).isEqualTo(sub);
        assertThat(me.path("username").asString()).isEqualTo("bob");
        assertThat(me.path("email").asString()).isEqualTo("bob@example.com");
        assertThat(me.path("user").isNull()).isTrue();
        // the highest role any of its groups maps to
        assertThat(me.path("role").asString()).isEqualTo("admin");
    }

    @Test
    void aTokenWithoutAMappedGroupIsSignedInWithNoRole() {
        Api carol = anonymous.bearer(OIDC.token(unique("carol"), c -> c.claim("groups", List.of("staff"))
                .claim("email", "carol@example.com")));

        Api.Response audit = carol.get("/api/audit");
        Api.Response databases = carol.get("/api/databases");
        JsonNode me = carol.get("/api/users/me").json();

        assertThat(audit.status()).as(audit.text()).isEqualTo(403);
        assertThat(audit.error()).isEqualTo("Forbidden: carol@example.com has no role yet; ask for access with POST"
                + " /api/access-requests");
        assertThat(databases.status()).isEqualTo(403);
        assertThat(me.path("role").asString()).isEqualTo("none");
        assertThat(me.path("username").asString()).as("no preferred_username: the email names it")
                .isEqualTo("carol@example.com");
        assertThat(me.path("permissions").isEmpty()).isTrue();
    }

    @Test
    void aViewersTokenReadsButCannotBackUp() {
        Api dave = anonymous.bearer(OIDC.token(unique("dave"), c -> c.claim("groups", List.of("auditors"))));

        Api.Response list = dave.get("/api/databases");
        Api.Response backup = dave.post("/api/databases/db-x/backup", "{}");

        assertThat(list.status()).as(list.text()).isEqualTo(200);
        assertThat(backup.status()).as(backup.text()).isEqualTo(403);
        assertThat(backup.error()).isEqualTo("Forbidden: the role viewer may not POST /api/databases/db-x/backup");
        assertThat(dave.get("/api/audit").status()).isEqualTo(403);
    }

    @Test
    void anOperatorsTokenRunsBackupsButDoesNotConfigure() {
        Api erin = anonymous.bearer(OIDC.token(unique("erin"), c -> c.claim("groups", List.of("operators"))));

        // past the rule: the missing database is what answers
        assertThat(erin.post("/api/databases/db-missing/backup", "{}").status()).isEqualTo(404);
        assertThat(erin.post("/api/engines", Api.json("name", "e")).status()).isEqualTo(403);
    }

    @Test
    void anExpiredTokenIsA401SayingSo() {
        Instant past = Instant.now().minus(Duration.ofMinutes(10));
        String token = OIDC.token(unique("old"), c -> c.claim("groups", List.of("admins"))
                .issueTime(Date.from(past.minus(Duration.ofMinutes(5)))).notBeforeTime(null)
                .expirationTime(Date.from(past)));

        assertRefused(token, "expired at ");
        JsonNode event = admin().get("/api/security-events?type=token_expired").json().path("events").get(0);
        assertThat(event.path("reason").asString()).startsWith("expired at ");
        assertThat(event.path("severity").asString()).isEqualTo("warning");
        assertThat(event.toString()).doesNotContain(token);
    }

    @Test
    void aTokenWithNoRoleAsksForAccessAndAnAdminApprovesWithARole() {
        String sub = unique("frank");
        Api frank = anonymous.bearer(OIDC.token(sub, c -> c.claim("groups", List.of("staff"))
                .claim("preferred_username", "frank")));
        assertThat(frank.post("/api/databases/db-missing/backup", "{}").status()).isEqualTo(403);

        Api.Response asked = frank.post("/api/access-requests", Api.json("role", "viewer", "reason",
                "on call for the payments database"));
        assertThat(asked.status()).as(asked.text()).isEqualTo(201);
        String id = asked.json().path("access_request").path("id").asString();
        assertThat(frank.post("/api/access-requests", Api.json("role", "operator")).status()).isEqualTo(409);
        assertThat(frank.get("/api/access-requests").json().path("access_requests").valueStream()
                .map(r -> r.path("id").asString())).containsExactly(id);
        assertThat(frank.post("/api/access-requests/" + id + "/approve", "{}").status()).isEqualTo(403);

        Api.Response approved = admin().post("/api/access-requests/" + id + "/approve", Api.json("role", "operator"));

        assertThat(approved.status()).as(approved.text()).isEqualTo(200);
        assertThat(approved.json().path("access_request").path("status").asString()).isEqualTo("approved");
        // The same token, from its next request on: past the rule, to the missing database.
        assertThat(frank.post("/api/databases/db-missing/backup", "{}").status()).isEqualTo(404);
        assertThat(frank.get("/api/users/me").json().path("role").asString()).isEqualTo("operator");
        JsonNode event = admin().get("/api/audit?action=access_request_approved&resource_id=" + id).json()
                .path("logs").get(0);
        assertThat(event.path("details").path("role").asString()).isEqualTo("operator");
        assertThat(event.path("details").path("requested_role").asString()).isEqualTo("viewer");
        assertThat(event.path("resource_type").asString()).isEqualTo("access_request");
        assertThat(event.path("before").path("status").asString()).isEqualTo("pending");
        assertThat(admin().post("/api/access-requests/" + id + "/reject", Api.json("reason", "late")).status())
                .isEqualTo(409);

        assertThat(admin().get("/api/role-grants").json().path("role_grants").valueStream()
                .filter(g -> g.path("subject").asString().equals(sub)).map(g -> g.path("role").asString()))
                .containsExactly("operator");
        assertThat(admin().delete("/api/role-grants/" + sub).status()).isEqualTo(200);
        assertThat(frank.post("/api/databases/db-missing/backup", "{}").status()).isEqualTo(403);
        assertThat(admin().get("/api/audit?action=role_grant_revoked&resource_id=" + sub).json().path("logs")
                .get(0).path("details").path("role").asString()).isEqualTo("operator");
        assertThat(admin().delete("/api/role-grants/" + sub).status()).isEqualTo(404);
    }

    @Test
    void anAdminRejectsAnAccessRequestWithAReason() {
        String sub = unique("grace");
        Api grace = anonymous.bearer(OIDC.token(sub, c -> c.claim("groups", List.of("contractors"))));
        String id = grace.post("/api/access-requests", Api.json("role", "admin")).json().path("access_request")
                .path("id").asString();

        Api.Response noReason = admin().post("/api/access-requests/" + id + "/reject", "{}");
        assertThat(noReason.status()).isEqualTo(400);
        assertThat(noReason.error()).contains("reason is required");
        Api.Response rejected = admin().post("/api/access-requests/" + id + "/reject",
                Api.json("reason", "contractors get read access through their sponsor"));

        assertThat(rejected.status()).as(rejected.text()).isEqualTo(200);
        assertThat(grace.get("/api/databases").status()).isEqualTo(403);
        assertThat(grace.get("/api/access-requests/" + id).json().path("access_request").path("rejection_reason")
                .asString()).isEqualTo("contractors get read access through their sponsor");
        JsonNode event = admin().get("/api/audit?action=access_request_rejected&resource_id=" + id).json()
                .path("logs").get(0);
        assertThat(event.path("details").path("reason").asString())
                .isEqualTo("contractors get read access through their sponsor");
        assertThat(admin().get("/api/access-requests?status=pending").json().path("access_requests").valueStream()
                .map(r -> r.path("id").asString())).doesNotContain(id);
        assertThat(admin().get("/api/access-requests?status=maybe").status()).isEqualTo(400);
    }

    private Api admin() {
        return SERVICE.admin(anonymous);
    }

    @Test
    void aTokenForAnotherAudienceIsA401SayingSo() {
        String token = OIDC.token(unique("aud"), c -> c.claim("groups", List.of("admins")).audience("some-other-app"));

        assertRefused(token, "wrong audience 'some-other-app'");
    }

    @Test
    void aTokenFromAnotherIssuerIsA401SayingSo() {
        // signed with the trusted key: only its iss tells it apart
        String token = OIDC.token(unique("iss"), c -> c.claim("groups", List.of("admins"))
                .issuer("https://evil.example/realms/custos-test"));

        assertRefused(token, "wrong issuer 'https://evil.example/realms/custos-test'");
    }

    @Test
    void aTokenAlteredAfterSigningIsA401ForItsSignature() {
        String sub = unique("mallory");
        String token = OIDC.token(sub, c -> c.claim("groups", List.of("readers")));
        String forged = TestOidcIssuer.tampered(token, c -> c.claim("groups", List.of("admins")));
        assertThat(anonymous.bearer(token).get("/api/databases").status()).isEqualTo(200);

        assertRefused(forged, "bad signature");
    }

    @Test
    void aTokenSignedWithAKeyTheIssuerDoesNotPublishIsA401() {
        String sub = unique("trudy");
        // under the published key's id: the published key does not verify it
        assertRefused(OIDC.tokenSignedByAnotherKey(sub, OIDC.keyId(), c -> c.claim("groups", List.of("admins"))),
                "bad signature");
        // under a key id of its own: no published key to verify it with
        assertRefused(OIDC.tokenSignedByAnotherKey(sub, "attacker-key", c -> c.claim("groups", List.of("admins"))),
                "bad signature");
    }

    @Test
    void aBearerThatIsNotAJwtIsA401() {
        assertRefused("not-a-jwt", "not a well-formed JWT");
    }

    @Test
    void anApiKeyIsNeverTakenForAJwt() {
        Api.Response r = anonymous.bearer("custos_0123456789abcdef").get("/api/databases");

        assertThat(r.status()).as(r.text()).isEqualTo(401);
        assertThat(r.error()).isEqualTo("Unknown API key");
    }

    @Test
    void basicStillSignsInBesideTokens() throws IOException {
        String password = Files.readString(DIR.resolve("admin-password")).strip();
        Api admin = anonymous.as("admin", password);

        JsonNode me = admin.get("/api/users/me").json();

        assertThat(me.path("signed_in_with").asString()).isEqualTo("user");
        assertThat(admin.get("/api/audit?limit=1").status()).isEqualTo(200);
        assertThat(anonymous.as("admin", "wrong password!").get("/api/databases").error())
                .isEqualTo("Wrong username or password");
        Api.Response none = anonymous.get("/api/databases");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.error()).contains("HTTP Basic", "token from the OIDC provider", "Authorization: Bearer");
    }

    @Test
    void throttlingAndTheCrossSiteCheckComeBeforeAnyCredentialIsChecked(
            @org.springframework.beans.factory.annotation.Autowired
            org.springframework.security.web.SecurityFilterChain chain) {
        List<String> order = chain.getFilters().stream().map(f -> f.getClass().getSimpleName()).toList();

        // A locked-out address's tokens are refused before they are verified (and never counted or recorded).
        assertThat(order.indexOf("CredentialsFilter")).isNotNegative()
                .isLessThan(order.indexOf("BearerTokenAuthenticationFilter"))
                .isLessThan(order.indexOf("BasicAuthenticationFilter"));
        assertThat(order.indexOf("CrossSiteFilter")).isNotNegative()
                .isLessThan(order.indexOf("BearerTokenAuthenticationFilter"));
        assertThat(order.indexOf("ActorFilter")).isGreaterThan(order.indexOf("BasicAuthenticationFilter"))
                .isGreaterThan(order.indexOf("BearerTokenAuthenticationFilter"));
    }

    @Test
    void healthNamesTheIssuer() {
        JsonNode health = anonymous.get("/api/health").json();

        assertThat(health.path("auth").asString()).isEqualTo("required");
        assertThat(health.path("oidc").path("issuer").asString()).isEqualTo(OIDC.issuer());
    }

    /** A 401 whose body and WWW-Authenticate header name {@code reason}, and nothing of the code behind them. */
    private void assertRefused(String token, String reason) {
        HttpResponse<String> r = send(token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        String error = Api.JSON.readTree(r.body()).path("error").asString();
        assertThat(error).startsWith("Invalid bearer token: ").contains(reason);
        assertThat(error).doesNotContainIgnoringCase("exception").doesNotContain("nimbus", "org.", "Jwt ");
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("Bearer error=\"invalid_token\"").contains(reason));
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/json"));
    }

    private HttpResponse<String> send(String token) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/api/audit")).header("Authorization", "Bearer " + token)
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

}
