package dev.custos.connectors.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custos.connectors.ConnectionCheck;
import dev.custos.connectors.ConnectionErrorType;
import dev.custos.connectors.ConnectionTarget;
import dev.custos.connectors.DatabaseConnector;
import dev.custos.connectors.DatabaseKind;
import dev.custos.connectors.NetworkedConnectorContract;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.postgresql.Driver;

/** Against the machine's PostgreSQL 15 on 127.0.0.1:5432 (trust authentication, user postgres). */
class PostgresConnectorIT extends NetworkedConnectorContract {

    private static final int PORT = 5432;

    private final PostgresConnector connector = new PostgresConnector();

    @Override
    protected DatabaseConnector connector() {
        return connector;
    }

    @Override
    protected ConnectionTarget target(String host, int port, String databaseName) {
        return new ConnectionTarget(DatabaseKind.POSTGRESQL, host, port, databaseName, "postgres", null);
    }

    @Override
    protected int serverPort() {
        return PORT;
    }

    @Override
    protected String expectedVersionPrefix() {
        return "15.";
    }

    @Override
    protected List<String> systemDatabases() {
        return List.of("postgres", "template0", "template1");
    }

    @Override
    protected void createDatabase(String name) throws SQLException {
        execute("CREATE DATABASE " + name);
    }

    @Override
    protected void dropDatabase(String name) throws SQLException {
        execute("DROP DATABASE IF EXISTS " + name);
    }

    @Test
    void connectsToANamedDatabase() {
        ConnectionCheck check = connector.testConnection(target("127.0.0.1", PORT, "postgres"), TIMEOUT);

        assertThat(check.success()).as(check.message()).isTrue();
    }

    @Test
    void unknownRoleIsAuthenticationError() {
        String role = randomName("custos_it_nobody_");
        ConnectionTarget target =
                new ConnectionTarget(DatabaseKind.POSTGRESQL, "127.0.0.1", PORT, "postgres", role, "some-secret-pw");

        ConnectionCheck check = connector.testConnection(target, TIMEOUT);

        assertThat(check.errorType()).isEqualTo(ConnectionErrorType.AuthenticationError);
        assertThat(check.message()).startsWith("Connection failed: ").contains(role).doesNotContain("some-secret-pw");
    }

    private static void execute(String sql) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", "postgres");
        try (Connection connection = new Driver().connect("jdbc:postgresql://127.0.0.1:" + PORT + "/postgres", properties);
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
