package dev.custos.engines;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

import dev.custos.support.Api;
import dev.custos.support.ApiTest;

/** {@code /api/engines}: the catalog side of servers (no server is contacted here). */
class EngineApiIT extends ApiTest {

    private static final String TIMESTAMP = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";
    private static final List<String> ENGINE_FIELDS = List.of("id", "name", "engine_type", "host", "port", "auth_method",
            "username", "has_password", "discovery_enabled", "database_count", "created_at", "updated_at");

    @Autowired
    private JdbcClient catalog;

    @Test
    void createAnswers201WithTheEngineFieldForField() {
        String name = unique("Production MySQL Server");

        Api.Response r = api.post("/api/engines", Api.json("name", name, "engine_type", "mysql", "host", "mysql.example.com",
                "port", 3306, "auth_method", "user_password", "username", "backup_user", "password", "secret123",
                "discovery_enabled", true));

        assertThat(r.status()).as(r.text()).isEqualTo(201);
        JsonNode engine = r.json().path("engine");
        assertThat(engine.propertyNames()).containsExactlyInAnyOrderElementsOf(ENGINE_FIELDS);
        assertThat(engine.path("id").asString()).matches("engine-[A-Za-z0-9_-]{16,}");
        assertThat(engine.path("name").asString()).isEqualTo(name);
        assertThat(engine.path("engine_type").asString()).isEqualTo("mysql");
        assertThat(engine.path("host").asString()).isEqualTo("mysql.example.com");
        assertThat(engine.path("port").asInt()).isEqualTo(3306);
        assertThat(engine.path("auth_method").asString()).isEqualTo("user_password");
        assertThat(engine.path("username").asString()).isEqualTo("backup_user");
        assertThat(engine.path("has_password").asBoolean()).isTrue();
        assertThat(engine.path("discovery_enabled").asBoolean()).isTrue();
        assertThat(engine.path("database_count").asInt()).isZero();
        assertThat(engine.path("created_at").asString()).matches(TIMESTAMP);
        assertThat(engine.path("updated_at").asString()).isEqualTo(engine.path("created_at").asString());
        assertThat(r.json().path("discovered_databases").isArray()).isTrue();
        assertThat(r.json().path("discovered_databases")).isEmpty();
        NoPasswords.assertNone(r, "secret123");
    }

    @Test
    void createFillsTheSpecDefaults() {
        Api.Response r = api.post("/api/engines", Api.json("name", unique("defaults"), "engine_type", "postgresql",
                "host", "pg.example.com", "port", 5432, "username", "u", "password", "p"));

        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertThat(r.json().path("engine").path("auth_method").asString()).isEqualTo("user_password");
        assertThat(r.json().path("engine").path("discovery_enabled").asBoolean()).isTrue();
    }

