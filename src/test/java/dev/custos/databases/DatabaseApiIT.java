package dev.custos.databases;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

import dev.custos.engines.AuditTrail;
import dev.custos.engines.NoPasswords;
import dev.custos.support.Api;
import dev.custos.support.ApiTest;

/** {@code /api/databases}: create, get, update, delete, the spec's credential rules and the audit trail. */
class DatabaseApiIT extends ApiTest {

    private static final String TIMESTAMP = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";

    @Autowired
    private JdbcClient catalog;

    @Autowired
    private DatabaseService databases;

    @Test
    void createsAPostgresqlDatabaseWithItsOwnCredentials() {
        String name = unique("Orders");

        Api.Response r = api.post("/api/databases", Api.json("name", name, "database_type", "postgresql",
                "host", "pg.example.com", "port", 5432, "database_name", "orders", "username", "backup_user",
                "password", "secret123"));

        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertThat(r.json().path("message").asString()).isEqualTo("Database configuration created");
        JsonNode db = r.json().path("database");
        assertThat(db.path("id").asString()).matches("db-[A-Za-z0-9_-]{16,}");
        assertThat(db.path("name").asString()).isEqualTo(name);
        assertThat(db.path("database_type").asString()).isEqualTo("postgresql");
        assertThat(db.path("engine_id").isNull()).isTrue();
        assertThat(db.path("engine_name").isNull()).isTrue();
        assertThat(db.path("use_engine_credentials").asBoolean()).isFalse();
        assertThat(db.path("host").asString()).isEqualTo("pg.example.com");
        assertThat(db.path("port").asInt()).isEqualTo(5432);
        assertThat(db.path("database_name").asString()).isEqualTo("orders");
        assertThat(db.path("username").asString()).isEqualTo("backup_user");
        assertThat(db.path("has_password").asBoolean()).isTrue();
        assertThat(db.path("policy_id").asString()).isEqualTo("production-standard");
        assertThat(db.path("enabled").asBoolean()).isTrue();
        assertThat(db.path("compression").asBoolean()).isTrue();
        assertThat(db.path("tags").isObject()).isTrue();
        assertThat(db.path("created_at").asString()).matches(TIMESTAMP);
        assertThat(db.path("updated_at").asString()).matches(TIMESTAMP);
        NoPasswords.assertNone(r, "secret123");
    }

    @Test
    void createsAMysqlDatabaseOnAnEngineWithTheEngineCredentialsAndItsName() {
        String engineName = unique("Production MySQL Server");
        String engineId = createEngine("mysql", engineName);

        Api.Response r = api.post("/api/databases", Api.json("name", unique("Production MySQL"), "database_type", "mysql",
                "engine_id", engineId, "use_engine_credentials", true, "host", "engine.example.com", "port", 3306,
                "database_name", unique("myapp"), "policy_id", "production-standard", "enabled", true, "compression", true));

        assertThat(r.status()).as(r.text()).isEqualTo(201);
        JsonNode db = r.json().path("database");
        assertThat(db.path("engine_id").asString()).isEqualTo(engineId);
        assertThat(db.path("engine_name").asString()).isEqualTo(engineName);
        assertThat(db.path("use_engine_credentials").asBoolean()).isTrue();
        assertThat(db.path("username").asString()).isEqualTo("engine_user");
        assertThat(db.path("has_password").asBoolean()).isTrue();
        assertThat(api.get("/api/databases/" + db.path("id").asString()).json().path("database").path("engine_name")
                .asString()).isEqualTo(engineName);
    }

    @Test
    void aDatabaseOnAnEngineTakesTheEnginesHostAndPortWhenNoneAreGiven() {
        String engineId = createEngine("mysql", unique("address"));

        Api.Response r = api.post("/api/databases", Api.json("name", unique("inherits"), "database_type", "mysql",
                "engine_id", engineId, "use_engine_credentials", true, "database_name", unique("inherits")));

        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertThat(r.json().path("database").path("host").asString()).isEqualTo("engine.example.com");
        assertThat(r.json().path("database").path("port").asInt()).isEqualTo(3306);
    }

