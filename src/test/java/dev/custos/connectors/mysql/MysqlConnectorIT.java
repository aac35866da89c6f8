package dev.custos.connectors.mysql;

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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mariadb.jdbc.Driver;

/** Against the machine's MariaDB 10.11 on 127.0.0.1:3306 (root without a password). */
class MysqlConnectorIT extends NetworkedConnectorContract {

    private static final int PORT = 3306;
    private static final String USER = "custos_it";
    private static final String RIGHT_PASSWORD = "right-pw";
    /** The driver may connect as 'user'@'localhost' or 'user'@'127.0.0.1' depending on name resolution. */
    private static final List<String> USER_HOSTS = List.of("%", "localhost", "127.0.0.1");

    private final MysqlConnector connector = new MysqlConnector();

    @BeforeAll
    static void createUser() throws SQLException {
        for (String host : USER_HOSTS) {
            executeAsRoot("DROP USER IF EXISTS '" + USER + "'@'" + host + "'");
            executeAsRoot("CREATE USER '" + USER + "'@'" + host + "' IDENTIFIED BY '" + RIGHT_PASSWORD + "'");
        }
    }

    @AfterAll
    static void dropUser() throws SQLException {
        for (String host : USER_HOSTS) {
            executeAsRoot("DROP USER IF EXISTS '" + USER + "'@'" + host + "'");
        }
    }

    @Override
    protected DatabaseConnector connector() {
        return connector;
    }

    @Override
    protected ConnectionTarget target(String host, int port, String databaseName) {
        return new ConnectionTarget(DatabaseKind.MYSQL, host, port, databaseName, "root", null);
    }

    @Override
    protected int serverPort() {
        return PORT;
    }

    @Override
    protected String expectedVersionPrefix() {
        return "10.11.";
    }

    @Override
    protected List<String> systemDatabases() {
        return List.of("information_schema", "mysql", "performance_schema", "sys");
    }

    @Override
    protected void createDatabase(String name) throws SQLException {
        executeAsRoot("CREATE DATABASE `" + name + "`");
    }

    @Override
    protected void dropDatabase(String name) throws SQLException {
        executeAsRoot("DROP DATABASE IF EXISTS `" + name + "`");
    }

    @Test
    void userWithTheRightPasswordConnects() {
        ConnectionCheck check = connector.testConnection(userTarget(RIGHT_PASSWORD), TIMEOUT);

        assertThat(check.success()).as(check.message()).isTrue();
        assertThat(check.serverVersion()).contains("MariaDB");
    }

    @Test
    void wrongPasswordIsAuthenticationErrorAndNeverEchoed() {
        String wrong = randomName("wrong-pw-");

        ConnectionCheck check = connector.testConnection(userTarget(wrong), TIMEOUT);

        assertThat(check.success()).isFalse();
        assertThat(check.errorType()).isEqualTo(ConnectionErrorType.AuthenticationError);
        assertThat(check.message())
                .startsWith("Connection failed: Access denied for user '" + USER + "'")
                .doesNotContain(wrong)
                .doesNotContain(RIGHT_PASSWORD);
    }

    private static ConnectionTarget userTarget(String password) {
        return new ConnectionTarget(DatabaseKind.MYSQL, "127.0.0.1", PORT, null, USER, password);
    }

    private static void executeAsRoot(String sql) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", "root");
        try (Connection connection = new Driver().connect("jdbc:mariadb://127.0.0.1:" + PORT + "/", properties);
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
