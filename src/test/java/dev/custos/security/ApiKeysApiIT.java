package dev.custos.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
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
 * API keys as a script uses them: made once with scopes and an expiry, sent as {@code Authorization: Bearer},
 * narrowed by their scopes, rotated, revoked (and then refused at once, as a security event), with a usage log.
 */
class ApiKeysApiIT extends ApiTest {

    private static final SecuredService SERVICE = SecuredService.create("keys");
    private static final Path DIR = SERVICE.dir();

    @LocalServerPort
    private int port;

    private Api anonymous;
    private Api admin;

    @DynamicPropertySource
    static void authenticationOn(DynamicPropertyRegistry registry) {
        SERVICE.register(registry);
    }

    @BeforeEach
    void signIn() throws IOException {
        anonymous = new Api(port);
        admin = SERVICE.admin(anonymous);
    }

    @Test
    void aKeyIsShownOnceKeptOnlyAsAHashAndSignsInAsBearer() throws Exception {
        Api.Response created = admin.post("/api/api-keys", Api.json("name", "nightly export", "scopes", List.of("read"),
                "expires_in_days", 30));

        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String secret = created.json().path("key").asString();
        JsonNode key = created.json().path("api_key");
        assertThat(secret).startsWith("custos_").hasSizeGreaterThan(30);
        assertThat(key.path("prefix").asString()).isEqualTo(secret.substring(0, 13));
        assertThat(key.path("status").asString()).isEqualTo("active");
        assertThat(Instant.parse(key.path("expires_at").asString()))
                .isBetween(Instant.now().plus(Duration.ofDays(29)), Instant.now().plus(Duration.ofDays(31)));
        String id = key.path("id").asString();
        Api.Response shown = admin.get("/api/api-keys/" + id);
        assertThat(shown.text()).doesNotContain(secret).doesNotContain(secret.substring(13));
        assertThat(admin.get("/api/api-keys").text()).doesNotContain(secret.substring(13));

        Api script = anonymous.bearer(secret);
        assertThat(script.get("/api/databases").status()).isEqualTo(200);
        JsonNode me = script.get("/api/users/me").json();
        assertThat(me.path("signed_in_with").asString()).isEqualTo("api_key");
        assertThat(me.path("role").asString()).isEqualTo("admin");
        assertThat(me.path("scopes").valueStream().map(JsonNode::asString)).containsExactly("read");
        assertThat(me.path("permissions").valueStream().map(JsonNode::asString)).containsExactly("read");

        JsonNode event = admin.get("/api/audit?action=api_key_created&resource_id=" + id).json().path("logs").get(0);
        assertThat(event.path("details").path("scopes").get(0).asString()).isEqualTo("read");
        assertThat(event.path("details").path("prefix").asString()).isEqualTo(secret.substring(0, 13));
        assertThat(admin.get("/api/audit?resource_type=api_key&limit=1000").text()).doesNotContain(secret.substring(13));
        assertThat(catalogText()).doesNotContain(secret.substring(13)).contains(ApiKeyService.hash(secret));
    }

    @Test
    void aKeyDoesOnlyWhatItsScopesAndItsOwnersRoleAllow() {
        Api read = anonymous.bearer(newKey(admin, List.of("read")));
        Api backup = anonymous.bearer(newKey(admin, List.of("backup")));
        Api restore = anonymous.bearer(newKey(admin, List.of("restore")));

        Api.Response refused = read.post("/api/databases/db-x/backup", "{}");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.error()).startsWith("Forbidden: this API key (scopes read");
        // Past the rule, to the endpoint itself: an unknown database.
        assertThat(backup.post("/api/databases/db-x/backup", "{}").status()).isEqualTo(404);
        assertThat(backup.get("/api/databases").status()).isEqualTo(200);
        assertThat(backup.post("/api/backups/backup-x/restore", "{}").status()).isEqualTo(403);
        assertThat(restore.post("/api/backups/backup-x/restore", "{}").status()).isEqualTo(404);
        assertThat(restore.get("/api/audit").status()).isEqualTo(403);
        assertThat(read.post("/api/api-keys", Api.json("name", "k", "scopes", List.of("read"))).status())
                .isEqualTo(403);

