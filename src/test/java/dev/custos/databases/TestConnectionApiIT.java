package dev.custos.databases;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.custos.connectors.SilentServer;
import dev.custos.engines.RealServers;
import dev.custos.support.Api;
import dev.custos.support.ApiTest;

/**
 * {@code POST /api/databases/test-connection} in both body forms of the spec, against the machine's real
 * PostgreSQL and MariaDB and real SQLite files.
 */
class TestConnectionApiIT extends ApiTest {

    private static final String MARIADB_USER = "custos_it_api";
    private static final String MARIADB_PASSWORD = "right-pw-c0ffee";
    private static final RealServers servers = new RealServers();

    @TempDir
    static Path files;

    private static String postgresDatabase;
    private static String mariadbDatabase;

    @BeforeAll
    static void createServerDatabases() {
        postgresDatabase = servers.postgresDatabase();
        mariadbDatabase = servers.mariadbDatabase();
        servers.mariadbUser(MARIADB_USER, MARIADB_PASSWORD, mariadbDatabase);
    }

    @AfterAll
    static void dropServerDatabases() {
        servers.dropAll();
    }

    @Test
    void postgresqlWithItsOwnCredentialsSucceeds() {
        Api.Response r = testConnection(Api.json("database_type", "postgresql", "host", RealServers.HOST,
                "port", RealServers.POSTGRES_PORT, "database_name", postgresDatabase, "username", "postgres", "password", ""));

        assertSuccess(r);
    }

    @Test
    void mariadbWithItsOwnCredentialsSucceeds() {
        Api.Response r = testConnection(Api.json("database_type", "mysql", "host", RealServers.HOST,
                "port", RealServers.MARIADB_PORT, "database_name", mariadbDatabase, "username", MARIADB_USER,
                "password", MARIADB_PASSWORD));

        assertSuccess(r);
    }

    @Test
    void aSqliteFileSucceedsWithoutHostOrPort() throws SQLException {
        Path file = files.resolve("app.db");
        createSqliteDatabase(file);

        Api.Response r = testConnection(Api.json("database_type", "sqlite", "database_name", file.toString()));

        assertSuccess(r);
    }

    @Test
    void theEngineCredentialsFormSucceedsOnMariadb() {
        String engineId = engine("mysql", RealServers.MARIADB_PORT, MARIADB_USER, MARIADB_PASSWORD);

        Api.Response r = testConnection(Api.json("database_type", "mysql", "host", RealServers.HOST,
                "port", RealServers.MARIADB_PORT, "database_name", mariadbDatabase, "engine_id", engineId,
                "use_engine_credentials", true));

        assertSuccess(r);
    }

    @Test
    void theEngineCredentialsFormSucceedsOnPostgresqlWithTheEnginesAddress() {
        String engineId = engine("postgresql", RealServers.POSTGRES_PORT, "postgres", "");

        Api.Response r = testConnection(Api.json("database_type", "postgresql", "database_name", postgresDatabase,
                "engine_id", engineId, "use_engine_credentials", true));

        assertSuccess(r);
    }

    @Test
    void theEngineCredentialsAreUsedNotTheOnesInTheBody() {
        String engineId = engine("mysql", RealServers.MARIADB_PORT, MARIADB_USER, "wrong-engine-pw");

        Api.Response r = testConnection(Api.json("database_type", "mysql", "host", RealServers.HOST,
                "port", RealServers.MARIADB_PORT, "database_name", mariadbDatabase, "engine_id", engineId,
                "use_engine_credentials", true, "username", MARIADB_USER, "password", MARIADB_PASSWORD));

        assertFailure(r, "AuthenticationError");
    }

    @Test
    void theEngineCredentialsAreNeverSentToAnotherAddress() throws Exception {
        String engineId = engine("mysql", RealServers.MARIADB_PORT, MARIADB_USER, MARIADB_PASSWORD);
        try (java.net.ServerSocket elsewhere = new java.net.ServerSocket(0, 50,
                java.net.InetAddress.getByName(RealServers.HOST))) {
            elsewhere.setSoTimeout(300);

            Api.Response r = testConnection(Api.json("database_type", "mysql", "host", RealServers.HOST,
                    "port", elsewhere.getLocalPort(), "database_name", mariadbDatabase, "engine_id", engineId,
                    "use_engine_credentials", true));

            assertThat(r.status()).isEqualTo(400);
            assertThat(r.error()).contains("port must be the engine's port");
            org.assertj.core.api.Assertions.assertThatThrownBy(elsewhere::accept)
                    .as("nothing connected to the other address").isInstanceOf(java.net.SocketTimeoutException.class);
        }
    }

    @Test
    void aMariadbDatabaseNameCannotCarryDriverOptions() {
        Api.Response r = testConnection(Api.json("database_type", "mysql", "host", RealServers.HOST,
                "port", RealServers.MARIADB_PORT, "database_name", mariadbDatabase + "?allowLocalInfile=true",
                "username", "root", "password", ""));

        assertFailure(r, "DatabaseNotFound");
    }

    @Test
    void aWrongMariadbPasswordIsAnAuthenticationError() {
        Api.Response r = testConnection(Api.json("database_type", "mysql", "host", RealServers.HOST,
                "port", RealServers.MARIADB_PORT, "database_name", mariadbDatabase, "username", MARIADB_USER,
                "password", "wrong-pw-5eed"));

        assertFailure(r, "AuthenticationError");
        assertThat(r.json().path("message").asString()).startsWith("Connection failed: ")
                .contains("Access denied", MARIADB_USER).doesNotContain("wrong-pw-5eed");
    }