    @Test
    void aDatabaseOnAnEngineCannotPointAtAnotherServer() {
        String engineId = createEngine("mysql", unique("elsewhere"));

        Api.Response r = api.post("/api/databases", Api.json("name", unique("elsewhere"), "database_type", "mysql",
                "engine_id", engineId, "use_engine_credentials", true, "host", "attacker.example.com",
                "database_name", unique("app")));

        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(r.error()).contains("host must be the engine's host (engine.example.com)");
    }

    @Test
    void theEngineNameFollowsARenamedEngine() {
        String engineId = createEngine("postgresql", unique("before-rename"));
        String id = createDatabase(Map.of("engine_id", engineId, "use_engine_credentials", true,
                "host", "engine.example.com"));
        String renamed = unique("after-rename");

        api.put("/api/engines/" + engineId, Api.json("name", renamed));

        assertThat(api.get("/api/databases/" + id).json().path("database").path("engine_name").asString()).isEqualTo(renamed);
    }

    @Test
    void createsASqliteDatabaseFromAFilePathWithoutHostOrPort() {
        String path = dataDir().resolve(unique("app") + ".db").toString();

        Api.Response r = api.post("/api/databases", Api.json("name", unique("Local app"), "database_type", "sqlite",
                "database_name", path));

        assertThat(r.status()).as(r.text()).isEqualTo(201);
        JsonNode db = r.json().path("database");
        assertThat(db.path("database_type").asString()).isEqualTo("sqlite");
        assertThat(db.path("database_name").asString()).isEqualTo(path);
        assertThat(db.path("host").isNull()).isTrue();
        assertThat(db.path("port").isNull()).isTrue();
        assertThat(db.path("has_password").asBoolean()).isFalse();
    }

    @Test
    void sqlserverAndAzureSqlConfigurationsAreAccepted() {
        for (String type : List.of("sqlserver", "azure_sql")) {
            Api.Response r = api.post("/api/databases", Api.json("name", unique(type), "database_type", type,
                    "host", type + ".example.com", "port", 1433, "database_name", unique("erp"),
                    "username", "sa", "password", "pw"));

            assertThat(r.status()).as(r.text()).isEqualTo(201);
            assertThat(r.json().path("database").path("database_type").asString()).isEqualTo(type);
        }
    }