    @Test
    void getReturnsTheStoredEngine() {
        JsonNode created = createEngine("mysql", unique("get"), "db1.example.com", "pw-get-1");

        Api.Response r = api.get("/api/engines/" + created.path("id").asString());

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("engine")).isEqualTo(created);
        NoPasswords.assertNone(r, "pw-get-1");
    }

    @Test
    void noListUpdateOrDeleteAnswerHoldsThePassword() {
        String id = createEngine("postgresql", unique("secret"), "secret.example.com", "pw-first-7f3a").path("id").asString();

        Api.Response updated = api.put("/api/engines/" + id, Api.json("password", "pw-second-9c1d"));
        Api.Response listed = api.get("/api/engines?type=postgresql&limit=1000");
        Api.Response deleted = api.delete("/api/engines/" + id);

        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.json().path("engine").path("has_password").asBoolean()).isTrue();
        for (Api.Response r : List.of(updated, listed, deleted)) {
            NoPasswords.assertNone(r, "pw-first-7f3a");
            NoPasswords.assertNone(r, "pw-second-9c1d");
        }
    }

    @Test
    void missingFieldsAre400NamingEachField() {
        Api.Response r = api.post("/api/engines", "{}");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).contains("name is required", "engine_type is required", "host is required");
    }

    @Test
    void wrongEnumAndPortOutOfRangeAre400NamingTheField() {
        Api.Response r = api.post("/api/engines", Api.json("name", unique("bad"), "engine_type", "oracle", "host", "h",
                "port", 70000, "auth_method", "kerberos", "username", "u", "password", "p"));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).contains("engine_type must be one of postgresql, mysql, sqlserver", "(got 'oracle')",
                "port must be between 1 and 65535 (got 70000)", "auth_method must be one of user_password");
    }

    @Test
    void userPasswordAuthNeedsUsernameAndPassword() {
        Api.Response r = api.post("/api/engines", Api.json("name", unique("nocreds"), "engine_type", "mysql",
                "host", "h.example.com", "port", 3306));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).contains("username is required", "password is required");
    }

    @Test
    void aDuplicateNameIs409() {
        String name = unique("Shared Name");
        createEngine("mysql", name, "a.example.com", "p");

        Api.Response r = api.post("/api/engines", Api.json("name", name.toUpperCase(), "engine_type", "postgresql",
                "host", "b.example.com", "port", 5432, "username", "u", "password", "p"));

        assertThat(r.status()).isEqualTo(409);
        assertThat(r.error()).contains(name.toUpperCase());
    }

    @Test
    void renamingOntoAnotherEnginesNameIs409() {
        String taken = unique("taken");
        createEngine("mysql", taken, "a.example.com", "p");
        String id = createEngine("mysql", unique("other"), "b.example.com", "p").path("id").asString();

        Api.Response r = api.put("/api/engines/" + id, Api.json("name", taken));

        assertThat(r.status()).isEqualTo(409);
    }

    @Test
    void unknownEngineIs404OnEveryEndpoint() {
        String path = "/api/engines/engine-does-not-exist";

        assertThat(api.get(path).status()).isEqualTo(404);
        assertThat(api.put(path, Api.json("name", "x")).status()).isEqualTo(404);
        assertThat(api.delete(path).status()).isEqualTo(404);
        assertThat(api.post(path + "/test", null).status()).isEqualTo(404);
        assertThat(api.post(path + "/discover", null).status()).isEqualTo(404);
        assertThat(api.get(path).error()).isEqualTo("Engine 'engine-does-not-exist' not found");
    }

    @Test
    void listFiltersByTypeAndPagesWithTotalAndHasMore() {
        List<String> mine = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            mine.add(createEngine("sqlserver", unique("paged-" + i), "mssql" + i + ".example.com", "p").path("id").asString());
        }

        List<String> seen = new ArrayList<>();
        long total = -1;
        for (int offset = 0; ; offset += 2) {
            Api.Response page = api.get("/api/engines?type=sqlserver&limit=2&offset=" + offset);
            assertThat(page.status()).isEqualTo(200);
            total = page.json().path("total").asLong();
            JsonNode items = page.json().path("items");
            assertThat(items.size()).isLessThanOrEqualTo(2);
            items.forEach(e -> assertThat(e.path("engine_type").asString()).isEqualTo("sqlserver"));
            items.forEach(e -> seen.add(e.path("id").asString()));
            boolean hasMore = page.json().path("has_more").asBoolean();
            assertThat(hasMore).isEqualTo(offset + items.size() < total);
            if (!hasMore) {
                break;
            }
        }

        assertThat(total).isGreaterThanOrEqualTo(3);
        assertThat(seen).hasSize((int) total).doesNotHaveDuplicates().containsAll(mine);
    }

    @Test
    void listWithoutTypeShowsEveryKind() {
        String mysql = createEngine("mysql", unique("any-mysql"), "m.example.com", "p").path("id").asString();
        String postgres = createEngine("postgresql", unique("any-pg"), "p.example.com", "p").path("id").asString();

        Api.Response r = api.get("/api/engines?limit=1000");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("items").findValuesAsString("id")).contains(mysql, postgres);
        assertThat(r.json().path("total").asLong()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void listRejectsAnUnknownTypeAndABadLimit() {
        assertThat(api.get("/api/engines?type=oracle").status()).isEqualTo(400);
        assertThat(api.get("/api/engines?type=oracle").error()).contains("type must be one of");
        assertThat(api.get("/api/engines?limit=0").error()).contains("limit must be between 1 and");
        assertThat(api.get("/api/engines?offset=-1").error()).contains("offset must be 0 or more");
        assertThat(api.get("/api/engines?limit=ten").error()).contains("'limit'");
    }

    @Test
    void updateChangesTheGivenFieldsAndKeepsTheRest() {
        JsonNode before = createEngine("mysql", unique("before"), "old.example.com", "keep-me");
        String id = before.path("id").asString();
        String newName = unique("after");

        Api.Response r = api.put("/api/engines/" + id, Api.json("name", newName, "username", "new_user",
                "discovery_enabled", false));

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().path("databases_updated").asInt()).isZero();
        JsonNode after = api.get("/api/engines/" + id).json().path("engine");
        assertThat(after.path("name").asString()).isEqualTo(newName);
        assertThat(after.path("username").asString()).isEqualTo("new_user");
        assertThat(after.path("discovery_enabled").asBoolean()).isFalse();
        assertThat(after.path("host").asString()).isEqualTo("old.example.com");
        assertThat(after.path("port").asInt()).isEqualTo(3306);
        assertThat(after.path("has_password").asBoolean()).isTrue();
        assertThat(after.path("created_at")).isEqualTo(before.path("created_at"));
        assertThat(after.path("updated_at").asString()).isGreaterThanOrEqualTo(before.path("updated_at").asString());
    }

    @Test
    void applyToAllDatabasesMakesEveryDatabaseUseTheEngineCredentials() {
        String engineId = createEngine("postgresql", unique("apply"), "apply.example.com", "p").path("id").asString();
        String db1 = createDatabaseWithOwnCredentials(engineId, "postgresql", "apply.example.com", 5432, "app1");
        String db2 = createDatabaseWithOwnCredentials(engineId, "postgresql", "apply.example.com", 5432, "app2");

        Api.Response r = api.put("/api/engines/" + engineId, Api.json("username", "engine_user", "password", "engine-pw",
                "apply_to_all_databases", true));

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().path("databases_updated").asInt()).isEqualTo(2);
        for (String db : List.of(db1, db2)) {
            JsonNode database = api.get("/api/databases/" + db).json().path("database");
            assertThat(database.path("use_engine_credentials").asBoolean()).isTrue();
            assertThat(database.path("username").asString()).isEqualTo("engine_user");
            assertThat(database.path("has_password").asBoolean()).isTrue();
            List<AuditTrail.Event> updated = new AuditTrail(catalog).events(db, "database_updated");
            assertThat(updated).hasSize(1);
            assertThat(updated.get(0).details().path("cause").asString()).contains("apply_to_all_databases", engineId);
            assertThat(updated.get(0).details().path("changes").path("use_engine_credentials").path("to").asBoolean())
                    .isTrue();
            assertThat(updated.get(0).allText()).doesNotContain("engine-pw");
        }
    }

    @Test
    void theDatabasesOfAnEngineFollowItsNewHostAndPort() {
        String engineId = createEngine("mysql", unique("moving"), "old-host.example.com", "p").path("id").asString();
        String db1 = createDatabaseOnEngine(engineId, "mysql", "shop");
        String db2 = createDatabaseOnEngine(engineId, "mysql", "billing");

        Api.Response r = api.put("/api/engines/" + engineId, Api.json("host", "new-host.example.com", "port", 3307));

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        for (String db : List.of(db1, db2)) {
            JsonNode database = api.get("/api/databases/" + db).json().path("database");
            assertThat(database.path("host").asString()).isEqualTo("new-host.example.com");
            assertThat(database.path("port").asInt()).isEqualTo(3307);
            List<AuditTrail.Event> updated = new AuditTrail(catalog).events(db, "database_updated");
            assertThat(updated).hasSize(1);
            assertThat(updated.get(0).details().path("changes").path("host").path("from").asString())
                    .isEqualTo("old-host.example.com");
            assertThat(updated.get(0).before().path("port").asInt()).isNotEqualTo(3307);
            assertThat(updated.get(0).after().path("port").asInt()).isEqualTo(3307);
        }
    }

    @Test
    void movingAnEngineOntoAServerWhereItsDatabasesAreAlreadyConfiguredIs409() {
        String database = unique("clash");
        String engineId = createEngine("mysql", unique("mover"), "first.example.com", "p").path("id").asString();
        api.post("/api/databases", Api.json("name", unique("on-engine"), "database_type", "mysql", "engine_id", engineId,
                "use_engine_credentials", true, "database_name", database));
        api.post("/api/databases", Api.json("name", unique("standalone"), "database_type", "mysql",
                "host", "second.example.com", "port", 3306, "database_name", database, "username", "u", "password", "p"));

        Api.Response r = api.put("/api/engines/" + engineId, Api.json("host", "second.example.com"));

        assertThat(r.status()).as(r.text()).isEqualTo(409);
        assertThat(r.error()).contains(database, "second.example.com:3306");
        assertThat(api.get("/api/engines/" + engineId).json().path("engine").path("host").asString())
                .isEqualTo("first.example.com");
    }

    @Test
    void databaseCountCountsTheEnginesDatabases() {
        String engineId = createEngine("mysql", unique("counted"), "counted.example.com", "p").path("id").asString();
        createDatabaseOnEngine(engineId, "mysql", "one");
        createDatabaseOnEngine(engineId, "mysql", "two");

        assertThat(api.get("/api/engines/" + engineId).json().path("engine").path("database_count").asInt()).isEqualTo(2);
    }

    @Test
    void deleteWithoutDatabasesAnswersTheSpecMessage() {
        String id = createEngine("mysql", unique("lonely"), "lonely.example.com", "p").path("id").asString();

        Api.Response r = api.delete("/api/engines/" + id);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("message").asString()).isEqualTo("Engine '" + id + "' deleted");
        assertThat(r.json().has("databases_deleted")).isFalse();
        assertThat(api.get("/api/engines/" + id).status()).isEqualTo(404);
    }

    @Test
    void deletingAnEngineThatHasDatabasesWithoutDeleteDatabasesIs400AndKeepsEverything() {
        String id = createEngine("mysql", unique("busy"), "busy.example.com", "p").path("id").asString();
        String db = createDatabaseOnEngine(id, "mysql", "orders");

        Api.Response r = api.delete("/api/engines/" + id);

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).contains("delete_databases");
        assertThat(api.get("/api/engines/" + id).status()).isEqualTo(200);
        assertThat(api.get("/api/databases/" + db).status()).isEqualTo(200);
    }

    @Test
    void deleteDatabasesCascadesToTheEnginesDatabases() {
        String id = createEngine("mysql", unique("cascade"), "cascade.example.com", "p").path("id").asString();
        String db1 = createDatabaseOnEngine(id, "mysql", "a");
        String db2 = createDatabaseOnEngine(id, "mysql", "b");

        Api.Response r = api.delete("/api/engines/" + id + "?delete_databases=true");

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().path("message").asString()).isEqualTo("Engine '" + id + "' deleted");
        assertThat(r.json().path("databases_deleted").asInt()).isEqualTo(2);
        assertThat(r.json().path("backups_deleted").asInt()).isZero();
        assertThat(api.get("/api/engines/" + id).status()).isEqualTo(404);
        assertThat(api.get("/api/databases/" + db1).status()).isEqualTo(404);
        assertThat(api.get("/api/databases/" + db2).status()).isEqualTo(404);
        assertThat(api.get("/api/databases?engine_id=" + id).json().path("total").asInt()).isZero();
    }

    @Test
    void deleteBackupsAlsoDeletesTheBackupRecordsOfTheDatabases() {
        String id = createEngine("mysql", unique("with-backups"), "backups.example.com", "p").path("id").asString();
        String db = createDatabaseOnEngine(id, "mysql", "sales");
        recordBackup(db, id);
        recordBackup(db, id);

        Api.Response r = api.delete("/api/engines/" + id + "?delete_databases=true&delete_backups=true");

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().path("databases_deleted").asInt()).isEqualTo(1);
        assertThat(r.json().path("backups_deleted").asInt()).isEqualTo(2);
        assertThat(backupRecords(db)).isZero();
    }

    @Test
    void deleteDatabasesWithoutDeleteBackupsKeepsTheBackupRecords() {
        String id = createEngine("mysql", unique("keep-backups"), "keep.example.com", "p").path("id").asString();
        String db = createDatabaseOnEngine(id, "mysql", "ledger");
        recordBackup(db, id);

        Api.Response r = api.delete("/api/engines/" + id + "?delete_databases=true");

        assertThat(r.json().path("backups_deleted").asInt()).isZero();
        assertThat(backupRecords(db)).isEqualTo(1);
    }

    @Test
    void createIsAuditedWithTheSpecDetails() {
        String id = createEngine("mysql", unique("audited"), "audit.example.com", "audit-pw-51e0").path("id").asString();

        List<AuditTrail.Event> events = new AuditTrail(catalog).events(id, "engine_created");

        assertThat(events).hasSize(1);
        JsonNode details = events.get(0).details();
        assertThat(details.path("engine_id").asString()).isEqualTo(id);
        assertThat(details.path("engine_type").asString()).isEqualTo("mysql");
        assertThat(details.path("host").asString()).isEqualTo("audit.example.com");
        assertThat(details.path("port").asInt()).isEqualTo(3306);
        assertThat(events.get(0).resourceType()).isEqualTo("engine");
        assertThat(events.get(0).status()).isEqualTo("success");
        assertThat(events.get(0).allText()).doesNotContain("audit-pw-51e0");
    }

    @Test
    void updateIsAuditedWithTheUpdatedFields() {
        String id = createEngine("mysql", unique("audited-update"), "u.example.com", "old-pw-2b77").path("id").asString();

        api.put("/api/engines/" + id, Api.json("host", "u2.example.com", "password", "new-pw-8d41"));

        List<AuditTrail.Event> events = new AuditTrail(catalog).events(id, "engine_updated");
        assertThat(events).hasSize(1);
        JsonNode details = events.get(0).details();
        assertThat(details.path("engine_id").asString()).isEqualTo(id);
        assertThat(details.path("engine_type").asString()).isEqualTo("mysql");
        assertThat(details.path("updated_fields").valueStream().map(JsonNode::asString)).containsExactly("host", "password");
        assertThat(events.get(0).before().path("host").asString()).isEqualTo("u.example.com");
        assertThat(events.get(0).after().path("host").asString()).isEqualTo("u2.example.com");
        assertThat(events.get(0).allText()).doesNotContain("old-pw-2b77", "new-pw-8d41");
    }

    @Test
    void deleteIsAuditedWithTheCascadeAndTheWholeEngineBefore() {
        String name = unique("audited-delete");
        String id = createEngine("mysql", name, "d.example.com", "del-pw-6a0c").path("id").asString();
        String db = createDatabaseOnEngine(id, "mysql", "doomed");

        api.delete("/api/engines/" + id + "?delete_databases=true&delete_backups=true");

        AuditTrail audit = new AuditTrail(catalog);
        List<AuditTrail.Event> events = audit.events(id, "engine_deleted");
        assertThat(events).hasSize(1);
        JsonNode details = events.get(0).details();
        assertThat(details.path("engine_id").asString()).isEqualTo(id);
        assertThat(details.path("engine_type").asString()).isEqualTo("mysql");
        assertThat(details.path("host").asString()).isEqualTo("d.example.com");
        assertThat(details.path("cascade_databases").asBoolean()).isTrue();
        assertThat(details.path("cascade_backups").asBoolean()).isTrue();
        assertThat(details.path("databases_deleted").asInt()).isEqualTo(1);
        assertThat(events.get(0).before().path("name").asString()).isEqualTo(name);
        assertThat(events.get(0).before().path("database_count").asInt()).isEqualTo(1);
        assertThat(events.get(0).allText()).doesNotContain("del-pw-6a0c");
        assertThat(audit.events(db, "database_deleted")).hasSize(1);
    }

    private JsonNode createEngine(String type, String name, String host, String password) {
        Api.Response r = api.post("/api/engines", Api.json("name", name, "engine_type", type, "host", host,
                "port", type.equals("mysql") ? 3306 : type.equals("postgresql") ? 5432 : 1433,
                "username", "admin", "password", password));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("engine");
    }

    private String createDatabaseOnEngine(String engineId, String type, String databaseName) {
        Api.Response r = api.post("/api/databases", Api.json("name", unique(databaseName), "database_type", type,
                "engine_id", engineId, "use_engine_credentials", true, "database_name", unique(databaseName)));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("database").path("id").asString();
    }

    private String createDatabaseWithOwnCredentials(String engineId, String type, String host, int port, String databaseName) {
        Api.Response r = api.post("/api/databases", Api.json("name", unique(databaseName), "database_type", type,
                "engine_id", engineId, "use_engine_credentials", false, "host", host, "port", port,
                "database_name", unique(databaseName), "username", "own_user", "password", "own-pw"));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("database").path("id").asString();
    }

    /** The backups feature does not exist yet; a finished backup is what its record in the catalog says. */
    private void recordBackup(String databaseId, String engineId) {
        catalog.sql("""
                INSERT INTO backups (id, database_id, database_type, engine_id, status, triggered_by, created_at)
                VALUES (:id, :db, 'mysql', :engine, 'completed', 'manual', 0)
                """).param("id", unique("backup")).param("db", databaseId).param("engine", engineId).update();
    }

    private int backupRecords(String databaseId) {
        return catalog.sql("SELECT count(*) FROM backups WHERE database_id = ?").param(databaseId)
                .query(Integer.class).single();
    }
}