    @Test
    void aPostgresqlRoleThatDoesNotExistIsAnAuthenticationError() {
        String role = RealServers.randomName();

        Api.Response r = testConnection(Api.json("database_type", "postgresql", "host", RealServers.HOST,
                "port", RealServers.POSTGRES_PORT, "database_name", postgresDatabase, "username", role,
                "password", "pg-pw-77aa"));

        assertFailure(r, "AuthenticationError");
        assertThat(r.json().path("message").asString()).contains(role).doesNotContain("pg-pw-77aa");
    }

    @Test
    void aClosedPortIsAConnectionError() {
        Api.Response r = testConnection(Api.json("database_type", "postgresql", "host", RealServers.HOST,
                "port", SilentServer.refusedPort(), "database_name", "x", "username", "postgres", "password", ""));

        assertFailure(r, "ConnectionError");
    }

    @Test
    void aMissingPostgresqlDatabaseIsDatabaseNotFound() {
        String missing = RealServers.randomName();

        Api.Response r = testConnection(Api.json("database_type", "postgresql", "host", RealServers.HOST,
                "port", RealServers.POSTGRES_PORT, "database_name", missing, "username", "postgres", "password", ""));

        assertFailure(r, "DatabaseNotFound");
        assertThat(r.json().path("message").asString()).contains(missing);
    }

    @Test
    void aMissingMariadbDatabaseIsDatabaseNotFound() {
        String missing = RealServers.randomName();

        Api.Response r = testConnection(Api.json("database_type", "mysql", "host", RealServers.HOST,
                "port", RealServers.MARIADB_PORT, "database_name", missing, "username", "root", "password", ""));

        assertFailure(r, "DatabaseNotFound");
        assertThat(r.json().path("message").asString()).contains(missing);
    }

    @Test
    void aMissingSqliteFileIsDatabaseNotFoundAndIsNotCreated() {
        Path missing = files.resolve("missing.db");

        Api.Response r = testConnection(Api.json("database_type", "sqlite", "database_name", missing.toString()));

        assertFailure(r, "DatabaseNotFound");
        assertThat(missing).doesNotExist();
    }

    @Test
    void sqlserverAndAzureSqlAreUnsupportedEngines() {
        for (String type : new String[] {"sqlserver", "azure_sql"}) {
            Api.Response r = testConnection(Api.json("database_type", type, "host", "mssql.example.com", "port", 1433,
                    "database_name", "erp", "username", "sa", "password", "pw"));

            assertFailure(r, "UnsupportedEngine");
            assertThat(r.json().path("message").asString()).contains(type);
        }
    }

    @Test
    void testingSavesNothing() {
        String databaseName = RealServers.randomName();

        testConnection(Api.json("database_type", "postgresql", "host", RealServers.HOST, "port", RealServers.POSTGRES_PORT,
                "database_name", databaseName, "username", "postgres", "password", ""));

        assertThat(api.get("/api/databases?search=" + databaseName).json().path("total").asInt()).isZero();
    }

    @Test
    void aBadBodyIs400NamingTheField() {
        Api.Response wrongType = api.post("/api/databases/test-connection", Api.json("database_type", "oracle",
                "host", "h", "port", 1, "database_name", "x"));
        Api.Response missing = api.post("/api/databases/test-connection", Api.json("database_type", "mysql",
                "host", "h", "port", "3306", "username", "u", "password", "p"));
        Api.Response noUser = api.post("/api/databases/test-connection", Api.json("database_type", "mysql",
                "host", "h", "port", 3306, "database_name", "x"));
        Api.Response unknownEngine = api.post("/api/databases/test-connection", Api.json("database_type", "mysql",
                "database_name", "x", "engine_id", "engine-does-not-exist", "use_engine_credentials", true));

        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.error()).contains("database_type must be one of");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.error()).contains("database_name is required", "port must be an integer");
        assertThat(noUser.status()).isEqualTo(400);
        assertThat(noUser.error()).contains("username is required", "password is required");
        assertThat(unknownEngine.status()).isEqualTo(400);
        assertThat(unknownEngine.error()).contains("engine_id 'engine-does-not-exist' does not exist");
    }

    @Test
    void aBodyThatIsNotAJsonObjectIs400() {
        assertThat(api.post("/api/databases/test-connection", "{\"database_type\": ").status()).isEqualTo(400);
        assertThat(api.post("/api/databases/test-connection", "[1, 2]").error()).isEqualTo("Request body must be a JSON object");
        assertThat(api.post("/api/databases/test-connection", null).error()).contains("database_type is required");
    }

    private Api.Response testConnection(String body) {
        return api.post("/api/databases/test-connection", body);
    }

    private String engine(String type, int port, String username, String password) {
        Api.Response r = api.post("/api/engines", Api.json("name", unique("test-connection-" + type), "engine_type", type,
                "host", RealServers.HOST, "port", port, "username", username, "password", password));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("engine").path("id").asString();
    }

    private static void assertSuccess(Api.Response r) {
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().path("success").asBoolean()).as(r.text()).isTrue();
        assertThat(r.json().path("message").asString()).isEqualTo("Connection successful");
        assertThat(r.json().path("duration_ms").isIntegralNumber()).isTrue();
        assertThat(r.json().path("duration_ms").asLong()).isBetween(0L, 10_000L);
        assertThat(r.json().path("error_type").isNull()).isTrue();
    }

    private static void assertFailure(Api.Response r, String errorType) {
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().path("success").asBoolean()).isFalse();
        assertThat(r.json().path("error_type").asString()).as(r.text()).isEqualTo(errorType);
    }

    private static void createSqliteDatabase(Path file) throws SQLException {
        try (Connection c = new org.sqlite.JDBC().connect("jdbc:sqlite:" + file, new Properties());
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)");
        }
        assertThat(Files.exists(file)).isTrue();
    }
}