    @Test
    void ownCredentialsNeedAUsernameAndAPassword() {
        Api.Response r = api.post("/api/databases", Api.json("name", unique("no-creds"), "database_type", "mysql",
                "host", "h.example.com", "port", 3306, "database_name", "x", "use_engine_credentials", false));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).contains("username is required when use_engine_credentials is false",
                "password is required when use_engine_credentials is false");
    }

    @Test
    void engineCredentialsNeedAnEngineId() {
        Api.Response r = api.post("/api/databases", Api.json("name", unique("no-engine"), "database_type", "mysql",
                "host", "h.example.com", "port", 3306, "database_name", "x", "use_engine_credentials", true));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).contains("engine_id is required when use_engine_credentials is true");
    }

    @Test
    void theEngineMustExist() {
        Api.Response r = api.post("/api/databases", Api.json("name", unique("ghost-engine"), "database_type", "mysql",
                "host", "h.example.com", "port", 3306, "database_name", "x", "engine_id", "engine-does-not-exist",
                "use_engine_credentials", true));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).contains("engine_id 'engine-does-not-exist' does not exist");
    }

    @Test
    void theEngineMustBeOfTheDatabasesType() {
        String engineId = createEngine("mysql", unique("mysql-only"));

        Api.Response r = api.post("/api/databases", Api.json("name", unique("wrong-kind"), "database_type", "postgresql",
                "database_name", "x", "engine_id", engineId, "use_engine_credentials", true));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).contains("is a mysql engine, but database_type is postgresql");
    }

    @Test
    void missingAndInvalidFieldsAre400NamingEachField() {
        Api.Response empty = api.post("/api/databases", "{}");
        Api.Response invalid = api.post("/api/databases", Api.json("name", "x", "database_type", "oracle",
                "database_name", "x", "port", 0, "enabled", "yes"));

        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.error()).contains("name is required", "database_type is required", "database_name is required");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.error()).contains("database_type must be one of postgresql, mysql, sqlite, sqlserver, azure_sql",
                "port must be between 1 and 65535 (got 0)", "enabled must be true or false");
    }

    @Test
    void aNetworkedDatabaseNeedsAHostAndAPort() {
        Api.Response r = api.post("/api/databases", Api.json("name", unique("nowhere"), "database_type", "postgresql",
                "database_name", "x", "username", "u", "password", "p"));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).contains("host is required", "port is required");
    }

    @Test
    void aNullPortIsNotAPort() {
        Api.Response r = api.post("/api/databases", Api.json("name", unique("null-port"), "database_type", "postgresql",
                "host", "h.example.com", "port", null, "database_name", "x", "username", "u", "password", "p"));

        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(r.error()).contains("port is required");
    }

    @Test
    void anUnknownPolicyIs400() {
        Map<String, Object> fields = Map.of("policy_id", "policy-does-not-exist");

        Api.Response r = api.post("/api/databases", body(fields));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).contains("policy_id 'policy-does-not-exist' does not exist");
    }

    @Test
    void tagsCompressionAndBackupDestinationAreKept() {
        String id = createDatabase(Map.of("tags", Map.of("team", "payments", "tier", 1), "compression", "zstd",
                "backup_destination", "custos-payments"));

        JsonNode db = api.get("/api/databases/" + id).json().path("database");

        assertThat(db.path("tags").path("team").asString()).isEqualTo("payments");
        assertThat(db.path("tags").path("tier").asString()).isEqualTo("1");
        assertThat(db.path("compression").asString()).isEqualTo("zstd");
        assertThat(db.path("backup_destination").asString()).isEqualTo("custos-payments");
    }

    @Test
    void compressionFalseIsKeptAsABoolean() {
        String id = createDatabase(Map.of("compression", false));

        JsonNode compression = api.get("/api/databases/" + id).json().path("database").path("compression");

        assertThat(compression.isBoolean()).isTrue();
        assertThat(compression.asBoolean()).isFalse();
    }

    @Test
    void anUnknownCompressionIs400() {
        Api.Response r = api.post("/api/databases", body(Map.of("compression", "rar")));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).contains("compression must be true, false or one of none, gzip, lz4, zstd");
    }

    @Test
    void theSpecsUpdateWithAScheduleIsAcceptedAndKept() {
        String id = createDatabase(Map.of());
        String newName = unique("Updated Name");

        Api.Response r = api.put("/api/databases/" + id, Api.json("name", newName, "host", "new-host.example.com",
                "schedule", "0 */6 * * *", "enabled", false));

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().path("message").asString()).isEqualTo("Database configuration updated");
        JsonNode db = api.get("/api/databases/" + id).json().path("database");
        assertThat(db.path("name").asString()).isEqualTo(newName);
        assertThat(db.path("host").asString()).isEqualTo("new-host.example.com");
        assertThat(db.path("schedule").asString()).isEqualTo("0 */6 * * *");
        assertThat(db.path("enabled").asBoolean()).isFalse();
    }

    @Test
    void aBadCronScheduleIs400() {
        String id = createDatabase(Map.of());

        Api.Response sixFields = api.put("/api/databases/" + id, Api.json("schedule", "0 0 */6 * * *"));
        Api.Response nonsense = api.put("/api/databases/" + id, Api.json("schedule", "61 * * * *"));

        assertThat(sixFields.status()).isEqualTo(400);
        assertThat(sixFields.error()).contains("schedule must be a 5-field cron expression");
        assertThat(nonsense.status()).isEqualTo(400);
        assertThat(nonsense.error()).contains("schedule is not a valid cron expression");
        assertThat(api.get("/api/databases/" + id).json().path("database").path("schedule").isNull()).isTrue();
    }

    @Test
    void unknownExtraFieldsAreIgnored() {
        Api.Response r = api.post("/api/databases", body(Map.of("retention_days", 9, "owner", Map.of("team", "x"),
                "frobnicate", List.of(1, 2))));

        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertThat(r.json().path("database").has("frobnicate")).isFalse();
    }

    @Test
    void updateChangesOnlyTheGivenFields() {
        String id = createDatabase(Map.of("tags", Map.of("env", "prod")));
        JsonNode before = api.get("/api/databases/" + id).json().path("database");

        api.put("/api/databases/" + id, Api.json("policy_id", "production-standard", "enabled", false));

        JsonNode after = api.get("/api/databases/" + id).json().path("database");
        assertThat(after.path("enabled").asBoolean()).isFalse();
        for (String kept : List.of("name", "database_type", "host", "port", "database_name", "username", "has_password",
                "compression", "tags", "created_at")) {
            assertThat(after.path(kept)).as(kept).isEqualTo(before.path(kept));
        }
    }

    @Test
    void updateKeepsThePasswordWhenNoneIsSentAndStoresItEncrypted() {
        String id = createDatabase(Map.of("password", "first-secret-3e9a"));
        String storedBefore = storedPassword(id);

        Api.Response r = api.put("/api/databases/" + id, Api.json("name", unique("renamed")));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("database").path("has_password").asBoolean()).isTrue();
        assertThat(storedPassword(id)).isEqualTo(storedBefore).doesNotContain("first-secret-3e9a");
        assertThat(databases.target(id).password()).isEqualTo("first-secret-3e9a");
    }

    @Test
    void updateWithAPasswordReplacesIt() {
        String id = createDatabase(Map.of("password", "old-secret-77c2"));

        api.put("/api/databases/" + id, Api.json("password", "new-secret-1b5f"));

        assertThat(storedPassword(id)).doesNotContain("new-secret-1b5f");
        assertThat(databases.target(id).password()).isEqualTo("new-secret-1b5f");
    }

    @Test
    void updateToAnotherDatabasesTargetIs409() {
        String database = unique("inventory");
        createDatabase(Map.of("host", "dup-update.example.com", "database_name", database));
        String other = createDatabase(Map.of("host", "dup-update.example.com"));

        Api.Response r = api.put("/api/databases/" + other, Api.json("database_name", database));

        assertThat(r.status()).isEqualTo(409);
    }

    @Test
    void theSameRealDatabaseTwiceIs409() {
        String database = unique("inventory");
        createDatabase(Map.of("host", "dup.example.com", "port", 5432, "database_name", database));

        Api.Response r = api.post("/api/databases", body(Map.of("name", unique("second"), "host", "dup.example.com",
                "port", 5432, "database_name", database)));

        assertThat(r.status()).isEqualTo(409);
        assertThat(r.error()).contains(database, "already configured");
    }

    @Test
    void unknownDatabaseIs404() {
        String path = "/api/databases/db-does-not-exist";

        assertThat(api.get(path).status()).isEqualTo(404);
        assertThat(api.get(path).error()).isEqualTo("Database 'db-does-not-exist' not found");
        assertThat(api.put(path, Api.json("name", "x")).status()).isEqualTo(404);
        assertThat(api.delete(path).status()).isEqualTo(404);
    }

    @Test
    void deleteRemovesTheDatabase() {
        String id = createDatabase(Map.of());

        Api.Response r = api.delete("/api/databases/" + id);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("message").asString()).isEqualTo("Database '" + id + "' deleted");
        assertThat(api.get("/api/databases/" + id).status()).isEqualTo(404);
    }

    @Test
    void noAnswerEverHoldsThePassword() {
        String id = createDatabase(Map.of("password", "never-shown-5d21"));

        for (Api.Response r : List.of(api.get("/api/databases/" + id), api.get("/api/databases?limit=1000"),
                api.put("/api/databases/" + id, Api.json("password", "never-shown-6e32")), api.delete("/api/databases/" + id))) {
            NoPasswords.assertNone(r, "never-shown-5d21", "never-shown-6e32");
        }
    }

    @Test
    void createIsAuditedWithTheSpecDetails() {
        String engineId = createEngine("postgresql", unique("audit-engine"));
        String database = unique("audited");
        String id = createDatabase(Map.of("engine_id", engineId, "database_name", database, "password", "audit-pw-4c1d",
                "host", "engine.example.com"));

        List<AuditTrail.Event> events = new AuditTrail(catalog).events(id, "database_created");

        assertThat(events).hasSize(1);
        JsonNode details = events.get(0).details();
        assertThat(details.path("database_type").asString()).isEqualTo("postgresql");
        assertThat(details.path("engine_id").asString()).isEqualTo(engineId);
        assertThat(details.path("host").asString()).isEqualTo("engine.example.com");
        assertThat(details.path("port").asInt()).isEqualTo(5432);
        assertThat(details.path("database_name").asString()).isEqualTo(database);
        assertThat(details.path("policy_id").asString()).isEqualTo("production-standard");
        assertThat(events.get(0).after().path("id").asString()).isEqualTo(id);
        assertThat(events.get(0).allText()).doesNotContain("audit-pw-4c1d");
    }

    @Test
    void updateIsAuditedWithItsChanges() {
        String oldName = unique("old");
        String id = createDatabase(Map.of("name", oldName, "password", "audit-pw-9e0f"));
        String newName = unique("new");

        api.put("/api/databases/" + id, Api.json("name", newName, "password", "audit-pw-a1b2"));

        List<AuditTrail.Event> events = new AuditTrail(catalog).events(id, "database_updated");
        assertThat(events).hasSize(1);
        JsonNode details = events.get(0).details();
        assertThat(details.path("database_type").asString()).isEqualTo("postgresql");
        assertThat(details.has("engine_id")).isTrue();
        assertThat(details.path("changes").path("name").path("from").asString()).isEqualTo(oldName);
        assertThat(details.path("changes").path("name").path("to").asString()).isEqualTo(newName);
        assertThat(events.get(0).before().path("name").asString()).isEqualTo(oldName);
        assertThat(events.get(0).after().path("name").asString()).isEqualTo(newName);
        assertThat(events.get(0).allText()).doesNotContain("audit-pw-9e0f", "audit-pw-a1b2");
    }

    @Test
    void deleteIsAuditedWithTheWholeConfigurationBefore() {
        String name = unique("doomed");
        String database = unique("doomed_db");
        String id = createDatabase(Map.of("name", name, "database_name", database, "password", "audit-pw-c3d4"));

        api.delete("/api/databases/" + id);

        List<AuditTrail.Event> events = new AuditTrail(catalog).events(id, "database_deleted");
        assertThat(events).hasSize(1);
        JsonNode details = events.get(0).details();
        assertThat(details.path("database_type").asString()).isEqualTo("postgresql");
        assertThat(details.has("engine_id")).isTrue();
        assertThat(details.path("host").asString()).isEqualTo("pg.example.com");
        assertThat(details.path("port").asInt()).isEqualTo(5432);
        assertThat(details.path("database_name").asString()).isEqualTo(database);
        assertThat(details.path("backups_deleted").asInt()).isZero();
        assertThat(details.path("records_deleted").asInt()).isZero();
        JsonNode before = events.get(0).before();
        assertThat(before.path("id").asString()).isEqualTo(id);
        assertThat(before.path("name").asString()).isEqualTo(name);
        assertThat(before.path("database_name").asString()).isEqualTo(database);
        assertThat(before.path("username").asString()).isEqualTo("backup_user");
        assertThat(events.get(0).allText()).doesNotContain("audit-pw-c3d4");
    }

    /** A PostgreSQL database with its own credentials; {@code fields} override or add to the defaults. */
    private String createDatabase(Map<String, Object> fields) {
        Api.Response r = api.post("/api/databases", body(fields));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("database").path("id").asString();
    }

    private static String body(Map<String, Object> fields) {
        Map<String, Object> body = new java.util.LinkedHashMap<>(Map.of("name", unique("db"), "database_type", "postgresql",
                "host", "pg.example.com", "port", 5432, "database_name", unique("app"), "username", "backup_user",
                "password", "pw"));
        body.putAll(fields);
        List<Object> flat = new java.util.ArrayList<>();
        body.forEach((k, v) -> {
            flat.add(k);
            flat.add(v);
        });
        return Api.json(flat.toArray());
    }

    private String createEngine(String type, String name) {
        Api.Response r = api.post("/api/engines", Api.json("name", name, "engine_type", type, "host", "engine.example.com",
                "port", type.equals("mysql") ? 3306 : 5432, "username", "engine_user", "password", "engine-pw"));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("engine").path("id").asString();
    }

    private String storedPassword(String id) {
        return catalog.sql("SELECT password_enc FROM databases WHERE id = ?").param(id).query(String.class).single();
    }
}
