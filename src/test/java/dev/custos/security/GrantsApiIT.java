package dev.custos.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import dev.custos.backups.BackupFlows;
import dev.custos.support.Api;
import dev.custos.support.ApiTest;
import dev.custos.support.SecuredService;
import dev.custos.support.Sql;

/**
 * Grants narrow an operator or viewer to some databases: the granted ones and every database of a granted engine.
 * Everything else (the databases, their backups, files, restores, schedules, engines) is not found, as if it did not
 * exist, whether asked for by a password or by the user's API key.
 */
class GrantsApiIT extends ApiTest {

    private static final SecuredService SERVICE = SecuredService.create("grants");
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
    void anOperatorWithGrantsSeesAndBacksUpOnlyTheirDatabases() throws Exception {
        String mine = sqlite("mine");
        String theirs = sqlite("theirs");
        String engine = engine();
        String onEngine = created(admin.post("/api/databases", Api.json("name", unique("on-engine"),
                "database_type", "postgresql", "engine_id", engine, "database_name", "custos_test",
                "use_engine_credentials", true)));
        String theirBackup = BackupFlows.trigger(admin, theirs);
        JsonNode theirDone = BackupFlows.awaitFinal(admin, theirBackup);
        Api operator = user("operator");
        String operatorId = operator.get("/api/users/me").json().path("user_id").asString();

        Api.Response granted = admin.put("/api/users/" + operatorId + "/grants", Api.json("grants", List.of(
                Map.of("resource_type", "database", "resource_id", mine),
                Map.of("resource_type", "engine", "resource_id", engine))));

        assertThat(granted.status()).as(granted.text()).isEqualTo(200);
        assertThat(ids(operator.get("/api/databases?limit=1000").json().path("databases")))
                .contains(mine, onEngine).doesNotContain(theirs);
        // The default page is cached: the admin's must not be what the operator gets, nor the other way round.
        JsonNode adminPage = admin.get("/api/databases").json();
        JsonNode operatorPage = operator.get("/api/databases").json();
        assertThat(ids(adminPage.path("databases"))).contains(mine, theirs, onEngine);
        assertThat(ids(operatorPage.path("databases"))).containsExactlyInAnyOrder(mine, onEngine);
        assertThat(operatorPage.path("total").asInt()).isEqualTo(2);
        assertThat(admin.get("/api/databases").json().path("total").asInt()).isEqualTo(adminPage.path("total").asInt());
        assertThat(operator.get("/api/databases/" + theirs).status()).isEqualTo(404);
        assertThat(operator.get("/api/databases/" + onEngine).status()).isEqualTo(200);
        assertThat(ids(operator.get("/api/engines").json().path("items"))).containsExactly(engine);
        assertThat(operator.post("/api/databases/" + theirs + "/backup", "").status()).isEqualTo(404);

        String myBackup = BackupFlows.trigger(operator, mine);
        JsonNode myDone = BackupFlows.awaitFinal(operator, myBackup);
        assertThat(myDone.path("status").asString()).isEqualTo("completed");
        assertThat(operator.get("/api/backups?page_size=100").json().path("backups").valueStream()
                .map(b -> b.path("database_id").asString())).contains(mine).doesNotContain(theirs);
        assertThat(operator.get("/api/backups/" + theirBackup).status()).isEqualTo(404);
        assertThat(operator.get("/api/backups/" + theirBackup + "/logs").status()).isEqualTo(404);
        assertThat(operator.post("/api/backups/" + theirBackup + "/lock", Api.json("reason", "x")).status())
                .isEqualTo(404);
        assertThat(operator.post("/api/backups/" + theirBackup + "/restore", "{}").status())
                .isEqualTo(404);
        String theirBlob = theirDone.path("blob_name").asString();
        assertThat(operator.get("/api/backups/download?blob_name=" + Api.encode(theirBlob)).status()).isEqualTo(404);
        assertThat(operator.get("/api/backups/download?blob_name=" + Api.encode(myDone.path("blob_name").asString()))
                .status()).isEqualTo(200);
        assertThat(operator.get("/api/backups/files?limit=1000").json().path("files").valueStream()
                .map(f -> f.path("name").asString())).contains(myDone.path("blob_name").asString())
                .doesNotContain(theirBlob);
        assertThat(operator.get("/api/schedules").json().path("schedules").valueStream()
                .map(s -> s.path("database_id").asString())).contains(mine).doesNotContain(theirs);
        assertThat(operator.get("/api/databases/" + theirs + "/retention-preview").status()).isEqualTo(404);

        Api.Response toFile = operator.post("/api/backups/" + myBackup + "/restore", Api.json("target_database_name",
                DIR.resolve("elsewhere.db").toString()));
        assertThat(toFile.status()).as(toFile.text()).isEqualTo(403);
        assertThat(toFile.error()).contains("not into a file path");
        // As for a database that does not exist: the target is not a configured database.
        assertThat(operator.post("/api/backups/" + myBackup + "/restore", Api.json("target_database_id", theirs))
                .error()).isEqualTo("target_database_id '" + theirs + "' is not a configured database");

        JsonNode status = operator.get("/api/system-status").json();
        assertThat(status.path("services").path("databases").path("total").asInt()).isEqualTo(2);
        assertThat(status.path("backups").path("completed").asInt()).isEqualTo(1);
        assertThat(admin.get("/api/system-status").json().path("backups").path("completed").asInt())
                .isGreaterThanOrEqualTo(2);

        JsonNode me = operator.get("/api/users/me").json();
        assertThat(me.path("grants").valueStream().map(g -> g.path("resource_type").asString() + ":"
                + g.path("resource_id").asString())).containsExactlyInAnyOrder("database:" + mine, "engine:" + engine);
        String key = operator.post("/api/api-keys", Api.json("name", "narrowed", "scopes", List.of("backup")))
                .json().path("key").asString();
        assertThat(anonymous.bearer(key).get("/api/databases/" + theirs).status()).isEqualTo(404);
        assertThat(anonymous.bearer(key).get("/api/databases/" + mine).status()).isEqualTo(200);

        // An empty list lifts the narrowing.
        assertThat(admin.put("/api/users/" + operatorId + "/grants", Api.json("grants", List.of())).status())
                .isEqualTo(200);
        assertThat(operator.get("/api/databases/" + theirs).status()).isEqualTo(200);
        assertThat(ids(operator.get("/api/databases").json().path("databases"))).contains(theirs);
    }

