package dev.custos.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import dev.custos.support.Api;
import dev.custos.support.ApiTest;
import dev.custos.support.SecuredService;

/**
 * Authentication on, as it is by default: the first start creates {@code admin} with a password in a 0600 file,
 * every endpoint but health and signed links needs a user, and each role gets what {@link AccessRules} states.
 * A service of its own (catalog, storage, password file), beside the shared one that runs with authentication off.
 */
class AuthenticationApiIT extends ApiTest {

    private static final SecuredService SERVICE = SecuredService.create("auth");
    private static final Path DIR = SERVICE.dir();
    private static final Path PASSWORD_FILE = SERVICE.passwordFile();

    @LocalServerPort
    private int port;

    private Api anonymous;
    private Api admin;

    @DynamicPropertySource
    static void authenticationOn(DynamicPropertyRegistry registry) {
        SERVICE.register(registry);
        registry.add("custos.security.cors-allowed-origins", () -> "https://ops.example.com");
    }

    @BeforeEach
    void signIn() throws IOException {
        anonymous = new Api(port);
        admin = SERVICE.admin(anonymous);
    }

    @Test
    void theFirstStartWritesTheAdminPasswordToAFileOnlyItsOwnerCanRead() throws IOException {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(PASSWORD_FILE))).isEqualTo("rw-------");
        assertThat(Files.readString(PASSWORD_FILE).strip()).hasSizeGreaterThanOrEqualTo(UserService.MIN_PASSWORD);

        Api.Response me = admin.get("/api/users/me");

        assertThat(me.status()).as(me.text()).isEqualTo(200);
        assertThat(me.json().path("role").asString()).isEqualTo("admin");
        assertThat(me.json().path("user").path("username").asString()).isEqualTo("admin");
        assertThat(me.json().path("user").has("password_hash")).isFalse();
        JsonNode created = admin.get("/api/audit?action=user_created&search=admin").json().path("logs").get(0);
        assertThat(created.path("details").path("first_start").asBoolean()).isTrue();
        assertThat(created.path("details").path("role").asString()).isEqualTo("admin");
    }

    @Test
    void withoutCredentialsOnlyHealthAnswers() {
        Api.Response list = anonymous.get("/api/databases");
        Api.Response health = anonymous.get("/api/health");

        assertThat(list.status()).isEqualTo(401);
        assertThat(list.error()).contains("Authentication required");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().path("auth").asString()).isEqualTo("required");
        assertThat(health.json().has("warning")).isFalse();
        for (String path : List.of("/api/audit", "/api/users", "/api/openapi.json", "/api/backups", "/api/settings")) {
            assertThat(anonymous.get(path).status()).as(path).isEqualTo(401);
        }
        // A signed download link carries its own credential: refused for its bad signature, not for lacking a user.
        Api.Response link = anonymous.get("/api/backups/download/file?blob_name=x&expires=1&signature=bad");
        assertThat(link.status()).as(link.text()).isEqualTo(403);
        assertThat(link.error()).doesNotContain("Authentication required", "role");
    }

    @Test
    void aWrongPasswordOrAnUnknownUserIsA401() {
        assertThat(anonymous.as("admin", "not-the-password").get("/api/databases").status()).isEqualTo(401);
        Api.Response unknown = anonymous.as("nobody", "whatever-password").get("/api/databases");
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.error()).isEqualTo("Wrong username or password");
    }

    @Test
    void eachRoleGetsWhatTheRulesState() {
        Api viewer = createUser("viewer");
        Api operator = createUser("operator");

        // viewer: reads, never downloads, restores, backs up, configures or reads the audit trail
        assertThat(viewer.get("/api/databases").status()).isEqualTo(200);
        assertThat(viewer.get("/api/backups").status()).isEqualTo(200);
        assertThat(viewer.get("/api/backup-policies").status()).isEqualTo(200);
        assertForbidden(viewer.post("/api/databases/db-x/backup", "{}"));
        assertForbidden(viewer.get("/api/backups/download?backup_id=b-x"));
        assertForbidden(viewer.post("/api/backups/b-x/restore", "{}"));
        assertForbidden(viewer.get("/api/audit"));
        assertForbidden(viewer.post("/api/engines", Api.json("name", "e")));
        assertForbidden(viewer.get("/api/users"));
        JsonNode me = viewer.get("/api/users/me").json();
        assertThat(me.path("role").asString()).isEqualTo("viewer");
        assertThat(me.path("permissions").valueStream().map(JsonNode::asString)).containsExactly("read");

        // operator: runs backups, restores and downloads (past the rule: the missing backup is what answers)
        assertThat(operator.post("/api/databases/db-missing/backup", "{}").status()).isEqualTo(404);
        assertThat(operator.post("/api/backups/b-missing/restore", "{}").status()).isEqualTo(404);
        assertThat(operator.get("/api/backups/download?backup_id=b-missing").status()).isNotIn(401, 403);
        assertForbidden(operator.post("/api/engines", Api.json("name", "e")));
        assertForbidden(operator.put("/api/settings", Api.json("default_retention_days", 5)));
        assertForbidden(operator.get("/api/audit"));
        assertForbidden(operator.delete("/api/backups/delete?backup_id=b-x"));
        // discovery can import databases: configuration, not an operator's
        assertForbidden(operator.post("/api/engines/engine-x/discover?import=true", "{}"));
        assertThat(operator.get("/api/encryption-keys").status()).isEqualTo(200);
        assertForbidden(operator.post("/api/encryption-keys/rotate", "{}"));

        // each role holds the rights of the ones below it
        assertThat(operator.get("/api/databases").status()).isEqualTo(200);
        assertThat(admin.get("/api/databases").status()).isEqualTo(200);
        assertThat(admin.post("/api/databases/db-missing/backup", "{}").status()).isEqualTo(404);
        assertThat(admin.get("/api/audit?limit=1").status()).isEqualTo(200);
        assertThat(admin.get("/api/users").status()).isEqualTo(200);
    }

    @Test
    void everyChangeToAUserIsAuditedWithTheAdminAsItsActor() {
        String adminId = admin.get("/api/users/me").json().path("user_id").asString();
        String name = unique("op");
        Api.Response created = admin.post("/api/users", Api.json("username", name, "password", "correct horse battery",
                "role", "operator", "name", "Olga Operator"));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String id = created.json().path("user").path("id").asString();

        Api.Response updated = admin.put("/api/users/" + id, Api.json("role", "viewer"));
        Api.Response deleted = admin.delete("/api/users/" + id);

        assertThat(updated.status()).as(updated.text()).isEqualTo(200);
        assertThat(deleted.status()).as(deleted.text()).isEqualTo(200);
        JsonNode history = admin.get("/api/audit/history?resource_type=user&resource_id=" + id).json().path("events");
        assertThat(history.valueStream().map(e -> e.path("action").asString()))
                .containsExactly("user_deleted", "user_updated", "user_created");
        for (JsonNode e : history) {
            assertThat(e.path("user_id").asString()).isEqualTo(adminId);
            assertThat(e.path("actor_type").asString()).isEqualTo("user");
            assertThat(e.toString()).doesNotContain("correct horse");
        }
        JsonNode createdEvent = history.get(2);
        assertThat(createdEvent.path("details").path("role").asString()).isEqualTo("operator");
        assertThat(createdEvent.path("details").path("name").asString()).isEqualTo("Olga Operator");
        assertThat(history.get(1).path("changes").path("role").path("from").asString()).isEqualTo("operator");
        assertThat(history.get(1).path("changes").path("role").path("to").asString()).isEqualTo("viewer");
        assertThat(history.get(0).path("details").path("role").asString()).isEqualTo("viewer");
        assertThat(history.get(0).path("before").path("username").asString()).isEqualTo(name);
        // The request log names the user too (it is written moments after the response).
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                admin.get("/api/audit/requests?method=DELETE&user_id=" + adminId).json().path("requests").size())
                .isPositive());
    }

    @Test
    void badUsersAre400sNamingTheFieldAndDuplicatesAre409s() {
        String name = unique("dup");
        assertThat(admin.post("/api/users", Api.json("username", name, "password", "long enough password",
                "role", "viewer")).status()).isEqualTo(201);

        Api.Response dup = admin.post("/api/users", Api.json("username", name.toUpperCase(), "password",
                "long enough password", "role", "viewer"));
        Api.Response shortPassword = admin.post("/api/users", Api.json("username", unique("s"), "password",
                "short", "role", "viewer"));
        Api.Response badRole = admin.post("/api/users", Api.json("username", unique("r"), "password",
                "long enough password", "role", "root"));
        Api.Response badName = admin.post("/api/users", Api.json("username", "has space", "password",
                "long enough password", "role", "viewer"));

        assertThat(dup.status()).isEqualTo(409);
        assertThat(shortPassword.status()).isEqualTo(400);
        assertThat(shortPassword.error()).contains("password");
        assertThat(badRole.status()).isEqualTo(400);
        assertThat(badRole.error()).contains("role");
        assertThat(badName.status()).isEqualTo(400);
        assertThat(badName.error()).contains("username");
    }

    @Test
    void aChangedPasswordOrADisabledUserStopsWorkingAtOnce() {
        String name = unique("v");
        String id = admin.post("/api/users", Api.json("username", name, "password", "first password here",
                "role", "viewer")).json().path("user").path("id").asString();
        Api before = anonymous.as(name, "first password here");
        assertThat(before.get("/api/databases").status()).isEqualTo(200);

        assertThat(admin.put("/api/users/" + id, Api.json("password", "second password here")).status())
                .isEqualTo(200);

        assertThat(before.get("/api/databases").status()).isEqualTo(401);
        Api after = anonymous.as(name, "second password here");
        assertThat(after.get("/api/databases").status()).isEqualTo(200);

        assertThat(admin.put("/api/users/" + id, Api.json("disabled", true)).status()).isEqualTo(200);
        assertThat(after.get("/api/databases").status()).isEqualTo(401);
    }

    @Test
    void aViewerAsksForMoreAndAnApprovalChangesTheirRole() {
        String name = unique("asker");
        admin.post("/api/users", Api.json("username", name, "password", "password of " + name, "role", "viewer"));
        Api viewer = anonymous.as(name, "password of " + name);

        Api.Response asked = viewer.post("/api/access-requests", Api.json("role", "operator", "reason", "restore drills"));
        assertThat(asked.status()).as(asked.text()).isEqualTo(201);
        assertThat(asked.json().path("access_request").path("current_role").asString()).isEqualTo("viewer");
        assertThat(viewer.post("/api/access-requests", Api.json("role", "viewer")).error()).contains("already");
        assertThat(admin.post("/api/access-requests", Api.json("role", "operator")).status()).isEqualTo(409);
        String id = asked.json().path("access_request").path("id").asString();

        assertThat(admin.post("/api/access-requests/" + id + "/approve", "{}").status()).isEqualTo(200);

        assertThat(viewer.get("/api/users/me").json().path("role").asString()).isEqualTo("operator");
        assertThat(admin.get("/api/access-requests/" + id).json().path("access_request").path("granted_role")
                .asString()).isEqualTo("operator");
    }

    @Test
    void theLastAdminCannotBeDemotedDeletedOrDisabled() {
        String adminId = admin.get("/api/users/me").json().path("user_id").asString();

        assertThat(admin.put("/api/users/" + adminId, Api.json("role", "viewer")).status()).isEqualTo(409);
        assertThat(admin.delete("/api/users/" + adminId).status()).isEqualTo(409);
        assertThat(admin.get("/api/users/me").json().path("role").asString()).isEqualTo("admin");
    }

    @Test
    void aChangeABrowserSendsFromAnotherSiteIsRefusedEvenWithCredentials() throws Exception {
        String password = Files.readString(PASSWORD_FILE).strip();
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString(("admin:" + password)
                .getBytes(StandardCharsets.UTF_8));
        String body = Api.json("name", unique("csrf"));
        HttpClient http = HttpClient.newHttpClient();
        java.util.function.BiFunction<String, String, Integer> post = (header, value) -> {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/backup-policies"))
                    .header("Authorization", basic).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            if (header != null) {
                b.header(header, value);
            }
            try {
                return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        };

        assertThat(post.apply("Origin", "http://evil.example")).isEqualTo(403);
        assertThat(post.apply("Sec-Fetch-Site", "cross-site")).isEqualTo(403);
        assertThat(post.apply("Origin", "http://127.0.0.1:" + port)).isEqualTo(201);
        JsonNode event = admin.get("/api/security-events?type=access_denied&limit=1000").json().path("events");
        assertThat(event.valueStream().map(e -> e.path("reason").asString())).contains(
                "Forbidden: the origin http://evil.example is not allowed to call the API"
                        + " (custos.security.cors-allowed-origins)",
                "Forbidden: a POST from another site (Origin null) is refused");
        assertThat(admin.get("/api/backup-policies").text()).contains(Api.JSON.readTree(body).path("name").asString());
    }

    @Test
    void corsLetsOnlyTheConfiguredOriginsPagesCallTheApi() throws Exception {
        String password = Files.readString(PASSWORD_FILE).strip();
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString(("admin:" + password)
                .getBytes(StandardCharsets.UTF_8));
        HttpClient http = HttpClient.newHttpClient();
        java.util.function.BiFunction<String, HttpRequest.Builder, HttpResponse<String>> send = (origin, b) -> {
            try {
                return http.send(b.header("Origin", origin).build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        };
        URI databases = URI.create("http://127.0.0.1:" + port + "/api/databases");
        java.util.function.Function<String, HttpRequest.Builder> preflight = origin -> HttpRequest.newBuilder(databases)
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "authorization");

        HttpResponse<String> allowed = send.apply("https://ops.example.com", preflight.apply("https://ops.example.com"));
        HttpResponse<String> refused = send.apply("https://evil.example", preflight.apply("https://evil.example"));
        HttpResponse<String> read = send.apply("https://ops.example.com", HttpRequest.newBuilder(databases)
                .header("Authorization", basic));
        HttpResponse<String> foreignRead = send.apply("https://evil.example", HttpRequest.newBuilder(databases)
                .header("Authorization", basic));
        HttpResponse<String> change = send.apply("https://ops.example.com", HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/api/backup-policies")).header("Authorization", basic)
                .header("Content-Type", "application/json").header("Sec-Fetch-Site", "cross-site")
                .POST(HttpRequest.BodyPublishers.ofString(Api.json("name", unique("cors")))));

        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://ops.example.com");
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase())
                .contains("authorization");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(Api.JSON.readTree(refused.body()).path("error").asString()).contains("is not allowed");
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://ops.example.com");
        assertThat(foreignRead.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(change.statusCode()).as(change.body()).isEqualTo(201);
    }

    @Test
    void everyResponseCarriesTheSecurityHeaders() throws Exception {
        HttpResponse<String> health = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/health")).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        HttpResponse<String> refused = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/databases")).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));

        for (HttpResponse<String> r : List.of(health, refused)) {
            assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
            assertThat(r.headers().firstValue("X-Frame-Options")).hasValue("DENY");
            assertThat(r.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
                    v -> assertThat(v).contains("default-src 'none'"));
            assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        }
        assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                v -> assertThat(v).startsWith("Basic"));
        assertThat(refused.body()).doesNotContain("Exception", "at org.");
    }

    private Api createUser(String role) {
        String name = unique(role);
        String password = "password of " + name;
        Api.Response r = admin.post("/api/users", Api.json("username", name, "password", password, "role", role));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return anonymous.as(name, password);
    }

    private static void assertForbidden(Api.Response r) {
        assertThat(r.status()).as(r.text()).isEqualTo(403);
        assertThat(r.error()).startsWith("Forbidden");
    }

}