        Api operator = user("operator");
        Api.Response tooMuch = operator.post("/api/api-keys", Api.json("name", "k", "scopes", List.of("admin")));
        assertThat(tooMuch.status()).isEqualTo(400);
        assertThat(tooMuch.error()).contains("scopes").contains("the role operator cannot give a key the scope 'admin'");
        Api operatorKey = anonymous.bearer(newKey(operator, List.of("backup", "restore")));
        assertThat(operatorKey.get("/api/audit").status()).isEqualTo(403);
        assertThat(operatorKey.post("/api/engines", "{}").status()).isEqualTo(403);
    }

    @Test
    void aRevokedKeyStopsWorkingAtOnceAndTheAttemptIsASecurityEvent() {
        Api.Response created = admin.post("/api/api-keys", Api.json("name", "to revoke", "scopes", List.of("read")));
        String id = created.json().path("api_key").path("id").asString();
        Api script = anonymous.bearer(created.json().path("key").asString());
        assertThat(script.get("/api/databases").status()).isEqualTo(200);

        Api.Response revoked = admin.delete("/api/api-keys/" + id);
        assertThat(revoked.status()).as(revoked.text()).isEqualTo(200);
        assertThat(revoked.json().path("api_key").path("status").asString()).isEqualTo("revoked");

        Api.Response refused = script.get("/api/databases");
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.error()).contains("'to revoke'").contains("was revoked");
        assertThat(refused.header("WWW-Authenticate")).startsWith("Bearer");
        JsonNode events = admin.get("/api/security-events?type=api_key_revoked&key_id=" + id).json().path("events");
        assertThat(events).hasSize(1);
        assertThat(events.get(0).path("severity").asString()).isEqualTo("critical");
        assertThat(events.get(0).path("ip_address").asString()).isEqualTo("127.0.0.1");
        assertThat(events.get(0).path("path").asString()).isEqualTo("/api/databases");
        assertThat(events.get(0).path("principal").asString())
                .isEqualTo(created.json().path("api_key").path("prefix").asString());
        JsonNode audit = admin.get("/api/audit?action=api_key_revoked&resource_id=" + id).json().path("logs").get(0);
        assertThat(audit.path("before").path("status").asString()).isEqualTo("active");
        assertThat(audit.path("after").path("status").asString()).isEqualTo("revoked");
    }

    @Test
    void anUnknownOrExpiredKeyIsRefusedAndRecordedWithoutItsSecret() throws Exception {
        String unknown = "custos_thisKeyWasNeverMadeByAnyone0000";
        Api.Response refused = anonymous.bearer(unknown).get("/api/databases");
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.error()).isEqualTo("Unknown API key");
        JsonNode invalid = admin.get("/api/security-events?type=api_key_invalid").json().path("events").get(0);
        assertThat(invalid.path("principal").asString()).isEqualTo("custos_thisKe…");
        assertThat(admin.get("/api/security-events").text()).doesNotContain(unknown);

        Api.Response created = admin.post("/api/api-keys", Api.json("name", "short-lived", "scopes", List.of("read"),
                "expires_in_days", 1));
        String id = created.json().path("api_key").path("id").asString();
        // A day later, as far as the key is concerned.
        try (Connection c = catalog()) {
            c.createStatement().executeUpdate("UPDATE api_keys SET expires_at = "
                    + Instant.now().minusSeconds(1).toEpochMilli() + " WHERE id = '" + id + "'");
        }
        Api.Response expired = anonymous.bearer(created.json().path("key").asString()).get("/api/databases");
        assertThat(expired.status()).isEqualTo(401);
        assertThat(expired.error()).contains("expired");
        assertThat(admin.get("/api/api-keys/" + id).json().path("api_key").path("status").asString())
                .isEqualTo("expired");
        assertThat(admin.get("/api/security-events?type=api_key_expired&key_id=" + id).json().path("count").asInt())
                .isEqualTo(1);
    }

    @Test
    void rotatingGivesANewSecretAndEndsTheOldOneAtOnceOrAfterAGrace() {
        Api.Response created = admin.post("/api/api-keys", Api.json("name", "rotated", "scopes", List.of("read"),
                "expires_in_days", 10));
        String id = created.json().path("api_key").path("id").asString();
        Api old = anonymous.bearer(created.json().path("key").asString());

        Api.Response rotated = admin.post("/api/api-keys/" + id + "/rotate", "{}");
        assertThat(rotated.status()).as(rotated.text()).isEqualTo(201);
        Api fresh = anonymous.bearer(rotated.json().path("key").asString());
        assertThat(fresh.get("/api/databases").status()).isEqualTo(200);
        assertThat(old.get("/api/databases").status()).isEqualTo(401);
        JsonNode next = rotated.json().path("api_key");
        assertThat(next.path("name").asString()).isEqualTo("rotated");
        assertThat(next.path("scopes").get(0).asString()).isEqualTo("read");
        assertThat(Duration.between(Instant.parse(next.path("created_at").asString()),
                Instant.parse(next.path("expires_at").asString()))).isEqualTo(Duration.ofDays(10));
        assertThat(admin.get("/api/api-keys/" + id).json().path("api_key").path("replaced_by").asString())
                .isEqualTo(next.path("id").asString());

        Api.Response graced = admin.post("/api/api-keys/" + next.path("id").asString() + "/rotate",
                Api.json("grace_minutes", 5));
        assertThat(graced.status()).isEqualTo(201);
        assertThat(fresh.get("/api/databases").status()).isEqualTo(200);
        assertThat(anonymous.bearer(graced.json().path("key").asString()).get("/api/databases").status())
                .isEqualTo(200);
        JsonNode during = admin.get("/api/api-keys/" + next.path("id").asString()).json().path("api_key");
        assertThat(Instant.parse(during.path("expires_at").asString()))
                .isBetween(Instant.now().plus(Duration.ofMinutes(4)), Instant.now().plus(Duration.ofMinutes(6)));
        assertThat(admin.get("/api/audit?action=api_key_rotated&resource_id=" + id).json().path("logs")).hasSize(1);
        assertThat(admin.post("/api/api-keys/" + id + "/rotate", "{}").status()).isEqualTo(409);
    }

    @Test
    void theUsageLogListsEachRequestAKeyMade() {
        Api.Response created = admin.post("/api/api-keys", Api.json("name", "used", "scopes", List.of("read")));
        String id = created.json().path("api_key").path("id").asString();
        Api script = anonymous.bearer(created.json().path("key").asString());
        script.get("/api/databases");
        script.get("/api/engines/engine-none");

        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode usage = admin.get("/api/api-keys/" + id + "/usage").json();
            assertThat(usage.path("requests").valueStream().map(r -> r.path("method").asString() + " "
                    + r.path("path").asString() + " " + r.path("status").asInt()))
                    .containsExactly("GET /api/engines/engine-none 404", "GET /api/databases 200");
        });
        JsonNode key = admin.get("/api/api-keys/" + id).json().path("api_key");
        assertThat(key.path("last_used_at").isNull()).isFalse();
        assertThat(key.path("last_used_ip").asString()).isEqualTo("127.0.0.1");
    }

    @Test
    void usersSeeTheirOwnKeysAndAdminsSeeAll() {
        Api viewer = user("viewer");
        String mine = viewer.post("/api/api-keys", Api.json("name", "viewer's", "scopes", List.of("read")))
                .json().path("api_key").path("id").asString();
        String adminsKey = admin.post("/api/api-keys", Api.json("name", "admin's", "scopes", List.of("read")))
                .json().path("api_key").path("id").asString();

        assertThat(viewer.get("/api/api-keys").json().path("api_keys").valueStream()
                .map(k -> k.path("id").asString())).containsExactly(mine);
        assertThat(viewer.get("/api/api-keys/" + adminsKey).status()).isEqualTo(404);
        assertThat(viewer.delete("/api/api-keys/" + adminsKey).status()).isEqualTo(404);
        assertThat(admin.get("/api/api-keys").json().path("api_keys").valueStream()
                .map(k -> k.path("id").asString())).contains(mine, adminsKey);
        // A new secret would act as the viewer: only they may hold one. An admin revokes instead.
        Api.Response rotated = admin.post("/api/api-keys/" + mine + "/rotate", "{}");
        assertThat(rotated.status()).isEqualTo(403);
        assertThat(rotated.error()).contains("only the owner");
        assertThat(admin.delete("/api/api-keys/" + mine).status()).isEqualTo(200);
    }

    @Test
    void deletingAUserRevokesTheirKeys() {
        String name = unique("leaver");
        String userId = admin.post("/api/users", Api.json("username", name, "password", "password of " + name,
                "role", "operator")).json().path("user").path("id").asString();
        Api.Response created = anonymous.as(name, "password of " + name).post("/api/api-keys",
                Api.json("name", "leaver's", "scopes", List.of("backup")));
        String key = created.json().path("key").asString();
        assertThat(anonymous.bearer(key).get("/api/databases").status()).isEqualTo(200);

        Api.Response deleted = admin.delete("/api/users/" + userId);

        assertThat(deleted.status()).isEqualTo(200);
        assertThat(anonymous.bearer(key).get("/api/databases").status()).isEqualTo(401);
        JsonNode event = admin.get("/api/audit?action=user_deleted&resource_id=" + userId).json().path("logs").get(0);
        assertThat(event.path("details").path("api_keys_revoked").asInt()).isEqualTo(1);
        assertThat(event.path("details").path("api_key_ids_revoked").get(0).asString())
                .isEqualTo(created.json().path("api_key").path("id").asString());
    }

    @Test
    void badInputNamesTheFieldAndCreatesNothing() {
        int before = admin.get("/api/api-keys").json().path("count").asInt();

        assertThat(admin.post("/api/api-keys", Api.json("scopes", List.of("read"))).error())
                .contains("name is required");
        assertThat(admin.post("/api/api-keys", Api.json("name", "x")).error()).contains("scopes is required");
        assertThat(admin.post("/api/api-keys", Api.json("name", "x", "scopes", List.of())).error())
                .contains("scopes must name at least one");
        assertThat(admin.post("/api/api-keys", Api.json("name", "x", "scopes", List.of("write"))).error())
                .contains("'write' is not a scope");
        assertThat(admin.post("/api/api-keys", Api.json("name", "x", "scopes", List.of("read"), "expires_in_days", 0))
                .error()).contains("expires_in_days must be between 1 and 3650");
        assertThat(admin.post("/api/api-keys", Api.json("name", "x", "scopes", List.of("read"), "expires_at",
                "2020-01-01T00:00:00Z")).error()).contains("expires_at must be in the future");
        assertThat(admin.post("/api/api-keys", Api.json("name", "x", "scopes", List.of("read"), "expires_at",
                "tomorrow")).error()).contains("expires_at must be an ISO-8601");
        assertThat(admin.post("/api/api-keys", Api.json("name", "x", "scopes", List.of("read"), "expires_at",
                "2099-01-01T00:00:00Z", "expires_in_days", 3)).status()).isEqualTo(400);
        assertThat(admin.get("/api/api-keys").json().path("count").asInt()).isEqualTo(before);
        String id = newKeyId("to rotate");
        assertThat(admin.post("/api/api-keys/" + id + "/rotate", Api.json("grace_minutes", -1)).error())
                .contains("grace_minutes must be between 0 and 10080");
        assertThat(admin.get("/api/api-keys").json().path("count").asInt()).isEqualTo(before + 1);
    }

    private Api user(String role) {
        String name = unique(role);
        Api.Response r = admin.post("/api/users", Api.json("username", name, "password", "password of " + name,
                "role", role));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return anonymous.as(name, "password of " + name);
    }

    private static String newKey(Api owner, List<String> scopes) {
        Api.Response r = owner.post("/api/api-keys", Api.json("name", "key", "scopes", scopes));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("key").asString();
    }

    private String newKeyId(String name) {
        return admin.post("/api/api-keys", Api.json("name", name, "scopes", List.of("read"))).json().path("api_key")
                .path("id").asString();
    }

    private static Connection catalog() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + DIR.resolve("custos.db"));
    }

    /** Every byte of the catalog (with its write-ahead log), as text: what a stolen copy of it would show. */
    private static String catalogText() throws IOException {
        StringBuilder all = new StringBuilder();
        try (var files = Files.list(DIR)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("custos.db")).toList()) {
                all.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
            }
        }
        return all.toString();
    }

}