    @Test
    void grantsAreAuditedAndBadGrantsAreRefusedNamingTheField() {
        String db = sqlite("audited");
        Api viewer = user("viewer");
        String viewerId = viewer.get("/api/users/me").json().path("user_id").asString();
        String adminId = admin.get("/api/users/me").json().path("user_id").asString();

        Api.Response unknown = admin.put("/api/users/" + viewerId + "/grants", Api.json("grants", List.of(
                Map.of("resource_type", "database", "resource_id", "db-nope"))));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.error()).isEqualTo("grants: no such database 'db-nope'");
        assertThat(admin.put("/api/users/" + viewerId + "/grants", Api.json("grants", List.of(
                Map.of("resource_type", "table", "resource_id", db)))).error())
                .contains("grants[0].resource_type must be database or engine");
        assertThat(admin.put("/api/users/" + viewerId + "/grants", "{}").error()).contains("grants is required");
        assertThat(admin.put("/api/users/" + adminId + "/grants", Api.json("grants", List.of(
                Map.of("resource_type", "database", "resource_id", db)))).error()).contains("admins see every database");
        assertThat(viewer.put("/api/users/" + viewerId + "/grants", Api.json("grants", List.of())).status())
                .isEqualTo(403);
        assertThat(admin.get("/api/users/" + viewerId + "/grants").json().path("count").asInt()).isZero();

        assertThat(admin.put("/api/users/" + viewerId + "/grants", Api.json("grants", List.of(
                Map.of("resource_type", "database", "resource_id", db)))).status()).isEqualTo(200);

        JsonNode event = admin.get("/api/audit?action=user_updated&resource_id=" + viewerId).json().path("logs").get(0);
        assertThat(event.path("details").path("updated_fields").get(0).asString()).isEqualTo("grants");
        assertThat(event.path("before").path("grants")).isEmpty();
        assertThat(event.path("after").path("grants").get(0).path("resource_id").asString()).isEqualTo(db);
        assertThat(viewer.get("/api/databases?limit=1000").json().path("databases").valueStream()
                .map(d -> d.path("id").asString())).containsExactly(db);
    }

    private String sqlite(String name) {
        try {
            Path file = Files.createTempDirectory("custos-grants").resolve(name + ".db");
            Sql.sqlite(file.toString(), "CREATE TABLE t (x INTEGER)", "INSERT INTO t VALUES (1), (2)");
            return created(admin.post("/api/databases", Api.json("name", unique(name), "database_type", "sqlite",
                    "database_name", file.toString())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String engine() {
        Api.Response r = admin.post("/api/engines", Api.json("name", unique("engine"), "engine_type", "postgresql",
                "host", "127.0.0.1", "port", 5432, "username", "postgres", "password", "", "discovery_enabled", false));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("engine").path("id").asString();
    }

    private Api user(String role) {
        String name = unique(role);
        Api.Response r = admin.post("/api/users", Api.json("username", name, "password", "password of " + name,
                "role", role));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return anonymous.as(name, "password of " + name);
    }

    private static String created(Api.Response r) {
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("database").path("id").asString();
    }

    private static List<String> ids(JsonNode items) {
        return items.valueStream().map(i -> i.path("id").asString()).toList();
    }

}
