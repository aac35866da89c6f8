package dev.custos.engines;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.custos.connectors.SilentServer;
import dev.custos.support.Api;
import dev.custos.support.ApiTest;

/**
 * {@code POST /api/engines/{id}/test}, {@code /discover} and {@code discover_databases} against the machine's
 * real PostgreSQL and MariaDB. Each test creates its own databases: other tests may import what is on the server.
 */
class EngineServerApiIT extends ApiTest {

    private static final RealServers servers = new RealServers();

    @AfterAll
    static void dropServerDatabases() {
        servers.dropAll();
    }

    @Test
    void testAgainstTheRealPostgresqlSucceeds() {
        String id = postgresEngine("postgres").path("id").asString();

        Api.Response r = api.post("/api/engines/" + id + "/test", null);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("success").asBoolean()).as(r.text()).isTrue();
        assertThat(r.json().path("message").asString()).isEqualTo("Connection successful");
        assertThat(r.json().path("duration_ms").isIntegralNumber()).isTrue();
        assertThat(r.json().path("duration_ms").asLong()).isBetween(0L, 10_000L);
        assertThat(r.json().path("server_version").asString()).startsWith("15.");
    }

    @Test
    void testAgainstTheRealMariadbSucceeds() {
        String id = mariadbEngine("root", "").path("id").asString();

        Api.Response r = api.post("/api/engines/" + id + "/test", null);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("success").asBoolean()).as(r.text()).isTrue();
        assertThat(r.json().path("duration_ms").asLong()).isBetween(0L, 10_000L);
        assertThat(r.json().path("server_version").asString()).contains("MariaDB");
    }

    @Test
    void testWithARoleThePostgresqlServerDoesNotKnowIsAnAuthenticationError() {
        String role = RealServers.randomName();
        String id = postgresEngine(role).path("id").asString();

        Api.Response r = api.post("/api/engines/" + id + "/test", null);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("success").asBoolean()).isFalse();
        assertThat(r.json().path("error_type").asString()).isEqualTo("AuthenticationError");
        assertThat(r.json().path("message").asString()).startsWith("Connection failed: ").contains(role);
    }

    @Test
    void testWithAWrongMariadbPasswordIsAnAuthenticationError() {
        servers.mariadbUser("custos_it_api", "right-pw-4411", servers.mariadbDatabase());
        String id = mariadbEngine("custos_it_api", "wrong-pw-0981").path("id").asString();

        Api.Response r = api.post("/api/engines/" + id + "/test", null);

        assertThat(r.json().path("success").asBoolean()).isFalse();
        assertThat(r.json().path("error_type").asString()).isEqualTo("AuthenticationError");
        assertThat(r.json().path("message").asString()).contains("custos_it_api").doesNotContain("wrong-pw-0981");
    }

    @Test
    void testAgainstAClosedPortIsAConnectionError() {
        String id = engine("postgresql", RealServers.HOST, SilentServer.refusedPort(), "postgres", "").path("id").asString();

        Api.Response r = api.post("/api/engines/" + id + "/test", null);

        assertThat(r.json().path("success").asBoolean()).isFalse();
        assertThat(r.json().path("error_type").asString()).isEqualTo("ConnectionError");
    }

    @Test
    void testOfASqlServerEngineIsUnsupportedEngine() {
        String id = engine("sqlserver", "mssql.example.com", 1433, "sa", "pw").path("id").asString();

        Api.Response r = api.post("/api/engines/" + id + "/test", null);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("success").asBoolean()).isFalse();
        assertThat(r.json().path("error_type").asString()).isEqualTo("UnsupportedEngine");
        assertThat(r.json().path("message").asString()).contains("sqlserver");
    }

    @Test
    void createWithDiscoverDatabasesImportsTheDatabasesOfTheServer() {
        String onServer = servers.postgresDatabase();

        Api.Response r = api.post("/api/engines", Api.json("name", unique("discovering"), "engine_type", "postgresql",
                "host", RealServers.HOST, "port", RealServers.POSTGRES_PORT, "username", "postgres", "password", "pg-pw-d15c",
                "discover_databases", true));

        assertThat(r.status()).as(r.text()).isEqualTo(201);
        String engineId = r.json().path("engine").path("id").asString();
        JsonNode discovered = r.json().path("discovered_databases");
        assertThat(discovered.findValuesAsString("database_name"))
                .contains(onServer).doesNotContain("postgres", "template0", "template1");
        JsonNode imported = databaseNamed(discovered, onServer);
        assertThat(imported.path("id").asString()).startsWith("db-");
        assertThat(imported.path("name").asString()).isEqualTo(onServer);
        assertThat(imported.path("database_type").asString()).isEqualTo("postgresql");
        assertThat(imported.path("engine_id").asString()).isEqualTo(engineId);
        assertThat(imported.path("use_engine_credentials").asBoolean()).isTrue();
        assertThat(imported.path("host").asString()).isEqualTo(RealServers.HOST);
        assertThat(imported.path("port").asInt()).isEqualTo(RealServers.POSTGRES_PORT);
        assertThat(imported.path("policy_id").asString()).isEqualTo("production-standard");
        assertThat(r.json().path("engine").path("database_count").asInt()).isEqualTo(discovered.size());
        assertThat(api.get("/api/databases?engine_id=" + engineId + "&limit=1000").json().path("total").asInt())
                .isEqualTo(discovered.size());
        NoPasswords.assertNone(r, "pg-pw-d15c");
    }

    @Test
    void aSecondEngineOnTheSameServerDoesNotImportTheSameDatabasesAgain() {
        servers.postgresDatabase();
        Api.Response first = createDiscoveringPostgresEngine();

        Api.Response second = createDiscoveringPostgresEngine();

        assertThat(second.status()).as(second.text()).isEqualTo(201);
        List<String> importedFirst = first.json().path("discovered_databases").findValuesAsString("database_name");
        assertThat(importedFirst).isNotEmpty();
        assertThat(second.json().path("discovered_databases").findValuesAsString("database_name"))
                .doesNotContainAnyElementsOf(importedFirst);
    }

    @Test
    void aDatabaseConfiguredOnTheSameServerWithoutTheEngineIsExistingNotAvailable() {
        String configured = servers.postgresDatabase();
        Api.Response standalone = api.post("/api/databases", Api.json("name", unique("standalone"),
                "database_type", "postgresql", "host", RealServers.HOST, "port", RealServers.POSTGRES_PORT,
                "database_name", configured, "username", "postgres", "password", ""));
        assertThat(standalone.status()).as(standalone.text()).isEqualTo(201);
        String engineId = postgresEngine("postgres").path("id").asString();

        Api.Response r = api.post("/api/engines/" + engineId + "/discover", null);

        assertThat(strings(r.json().path("existing"))).contains(configured);
        assertThat(strings(r.json().path("available"))).doesNotContain(configured);
    }

    @Test
    void discoverSplitsTheServerDatabasesIntoExistingAndAvailable() {
        String configured = servers.postgresDatabase();
        String notConfigured = servers.postgresDatabase();
        String engineId = postgresEngine("postgres").path("id").asString();
        createDatabaseOnEngine(engineId, "postgresql", configured);

        Api.Response r = api.post("/api/engines/" + engineId + "/discover", null);

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().path("engine_id").asString()).isEqualTo(engineId);
        List<String> databases = strings(r.json().path("databases"));
        List<String> existing = strings(r.json().path("existing"));
        List<String> available = strings(r.json().path("available"));
        assertThat(databases).contains(configured, notConfigured).doesNotContain("postgres", "template0", "template1");
        assertThat(existing).contains(configured).doesNotContain(notConfigured);
        assertThat(available).contains(notConfigured).doesNotContain(configured);
        assertThat(existing).doesNotContainAnyElementsOf(available);
        assertThat(databases).containsExactlyInAnyOrderElementsOf(concat(existing, available));
    }

    @Test
    void discoverListsTheDatabasesOfTheRealMariadb() {
        String onServer = servers.mariadbDatabase();
        String engineId = mariadbEngine("root", "").path("id").asString();

        Api.Response r = api.post("/api/engines/" + engineId + "/discover", null);

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(strings(r.json().path("databases")))
                .contains(onServer).doesNotContain("mysql", "information_schema", "performance_schema", "sys");
        assertThat(strings(r.json().path("available"))).contains(onServer);
    }

    @Test
    void importCreatesTheChosenDatabasesAndSkipsConfiguredAndUnknownNames() {
        String toImport = servers.postgresDatabase();
        String alreadyConfigured = servers.postgresDatabase();
        String notOnServer = RealServers.randomName();
        String engineId = postgresEngine("postgres").path("id").asString();
        createDatabaseOnEngine(engineId, "postgresql", alreadyConfigured);
        String policyId = createPolicy();

        Api.Response r = api.post("/api/engines/" + engineId + "/discover?import=true", Api.json(
                "import_databases", List.of(toImport, alreadyConfigured, notOnServer), "policy_id", policyId));

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().path("engine_id").asString()).isEqualTo(engineId);
        JsonNode imported = r.json().path("imported");
        assertThat(imported.findValuesAsString("database_name")).containsExactly(toImport);
        assertThat(imported.get(0).path("name").asString()).isEqualTo(toImport);
        assertThat(imported.get(0).path("engine_id").asString()).isEqualTo(engineId);
        assertThat(imported.get(0).path("policy_id").asString()).isEqualTo(policyId);
        assertThat(strings(r.json().path("skipped"))).containsExactlyInAnyOrder(alreadyConfigured, notOnServer);
        JsonNode stored = api.get("/api/databases/" + imported.get(0).path("id").asString()).json().path("database");
        assertThat(stored.path("policy_id").asString()).isEqualTo(policyId);
        assertThat(stored.path("engine_name").isString()).isTrue();
        assertThat(api.get("/api/databases?engine_id=" + engineId).json().path("total").asInt()).isEqualTo(2);
    }

    @Test
    void importWithAnUnknownPolicyIs400AndImportsNothing() {
        String toImport = servers.postgresDatabase();
        String engineId = postgresEngine("postgres").path("id").asString();

        Api.Response r = api.post("/api/engines/" + engineId + "/discover?import=true",
                Api.json("import_databases", List.of(toImport), "policy_id", "policy-does-not-exist"));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).contains("policy_id", "policy-does-not-exist");
        assertThat(api.get("/api/databases?engine_id=" + engineId).json().path("total").asInt()).isZero();
    }

    @Test
    void importWithAnUnknownPolicyIs400EvenWhenEveryNameIsSkipped() {
        String engineId = postgresEngine("postgres").path("id").asString();

        Api.Response r = api.post("/api/engines/" + engineId + "/discover?import=true",
                Api.json("import_databases", List.of(RealServers.randomName()), "policy_id", "policy-does-not-exist"));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).contains("policy_id");
    }

    @Test
    void importWithABadBodyIs400NamingTheField() {
        String engineId = postgresEngine("postgres").path("id").asString();

        Api.Response r = api.post("/api/engines/" + engineId + "/discover?import=true",
                Api.json("import_databases", "not-a-list"));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).contains("import_databases must be an array of strings");
    }

    @Test
    void discoverIsRefusedWhenDiscoveryIsDisabled() {
        Api.Response created = api.post("/api/engines", Api.json("name", unique("no-discovery"), "engine_type", "postgresql",
                "host", RealServers.HOST, "port", RealServers.POSTGRES_PORT, "username", "postgres", "password", "",
                "discovery_enabled", false));
        String engineId = created.json().path("engine").path("id").asString();

        Api.Response r = api.post("/api/engines/" + engineId + "/discover", null);

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).contains("discovery_enabled");
    }

    @Test
    void discoverOnAServerThatRefusesConnectionsIs400NamingTheCause() {
        String engineId = engine("mysql", RealServers.HOST, SilentServer.refusedPort(), "root", "").path("id").asString();

        Api.Response r = api.post("/api/engines/" + engineId + "/discover", null);

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).contains("ConnectionError");
    }

    private Api.Response createDiscoveringPostgresEngine() {
        return api.post("/api/engines", Api.json("name", unique("discovering"), "engine_type", "postgresql",
                "host", RealServers.HOST, "port", RealServers.POSTGRES_PORT, "username", "postgres", "password", "",
                "discover_databases", true));
    }

    private JsonNode postgresEngine(String username) {
        return engine("postgresql", RealServers.HOST, RealServers.POSTGRES_PORT, username, "any-pw");
    }

    private JsonNode mariadbEngine(String username, String password) {
        return engine("mysql", RealServers.HOST, RealServers.MARIADB_PORT, username, password);
    }

    private JsonNode engine(String type, String host, int port, String username, String password) {
        Api.Response r = api.post("/api/engines", Api.json("name", unique(type), "engine_type", type, "host", host,
                "port", port, "username", username, "password", password));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("engine");
    }

    private void createDatabaseOnEngine(String engineId, String type, String databaseName) {
        Api.Response r = api.post("/api/databases", Api.json("name", databaseName, "database_type", type,
                "engine_id", engineId, "use_engine_credentials", true, "database_name", databaseName));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
    }

    private String createPolicy() {
        Api.Response r = api.post("/api/backup-policies", Api.json("name", unique("import-policy")));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("policy").path("id").asString();
    }

    private static JsonNode databaseNamed(JsonNode databases, String databaseName) {
        for (JsonNode db : databases) {
            if (db.path("database_name").asString().equals(databaseName)) {
                return db;
            }
        }
        throw new AssertionError("no database " + databaseName + " in " + databases);
    }

    private static List<String> strings(JsonNode array) {
        return array.valueStream().map(JsonNode::asString).toList();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
